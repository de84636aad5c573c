import { createRemoteJWKSet, errors, type JWTVerifyGetKey, jwtVerify } from 'jose';
import type { Principal } from '#kernel/roles';
import { type JwtSettings, jwtSettingsFrom, principalFromClaims } from './jwt.domain.ts';

/**
 * Verifies bearer JWTs with `jose`: the signature against the issuer's JWKS (fetched and cached
 * per process; an unknown `kid` refetches it, at most every 30 s), then issuer, audience and
 * expiry (60 s of clock skew). The local runtime installs its development issuer's keys instead.
 */

let settings: JwtSettings | null | undefined;
let keys: JWTVerifyGetKey | undefined;

/** Installs settings and keys (the local development issuer); `null` turns JWTs off. */
export function configureJwt(next: { settings: JwtSettings; keys?: JWTVerifyGetKey } | null): void {
  settings = next?.settings ?? null;
  keys = next?.keys;
}

/** Back to the environment's settings (STEWARD_JWT_*), read on next use. */
export function resetJwt(): void {
  settings = undefined;
  keys = undefined;
}

export function jwtSettings(): JwtSettings | undefined {
  if (settings === undefined) settings = jwtSettingsFrom(process.env) ?? null;
  return settings ?? undefined;
}

function keySet(current: JwtSettings): JWTVerifyGetKey {
  keys ??= createRemoteJWKSet(new URL(current.jwksUrl), { cooldownDuration: 30_000, timeoutDuration: 3_000 });
  return keys;
}

/** The principal a JWT names, or why it is refused (said in the 401). */
export async function principalForJwt(token: string): Promise<Principal | { reason: string }> {
  const current = jwtSettings();
  if (!current) return { reason: 'Sign-in with an identity provider is not set up here; send an API key.' };
  try {
    const { payload } = await jwtVerify(token, keySet(current), {
      issuer: current.issuer,
      // One or more client ids, comma-separated: on AWS the pool's SRP client and the console's.
      audience: current.audience
        .split(',')
        .map((audience) => audience.trim())
        .filter(Boolean),
      clockTolerance: 60,
      algorithms: ['RS256', 'RS384', 'RS512', 'ES256', 'ES384', 'PS256'],
    });
    return principalFromClaims(payload as Record<string, unknown>, current);
  } catch (error) {
    return { reason: refusal(error) };
  }
}

function refusal(error: unknown): string {
  if (error instanceof errors.JWTExpired) return 'The token has expired.';
  if (error instanceof errors.JWTClaimValidationFailed) {
    if (error.claim === 'iss') return 'The token was not issued by the identity provider Steward trusts.';
    if (error.claim === 'aud') return 'The token is not meant for Steward (audience).';
    if (error.claim === 'nbf') return 'The token is not valid yet.';
    return `The token's ${error.claim} claim is not acceptable.`;
  }
  if (error instanceof errors.JWKSNoMatchingKey) return "The token's signing key (kid) is not one of the identity provider's.";
  if (error instanceof errors.JWSSignatureVerificationFailed) return "The token's signature does not verify.";
  if (error instanceof errors.JOSEAlgNotAllowed) return "The token's signing algorithm is not accepted.";
  return 'The token is not a valid JWT.';
}
