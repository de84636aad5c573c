import type { MiddlewareObj } from '@middy/core';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { BadRequestError, PayloadTooLargeError, UnsupportedMediaTypeError } from '../../errors.ts';
import { requestMediaType } from '../content-type.ts';
import { requestState } from '../request-state.ts';

/** Request bodies are capped at 1 MB; API Gateway would accept 10. */
export const MAX_BODY_BYTES = 1024 * 1024;

/** Reads a JSON body: 413 when too large, 415 when not JSON, 400 when malformed or sent with two Content-Types. */
export function parseJsonBody(): MiddlewareObj<APIGatewayProxyEventV2> {
  return {
    name: 'parseJsonBody',
    before: function parseJsonBodyBefore(request) {
      const state = requestState(request);
      const { event } = request;
      if (!state.operation.body || event.body === undefined || event.body === '') return;
      const raw = event.isBase64Encoded ? Buffer.from(event.body, 'base64') : Buffer.from(event.body, 'utf8');
      const limit = state.operation.maxBodyBytes ?? MAX_BODY_BYTES;
      if (raw.byteLength > limit) {
        throw new PayloadTooLargeError(
          `The request body is ${raw.byteLength} bytes; the limit is ${limit} bytes (${Math.round(limit / 1024 / 1024)} MB).`,
        );
      }
      const contentType = requestMediaType(event.headers['content-type']);
      if (state.operation.parseBody) {
        state.json = state.operation.parseBody(raw.toString('utf8'), contentType);
        return;
      }
      if (!/^application\/([\w.+-]+\+)?json$/.test(contentType)) {
        throw new UnsupportedMediaTypeError(
          `Send the body as JSON with "Content-Type: application/json"${contentType ? `, not ${contentType}` : ''}.`,
        );
      }
      try {
        state.json = JSON.parse(raw.toString('utf8'));
      } catch (error) {
        throw new BadRequestError(`The body is not valid JSON: ${jsonSyntaxProblem(error)}.`, 'Malformed JSON');
      }
    },
  };
}

/**
 * V8's JSON.parse messages with a position name only JSON syntax; the others quote the body
 * around the fault (`Unexpected token 'x', ..."password": x"... is not valid JSON`), and
 * bodies carry secret values: keep positions, never the body's text.
 */
function jsonSyntaxProblem(error: unknown): string {
  const message = error instanceof Error ? error.message : '';
  if (/ at position \d+/.test(message)) return message.replace(/token '[^']*'/g, 'token');
  return message.startsWith('Unexpected end') ? 'it ends too early' : 'an unexpected character';
}
