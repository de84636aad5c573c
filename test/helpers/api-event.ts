import { readFileSync } from 'node:fs';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import type { Principal } from '../../functions/kernel/roles.ts';
import { type AuthorizerContext, contextFor } from '../../functions/kernel/http/authorizer-context.ts';

const FIXTURE = JSON.parse(readFileSync(new URL('../events/http-api-v2.json', import.meta.url), 'utf8')) as APIGatewayProxyEventV2;

let requestCounter = 0;

export interface ApiEventOptions {
  /** The route API Gateway matched, e.g. `GET /v1/services/{name}`, or `$default`. */
  routeKey: string;
  /** Values for the route's `{params}`; the raw path is built from them. */
  pathParameters?: Record<string, string>;
  /** For `$default` (or to override): the method and path actually requested. */
  method?: string;
  path?: string;
  query?: Record<string, string>;
  /** An object is sent as JSON (with its content type); a string is sent as it is. */
  body?: unknown;
  headers?: Record<string, string>;
  /**
   * Who the authorizer said is calling: a principal, `null` for an unauthenticated request
   * (with `reason`), or left out for no authorizer context at all.
   */
  principal?: Principal | null;
  reason?: string;
}

/**
 * An API Gateway HTTP API payload v2.0 event, built from the JSON fixture in test/events as
 * API Gateway would send it for the given route: lowercase headers, decoded path parameters,
 * `rawPath` with them filled in, and the authorizer's context under `requestContext.authorizer.lambda`.
 */
export function apiEvent(options: ApiEventOptions): APIGatewayProxyEventV2 {
  const event = structuredClone(FIXTURE);
  const [routeMethod, routePath] = options.routeKey === '$default' ? [undefined, undefined] : options.routeKey.split(' ');
  const method = options.method ?? routeMethod ?? 'GET';
  const pathParameters = options.pathParameters ?? {};
  const path =
    options.path ??
    (routePath ?? '/').replace(/\{([^}]+)\}/g, (_, name: string) => {
      const value = pathParameters[name];
      if (value === undefined) throw new Error(`no value for {${name}} in ${options.routeKey}`);
      return encodeURIComponent(value);
    });
  const query = options.query ?? {};
  const requestId = `test-request-${++requestCounter}`;

  event.routeKey = options.routeKey;
  event.rawPath = path;
  event.rawQueryString = new URLSearchParams(query).toString();
  event.queryStringParameters = Object.keys(query).length > 0 ? { ...query } : undefined;
  event.pathParameters = Object.keys(pathParameters).length > 0 ? { ...pathParameters } : undefined;
  event.requestContext.routeKey = options.routeKey;
  event.requestContext.requestId = requestId;
  event.requestContext.http.method = method;
  event.requestContext.http.path = path;

  const headers: Record<string, string | undefined> = { ...event.headers };
  if (options.body !== undefined) {
    event.body = typeof options.body === 'string' ? options.body : JSON.stringify(options.body);
    headers['content-type'] = 'application/json';
  }
  for (const [name, value] of Object.entries(options.headers ?? {})) headers[name.toLowerCase()] = value;
  event.headers = headers;

  if (options.principal !== undefined) {
    setAuthorizerContext(event, contextFor(options.principal ?? undefined, options.reason ?? 'No API key was sent.'));
  }
  return event;
}

/** Puts what the Lambda authorizer returned where API Gateway puts it for the route handler. */
export function setAuthorizerContext(event: APIGatewayProxyEventV2, context: AuthorizerContext): APIGatewayProxyEventV2 {
  (event.requestContext as unknown as { authorizer: { lambda: AuthorizerContext } }).authorizer = { lambda: context };
  return event;
}
