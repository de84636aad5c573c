import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { ulid } from 'ulid';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { ConflictError } from '../../functions/kernel/errors.ts';
import { documentClient, tableName } from '../../functions/kernel/store/client.ts';
import {
  appendEvent,
  entryEffect,
  executeCommand,
  type Item,
  type NewEvent,
  PROJECTION_SEQ,
  project,
} from '../../functions/kernel/store/event-log.ts';
import { installCrashSwitch } from '../helpers/crash-switch.ts';
import { useLocalStore } from '../helpers/local-store.ts';

/**
 * Issue 15 finding 5, the kernel's part: an entry effect lets many aggregates keep one shared item
 * (a service's digest of its versions) without contending, each writing only its own entry, never
 * back in time; and a command that refuses on state a committed but unprojected event had already
 * changed finishes that event and decides again.
 */

useLocalStore();
let crash: ReturnType<typeof installCrashSwitch>;
beforeAll(() => {
  crash = installCrashSwitch();
  vi.spyOn(console, 'warn').mockImplementation(() => undefined);
});

const actor = { keyId: 'key-1', name: 'tester' };

function anEvent(effects: Item[], overrides: Partial<NewEvent> = {}): NewEvent {
  return {
    type: 'version.registered',
    actor,
    requestId: 'req-1',
    service: 'payments-api',
    subject: 'test',
    changes: { before: null, after: null },
    effects,
    ...overrides,
  };
}

async function getItem(key: { PK: string; SK: string }) {
  const { Item } = await documentClient().send(new GetCommand({ TableName: tableName(), Key: key, ConsistentRead: true }));
  return Item;
}

function shared(): { PK: string; SK: string } {
  return { PK: `SHARED#${ulid()}`, SK: 'DIGEST' };
}

describe('entry effects', () => {
  it('create the shared item and its map, and let fifty aggregates set their own entries at once', async () => {
    // Prepare
    const key = shared();
    const aggregates = Array.from({ length: 50 }, (_, i) => ({ aggregate: `TEST#${ulid()}`, entry: `e${String(i).padStart(2, '0')}` }));

    // Act
    await Promise.all(
      aggregates.map(({ aggregate, entry }) =>
        appendEvent(aggregate, 0, anEvent([entryEffect(key, 'entries', entry, { status: 'draft' }), { PK: aggregate, SK: 'HEAD' }])),
      ),
    );

    // Assess
    const item = await getItem(key);
    expect(Object.keys(item?.entries ?? {}).sort()).toEqual(aggregates.map(({ entry }) => entry));
    expect(item?.entries.e07).toEqual({ status: 'draft', [PROJECTION_SEQ]: 1 });
  });

  it('never go back in time: an older event projected late, or an event projected twice, leaves the newer entry', async () => {
    // Prepare
    const key = shared();
    const aggregate = `TEST#${ulid()}`;
    const first = await appendEvent(
      aggregate,
      0,
      anEvent([entryEffect(key, 'entries', 'v1', { status: 'draft' }), { PK: aggregate, SK: 'HEAD' }]),
    );
    await appendEvent(aggregate, 1, anEvent([entryEffect(key, 'entries', 'v1', { status: 'released' }), { PK: aggregate, SK: 'HEAD' }]));

    // Act
    await project(first);
    await project(first);

    // Assess
    expect((await getItem(key))?.entries.v1).toEqual({ status: 'released', [PROJECTION_SEQ]: 2 });
  });

  it('leave the rest of the item alone', async () => {
    // Prepare
    const key = shared();
    await documentClient().send(
      new UpdateCommand({
        TableName: tableName(),
        Key: key,
        UpdateExpression: 'SET #note = :note',
        ExpressionAttributeNames: { '#note': 'note' },
        ExpressionAttributeValues: { ':note': 'kept' },
      }),
    );
    const aggregate = `TEST#${ulid()}`;

    // Act
    await appendEvent(aggregate, 0, anEvent([entryEffect(key, 'entries', 'v1', { status: 'draft' }), { PK: aggregate, SK: 'HEAD' }]));

    // Assess
    expect(await getItem(key)).toMatchObject({ note: 'kept', entries: { v1: { status: 'draft' } } });
  });
});

describe('a command refusing on stale state', () => {
  it('finishes the committed event it did not see and decides again', async () => {
    // Prepare: a release is committed but its writer died before projecting it (the head still says draft).
    const aggregate = `TEST#${ulid()}`;
    const head = { PK: aggregate, SK: 'HEAD' };
    await appendEvent(aggregate, 0, anEvent([{ ...head, status: 'draft' }]));
    crash.crashAfterWrites(1);
    await appendEvent(aggregate, 1, anEvent([{ ...head, status: 'released' }]));
    crash.revive();
    expect(await getItem(head)).toMatchObject({ status: 'draft' });
    let decisions = 0;

    // Act: deprecating needs a released version; on the stale head it would be refused.
    const outcome = await executeCommand(aggregate, async () => {
      decisions++;
      const current = await getItem(head);
      if (current?.status !== 'released') throw new ConflictError(`it is ${current?.status}`);
      return {
        expectedSeq: Number(current[PROJECTION_SEQ]),
        event: anEvent([{ ...head, status: 'deprecated' }]),
        result: () => 'deprecated',
      };
    });

    // Assess
    expect(outcome).toBe('deprecated');
    expect(decisions).toBe(2);
    expect(await getItem(head)).toMatchObject({ status: 'deprecated', [PROJECTION_SEQ]: 3 });
  });

  it('still refuses when there is nothing to finish, after one look', async () => {
    // Prepare
    const aggregate = `TEST#${ulid()}`;
    let decisions = 0;

    // Act
    const attempt = executeCommand(aggregate, async () => {
      decisions++;
      throw new ConflictError('no');
    });

    // Assess
    await expect(attempt).rejects.toThrow('no');
    expect(decisions).toBe(1);
  });
});
