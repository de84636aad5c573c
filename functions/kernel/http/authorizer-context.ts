import type { Principal } from '../roles.ts';

/**
 * What the Lambda authorizer hands to the route handlers (API Gateway passes it as
 * `requestContext.authorizer.lambda`). The authorizer always lets the request through and says
 * here whether the key was valid, so that a bad key gets a problem+json 401 from the handler
 * instead of API Gateway's bare 403. Values are strings, as API Gateway passes them on.
 */
export type AuthorizerContext =
  | { authenticated: 'true'; keyId: string; name: string; role: string; services: string; rateLimits?: string }
  | { authenticated: 'false'; reason: string };

export function contextFor(principal: Principal | undefined, reason: string): AuthorizerContext {
  if (!principal) return { authenticated: 'false', reason };
  return {
    authenticated: 'true',
    keyId: principal.keyId,
    name: principal.name,
    role: principal.role,
    services: JSON.stringify(principal.services),
    ...(principal.rateLimits ? { rateLimits: JSON.stringify(principal.rateLimits) } : {}),
  };
}

export function principalFrom(context: Record<string, unknown> | undefined): Principal | { reason: string } {
  if (context?.authenticated !== 'true') {
    return { reason: typeof context?.reason === 'string' ? context.reason : 'Send an API key as "Authorization: Bearer <key>".' };
  }
  return {
    keyId: String(context.keyId),
    name: String(context.name),
    role: context.role as Principal['role'],
    services: JSON.parse(String(context.services)) as string[] | null,
    ...(typeof context.rateLimits === 'string' ? { rateLimits: JSON.parse(context.rateLimits) as Principal['rateLimits'] } : {}),
  };
}

/** Reads the bearer token from an Authorization header value. */
export function bearerToken(header: string | undefined): string | undefined {
  const match = header?.match(/^Bearer\s+(\S+)\s*$/i);
  return match?.[1];
}
