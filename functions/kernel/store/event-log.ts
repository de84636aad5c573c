import { GetCommand, PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { monotonicFactory } from 'ulid';
import { ConflictError, PayloadTooLargeError } from '../errors.ts';
import type { EventType } from '../events.ts';
import { shouldPublish } from '../published-events.ts';
import { LOST_RACE, retrying, TRY_AGAIN } from '../retry.ts';
import { documentClient, isConditionFailure, tableName, updateIf } from './client.ts';
import { eventSortKey, keys, timeSortKey } from './keys.ts';

/**
 * Every mutation is one conditional write of an event item: the audit record *is* the commit.
 * The event names the aggregate it belongs to and its sequence number there; the condition
 * `attribute_not_exists(PK)` lets exactly one writer claim a sequence number. The event also
 * carries its effects — the items it projects, whole — so current state can always be brought
 * up to date from the events alone: by the writer right after the commit, by the next writer
 * to the aggregate, or by the reconciler, whichever comes first. Projections are idempotent and
 * monotonic (an item is only overwritten by an effect of a later event), so applying an event
 * twice, or late, is harmless.
 */

export type Item = Record<string, unknown> & { PK: string; SK: string };

export interface Actor {
  keyId: string;
  name: string;
}

/** What a command wants recorded; the log adds identity, time and sequence. */
export interface NewEvent {
  type: EventType;
  actor: Actor;
  requestId: string;
  service?: string;
  subject: string;
  changes: { before: unknown; after: unknown };
  /**
   * Items to project, whole. Each is stamped with the event's sequence number as `aggSeq`.
   * The LAST item must be the aggregate's head (the item commands read `seq` from): it is
   * written only after all the others, so a head at sequence N means every effect of N is in.
   */
  effects: Item[];
}

export interface StoredEvent extends Omit<NewEvent, 'effects'> {
  eventId: string;
  at: string;
  aggregate: string;
  seq: number;
  effects: Item[];
}

/** Another writer claimed the sequence number first. */
export class StaleAggregateError extends Error {
  override name = 'StaleAggregateError';
}

/** DynamoDB's item limit is 400 KB; stay clear of it with room for attribute overhead. */
const MAX_EVENT_BYTES = 350_000;
const nextId = monotonicFactory();

/** The items projected for an event carry this attribute: the sequence number of their event. */
export const PROJECTION_SEQ = 'aggSeq';

/** Marks an effect that sets one entry of a map in a shared item instead of writing a whole item. */
const ENTRY_EFFECT = 'entryEffect';

/**
 * An effect on one entry of a map attribute in an item that many aggregates write (a service's
 * digest of its versions, each version being its own aggregate): an UpdateItem of that entry
 * alone, applied only if no later event of the same aggregate set it, so writers of different
 * entries never contend and replaying an event is harmless. The entry is stored with the event's
 * sequence number as `aggSeq`. The item is created when it does not exist. Never an aggregate's head.
 */
export function entryEffect(key: { PK: string; SK: string }, map: string, entry: string, value: Record<string, unknown>): Item {
  return { ...key, [ENTRY_EFFECT]: { map, entry, value } };
}

/** Called with every committed, projected event; the local runtime feeds webhook delivery from it. */
export type EventPublisher = (event: StoredEvent) => void;
let publisher: EventPublisher = () => undefined;

/** Installs the publisher (a no-op by default; on AWS events reach subscribers another way). */
export function configureEventPublisher(next: EventPublisher | null): void {
  publisher = next ?? (() => undefined);
}

export async function appendEvent(aggregate: string, expectedSeq: number, event: NewEvent): Promise<StoredEvent> {
  const seq = expectedSeq + 1;
  const eventId = nextId();
  const at = new Date().toISOString();
  const stored: StoredEvent = {
    ...event,
    eventId,
    at,
    aggregate,
    seq,
    effects: event.effects.map((item) => ({ ...item, [PROJECTION_SEQ]: seq })),
  };
  const item = {
    ...keys.event(aggregate, seq),
    entity: 'event',
    ...stored,
    GSI1PK: keys.auditPartition,
    GSI1SK: timeSortKey(at, eventId),
    ...(event.service ? { GSI2PK: keys.serviceLogPartition(event.service), GSI2SK: timeSortKey(at, eventId) } : {}),
    GSI3PK: keys.actorLogPartition(event.actor.keyId),
    GSI3SK: timeSortKey(at, eventId),
    GSI4PK: keys.unprojectedPartition,
    GSI4SK: timeSortKey(at, eventId),
  };
  if (Buffer.byteLength(JSON.stringify(item)) > MAX_EVENT_BYTES) {
    throw new PayloadTooLargeError('The change is too large to record; keep descriptions, change logs and metadata smaller.');
  }
  try {
    await documentClient().send(new PutCommand({ TableName: tableName(), Item: item, ConditionExpression: 'attribute_not_exists(PK)' }));
  } catch (error) {
    if (isConditionFailure(error)) throw new StaleAggregateError(`${aggregate} moved past ${expectedSeq}`);
    throw error;
  }
  // The event is committed: from here on the change has happened. If projecting fails, the next
  // writer or the reconciler finishes it, so the caller still gets its answer.
  try {
    await project(stored);
  } catch (error) {
    console.warn(JSON.stringify({ message: 'projection deferred to reconciler', aggregate, seq, error: String(error) }));
  }
  try {
    publisher(stored); // must not block or fail the request: the publisher handles its own errors
  } catch {
    // never let a subscriber undo a committed change
  }
  return stored;
}

/**
 * Applies an event's effects (each only if no later event already wrote the item), the head
 * last, then marks the event projected. Writing the head last matters: a command decides on the
 * head's sequence number, so the head must never say N while another effect of N is missing.
 */
export async function project(
  event: Pick<StoredEvent, 'aggregate' | 'seq' | 'effects'> & { type?: string; changes?: { after?: unknown } },
): Promise<void> {
  const client = documentClient();
  const put = async (effect: Item) => {
    if (effect[ENTRY_EFFECT]) return setEntry(effect, event.seq);
    try {
      await client.send(
        new PutCommand({
          TableName: tableName(),
          Item: { ...effect, [PROJECTION_SEQ]: event.seq },
          ConditionExpression: 'attribute_not_exists(PK) OR #seq < :seq',
          ExpressionAttributeNames: { '#seq': PROJECTION_SEQ },
          ExpressionAttributeValues: { ':seq': event.seq },
        }),
      );
    } catch (error) {
      if (!isConditionFailure(error)) throw error; // a later event already wrote this item
    }
  };
  const head = event.effects.at(-1);
  await Promise.all(event.effects.slice(0, -1).map(put));
  if (head) await put(head);
  await markProjected(event);
}

/** Applies an entry effect (`entryEffect`): the entry if no later event set it, creating the map first if need be. */
async function setEntry(effect: Item, seq: number): Promise<void> {
  const { map, entry, value } = effect[ENTRY_EFFECT] as { map: string; entry: string; value: Record<string, unknown> };
  const key = { PK: effect.PK, SK: effect.SK };
  const write = () =>
    documentClient().send(
      new UpdateCommand({
        TableName: tableName(),
        Key: key,
        UpdateExpression: 'SET #map.#entry = :value',
        ConditionExpression: 'attribute_not_exists(#map.#entry) OR #map.#entry.#seq < :seq',
        ExpressionAttributeNames: { '#map': map, '#entry': entry, '#seq': PROJECTION_SEQ },
        ExpressionAttributeValues: { ':value': { ...value, [PROJECTION_SEQ]: seq }, ':seq': seq },
      }),
    );
  try {
    await write();
    return;
  } catch (error) {
    if (isConditionFailure(error)) return; // a later event of this aggregate set the entry
    // DynamoDB refuses a path under a map that does not exist yet (ValidationException): make it, then write again.
    if ((error as Error).name !== 'ValidationException') throw error;
  }
  await documentClient().send(
    new UpdateCommand({
      TableName: tableName(),
      Key: key,
      UpdateExpression: 'SET #map = if_not_exists(#map, :empty)',
      ExpressionAttributeNames: { '#map': map },
      ExpressionAttributeValues: { ':empty': {} },
    }),
  );
  try {
    await write();
  } catch (error) {
    if (!isConditionFailure(error)) throw error;
  }
}

/**
 * Takes a projected event out of the reconciler's queue. An event of a published type moves to
 * the publish sweep's queue instead, unless the topic has it already (`publishedAt`: on AWS the
 * stream's publisher often gets there before the projections are done). Only an event still
 * marked unprojected is touched, so projecting again never re-queues a published event.
 */
async function markProjected(
  event: Pick<StoredEvent, 'aggregate' | 'seq'> & { type?: string; changes?: { after?: unknown } },
): Promise<void> {
  const key = keys.event(event.aggregate, event.seq);
  const unprojected = { ':unprojected': keys.unprojectedPartition };
  if (event.type && shouldPublish({ type: event.type, changes: event.changes })) {
    const queued = await updateIf(key, {
      expression: 'SET GSI4PK = :unpublished',
      condition: 'GSI4PK = :unprojected AND attribute_not_exists(publishedAt)',
      values: { ...unprojected, ':unpublished': keys.unpublishedPartition },
    });
    if (queued) return;
  }
  await updateIf(key, { expression: 'REMOVE GSI4PK, GSI4SK', condition: 'GSI4PK = :unprojected', values: unprojected });
}

/** Projects every event of `aggregate` after `afterSeq`, oldest first. */
export async function catchUp(aggregate: string, afterSeq: number): Promise<number> {
  let applied = 0;
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await documentClient().send(
      new QueryCommand({
        TableName: tableName(),
        KeyConditionExpression: 'PK = :pk AND SK > :after',
        ExpressionAttributeValues: { ':pk': aggregate, ':after': eventSortKey(afterSeq) },
        ConsistentRead: true,
        ExclusiveStartKey: startKey,
      }),
    );
    for (const event of page.Items ?? []) {
      if (typeof event.SK !== 'string' || !event.SK.startsWith(keys.eventPrefix)) continue;
      await project(event as unknown as StoredEvent);
      applied++;
    }
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  return applied;
}

export interface ReconcileOptions {
  /**
   * The aggregates this run finishes (default: every one). On AWS the reconciler may not write key
   * items, so it leaves API key aggregates to the key reconciler, which may write nothing else.
   */
  aggregates?: (aggregate: string) => boolean;
}

/**
 * Finds committed events whose projections never finished (the writer crashed) and finishes
 * them. Runs on a schedule on AWS and at start-up and on a timer locally. An event that cannot be
 * projected (its effects are refused) is logged and left for the next run; it holds up no other.
 */
export async function reconcile(options: ReconcileOptions = {}): Promise<{ projected: number; failed: number }> {
  let projected = 0;
  let failed = 0;
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await documentClient().send(
      new QueryCommand({
        TableName: tableName(),
        IndexName: 'GSI4',
        KeyConditionExpression: 'GSI4PK = :pending',
        ExpressionAttributeValues: { ':pending': keys.unprojectedPartition },
        ExclusiveStartKey: startKey,
      }),
    );
    for (const entry of page.Items ?? []) {
      if (options.aggregates && !options.aggregates(String(entry.PK))) continue;
      try {
        const { Item } = await documentClient().send(
          new GetCommand({ TableName: tableName(), Key: { PK: entry.PK, SK: entry.SK }, ConsistentRead: true }),
        );
        if (!Item || Item.GSI4PK === undefined) continue;
        // Order does not matter: an effect never overwrites an item a later event wrote.
        await project(Item as unknown as StoredEvent);
        projected++;
      } catch (error) {
        failed++;
        console.warn(
          JSON.stringify({ message: 'could not reconcile an event', aggregate: entry.PK, event: entry.SK, error: String(error) }),
        );
      }
    }
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  return { projected, failed };
}

/** What a command decided: append an event after the state it read, or nothing changes. */
export type Decision<T> = { expectedSeq: number; event: NewEvent; result: (event: StoredEvent) => T } | { unchanged: T };

/**
 * Runs a command against an aggregate with optimistic concurrency: `decide` reads the current
 * state and returns the event to append after the sequence number it read (or throws a domain
 * error). When another writer got there first, catch up and decide again on the new state.
 * When `decide` refuses, it may have read state that a committed but unprojected event (its
 * writer died) had already changed: finish those and decide again, so a refusal is never stale.
 * A request that changes nothing appends nothing: no audit record for a change that did not happen.
 */
export async function executeCommand<T>(aggregate: string, decide: () => Promise<Decision<T>>): Promise<T> {
  return retrying(
    LOST_RACE,
    async () => {
      let decision: Decision<T>;
      try {
        decision = await decide();
      } catch (error) {
        if (await finishPending(aggregate)) return TRY_AGAIN;
        throw error;
      }
      if ('unchanged' in decision) return decision.unchanged;
      try {
        const event = await appendEvent(aggregate, decision.expectedSeq, decision.event);
        return decision.result(event);
      } catch (error) {
        if (!(error instanceof StaleAggregateError)) throw error;
        await catchUp(aggregate, decision.expectedSeq);
        return TRY_AGAIN;
      }
    },
    () => new ConflictError('Too many concurrent changes to this resource; retry the request.'),
  );
}

/**
 * Projects the aggregate's newest events still marked unprojected (a writer died after committing
 * them), oldest first; true if there were any. Reads back from the newest event only as far as
 * the first projected one: usually one item.
 */
async function finishPending(aggregate: string): Promise<boolean> {
  const pending: StoredEvent[] = [];
  let startKey: Record<string, unknown> | undefined;
  reading: do {
    const page = await documentClient().send(
      new QueryCommand({
        TableName: tableName(),
        KeyConditionExpression: 'PK = :pk AND begins_with(SK, :event)',
        ExpressionAttributeValues: { ':pk': aggregate, ':event': keys.eventPrefix },
        ScanIndexForward: false,
        ConsistentRead: true,
        Limit: 10,
        ExclusiveStartKey: startKey,
      }),
    );
    for (const event of page.Items ?? []) {
      if (event.GSI4PK !== keys.unprojectedPartition) break reading;
      pending.push(event as unknown as StoredEvent);
    }
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  for (const event of pending.reverse()) await project(event);
  return pending.length > 0;
}

async function getHeadItem(key: { PK: string; SK: string }): Promise<Record<string, unknown> | undefined> {
  const { Item } = await documentClient().send(new GetCommand({ TableName: tableName(), Key: key, ConsistentRead: true }));
  return Item;
}

/**
 * An aggregate's head (`SK = HEAD`) as a decision needs it: if the head's own event is half
 * projected (a writer died), finish it first.
 */
export async function getHead(aggregate: string): Promise<{ item: Item; seq: number } | undefined> {
  const key = { PK: aggregate, SK: 'HEAD' };
  let head = await getHeadItem(key);
  const seq = Number(head?.aggSeq ?? 0);
  if (seq > 0) {
    const event = await getHeadItem(keys.event(aggregate, seq));
    if (event && event.GSI4PK !== undefined) {
      await project(event as unknown as StoredEvent);
      head = await getHeadItem(key);
    }
  }
  return head ? { item: head as Item, seq: Number(head.aggSeq ?? 0) } : undefined;
}
