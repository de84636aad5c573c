import type { MiddlewareObj } from '@middy/core';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { StewardError } from '../../errors.ts';
import { logger } from '../../logger.ts';
import { problemResponse } from '../problem.ts';

/** The last word on every failure: an RFC 9457 problem, and a log line for our own faults. */
export function problemResponses(): MiddlewareObj<APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2> {
  return {
    name: 'problemResponses',
    onError: function problemResponsesOnError(request) {
      const { error, event } = request;
      if (!(error instanceof StewardError)) {
        logger.error('unhandled error', { error: error as Error, routeKey: event.routeKey });
      } else if (error.status >= 500) {
        logger.error('request failed', { error });
      }
      request.response = problemResponse(error, event.rawPath, event.requestContext?.requestId ?? request.context.awsRequestId);
    },
  };
}
