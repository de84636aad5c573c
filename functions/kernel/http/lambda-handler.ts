import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import httpHeaderNormalizer from '@middy/http-header-normalizer';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import type { Principal } from '../roles.ts';
import { logger } from '../logger.ts';
import type { HttpResult, Operation } from './operation.ts';
import type { RouteShape } from './route-match.ts';
import { authorize } from './middleware/authorize.ts';
import { deprecatedRoute } from './middleware/deprecated-route.ts';
import { enforceScope } from './middleware/enforce-scope.ts';
import { idempotency } from './middleware/idempotency.ts';
import { parseJsonBody } from './middleware/parse-json-body.ts';
import { problemResponses } from './middleware/problem-responses.ts';
import { rateLimit } from './middleware/rate-limit.ts';
import { resolveOperation } from './middleware/resolve-operation.ts';
import { validateInput } from './middleware/validate-input.ts';
import { stateOf } from './request-state.ts';

/**
 * The Lambda handler of one route group. Read top to bottom, this is every request's pipeline:
 * normalise headers → find the operation (a deprecated one's responses carry Deprecation, Sunset
 * and Link, whatever comes of the request) → authorise (role; a path's service) → take a token from
 * the caller's rate limit bucket (429 when spent) → read the JSON body
 * → validate with zod → the route's declared service scope → a POST's Idempotency-Key (replay the
 * first response) → run the operation; any failure becomes a problem+json response.
 */
export function lambdaHandler(operations: Operation[], allRoutes?: readonly RouteShape[]) {
  return (
    middy<APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2>()
      // Never log the incoming event, whatever POWERTOOLS_LOGGER_LOG_EVENT says: bodies carry secret values.
      .use(injectLambdaContext(logger, { resetKeys: true, logEvent: false }))
      .use(httpHeaderNormalizer())
      // Before problemResponses, so that its onError runs after the problem is made.
      .use(deprecatedRoute())
      .use(problemResponses())
      .use(resolveOperation(operations, allRoutes))
      .use(authorize())
      .use(rateLimit())
      .use(parseJsonBody())
      .use(validateInput())
      .use(enforceScope())
      .use(idempotency())
      .handler(async function runOperation(event) {
        const { operation, principal, input } = stateOf(event);
        const requestId = event.requestContext.requestId;
        logger.appendKeys({ requestId, operationId: operation.operationId });
        const result = await operation.handle({
          params: input?.params,
          query: input?.query,
          body: input?.body,
          principal: principal as Principal,
          requestId,
          headers: event.headers,
          event,
        });
        return toApiGatewayResult(result);
      })
  );
}

export function toApiGatewayResult(result: HttpResult): APIGatewayProxyStructuredResultV2 {
  const headers: Record<string, string> = { ...result.headers };
  if (result.body === undefined) return { statusCode: result.status, headers };
  headers['content-type'] = result.contentType ?? 'application/json';
  const body = typeof result.body === 'string' ? result.body : JSON.stringify(result.body);
  return { statusCode: result.status, headers, body };
}
