import { hashSecret } from './api-key.domain.ts';
import { findPrincipalByHash } from './api-keys.store.ts';
import { bearerToken } from '#kernel/http/authorizer-context';
import type { Principal } from '#kernel/roles';

/**
 * Who an `Authorization` header (or a bare credential) names, for the places that authenticate
 * outside the HTTP API's authorizer: the deep health probe's details, the stream's connection.
 * Undefined for no credential, an unknown or a revoked key.
 */
export async function principalForCredential(credential: string | undefined): Promise<Principal | undefined> {
  if (!credential) return undefined;
  return findPrincipalByHash(hashSecret(credential));
}

export async function principalForAuthorization(header: string | undefined): Promise<Principal | undefined> {
  return principalForCredential(bearerToken(header));
}
