import { secretAlertResolveEffects } from '#alerts/source-alerts';
import { type CommandContext, etagOf, headerMatches } from '#kernel/command-context';
import { ConflictError, NotFoundError, PayloadTooLargeError, PreconditionFailedError } from '#kernel/errors';
import {
  isGone,
  MAX_SECRET_VALUE_BYTES,
  markRevealed,
  scheduleSecretDeletion,
  type Secret,
  type SecretSettings,
  secretSubject,
  writeSecret,
} from './secret.domain.ts';
import { logger } from '#kernel/logger';
import { executeCommand } from '#kernel/store/event-log';
import { keys } from '#kernel/store/keys';
import { getSecretWithHead, getStoredSecret, type StoredSecret, secretItem, secretsHeadItem } from './secrets.store.ts';
import { getService } from '#services/public';
import { type SecretRef, SecretStoreUnavailableError, SecretValueNotFoundError } from '#kernel/secret-values/secret-value-store';
import { secretValueStore } from '#kernel/secret-values/value-store';
import { LOST_RACE, retrying, TRY_AGAIN } from '#kernel/retry';

/**
 * Secret commands. The value goes to the value store, the metadata to the table as one event.
 * Order matters: the value is written before the metadata that names it is committed, and
 * reveals read the exact version the metadata names, so no record ever points at a value
 * that does not exist and no failed request's value is ever served.
 */

export interface SecretWrite extends SecretSettings {
  value: string;
}

async function requireService(service: string): Promise<void> {
  if (!(await getService(service))) throw new NotFoundError(`There is no service named ${service}.`);
}

function label(ref: SecretRef): string {
  return `Secret ${ref.name} of ${ref.service} in ${ref.environment}`;
}

/** The secret, unless it does not exist or its deletion has completed. */
function live(current: StoredSecret | undefined, now: Date): StoredSecret | undefined {
  return current && !isGone(current.secret, now) ? current : undefined;
}

/** Honours If-Match; a secret that does not exist matches nothing, not even `*`. */
function checkIfMatch(ref: SecretRef, current: Secret | undefined, ifMatch: string | undefined): void {
  if (ifMatch === undefined) return;
  if (current && headerMatches(ifMatch, etagOf(current.rev))) return;
  throw new PreconditionFailedError(
    current
      ? `${label(ref)} has changed since you read it (its ETag is now ${etagOf(current.rev)}); read it again and retry.`
      : `${label(ref)} does not exist, so it cannot match ${ifMatch}.`,
    current ? { currentEtag: etagOf(current.rev) } : {},
  );
}

/** Logs why the value store failed (never a value: SDK errors do not echo them) and says so to the client. */
function storeFailure(action: string, ref: SecretRef, error: unknown): never {
  if (error instanceof SecretValueNotFoundError) throw error;
  logger.error('secret value store failed', {
    action,
    service: ref.service,
    environment: ref.environment,
    secret: ref.name,
    errorName: (error as Error)?.name,
    errorMessage: (error as Error)?.message,
  });
  throw new SecretStoreUnavailableError(`The secret value store could not ${action} ${ref.name}; nothing was recorded. Retry later.`);
}

/** What the audit trail keeps of a secret: its metadata, never its value. */
function audited(secret: Secret) {
  const { type, description, version, expiresAt, rotationDays, status, deletionDate } = secret;
  return { type, description, version, expiresAt, rotationDays, status, deletionDate };
}

function effects(secret: Secret, valueVersionId: string | null) {
  return [secretItem(secret, valueVersionId), secretsHeadItem(secret.service)];
}

/**
 * Stores a new value (creating the secret, or the next version, restoring it if it was
 * scheduled for deletion). 413 for a value over 64 KB; 404 without the service.
 */
export async function putSecret(
  ref: SecretRef,
  input: SecretWrite,
  context: CommandContext,
): Promise<{ secret: Secret; created: boolean }> {
  const bytes = Buffer.byteLength(input.value, 'utf8');
  if (bytes > MAX_SECRET_VALUE_BYTES) {
    throw new PayloadTooLargeError(
      `A secret value is at most ${MAX_SECRET_VALUE_BYTES} bytes (64 KB) of UTF-8; this one is ${bytes} bytes.`,
    );
  }
  await requireService(ref.service);
  // Refuse what would be refused anyway before anything is written to the value store.
  const before = await getStoredSecret(ref.service, ref.environment, ref.name);
  checkIfMatch(ref, live(before, new Date())?.secret, context.ifMatch);

  let versionId: string;
  try {
    ({ versionId } = await secretValueStore().put(ref, input.value));
  } catch (error) {
    storeFailure('store the value of', ref, error);
  }

  // From here the value store holds the new version. If the commit below fails (a concurrent
  // change now fails If-Match, the table is unreachable), that version stays in the store
  // unreferenced: the metadata still names the previous version, which reveals keep returning;
  // for a secret that did not exist, an orphan value the next PUT of the same name overwrites.
  const settings: SecretSettings = {
    type: input.type,
    description: input.description,
    expiresAt: input.expiresAt,
    rotationDays: input.rotationDays,
  };
  return executeCommand(keys.secretsAggregate(ref.service), async () => {
    const now = new Date();
    const { head, current } = await getSecretWithHead(ref.service, ref.environment, ref.name);
    const existing = live(current, now);
    checkIfMatch(ref, existing?.secret, context.ifMatch);
    const next = writeSecret(current?.secret, ref, settings, context.actor, now);
    const created = !existing;
    return {
      expectedSeq: head.seq,
      event: {
        type: created ? 'secret.created' : 'secret.updated',
        actor: context.actor,
        requestId: context.requestId,
        service: ref.service,
        subject: secretSubject(ref.service, ref.environment, ref.name),
        changes: {
          before: existing ? audited(existing.secret) : null,
          after: { ...audited(next), valueChanged: true, valueVersionId: versionId },
        },
        // A new value (with its expiry and rotation clock) resolves the secret's expiry/rotation alert.
        effects: [...(await secretAlertResolveEffects(ref, now.toISOString())), ...effects(next, versionId)],
      },
      result: () => ({ secret: next, created }),
    };
  });
}

/** The metadata of a live secret; 404 when it does not exist (or its deletion has completed). */
export async function readSecret(ref: SecretRef): Promise<Secret> {
  const [service, current] = await Promise.all([getService(ref.service), getStoredSecret(ref.service, ref.environment, ref.name)]);
  if (!service) throw new NotFoundError(`There is no service named ${ref.service}.`);
  const existing = live(current, new Date());
  if (!existing) throw new NotFoundError(`${label(ref)} does not exist.`);
  return existing.secret;
}

async function requireRevealable(ref: SecretRef): Promise<StoredSecret> {
  await requireService(ref.service);
  const existing = live(await getStoredSecret(ref.service, ref.environment, ref.name), new Date());
  if (!existing) throw new NotFoundError(`${label(ref)} does not exist.`);
  if (existing.secret.status === 'scheduled_deletion') {
    throw new ConflictError(`${label(ref)} is scheduled for deletion on ${existing.secret.deletionDate}; PUT a new value to restore it.`, {
      deletionDate: existing.secret.deletionDate,
    });
  }
  return existing;
}

/**
 * Reads the value and records who read it. The value is read first and handed out only once
 * the reveal is committed: no reveal without its audit record, no record of a reveal that
 * failed. The caller has checked that the principal may reveal.
 */
export async function revealSecret(
  ref: SecretRef,
  context: CommandContext,
): Promise<{ secret: Secret; value: string; revealedAt: string }> {
  return retrying(
    { ...LOST_RACE, attempts: 3 },
    async () => {
      const read = await requireRevealable(ref);
      let value: string;
      try {
        value = await secretValueStore().get(ref, read.valueVersionId ?? undefined);
      } catch (error) {
        if (error instanceof SecretValueNotFoundError) {
          throw new ConflictError(
            `${label(ref)} has no readable value in the value store (version ${read.secret.version}); PUT a new value.`,
          );
        }
        storeFailure('read the value of', ref, error);
      }
      const outcome = await executeCommand<{ secret: Secret } | { moved: true }>(keys.secretsAggregate(ref.service), async () => {
        const now = new Date();
        const { head, current } = await getSecretWithHead(ref.service, ref.environment, ref.name);
        const existing = live(current, now);
        // A new value (or a deletion) landed since the read: read again rather than record the wrong version.
        if (!existing || existing.secret.version !== read.secret.version || existing.secret.status !== 'active') {
          return { unchanged: { moved: true } };
        }
        const next = markRevealed(existing.secret, context.actor, now);
        return {
          expectedSeq: head.seq,
          event: {
            type: 'secret.revealed',
            actor: context.actor,
            requestId: context.requestId,
            service: ref.service,
            subject: secretSubject(ref.service, ref.environment, ref.name),
            changes: {
              before: { lastRevealedAt: existing.secret.lastRevealedAt, lastRevealedBy: existing.secret.lastRevealedBy },
              after: { version: next.version, lastRevealedAt: next.lastRevealedAt, lastRevealedBy: next.lastRevealedBy },
            },
            effects: effects(next, existing.valueVersionId),
          },
          result: () => ({ secret: next }),
        };
      });
      if ('secret' in outcome) return { secret: outcome.secret, value, revealedAt: outcome.secret.lastRevealedAt as string };
      return TRY_AGAIN;
    },
    () => new ConflictError(`${label(ref)} kept changing while being revealed; retry the request.`),
  );
}

/**
 * Schedules deletion after a recovery window: the value store first (a failure records
 * nothing), then the metadata. Deleting a secret already scheduled changes nothing.
 */
export async function deleteSecret(ref: SecretRef, recoveryDays: number, context: CommandContext): Promise<Secret> {
  await requireService(ref.service);
  const before = live(await getStoredSecret(ref.service, ref.environment, ref.name), new Date());
  if (!before) throw new NotFoundError(`${label(ref)} does not exist.`);
  checkIfMatch(ref, before.secret, context.ifMatch);
  if (before.secret.status === 'scheduled_deletion') return before.secret;

  let deletionDate: string;
  try {
    ({ deletionDate } = await secretValueStore().scheduleDeletion(ref, recoveryDays));
  } catch (error) {
    storeFailure('schedule the deletion of', ref, error);
  }

  // If the commit fails, the value is scheduled for deletion while the metadata still says
  // active: reveals answer 409 until a retried DELETE records it, or a PUT restores it.
  return executeCommand<Secret>(keys.secretsAggregate(ref.service), async () => {
    const { head, current } = await getSecretWithHead(ref.service, ref.environment, ref.name);
    const existing = live(current, new Date());
    if (!existing) throw new NotFoundError(`${label(ref)} does not exist.`);
    checkIfMatch(ref, existing.secret, context.ifMatch);
    if (existing.secret.status === 'scheduled_deletion') return { unchanged: existing.secret };
    const next = scheduleSecretDeletion(existing.secret, deletionDate);
    // So does deleting it.
    const resolved = await secretAlertResolveEffects(ref, new Date().toISOString());
    return {
      expectedSeq: head.seq,
      event: {
        type: 'secret.deletion_scheduled',
        actor: context.actor,
        requestId: context.requestId,
        service: ref.service,
        subject: secretSubject(ref.service, ref.environment, ref.name),
        changes: { before: audited(existing.secret), after: { ...audited(next), recoveryDays } },
        effects: [...resolved, ...effects(next, existing.valueVersionId)],
      },
      result: () => next,
    };
  });
}
