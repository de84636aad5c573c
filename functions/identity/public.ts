import { principalForCredential } from '#api-keys/public';
import { bearerToken } from '#kernel/http/authorizer-context';
import type { Principal } from '#kernel/roles';
import { looksLikeJwt } from './jwt.domain.ts';
import { principalForJwt } from './jwt.ts';

/**
 * Who a credential names, whatever it is: an API key, or a JWT from the identity provider.
 * The HTTP API's authorizer, the stream's `$connect` authorizer (and the local stream), and
 * the deep health probe's details all ask here, so both kinds work everywhere.
 */
export async function authenticate(credential: string | undefined): Promise<Principal | { reason: string }> {
  if (!credential) return { reason: 'Send an API key or a token as "Authorization: Bearer <credential>".' };
  if (looksLikeJwt(credential)) return principalForJwt(credential);
  const principal = await principalForCredential(credential);
  return principal ?? { reason: 'The API key is not valid, or has been revoked.' };
}

export async function authenticateHeader(header: string | undefined): Promise<Principal | { reason: string }> {
  return authenticate(bearerToken(header));
}

/** The principal, or undefined when the credential names none. */
export async function principalOf(credential: string | undefined): Promise<Principal | undefined> {
  const outcome = await authenticate(credential);
  return 'reason' in outcome ? undefined : outcome;
}
