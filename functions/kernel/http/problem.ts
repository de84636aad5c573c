import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { MethodNotAllowedError, StewardError, UnauthorizedError } from '../errors.ts';

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

/** An RFC 9457 problem document. */
export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  instance?: string;
  requestId?: string;
  [extension: string]: unknown;
}

/**
 * Turns any error into a problem response. Domain errors keep their status and words; anything
 * else is our fault, so it is a 500 that says nothing about internals (the log has the cause).
 */
export function problemResponse(error: unknown, instance: string, requestId: string): APIGatewayProxyStructuredResultV2 {
  const problem: Problem =
    error instanceof StewardError
      ? { type: error.type, title: error.title, status: error.status, detail: error.detail, ...error.extensions }
      : {
          type: 'https://steward.dev/problems/internal-error',
          title: 'Internal error',
          status: 500,
          detail: 'Steward could not complete the request. It has been logged; quote the request id when reporting it.',
        };
  problem.instance = instance;
  problem.requestId = requestId;
  const headers: Record<string, string> = { 'content-type': PROBLEM_CONTENT_TYPE };
  if (error instanceof MethodNotAllowedError) headers.allow = error.allow.join(', ');
  // RFC 9110 §11.6.1: a 401 names the scheme that would be accepted (RFC 6750 for bearer tokens).
  if (error instanceof UnauthorizedError) headers['www-authenticate'] = 'Bearer realm="steward"';
  return { statusCode: problem.status, headers, body: JSON.stringify(problem) };
}
