import { principalOf } from '#identity/public';
import { bearerToken } from '#kernel/http/authorizer-context';

interface WebSocketAuthorizerEvent {
  methodArn: string;
  headers?: Record<string, string | undefined> | null;
  queryStringParameters?: Record<string, string | undefined> | null;
}

/**
 * The WebSocket API's `$connect` authorizer: the same check as the HTTP API's (an API key, or a
 * JWT from the identity provider), from `?key=` (browsers cannot set headers on a WebSocket) or
 * `Authorization: Bearer`. A missing or
 * bad key is a 401 (API Gateway's answer to an authorizer that throws "Unauthorized"); a valid
 * one passes the principal on to `$connect` as the authorizer's context.
 */
export async function handler(event: WebSocketAuthorizerEvent) {
  const key = event.queryStringParameters?.key;
  const header = event.headers?.Authorization ?? event.headers?.authorization;
  const principal = await principalOf(key ?? bearerToken(header));
  if (!principal) throw new Error('Unauthorized');
  return {
    principalId: principal.keyId,
    policyDocument: {
      Version: '2012-10-17',
      Statement: [{ Action: 'execute-api:Invoke', Effect: 'Allow', Resource: event.methodArn }],
    },
    context: { keyId: principal.keyId, name: principal.name, role: principal.role, services: JSON.stringify(principal.services) },
  };
}
