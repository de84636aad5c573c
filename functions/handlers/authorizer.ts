import type { APIGatewayRequestAuthorizerEventV2 } from 'aws-lambda';
import { hashSecret } from '#api-keys/api-key.domain';
import { type AuthorizerContext, bearerToken, contextFor } from '#kernel/http/authorizer-context';
import { findPrincipalByHash } from '#api-keys/api-keys.store';

export interface AuthorizerResult {
  isAuthorized: boolean;
  context: AuthorizerContext;
}

/**
 * API Gateway's Lambda authorizer (simple responses, cached per Authorization header). It lets
 * every request through and tells the route handler who is calling, or why nobody is, so that
 * authentication failures are answered as problem+json by the handler.
 */
export async function handler(event: Pick<APIGatewayRequestAuthorizerEventV2, 'headers'>): Promise<AuthorizerResult> {
  const header = event.headers?.authorization ?? event.headers?.Authorization;
  const token = bearerToken(header);
  if (!token) {
    return { isAuthorized: true, context: contextFor(undefined, 'Send an API key as "Authorization: Bearer <key>".') };
  }
  const principal = await findPrincipalByHash(hashSecret(token));
  return { isAuthorized: true, context: contextFor(principal, 'The API key is not valid, or has been revoked.') };
}
