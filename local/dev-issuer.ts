import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createLocalJWKSet, exportJWK, generateKeyPair, importJWK, type JSONWebKeySet, type JWK, SignJWT } from 'jose';
import { DEFAULT_ROLE_MAP, type JwtSettings } from '#identity/jwt.domain';

/**
 * The local runtime's development identity provider (docs/architecture.md §2): an ES256 key pair
 * made on first start and kept in the data folder (`dev-issuer.json`, mode 0600), whose tokens
 * the runtime verifies with the same code as an OIDC issuer's on AWS (functions/identity/jwt.ts),
 * only with the key set in hand instead of fetched. `npm run dev-token` signs one.
 */

export const DEV_ISSUER = 'https://steward.local/dev-issuer';
export const DEV_AUDIENCE = 'steward';

export interface DevIssuer {
  issuer: string;
  audience: string;
  jwks: JSONWebKeySet;
  settings: JwtSettings;
  /** A token for these claims (`sub` and `groups`, say), valid for `expiresIn` (default 1 h). */
  sign(claims: Record<string, unknown>, options?: { expiresIn?: string | number; issuer?: string; audience?: string }): Promise<string>;
}

interface StoredKey {
  kid: string;
  privateJwk: JWK;
  publicJwk: JWK;
}

async function makeKey(): Promise<StoredKey> {
  const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true });
  const kid = randomBytes(8).toString('hex');
  return { kid, privateJwk: await exportJWK(privateKey), publicJwk: { ...(await exportJWK(publicKey)), kid, alg: 'ES256', use: 'sig' } };
}

/** The issuer, its key loaded from `dataDir` (made there on first start), or made in memory. */
export async function startDevIssuer(
  dataDir: string | null,
  rolesClaim = process.env.STEWARD_JWT_ROLES_CLAIM || 'groups',
): Promise<DevIssuer> {
  const file = dataDir ? join(dataDir, 'dev-issuer.json') : null;
  let stored: StoredKey | undefined;
  if (file) {
    try {
      stored = JSON.parse(readFileSync(file, 'utf8')) as StoredKey;
    } catch {
      // first start
    }
  }
  if (!stored) {
    stored = await makeKey();
    if (file) writeFileSync(file, JSON.stringify(stored), { mode: 0o600 });
  }
  const privateKey = await importJWK(stored.privateJwk, 'ES256');
  const jwks = { keys: [stored.publicJwk] };
  const kid = stored.kid;
  return {
    issuer: DEV_ISSUER,
    audience: DEV_AUDIENCE,
    jwks,
    settings: { issuer: DEV_ISSUER, audience: DEV_AUDIENCE, jwksUrl: 'local', rolesClaim, roleMap: { ...DEFAULT_ROLE_MAP } },
    sign: (claims, options = {}) =>
      new SignJWT(claims)
        .setProtectedHeader({ alg: 'ES256', kid, typ: 'JWT' })
        .setIssuer(options.issuer ?? DEV_ISSUER)
        .setAudience(options.audience ?? DEV_AUDIENCE)
        .setIssuedAt()
        .setExpirationTime(options.expiresIn ?? '1h')
        .sign(privateKey),
  };
}

/** What the runtime installs: the issuer's settings and its keys, in hand. */
export function devIssuerKeys(issuer: DevIssuer) {
  return { settings: issuer.settings, keys: createLocalJWKSet(issuer.jwks) };
}
