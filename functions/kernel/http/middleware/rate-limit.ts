import type { MiddlewareObj } from '@middy/core';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { StewardError } from '../../errors.ts';
import { logger } from '../../logger.ts';
import {
  bucketOwner,
  limitFor,
  type RateLimitSettings,
  rateClassOf,
  rateLimitHeaders,
  rateLimitSettings,
} from '../../rate-limit/policy.ts';
import { takeFromBucket } from '../../store/token-buckets.ts';
import { problemResponse } from '../problem.ts';
import { requestState } from '../request-state.ts';

/** 429: the principal spent its bucket for this route class. */
export class TooManyRequestsError extends StewardError {
  constructor(detail: string) {
    super(429, 'Too many requests', detail);
  }
}

let settings: RateLimitSettings | undefined;

/** Re-reads STEWARD_RATE_LIMITS (tests and the local runtime change it). */
export function resetRateLimitSettings(): void {
  settings = undefined;
}

/**
 * Takes a token from the caller's bucket for the route's class, after authentication and before
 * anything else: a spent bucket is a 429 problem with `Retry-After` and the IETF `RateLimit-Policy`
 * and `RateLimit` headers, which every successful answer within the limit carries too. Public routes are not
 * limited here (API Gateway's stage throttling is the outer wall). If the table cannot be asked,
 * the request goes through: a limiter must not take the API down with it.
 */
export function rateLimit(): MiddlewareObj<APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2> {
  const headersOf = new WeakMap<object, Record<string, string>>();
  return {
    name: 'rateLimit',
    before: async function rateLimitBefore(request) {
      settings ??= rateLimitSettings();
      if (!settings.enabled) return;
      const { operation, principal } = requestState(request);
      if (!principal) return;
      const rateClass = rateClassOf(operation);
      const limit = limitFor(principal, rateClass, settings);
      let outcome: Awaited<ReturnType<typeof takeFromBucket>>;
      try {
        outcome = await takeFromBucket(bucketOwner(principal), rateClass, limit);
      } catch (error) {
        logger.warn('rate limit bucket unavailable; request let through', { error: error as Error });
        return;
      }
      const headers = rateLimitHeaders(rateClass, limit, outcome);
      if (outcome.allowed) {
        headersOf.set(request.event, headers);
        return;
      }
      const error = new TooManyRequestsError(
        `Key "${principal.name}" made more than ${limit} ${rateClass} requests a minute; retry in ${outcome.retryAfterSeconds} s.`,
      );
      const response = problemResponse(
        error,
        request.event.rawPath,
        request.event.requestContext?.requestId ?? request.context.awsRequestId,
      );
      response.headers = { ...response.headers, ...headers, 'retry-after': String(outcome.retryAfterSeconds) };
      return response;
    },
    after: function rateLimitAfter(request) {
      const headers = headersOf.get(request.event);
      if (headers && request.response) request.response.headers = { ...headers, ...request.response.headers };
    },
  };
}
