import { createHash, randomBytes } from 'node:crypto';
import type { Role } from '#kernel/roles';

export const API_KEY_STATUSES = ['active', 'revoked'] as const;
export type ApiKeyStatus = (typeof API_KEY_STATUSES)[number];

/** An API key as shown to admins: never the secret, never its hash. */
export interface ApiKey {
  id: string;
  name: string;
  role: Role;
  services: string[] | null;
  status: ApiKeyStatus;
  /** The first characters of the secret, so people can tell their keys apart. */
  prefix: string;
  createdAt: string;
  createdBy: { keyId: string; name: string };
  revokedAt: string | null;
  revokedBy: { keyId: string; name: string } | null;
  /** Requests per minute by route class, over the role's; absent: the role's. */
  rateLimits?: Partial<Record<'reads' | 'writes' | 'ingest', number>>;
}

/** The id of the key made on first start (locally) or at deploy time (on AWS). */
export const BOOTSTRAP_KEY_ID = 'bootstrap';
export const BOOTSTRAP_KEY_NAME = 'bootstrap-admin';

/** A new secret: 256 random bits, prefixed so that secret scanners recognise it. */
export function generateSecret(): string {
  return `stw_${randomBytes(32).toString('base64url')}`;
}

/**
 * Secrets have 256 bits of entropy, so a fast hash is safe here (no guessing to slow down) and
 * keeps every authenticated request to one table read.
 */
export function hashSecret(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('hex');
}

/** Generated secrets show their first characters; a secret someone chose shows nothing of itself. */
export function secretPrefix(secret: string): string {
  return /^stw_[A-Za-z0-9_-]{43}$/.test(secret) ? secret.slice(0, 8) : '';
}
