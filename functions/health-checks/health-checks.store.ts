import { DeleteCommand, GetCommand, PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { BadRequestError } from '#kernel/errors';
import { dayOf, type HealthCheck, type HealthCheckResult, RESULT_RETENTION_DAYS, type RunCounters } from './health-check.domain.ts';
import { batchGetAll, type WriteRequest } from '#kernel/store/batch';
import { sweepExpiredBuckets } from '#kernel/store/buckets';
import { documentClient, isConditionFailure, tableName } from '#kernel/store/client';
import { type Item, project, type StoredEvent } from '#kernel/store/event-log';
import { encodeCursor, type Page, queryDueItems, queryPage } from '#kernel/store/pagination';
import { keys } from '#kernel/store/keys';
import { TTL_ATTRIBUTE } from '#kernel/store/table-definition';

/**
 * Health check items. The head (definition and state) is written by events only; the run item
 * (counters, next run, last result) and results are the runner's bookkeeping, written directly:
 * results are high-volume observations with a TTL, not changes anyone made.
 */

const FIELDS = [
  'id',
  'service',
  'environment',
  'url',
  'method',
  'headers',
  'sealedHeaders',
  'body',
  'timeoutMs',
  'intervalSeconds',
  'conditions',
  'failureThreshold',
  'successThreshold',
  'state',
  'stateChangedAt',
  'createdAt',
  'updatedAt',
  'rev',
  'deletedAt',
] as const;

export interface StoredHealthCheck {
  check: HealthCheck;
  seq: number;
}

export interface RunState extends RunCounters {
  checkId: string;
  nextRunAt: string;
  /** Bumped by every completed run: completions are optimistic on it. */
  runs: number;
  lastBucket: string | null;
  lastResult: Pick<HealthCheckResult, 'at' | 'ok' | 'status' | 'latencyMs' | 'reason'> | null;
}

/** The head: a deleted check keeps it as a tombstone, without the list index. */
export function healthCheckItem(check: HealthCheck): Item {
  return {
    ...keys.healthCheck(check.id),
    ...(check.deletedAt ? {} : keys.healthChecksIndex(check.service, check.id)),
    entity: 'healthcheck',
    ...check,
  };
}

export function runItem(checkId: string, nextRunAt: string): Item {
  return {
    ...keys.healthCheckRun(checkId),
    ...keys.healthChecksDueIndex(nextRunAt, checkId),
    entity: 'healthcheck-run',
    checkId,
    nextRunAt,
    consecutiveFailures: 0,
    consecutiveSuccesses: 0,
    runs: 0,
    lastBucket: null,
    lastResult: null,
  };
}

function checkFromItem(item: Record<string, unknown>): HealthCheck {
  return Object.fromEntries(FIELDS.map((field) => [field, item[field] ?? null])) as unknown as HealthCheck;
}

function runFromItem(item: Record<string, unknown>): RunState {
  return {
    checkId: String(item.checkId),
    nextRunAt: String(item.nextRunAt),
    consecutiveFailures: Number(item.consecutiveFailures ?? 0),
    consecutiveSuccesses: Number(item.consecutiveSuccesses ?? 0),
    runs: Number(item.runs ?? 0),
    lastBucket: (item.lastBucket as string | null) ?? null,
    lastResult: (item.lastResult as RunState['lastResult']) ?? null,
  };
}

async function getItem(key: { PK: string; SK: string }): Promise<Record<string, unknown> | undefined> {
  const { Item } = await documentClient().send(new GetCommand({ TableName: tableName(), Key: key, ConsistentRead: true }));
  return Item;
}

/**
 * The head as a decision needs it: if the head's own event is half projected (a writer died),
 * finish it first. Every effect besides the head is written before it, so that is the only case.
 */
export async function getHealthCheck(id: string): Promise<StoredHealthCheck | undefined> {
  let head = await getItem(keys.healthCheck(id));
  const seq = Number(head?.aggSeq ?? 0);
  if (seq > 0) {
    const event = await getItem(keys.event(keys.healthCheckAggregate(id), seq));
    if (event && event.GSI4PK !== undefined) {
      await project(event as unknown as StoredEvent);
      head = await getItem(keys.healthCheck(id));
    }
  }
  return head ? { check: checkFromItem(head), seq: Number(head.aggSeq ?? 0) } : undefined;
}

/**
 * The head item alone, consistently read, without finishing a half-projected event: enough for
 * a decision that only reads it (the head is written last, so its content is whole for its
 * sequence number); a command that appends an event reads with getHealthCheck instead.
 */
export async function getHealthCheckHead(id: string): Promise<HealthCheck | undefined> {
  const head = await getItem(keys.healthCheck(id));
  return head ? checkFromItem(head) : undefined;
}

/** Heads of many checks, consistently read; a check without a head is absent from the map. Like getHealthCheckHead, for reading. */
export async function getHealthCheckHeads(ids: readonly string[]): Promise<Map<string, HealthCheck>> {
  const items = await batchGetAll([...new Set(ids)].map((id) => keys.healthCheck(id)));
  return new Map(items.map((item) => [String(item.id), checkFromItem(item)]));
}

export async function getRunState(id: string): Promise<RunState | undefined> {
  const item = await getItem(keys.healthCheckRun(id));
  return item ? runFromItem(item) : undefined;
}

export async function listHealthChecks(service: string, options: { limit: number; cursor?: string }): Promise<Page<HealthCheck>> {
  const page = await queryPage({ index: 'GSI1', partition: keys.healthChecksListPartition(service), ...options });
  return { items: page.items.map(checkFromItem), nextCursor: page.nextCursor };
}

/** Run items due at or before `now`, soonest first: one Query on the due partition, never a Scan. */
export async function listDueRuns(now: Date, limit: number): Promise<Array<RunState & { dueKey: string }>> {
  const due = await queryDueItems(keys.healthChecksDuePartition, now, limit);
  return due.map(({ item, dueKey }) => ({ ...runFromItem(item), dueKey }));
}

/**
 * Claims a due run by moving it to its next slot, on condition that nobody moved it since it was
 * listed: of two runners (a late tick and the next one), exactly one runs the check. Returns the
 * run item as the claim left it (the counters a completion starts from), or undefined when
 * another runner claimed it first or the check was deleted.
 */
export async function claimRun(checkId: string, seenDueKey: string, nextRunAt: string): Promise<RunState | undefined> {
  try {
    const { Attributes } = await documentClient().send(
      new UpdateCommand({
        TableName: tableName(),
        Key: keys.healthCheckRun(checkId),
        UpdateExpression: 'SET nextRunAt = :next, GSI2SK = :sk',
        ConditionExpression: 'GSI2SK = :seen',
        ExpressionAttributeValues: { ':next': nextRunAt, ':sk': keys.healthChecksDueIndex(nextRunAt, checkId).GSI2SK, ':seen': seenDueKey },
        ReturnValues: 'ALL_NEW',
      }),
    );
    return Attributes ? runFromItem(Attributes) : undefined;
  } catch (error) {
    if (isConditionFailure(error)) return undefined;
    throw error;
  }
}

/** Records a completed run's counters, if nobody completed a run since `seen` was read; false when someone did. */
export async function completeRun(seen: RunState, counters: RunCounters, result: HealthCheckResult): Promise<boolean> {
  const bucket = dayOf(result.at);
  try {
    await documentClient().send(
      new UpdateCommand({
        TableName: tableName(),
        Key: keys.healthCheckRun(seen.checkId),
        UpdateExpression: 'SET consecutiveFailures = :f, consecutiveSuccesses = :s, runs = :next, lastBucket = :bucket, lastResult = :last',
        ConditionExpression: 'attribute_exists(PK) AND runs = :seen',
        ExpressionAttributeValues: {
          ':f': counters.consecutiveFailures,
          ':s': counters.consecutiveSuccesses,
          ':next': seen.runs + 1,
          ':seen': seen.runs,
          ':bucket': bucket,
          ':last': { at: result.at, ok: result.ok, status: result.status, latencyMs: result.latencyMs, reason: result.reason },
        },
      }),
    );
    return true;
  } catch (error) {
    if (isConditionFailure(error)) return false;
    throw error;
  }
}

export async function deleteRunState(checkId: string): Promise<void> {
  await documentClient().send(new DeleteCommand({ TableName: tableName(), Key: keys.healthCheckRun(checkId) }));
}

function expiresAtOf(at: string): number {
  return Math.floor(Date.parse(at) / 1000) + RESULT_RETENTION_DAYS * 86_400;
}

/**
 * A result's item in its day bucket, and the bucket's marker the first time that day (the run
 * item's `lastBucket` says which day's marker this check wrote last): unconditional puts, for
 * putResult or for a batch of many results.
 */
export function resultWrites(result: HealthCheckResult, lastBucket: string | null): WriteRequest[] {
  const day = dayOf(result.at);
  const writes: WriteRequest[] = [
    {
      PutRequest: {
        Item: {
          ...keys.healthResult(result.checkId, day, result.at, result.id),
          entity: 'healthcheck-result',
          ...result,
          [TTL_ATTRIBUTE]: expiresAtOf(result.at),
        },
      },
    },
  ];
  if (lastBucket !== day) {
    // The marker outlives the bucket's last result by a day, so TTL removes it too on AWS.
    const endOfDay = `${day}T23:59:59.999Z`;
    writes.push({
      PutRequest: {
        Item: {
          ...keys.healthResultBucketMarker(day, result.checkId),
          entity: 'healthcheck-result-bucket',
          checkId: result.checkId,
          day,
          [TTL_ATTRIBUTE]: expiresAtOf(endOfDay) + 86_400,
        },
      },
    });
  }
  return writes;
}

/** Writes a result into its day bucket, and the bucket's marker the first time that day. */
export async function putResult(result: HealthCheckResult, lastBucket: string | null): Promise<void> {
  const client = documentClient();
  for (const write of resultWrites(result, lastBucket)) {
    if ('PutRequest' in write) await client.send(new PutCommand({ TableName: tableName(), Item: write.PutRequest.Item }));
  }
}

const RESULT_FIELDS = [
  'id',
  'checkId',
  'at',
  'ok',
  'status',
  'latencyMs',
  'conditions',
  'reason',
  'detail',
  'certificateExpiresAt',
] as const;

function resultFromItem(item: Record<string, unknown>): HealthCheckResult {
  return Object.fromEntries(RESULT_FIELDS.map((field) => [field, item[field] ?? null])) as unknown as HealthCheckResult;
}

const MAX_WINDOW_DAYS = RESULT_RETENTION_DAYS + 1;

/**
 * A check's results between `from` and `to` (inclusive), newest first: one Query per day bucket,
 * from the newest day back. The cursor names the day and the last result handed out.
 */
export async function listResults(
  checkId: string,
  options: { from: Date; to: Date; limit: number; cursor?: string },
): Promise<Page<HealthCheckResult>> {
  const fromIso = options.from.toISOString();
  const toIso = options.to.toISOString();
  let day = dayOf(options.to);
  let after: string | undefined;
  if (options.cursor) {
    const decoded = decodeResultsCursor(options.cursor);
    if (decoded.day > day || decoded.day < dayOf(options.from))
      throw new BadRequestError('The cursor does not belong to this time window; start again without it.', 'Invalid cursor');
    day = decoded.day;
    after = decoded.sk;
  }
  const items: HealthCheckResult[] = [];
  const firstDay = dayOf(options.from);
  for (let buckets = 0; day >= firstDay && buckets <= MAX_WINDOW_DAYS; buckets++) {
    let startKey: Record<string, unknown> | undefined = after ? { PK: keys.healthResultBucket(checkId, day), SK: after } : undefined;
    after = undefined;
    do {
      const page = await documentClient().send(
        new QueryCommand({
          TableName: tableName(),
          KeyConditionExpression: 'PK = :pk AND SK BETWEEN :from AND :to',
          ExpressionAttributeValues: { ':pk': keys.healthResultBucket(checkId, day), ':from': fromIso, ':to': `${toIso}#~` },
          ScanIndexForward: false,
          ExclusiveStartKey: startKey,
          Limit: options.limit - items.length + 1,
        }),
      );
      for (const item of page.Items ?? []) {
        if (items.length === options.limit) {
          const last = items[items.length - 1] as HealthCheckResult;
          return { items, nextCursor: encodeCursor({ d: dayOf(last.at), k: `${last.at}#${last.id}` }) };
        }
        items.push(resultFromItem(item));
      }
      startKey = page.LastEvaluatedKey;
    } while (startKey);
    day = previousDay(day);
  }
  return { items, nextCursor: null };
}

function previousDay(day: string): string {
  return new Date(Date.parse(`${day}T00:00:00.000Z`) - 86_400_000).toISOString().slice(0, 10);
}

function decodeResultsCursor(cursor: string): { day: string; sk: string } {
  try {
    const value = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as { d?: unknown; k?: unknown };
    if (typeof value.d === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(value.d) && typeof value.k === 'string' && value.k.startsWith(value.d)) {
      return { day: value.d, sk: value.k };
    }
  } catch {
    // fall through
  }
  throw new BadRequestError('The cursor is not one this list handed out; start again without it.', 'Invalid cursor');
}

/**
 * Deletes expired results (dynalite has no TTL; on AWS DynamoDB does this by itself). Bounded:
 * at most `maxBuckets` old buckets and `maxItems` results per call, found by Query on the
 * bucket markers, oldest first. A bucket whose every result has expired loses its marker too.
 */
export async function sweepExpiredResults(
  now: Date,
  options: { maxBuckets?: number; maxItems?: number } = {},
): Promise<{ deleted: number; buckets: number }> {
  // A bucket can hold an expired result only if its day is at or before this one.
  const lastDay = dayOf(new Date(now.getTime() - RESULT_RETENTION_DAYS * 86_400_000));
  return sweepExpiredBuckets(now, {
    ...options,
    markersPartition: keys.healthResultBucketsPartition,
    markersBefore: `${lastDay}#~`,
    bucketOf: (marker) => keys.healthResultBucket(String(marker.checkId), String(marker.day)),
  });
}
