import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { ulid } from 'ulid';
import { beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { hashSecret } from '../../functions/api-keys/api-key.domain.ts';
import { createApiKey, revokeApiKey } from '../../functions/api-keys/api-keys.commands.ts';
import { findPrincipalByHash } from '../../functions/api-keys/api-keys.store.ts';
import { handler as reconcileApiKeys } from '../../functions/handlers/reconcile-api-keys.ts';
import { handler as reconcileEverythingElse } from '../../functions/handlers/reconcile.ts';
import { SYSTEM_PRINCIPAL } from '../../functions/kernel/roles.ts';
import { documentClient, tableName } from '../../functions/kernel/store/client.ts';
import { PROJECTION_SEQ, reconcile } from '../../functions/kernel/store/event-log.ts';
import { keys, timeSortKey } from '../../functions/kernel/store/keys.ts';
import { registerService } from '../../functions/services/services.commands.ts';
import { getService } from '../../functions/services/services.store.ts';
import { installCrashSwitch } from '../helpers/crash-switch.ts';
import { useLocalStore } from '../helpers/local-store.ts';

/**
 * Issue 15 finding 3: on AWS only key management may write API key items, so the reconciler
 * leaves API key events to the key reconciler, which projects those and nothing else. A key event
 * whose writer stopped before its items were written still takes effect (a revoked key stops
 * working), and an event elsewhere that carries a key item cannot make the key reconciler write it.
 */

useLocalStore();
let crash: ReturnType<typeof installCrashSwitch>;
const context = { actor: { keyId: SYSTEM_PRINCIPAL.keyId, name: 'key-reconciler-test' }, requestId: 'key-reconciler-test' };

beforeAll(() => {
  crash = installCrashSwitch();
});
beforeEach(() => {
  crash.revive();
  vi.spyOn(console, 'warn').mockImplementation(() => undefined);
});

/** Runs `act` as a process that dies right after committing its event (no projection written). */
async function committedOnly<T>(act: () => Promise<T>): Promise<T> {
  crash.crashAfterWrites(1);
  try {
    return await act();
  } finally {
    crash.revive();
  }
}

describe('the key reconciler', () => {
  it('finishes a created key the reconciler leaves alone, and a revocation, so the revoked key stops working', async () => {
    // Prepare: a key and a service, both committed but never projected.
    const { key } = await committedOnly(() => createApiKey({ name: 'ci', role: 'admin' }, context));
    await committedOnly(() => registerService({ name: `reconciled-${ulid().toLowerCase()}`, kind: 'api' }, context));
    expect(await findPrincipalByHash(hashSecret(key))).toBeUndefined();

    // Act: the reconciler runs first.
    const everythingElse = await reconcileEverythingElse();

    // Assess: the service is in; the key is not, until the key reconciler runs.
    expect(everythingElse.projected).toBeGreaterThanOrEqual(1);
    expect(await findPrincipalByHash(hashSecret(key))).toBeUndefined();
    expect(await reconcileApiKeys()).toMatchObject({ projected: 1, failed: 0 });
    const principal = await findPrincipalByHash(hashSecret(key));
    expect(principal).toMatchObject({ name: 'ci', role: 'admin' });

    // Act: a revocation whose writer died after the commit.
    await committedOnly(() => revokeApiKey(principal?.keyId as string, context));
    expect(await findPrincipalByHash(hashSecret(key))).toBeDefined();
    await reconcileEverythingElse();
    expect(await findPrincipalByHash(hashSecret(key))).toBeDefined();
    await reconcileApiKeys();

    // Assess
    expect(await findPrincipalByHash(hashSecret(key))).toBeUndefined();
  });

  it('projects no event outside API key aggregates, so a forged key item elsewhere is never written by it', async () => {
    // Prepare: an event of a service aggregate that carries a key hash item, as a compromised writer could forge it.
    const hash = hashSecret(`forged-${ulid()}`);
    const aggregate = keys.serviceAggregate(`forged-${ulid().toLowerCase()}`);
    const at = new Date().toISOString();
    const eventId = ulid();
    const forged = { ...keys.apiKeyByHash(hash), entity: 'apikeyhash', keyId: 'forged', name: 'forged', role: 'admin', services: null };
    await documentClient().send(
      new PutCommand({
        TableName: tableName(),
        Item: {
          ...keys.event(aggregate, 1),
          entity: 'event',
          eventId,
          at,
          aggregate,
          seq: 1,
          type: 'service.updated',
          actor: context.actor,
          requestId: 'forged',
          subject: 'forged',
          changes: { before: null, after: null },
          effects: [{ ...forged, status: 'active', [PROJECTION_SEQ]: 1 }],
          GSI4PK: keys.unprojectedPartition,
          GSI4SK: timeSortKey(at, eventId),
        },
      }),
    );

    // Act
    await reconcileApiKeys();

    // Assess
    expect(await findPrincipalByHash(hash)).toBeUndefined();
  });

  it('lets the reconciler skip an event whose writes are refused (as IAM refuses key items) and finish the others', async () => {
    // Prepare: a service event and a key event, both committed only; key partitions refuse writes.
    const name = `refused-${ulid().toLowerCase()}`;
    await committedOnly(() => createApiKey({ name: 'refused', role: 'viewer' }, context));
    await committedOnly(() => registerService({ name, kind: 'api' }, context));
    crash.crashBeforeWritesTo('KEYHASH#');

    // Act: reconcile everything, as the local runtime does.
    const outcome = await reconcile();

    // Assess
    expect(outcome.failed).toBeGreaterThanOrEqual(1);
    expect(await getService(name)).toBeDefined();
  });
});
