import { isGone } from './secret.domain.ts';
import { getStoredSecret } from './secrets.store.ts';
import type { SecretRef } from '#kernel/secret-values/secret-value-store';
import { secretValueStore } from '#kernel/secret-values/value-store';

/**
 * Secrets as Steward itself uses them (a health check's header names one): whether one is there
 * to use, and its current value. Not a reveal to a person, so not an audited event; whoever makes
 * Steward send a secret somewhere must have been allowed to reveal it (the health checks' rule).
 */

/** Whether the secret exists and has a value that may be used (not scheduled for deletion). */
export async function secretUsable(ref: SecretRef, now = new Date()): Promise<boolean> {
  const stored = await getStoredSecret(ref.service, ref.environment, ref.name);
  return stored !== undefined && !isGone(stored.secret, now) && stored.secret.status === 'active';
}

/**
 * The value its metadata names, or undefined when the secret is not there to use. The value store's
 * failures are thrown (never with the value in them). `cache` keeps values by store version, which never change.
 */
export async function secretValueForUse(ref: SecretRef, cache?: Map<string, string>): Promise<string | undefined> {
  const stored = await getStoredSecret(ref.service, ref.environment, ref.name);
  if (!stored || isGone(stored.secret, new Date()) || stored.secret.status !== 'active') return undefined;
  const version = stored.valueVersionId ?? undefined;
  const cacheKey = version ? `${ref.service}/${ref.environment}/${ref.name}@${version}` : undefined;
  const cached = cacheKey ? cache?.get(cacheKey) : undefined;
  if (cached !== undefined) return cached;
  const value = await secretValueStore().get(ref, version);
  if (cacheKey) cache?.set(cacheKey, value);
  return value;
}
