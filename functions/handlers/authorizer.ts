import type { APIGatewayRequestAuthorizerEventV2 } from 'aws-lambda';
import { authenticateHeader } from '#identity/public';
import { type AuthorizerContext, contextFor } from '#kernel/http/authorizer-context';

export interface AuthorizerResult {
  isAuthorized: boolean;
  context: AuthorizerContext;
}

/**
 * API Gateway's Lambda authorizer (simple responses, cached per Authorization header). It lets
 * every request through and tells the route handler who is calling, or why nobody is, so that
 * authentication failures are answered as problem+json by the handler. The bearer credential is
 * an API key or a JWT from the identity provider (functions/identity/).
 */
export async function handler(event: Pick<APIGatewayRequestAuthorizerEventV2, 'headers'>): Promise<AuthorizerResult> {
  const outcome = await authenticateHeader(event.headers?.authorization ?? event.headers?.Authorization);
  return 'reason' in outcome
    ? { isAuthorized: true, context: contextFor(undefined, outcome.reason) }
    : { isAuthorized: true, context: contextFor(outcome, '') };
}
