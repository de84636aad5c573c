import type { MiddlewareObj, Request } from '@middy/core';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { deprecationHeader, type LifecycleHeaders, linkHeader, sunsetHeader } from '../../lifecycle-headers.ts';
import type { RouteDeprecation } from '../operation.ts';
import { resolvedOperation } from '../request-state.ts';

/** The headers a response of a deprecated route carries; the successor's `{params}` filled from the request's path parameters. */
export function deprecatedRouteHeaders(
  deprecation: RouteDeprecation,
  pathParameters: Record<string, string | undefined> = {},
): LifecycleHeaders {
  const headers: LifecycleHeaders = { Deprecation: deprecationHeader(new Date(deprecation.deprecatedAt)) };
  if (deprecation.sunsetAt) headers.Sunset = sunsetHeader(new Date(deprecation.sunsetAt));
  // Relative references (RFC 8288 §3.1): resolved against the request's own URI.
  const links: Array<{ href: string; rel: string; type?: string }> = [
    { href: '/openapi.json', rel: 'deprecation', type: 'application/json' },
  ];
  if (deprecation.successor) {
    const successor = deprecation.successor.replace(/\{([^}]+)\}/g, (template, name: string) => {
      const value = pathParameters[name];
      return value === undefined ? template : encodeURIComponent(value);
    });
    links.push({ href: successor, rel: 'successor-version' });
  }
  headers.Link = linkHeader(links);
  return headers;
}

/**
 * Registered before problemResponses, so it runs after it: a deprecated route's responses, its
 * problems too, carry Deprecation, Sunset and Link (issue 11 §9: Steward's own deprecated routes
 * send them as the services it manages do). A request that matched no route gets none.
 */
export function deprecatedRoute(): MiddlewareObj<APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2> {
  const apply = (request: Request<APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2>): void => {
    const operation = resolvedOperation(request.event);
    if (!operation?.deprecation || !request.response) return;
    request.response.headers = {
      ...request.response.headers,
      ...deprecatedRouteHeaders(operation.deprecation, request.event.pathParameters),
    };
  };
  return { name: 'deprecatedRoute', after: apply, onError: apply };
}
