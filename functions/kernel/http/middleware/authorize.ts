import type { MiddlewareObj } from '@middy/core';
import type { APIGatewayProxyEventV2, APIGatewayProxyEventV2WithLambdaAuthorizer } from 'aws-lambda';
import { ForbiddenError, UnauthorizedError } from '../../errors.ts';
import { hasRole } from '../../roles.ts';
import { principalFrom } from '../authorizer-context.ts';
import { requestState } from '../request-state.ts';
import { checkScopeBeforeBody } from './enforce-scope.ts';

/** API Gateway adds `authorizer.lambda` to the request context of routes behind the Lambda authorizer. */
type AuthorizedEvent = APIGatewayProxyEventV2WithLambdaAuthorizer<Record<string, unknown>>;

/**
 * 401 without a valid key, 403 when the key's role is too small or the route's path names a
 * service the key is not limited to (enforce-scope.ts). Runs before the body is read, so
 * strangers learn nothing about validation.
 */
export function authorize(): MiddlewareObj<APIGatewayProxyEventV2> {
  return {
    name: 'authorize',
    before: function authorizeBefore(request) {
      const state = requestState(request);
      const { operation } = state;
      if (operation.access === 'public') return;
      const principal = principalFrom((request.event as AuthorizedEvent).requestContext.authorizer?.lambda);
      if ('reason' in principal) throw new UnauthorizedError(principal.reason);
      if (!hasRole(principal, operation.access)) {
        throw new ForbiddenError(`This needs the ${operation.access} role; key "${principal.name}" has ${principal.role}.`);
      }
      checkScopeBeforeBody(operation, principal, request.event);
      state.principal = principal;
    },
  };
}
