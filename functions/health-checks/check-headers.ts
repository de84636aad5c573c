import type { HeaderValue, SealedHeaders } from './health-check.domain.ts';
import { logger } from '#kernel/logger';
import { type SecretRef, SecretStoreUnavailableError } from '#kernel/secret-values/secret-value-store';
import { secretValueStore } from '#kernel/secret-values/value-store';
import { secretValueForUse } from '#secrets/public';

/**
 * A check's credential header values in the secret value store (Secrets Manager on AWS, the
 * encrypted local store): one value per check, a JSON object by header name, under a reserved
 * name no user secret can take (`steward-` names are Steward's). The table keeps only `***` and
 * the version id; the runner reads the version the check names, so a value written by a request
 * whose commit then failed is never sent.
 */

export function checkHeadersRef(checkId: string): SecretRef {
  return { service: 'steward-health-checks', environment: 'steward', name: `steward-check-headers-${checkId}` };
}

/** Says which part failed (never a value) and that nothing was recorded. */
function unavailable(action: string, checkId: string, error: unknown): never {
  logger.error('health check header values: value store failed', {
    action,
    checkId,
    errorName: (error as Error)?.name,
    errorMessage: (error as Error)?.message,
  });
  throw new SecretStoreUnavailableError(
    `The secret value store could not ${action} the credential headers of health check ${checkId}; retry later.`,
  );
}

export async function storeSealedHeaders(checkId: string, values: Record<string, string>): Promise<string> {
  try {
    return (await secretValueStore().put(checkHeadersRef(checkId), JSON.stringify(values))).versionId;
  } catch (error) {
    unavailable('store', checkId, error);
  }
}

/** The credential values a check's version names (values by version never change, so `cache` may keep them). */
export async function readSealedHeaders(
  checkId: string,
  sealed: SealedHeaders,
  cache?: Map<string, string>,
): Promise<Record<string, string>> {
  const cacheKey = `${checkId}@${sealed.versionId}`;
  let text = cache?.get(cacheKey);
  if (text === undefined) {
    text = await secretValueStore().get(checkHeadersRef(checkId), sealed.versionId);
    cache?.set(cacheKey, text);
  }
  return JSON.parse(text) as Record<string, string>;
}

/** As readSealedHeaders, for a request: a value store failure is a 503 saying so. */
export async function readSealedHeadersOrFail(checkId: string, sealed: SealedHeaders): Promise<Record<string, string>> {
  try {
    return await readSealedHeaders(checkId, sealed);
  } catch (error) {
    unavailable('read', checkId, error);
  }
}

/** A deleted check's values go after the usual recovery window; failing to schedule it fails nothing. */
export async function dropSealedHeaders(checkId: string): Promise<void> {
  await secretValueStore()
    .scheduleDeletion(checkHeadersRef(checkId), 7)
    .catch(() => undefined);
}

/** Why a header could not be given its value: never the value. */
export class HeaderValueError extends Error {
  override name = 'HeaderValueError';
}

/**
 * The headers a run sends: plain values as they are, credentials from the value store, secret
 * references from the service's secrets in the check's environment. Throws HeaderValueError
 * saying which header could not be read and why.
 */
export async function resolveHeaders(
  check: { id: string; service: string; environment: string; headers: Record<string, HeaderValue>; sealedHeaders: SealedHeaders | null },
  cache?: Map<string, string>,
): Promise<Record<string, string>> {
  const resolved: Record<string, string> = {};
  let sealed: Record<string, string> | undefined;
  for (const [name, value] of Object.entries(check.headers ?? {})) {
    if (typeof value !== 'string') {
      const ref = { service: check.service, environment: check.environment, name: value.secret };
      let secret: string | undefined;
      try {
        secret = await secretValueForUse(ref, cache);
      } catch (error) {
        throw new HeaderValueError(`the value of secret ${value.secret} (header ${name}) could not be read: ${(error as Error).name}`);
      }
      if (secret === undefined) {
        throw new HeaderValueError(
          `header ${name} names secret ${value.secret}, which ${check.service} does not have in ${check.environment} (or it is scheduled for deletion)`,
        );
      }
      resolved[name] = secret;
    } else if (check.sealedHeaders?.names.includes(name)) {
      if (!sealed) {
        try {
          sealed = await readSealedHeaders(check.id, check.sealedHeaders, cache);
        } catch (error) {
          throw new HeaderValueError(`the stored credential headers could not be read: ${(error as Error).name}`);
        }
      }
      const stored = sealed[name];
      if (stored === undefined) throw new HeaderValueError(`the stored credential of header ${name} is missing`);
      resolved[name] = stored;
    } else {
      resolved[name] = value;
    }
  }
  return resolved;
}
