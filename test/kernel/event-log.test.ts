import { DeleteCommand, GetCommand, PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { ulid } from 'ulid';
import { describe, expect, it, vi } from 'vitest';
import { ConflictError, NotFoundError, PayloadTooLargeError } from '../../functions/kernel/errors.ts';
import { documentClient, tableName } from '../../functions/kernel/store/client.ts';
import {
  appendEvent,
  catchUp,
  executeCommand,
  type Item,
  type NewEvent,
  PROJECTION_SEQ,
  project,
  reconcile,
  StaleAggregateError,
  type StoredEvent,
} from '../../functions/kernel/store/event-log.ts';
import { keys, timeSortKey } from '../../functions/kernel/store/keys.ts';
import { useLocalStore } from '../helpers/local-store.ts';

useLocalStore();

const actor = { keyId: 'key-1', name: 'tester' };

/** A fresh aggregate per test, so tests never see each other's events. */
function anAggregate(): string {
  return `TEST#${ulid()}`;
}

function stateItem(aggregate: string, value: string): Item {
  return { PK: aggregate, SK: 'STATE', entity: 'test-state', value };
}

function anEvent(effects: Item[], overrides: Partial<NewEvent> = {}): NewEvent {
  return {
    type: 'service.updated',
    actor,
    requestId: 'req-1',
    service: 'payments-api',
    subject: 'service/payments-api',
    changes: { before: null, after: { value: 'x' } },
    effects,
    ...overrides,
  };
}

async function getItem(key: { PK: string; SK: string }) {
  const { Item } = await documentClient().send(new GetCommand({ TableName: tableName(), Key: key, ConsistentRead: true }));
  return Item;
}

async function eventItems(aggregate: string) {
  const { Items } = await documentClient().send(
    new QueryCommand({
      TableName: tableName(),
      KeyConditionExpression: 'PK = :pk AND begins_with(SK, :evt)',
      ExpressionAttributeValues: { ':pk': aggregate, ':evt': keys.eventPrefix },
      ConsistentRead: true,
    }),
  );
  return Items ?? [];
}

/**
 * Puts the table back as it would be had the writer died right after committing `event`:
 * the event is stored and still marked unprojected, and its effects were never written.
 */
async function undoProjection(event: StoredEvent): Promise<void> {
  for (const effect of event.effects) {
    await documentClient().send(new DeleteCommand({ TableName: tableName(), Key: { PK: effect.PK, SK: effect.SK } }));
  }
  await documentClient().send(
    new UpdateCommand({
      TableName: tableName(),
      Key: keys.event(event.aggregate, event.seq),
      UpdateExpression: 'SET GSI4PK = :pending, GSI4SK = :at',
      ExpressionAttributeValues: { ':pending': keys.unprojectedPartition, ':at': timeSortKey(event.at, event.eventId) },
    }),
  );
}

describe('appendEvent', () => {
  it('lets exactly one writer claim a sequence number', async () => {
    // Prepare
    const aggregate = anAggregate();
    await appendEvent(aggregate, 0, anEvent([stateItem(aggregate, 'first')]));

    // Act
    const second = appendEvent(aggregate, 0, anEvent([stateItem(aggregate, 'second')], { requestId: 'req-2' }));

    // Assess
    await expect(second).rejects.toBeInstanceOf(StaleAggregateError);
    const events = await eventItems(aggregate);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ seq: 1, requestId: 'req-1' });
    expect(await getItem({ PK: aggregate, SK: 'STATE' })).toMatchObject({ value: 'first', [PROJECTION_SEQ]: 1 });
  });

  it('lets exactly one of many concurrent writers claim the same sequence number', async () => {
    // Prepare
    const aggregate = anAggregate();

    // Act
    const outcomes = await Promise.allSettled(
      Array.from({ length: 8 }, (_, i) => appendEvent(aggregate, 0, anEvent([stateItem(aggregate, `w${i}`)], { requestId: `req-${i}` }))),
    );

    // Assess
    const winners = outcomes.filter((outcome) => outcome.status === 'fulfilled');
    const losers = outcomes.filter((outcome) => outcome.status === 'rejected');
    expect(winners).toHaveLength(1);
    for (const loser of losers) expect((loser as PromiseRejectedResult).reason).toBeInstanceOf(StaleAggregateError);
    const [event] = await eventItems(aggregate);
    const winner = (winners[0] as PromiseFulfilledResult<StoredEvent>).value;
    expect(event).toMatchObject({ eventId: winner.eventId });
    expect(await getItem({ PK: aggregate, SK: 'STATE' })).toMatchObject({ value: winner.effects[0]?.value });
  });

  it('records who, when, which request and what changed, and indexes the event for the audit trail', async () => {
    // Prepare
    const aggregate = anAggregate();

    // Act
    const stored = await appendEvent(aggregate, 0, anEvent([stateItem(aggregate, 'v1')]));

    // Assess
    const item = await getItem(keys.event(aggregate, 1));
    expect(stored).toMatchObject({ aggregate, seq: 1, actor, requestId: 'req-1', type: 'service.updated' });
    expect(stored.eventId).toMatch(/^[0-9A-HJKMNP-TV-Z]{26}$/);
    expect(new Date(stored.at).toISOString()).toBe(stored.at);
    expect(item).toMatchObject({
      entity: 'event',
      eventId: stored.eventId,
      GSI1PK: keys.auditPartition,
      GSI1SK: timeSortKey(stored.at, stored.eventId),
      GSI2PK: keys.serviceLogPartition('payments-api'),
      GSI3PK: keys.actorLogPartition(actor.keyId),
    });
  });

  it('projects the effects, stamped with the event sequence number, and marks the event projected', async () => {
    // Prepare
    const aggregate = anAggregate();
    await appendEvent(aggregate, 0, anEvent([stateItem(aggregate, 'v1')]));

    // Act
    await appendEvent(aggregate, 1, anEvent([stateItem(aggregate, 'v2'), { PK: aggregate, SK: 'OTHER', entity: 'test-other' }]));

    // Assess
    expect(await getItem({ PK: aggregate, SK: 'STATE' })).toMatchObject({ value: 'v2', [PROJECTION_SEQ]: 2 });
    expect(await getItem({ PK: aggregate, SK: 'OTHER' })).toMatchObject({ [PROJECTION_SEQ]: 2 });
    const event = await getItem(keys.event(aggregate, 2));
    expect(event?.GSI4PK).toBeUndefined();
    expect(event?.GSI4SK).toBeUndefined();
  });

  it('refuses an event too large to store, and stores nothing', async () => {
    // Prepare
    const aggregate = anAggregate();
    const huge = { ...stateItem(aggregate, 'x'.repeat(400_000)) };

    // Act
    const append = appendEvent(aggregate, 0, anEvent([huge]));

    // Assess
    await expect(append).rejects.toBeInstanceOf(PayloadTooLargeError);
    expect(await eventItems(aggregate)).toHaveLength(0);
    expect(await getItem({ PK: aggregate, SK: 'STATE' })).toBeUndefined();
  });

  it('still answers when the projection fails after the commit, leaving the event for the reconciler', async () => {
    // Prepare: an effect DynamoDB refuses (an index key must be a string), so projecting it fails.
    const aggregate = anAggregate();
    const unwritable = { PK: aggregate, SK: 'BROKEN', GSI1PK: 42 } as unknown as Item;
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);

    try {
      // Act
      const stored = await appendEvent(aggregate, 0, anEvent([unwritable]));

      // Assess
      expect(stored.seq).toBe(1);
      const event = await getItem(keys.event(aggregate, 1));
      expect(event?.GSI4PK).toBe(keys.unprojectedPartition);
      expect(warn).toHaveBeenCalledWith(expect.stringContaining('projection deferred to reconciler'));
    } finally {
      warn.mockRestore();
      // Leave no event the reconciler can never project for the other tests.
      await documentClient().send(new DeleteCommand({ TableName: tableName(), Key: keys.event(aggregate, 1) }));
    }
  });
});

describe('project', () => {
  it('never lets an older event overwrite what a newer one wrote', async () => {
    // Prepare: two committed events whose projections never ran.
    const aggregate = anAggregate();
    const first = await appendEvent(aggregate, 0, anEvent([stateItem(aggregate, 'old')]));
    const second = await appendEvent(aggregate, 1, anEvent([stateItem(aggregate, 'new')]));
    await undoProjection(second);
    await undoProjection(first);

    // Act: project them out of order.
    await project(second);
    await project(first);

    // Assess
    expect(await getItem({ PK: aggregate, SK: 'STATE' })).toMatchObject({ value: 'new', [PROJECTION_SEQ]: 2 });
    expect((await getItem(keys.event(aggregate, 1)))?.GSI4PK).toBeUndefined();
    expect((await getItem(keys.event(aggregate, 2)))?.GSI4PK).toBeUndefined();
  });

  it('is harmless to apply twice', async () => {
    // Prepare
    const aggregate = anAggregate();
    const first = await appendEvent(aggregate, 0, anEvent([stateItem(aggregate, 'v1')]));
    await appendEvent(aggregate, 1, anEvent([stateItem(aggregate, 'v2')]));

    // Act: a late replay of the first event.
    await project(first);
    await project(first);

    // Assess
    expect(await getItem({ PK: aggregate, SK: 'STATE' })).toMatchObject({ value: 'v2', [PROJECTION_SEQ]: 2 });
  });
});

describe('reconcile', () => {
  it('projects events whose writer stopped between the commit and the projection', async () => {
    // Prepare
    const aggregate = anAggregate();
    const first = await appendEvent(aggregate, 0, anEvent([stateItem(aggregate, 'v1')]));
    const second = await appendEvent(aggregate, 1, anEvent([stateItem(aggregate, 'v2'), { PK: aggregate, SK: 'SIDE', entity: 'test' }]));
    await undoProjection(first);
    await undoProjection(second);
    expect(await getItem({ PK: aggregate, SK: 'STATE' })).toBeUndefined();

    // Act
    const outcome = await reconcile();

    // Assess
    expect(outcome.projected).toBeGreaterThanOrEqual(2);
    expect(await getItem({ PK: aggregate, SK: 'STATE' })).toMatchObject({ value: 'v2', [PROJECTION_SEQ]: 2 });
    expect(await getItem({ PK: aggregate, SK: 'SIDE' })).toMatchObject({ [PROJECTION_SEQ]: 2 });
    expect((await reconcile()).projected).toBe(0);
  });

  it('projects an event item written with only its unprojected marker', async () => {
    // Prepare: the raw commit, as a writer that died before projecting leaves it.
    const aggregate = anAggregate();
    const at = new Date().toISOString();
    const eventId = ulid();
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
          actor,
          requestId: 'req-raw',
          subject: 'test',
          changes: { before: null, after: null },
          effects: [{ ...stateItem(aggregate, 'raw'), [PROJECTION_SEQ]: 1 }],
          GSI4PK: keys.unprojectedPartition,
          GSI4SK: timeSortKey(at, eventId),
        },
      }),
    );

    // Act
    const outcome = await reconcile();

    // Assess
    expect(outcome.projected).toBe(1);
    expect(await getItem({ PK: aggregate, SK: 'STATE' })).toMatchObject({ value: 'raw', [PROJECTION_SEQ]: 1 });
  });

  it('finds nothing to do when every event is projected', async () => {
    // Prepare
    const aggregate = anAggregate();
    await appendEvent(aggregate, 0, anEvent([stateItem(aggregate, 'v1')]));

    // Act
    const outcome = await reconcile();

    // Assess
    expect(outcome.projected).toBe(0);
  });
});

describe('catchUp', () => {
  it("projects an aggregate's events after a sequence number, oldest first", async () => {
    // Prepare
    const aggregate = anAggregate();
    await appendEvent(aggregate, 0, anEvent([stateItem(aggregate, 'v1')]));
    const second = await appendEvent(aggregate, 1, anEvent([stateItem(aggregate, 'v2')]));
    const third = await appendEvent(aggregate, 2, anEvent([stateItem(aggregate, 'v3')]));
    await undoProjection(third);
    await undoProjection(second);

    // Act
    const applied = await catchUp(aggregate, 1);

    // Assess
    expect(applied).toBe(2);
    expect(await getItem({ PK: aggregate, SK: 'STATE' })).toMatchObject({ value: 'v3', [PROJECTION_SEQ]: 3 });
  });
});

describe('executeCommand', () => {
  /** A tiny aggregate whose state is the STATE item: a counter. */
  async function readCounter(aggregate: string): Promise<{ seq: number; count: number }> {
    const item = await getItem({ PK: aggregate, SK: 'STATE' });
    return { seq: Number(item?.[PROJECTION_SEQ] ?? 0), count: Number(item?.count ?? 0) };
  }

  function increment(aggregate: string, onDecide: () => Promise<void> = async () => undefined) {
    return executeCommand(aggregate, async () => {
      const { seq, count } = await readCounter(aggregate);
      await onDecide();
      return {
        expectedSeq: seq,
        event: anEvent([{ PK: aggregate, SK: 'STATE', entity: 'counter', count: count + 1 }]),
        result: (event) => ({ seq: event.seq, count: count + 1 }),
      };
    });
  }

  it('decides again on the new state when another writer got there first', async () => {
    // Prepare
    const aggregate = anAggregate();
    let decisions = 0;
    const interloper = async () => {
      decisions++;
      if (decisions === 1) await increment(aggregate);
    };

    // Act
    const result = await increment(aggregate, interloper);

    // Assess
    expect(decisions).toBe(2);
    expect(result).toEqual({ seq: 2, count: 2 });
    expect(await readCounter(aggregate)).toEqual({ seq: 2, count: 2 });
    expect(await eventItems(aggregate)).toHaveLength(2);
  });

  it('finishes the projection of a writer that died after committing before deciding again', async () => {
    // Prepare: another writer commits seq 1 and dies before projecting it.
    const aggregate = anAggregate();
    const crashed = await appendEvent(aggregate, 0, anEvent([{ PK: aggregate, SK: 'STATE', entity: 'counter', count: 1 }]));
    await undoProjection(crashed);

    // Act
    const result = await increment(aggregate);

    // Assess
    expect(result).toEqual({ seq: 2, count: 2 });
    expect(await readCounter(aggregate)).toEqual({ seq: 2, count: 2 });
    expect((await getItem(keys.event(aggregate, 1)))?.GSI4PK).toBeUndefined();
  });

  it('applies every one of many concurrent changes exactly once', async () => {
    // Prepare
    const aggregate = anAggregate();

    // Act
    const results = await Promise.allSettled(Array.from({ length: 5 }, () => increment(aggregate)));

    // Assess
    const succeeded = results.filter((result) => result.status === 'fulfilled').length;
    const events = await eventItems(aggregate);
    expect(succeeded).toBeGreaterThan(0);
    expect(events).toHaveLength(succeeded);
    expect(await readCounter(aggregate)).toEqual({ seq: succeeded, count: succeeded });
    for (const result of results) {
      if (result.status === 'rejected') expect(result.reason).toBeInstanceOf(ConflictError);
    }
  });

  it('appends nothing when the command changes nothing', async () => {
    // Prepare
    const aggregate = anAggregate();

    // Act
    const result = await executeCommand(aggregate, async () => ({ unchanged: 'same' }));

    // Assess
    expect(result).toBe('same');
    expect(await eventItems(aggregate)).toHaveLength(0);
  });

  it('passes a domain refusal on and appends nothing', async () => {
    // Prepare
    const aggregate = anAggregate();

    // Act
    const run = executeCommand(aggregate, async () => {
      throw new NotFoundError('no such thing');
    });

    // Assess
    await expect(run).rejects.toBeInstanceOf(NotFoundError);
    expect(await eventItems(aggregate)).toHaveLength(0);
  });

  it('gives up with a 409 when it keeps losing the race', async () => {
    // Prepare: a decision that always expects a sequence number already taken.
    const aggregate = anAggregate();
    await appendEvent(aggregate, 0, anEvent([stateItem(aggregate, 'taken')]));
    let decisions = 0;

    // Act
    const run = executeCommand(aggregate, async () => {
      decisions++;
      return { expectedSeq: 0, event: anEvent([stateItem(aggregate, 'late')]), result: () => 'applied' };
    });

    // Assess
    await expect(run).rejects.toMatchObject({ status: 409 });
    expect(decisions).toBeGreaterThan(1);
    expect(await eventItems(aggregate)).toHaveLength(1);
    expect(await getItem({ PK: aggregate, SK: 'STATE' })).toMatchObject({ value: 'taken' });
  });
});
