import { ulid } from 'ulid';
import { type ApiKey, BOOTSTRAP_KEY_ID, BOOTSTRAP_KEY_NAME, generateSecret, hashSecret, secretPrefix } from './api-key.domain.ts';
import { NotFoundError } from '#kernel/errors';
import type { Role } from '#kernel/roles';
import type { CommandContext } from '#kernel/command-context';
import { executeCommand } from '#kernel/store/event-log';
import { apiKeyHashItem, apiKeyItem, getApiKey } from './api-keys.store.ts';
import { keys } from '#kernel/store/keys';

export interface NewApiKey {
  name: string;
  role: Role;
  services?: string[] | null;
  rateLimits?: ApiKey['rateLimits'];
}

/** Creates a key; the secret is returned this once and only its hash is stored. */
export async function createApiKey(input: NewApiKey, context: CommandContext): Promise<{ apiKey: ApiKey; key: string }> {
  const id = ulid();
  const key = generateSecret();
  const hash = hashSecret(key);
  const apiKey: ApiKey = {
    id,
    name: input.name,
    role: input.role,
    services: input.services && input.services.length > 0 ? [...new Set(input.services)].sort() : null,
    status: 'active',
    prefix: secretPrefix(key),
    createdAt: new Date().toISOString(),
    createdBy: context.actor,
    revokedAt: null,
    revokedBy: null,
    ...(input.rateLimits && Object.keys(input.rateLimits).length > 0 ? { rateLimits: input.rateLimits } : {}),
  };
  return executeCommand(keys.apiKeyAggregate(id), async () => ({
    expectedSeq: 0,
    event: {
      type: 'apikey.created',
      actor: context.actor,
      requestId: context.requestId,
      subject: `apikey/${id}`,
      changes: { before: null, after: apiKey },
      effects: [apiKeyHashItem(apiKey, hash), apiKeyItem(apiKey, hash)],
    },
    result: () => ({ apiKey, key }),
  }));
}

/** Revokes a key at once; revoking a revoked key changes nothing. */
export async function revokeApiKey(id: string, context: CommandContext): Promise<ApiKey> {
  return executeCommand<ApiKey>(keys.apiKeyAggregate(id), async () => {
    const stored = await getApiKey(id);
    if (!stored) throw new NotFoundError(`There is no API key with id ${id}.`);
    if (stored.apiKey.status === 'revoked') return { unchanged: stored.apiKey };
    const revoked: ApiKey = { ...stored.apiKey, status: 'revoked', revokedAt: new Date().toISOString(), revokedBy: context.actor };
    return {
      expectedSeq: stored.seq,
      event: {
        type: 'apikey.revoked',
        actor: context.actor,
        requestId: context.requestId,
        subject: `apikey/${id}`,
        changes: { before: { status: 'active' }, after: { status: 'revoked', revokedAt: revoked.revokedAt } },
        effects: [apiKeyHashItem(revoked, stored.hash), apiKeyItem(revoked, stored.hash)],
      },
      result: () => revoked,
    };
  });
}

/**
 * Makes sure the bootstrap admin key exists and accepts `secret`: created on first start,
 * replaced when the configured secret changes (the old secret stops working), else untouched.
 */
export async function ensureBootstrapKey(secret: string, context: CommandContext): Promise<'created' | 'rotated' | 'unchanged'> {
  const hash = hashSecret(secret);
  return executeCommand<'created' | 'rotated' | 'unchanged'>(keys.apiKeyAggregate(BOOTSTRAP_KEY_ID), async () => {
    const stored = await getApiKey(BOOTSTRAP_KEY_ID);
    if (stored && stored.hash === hash && stored.apiKey.status === 'active') return { unchanged: 'unchanged' as const };
    const apiKey: ApiKey = {
      id: BOOTSTRAP_KEY_ID,
      name: BOOTSTRAP_KEY_NAME,
      role: 'admin',
      services: null,
      status: 'active',
      prefix: secretPrefix(secret),
      createdAt: new Date().toISOString(),
      createdBy: context.actor,
      revokedAt: null,
      revokedBy: null,
    };
    const effects = [apiKeyHashItem(apiKey, hash)];
    if (stored && stored.hash !== hash) effects.push(apiKeyHashItem({ ...stored.apiKey, status: 'revoked' }, stored.hash));
    effects.push(apiKeyItem(apiKey, hash));
    return {
      expectedSeq: stored?.seq ?? 0,
      event: {
        type: stored ? 'apikey.rotated' : 'apikey.created',
        actor: context.actor,
        requestId: context.requestId,
        subject: `apikey/${BOOTSTRAP_KEY_ID}`,
        changes: { before: stored ? { prefix: stored.apiKey.prefix } : null, after: { ...apiKey } },
        effects,
      },
      result: () => (stored ? ('rotated' as const) : ('created' as const)),
    };
  });
}
