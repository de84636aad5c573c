import type { MiddlewareObj } from '@middy/core';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { MethodNotAllowedError, NotFoundError } from '../../errors.ts';
import { type Operation, routeKey } from '../operation.ts';
import { setRequestState } from '../request-state.ts';
import { type RouteShape, RouteTable } from '../route-match.ts';

/**
 * Finds the operation API Gateway routed the request to. The `$default` route (and a local
 * request matching no route) falls through to 404, or 405 with `Allow` when only the method
 * is wrong, decided by the same route table every function shares. A browser's CORS preflight
 * (OPTIONS with Origin and Access-Control-Request-Method) for a method the path has is a 204:
 * on AWS API Gateway adds the allowed origin's CORS headers to it (lib/constructs/steward-api.ts);
 * without them (locally, or another origin) the browser refuses the call all the same.
 */
export function resolveOperation(
  operations: Operation[],
  allRoutes: readonly RouteShape[] = operations,
): MiddlewareObj<APIGatewayProxyEventV2> {
  const byRouteKey = new Map(operations.map((operation) => [routeKey(operation), operation]));
  let routes: RouteTable<RouteShape> | undefined;
  return {
    name: 'resolveOperation',
    before: function resolveOperationBefore(request) {
      const operation = byRouteKey.get(request.event.routeKey);
      if (operation) {
        setRequestState(request, { operation });
        return;
      }
      routes ??= new RouteTable(allRoutes);
      const method = request.event.requestContext.http.method;
      const path = request.event.rawPath;
      const preflight =
        method === 'OPTIONS' && request.event.headers.origin ? request.event.headers['access-control-request-method'] : undefined;
      if (preflight !== undefined && 'found' in routes.match(preflight.toUpperCase(), path)) {
        const known = routes.match(method, path);
        return { statusCode: 204, headers: 'allow' in known ? { allow: known.allow.join(', ') } : {} };
      }
      const match = routes.match(method, path);
      if ('allow' in match && match.allow.length > 0) throw new MethodNotAllowedError(match.allow, path);
      throw new NotFoundError(`No route matches ${method} ${path}. GET /openapi.json lists every route.`);
    },
  };
}
