import { GetCommand, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { StewardError } from '#kernel/errors';
import { type RetryPolicy, retrying, TRY_AGAIN } from '#kernel/retry';
import { batchWriteAll } from '#kernel/store/batch';
import { listServices } from '#services/public';
import { documentClient, isConditionFailure, tableName } from '#kernel/store/client';
import { keys } from '#kernel/store/keys';
import { TTL_ATTRIBUTE } from '#kernel/store/table-definition';
import {
  type Cell,
  CELL_RETENTION_MS,
  type CellDelta,
  granuleLabel,
  granuleMs,
  mergeCells,
  type TelemetryWindow,
} from './telemetry.domain.ts';

/**
 * Inference cells in the table: telemetry, not events. A cell is read, merged with a batch's delta
 * and written back under the condition that its revision is still the one read (or that it does
 * not exist yet), retried on a lost race, so concurrent writers add up exactly: no count is lost
 * and none is counted twice. Cells carry a TTL by granularity (minutes 15 days, hours 90, days 400).
 */

/**
 * Writers of one hot cell (every gateway reporting the same version in the same minute) take turns:
 * more tries than the event log's lost races, with short waits, so twenty at once all get through.
 */
export const CELL_RACE: RetryPolicy = { attempts: 60, baseMs: 4, maxMs: 200 };
/** Cell writes of one batch run this many at a time. */
const WRITE_CONCURRENCY = 8;
const READ_CONCURRENCY = 4;

class TelemetryBusyError extends StewardError {
  constructor(detail: string) {
    super(503, 'Service unavailable', detail);
  }
}

export interface StoredCell {
  startMs: number;
  cell: Cell;
}

function keyOf(service: string, delta: Pick<CellDelta, 'version' | 'environment' | 'granularity' | 'startMs'>) {
  const label = granuleLabel(delta.startMs, delta.granularity);
  if (delta.granularity === 'day') {
    return { PK: keys.inferenceDays(service), SK: keys.inferenceDaySortKey(label, delta.environment, delta.version) };
  }
  return { PK: keys.inferenceCells(service, delta.version), SK: keys.inferenceCellSortKey(delta.granularity, delta.environment, label) };
}

function parseCell(item: Record<string, unknown>): Cell {
  return JSON.parse(String(item.data)) as Cell;
}

/**
 * Writes to one cell from this process, in turn: while a write of a cell runs, deltas for the same
 * cell wait and are merged into the next write together (group commit). Concurrent batches in one
 * process (the local runtime, a busy container) then race each other only across processes.
 */
interface CellQueue {
  next: { deltas: CellDelta[]; done: Promise<void>; resolve: () => void; reject: (error: unknown) => void } | null;
}
const queues = new Map<string, CellQueue>();

/** Merges one delta into its stored cell, exactly once (with the deltas that queued behind a running write of the same cell). */
async function mergeDelta(service: string, delta: CellDelta): Promise<void> {
  const key = keyOf(service, delta);
  const id = `${key.PK}\u0000${key.SK}`;
  const running = queues.get(id);
  if (running) {
    if (!running.next) {
      let resolve!: () => void;
      let reject!: (error: unknown) => void;
      const done = new Promise<void>((yes, no) => {
        resolve = yes;
        reject = no;
      });
      running.next = { deltas: [], done, resolve, reject };
    }
    running.next.deltas.push(delta);
    return running.next.done;
  }
  const queue: CellQueue = { next: null };
  queues.set(id, queue);
  try {
    await mergeIntoCell(service, delta);
  } finally {
    // Whatever became of this write, the deltas that queued behind it are written next, together.
    void drain(service, delta, id, queue);
  }
}

async function drain(service: string, like: CellDelta, id: string, queue: CellQueue): Promise<void> {
  while (queue.next) {
    const batch = queue.next;
    queue.next = null;
    try {
      await mergeIntoCell(
        service,
        like,
        batch.deltas.map((d) => d.cell),
      );
      batch.resolve();
    } catch (error) {
      batch.reject(error);
    }
  }
  queues.delete(id);
}

/**
 * Reads the cell, merges the delta (or these cells of deltas of the same cell) in, and writes it
 * back if nobody wrote it meanwhile (its revision unchanged); again on a lost race. Exported for
 * the test of writers in different processes, which share no queue.
 */
export async function mergeIntoCell(service: string, delta: CellDelta, cells: Cell[] = [delta.cell]): Promise<void> {
  const key = keyOf(service, delta);
  const id = `${key.PK}\u0000${key.SK}`;
  const expiresAt = Math.floor((delta.startMs + granuleMs(delta.granularity) + CELL_RETENTION_MS[delta.granularity]) / 1000);
  const addition = mergeCells(cells);
  await retrying(
    CELL_RACE,
    async (attempt) => {
      // The cell as this process last wrote it, when it did: the write is then tried without reading
      // first; if anyone wrote it since, the condition fails and the next try reads it.
      const known = attempt === 0 ? lastWritten.get(id) : undefined;
      let current: { rev: number; cell: Cell } | null = known ?? null;
      if (!known) {
        const { Item } = await documentClient().send(
          new GetCommand({
            TableName: tableName(),
            Key: key,
            ConsistentRead: true,
            ProjectionExpression: '#data, #rev',
            ExpressionAttributeNames: { '#data': 'data', '#rev': 'rev' },
          }),
        );
        current = Item ? { rev: Number(Item.rev), cell: parseCell(Item) } : null;
      }
      const rev = current?.rev ?? 0;
      const cell = current ? mergeCells([current.cell, addition]) : addition;
      try {
        await documentClient().send(
          new PutCommand({
            TableName: tableName(),
            Item: {
              ...key,
              entity: 'inference-cell',
              service,
              version: delta.version,
              environment: delta.environment,
              granularity: delta.granularity,
              start: new Date(delta.startMs).toISOString(),
              count: cell.aggregate.count,
              data: JSON.stringify(cell),
              rev: rev + 1,
              [TTL_ATTRIBUTE]: expiresAt,
            },
            ConditionExpression: current ? '#rev = :rev' : 'attribute_not_exists(PK)',
            ...(current ? { ExpressionAttributeNames: { '#rev': 'rev' }, ExpressionAttributeValues: { ':rev': rev } } : {}),
          }),
        );
        if (lastWritten.size >= MAX_REMEMBERED_CELLS) lastWritten.clear();
        lastWritten.set(id, { rev: rev + 1, cell });
        return true;
      } catch (error) {
        lastWritten.delete(id);
        if (isConditionFailure(error)) return TRY_AGAIN;
        throw error;
      }
    },
    () => new TelemetryBusyError('Too many writers reported inferences of this version at once; send the batch again.'),
  );
}

/** Cells this process wrote last, with their revision: the current minute's, hour's and day's of busy versions. */
const lastWritten = new Map<string, { rev: number; cell: Cell }>();
const MAX_REMEMBERED_CELLS = 2_000;

/** Merges every delta of a batch into its cell, a few at a time. */
export async function writeDeltas(service: string, deltas: readonly CellDelta[]): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < deltas.length) await mergeDelta(service, deltas[next++] as CellDelta);
  };
  await Promise.all(Array.from({ length: Math.min(WRITE_CONCURRENCY, deltas.length) }, worker));
}

async function queryAll(input: ConstructorParameters<typeof QueryCommand>[0]): Promise<Record<string, unknown>[]> {
  const items: Record<string, unknown>[] = [];
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await documentClient().send(new QueryCommand({ ...input, ExclusiveStartKey: startKey }));
    items.push(...(page.Items ?? []));
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  return items;
}

/** A version's cells in an environment over a window, oldest first: one Query on its partition. */
export async function readCells(service: string, version: string, environment: string, window: TelemetryWindow): Promise<StoredCell[]> {
  const last = window.toMs - granuleMs(window.granularity);
  const items = await queryAll({
    TableName: tableName(),
    KeyConditionExpression: 'PK = :pk AND SK BETWEEN :from AND :to',
    ExpressionAttributeValues: {
      ':pk': keys.inferenceCells(service, version),
      ':from': keys.inferenceCellSortKey(window.granularity, environment, granuleLabel(window.fromMs, window.granularity)),
      ':to': keys.inferenceCellSortKey(window.granularity, environment, granuleLabel(last, window.granularity)),
    },
    ProjectionExpression: '#start, #data',
    ExpressionAttributeNames: { '#start': 'start', '#data': 'data' },
  });
  return items.map((item) => ({ startMs: Date.parse(String(item.start)), cell: parseCell(item) }));
}

/** Cells of several versions over one window, by version. */
export async function readCellsOfVersions(
  service: string,
  versions: readonly string[],
  environment: string,
  window: TelemetryWindow,
): Promise<Map<string, StoredCell[]>> {
  const result = new Map<string, StoredCell[]>();
  let next = 0;
  const worker = async () => {
    while (next < versions.length) {
      const version = versions[next++] as string;
      result.set(version, await readCells(service, version, environment, window));
    }
  };
  await Promise.all(Array.from({ length: Math.min(READ_CONCURRENCY, versions.length) }, worker));
  return result;
}

export interface DayCell {
  day: string;
  environment: string;
  version: string;
  cell: Cell;
}

/** A service's day cells from `fromDay` to `toDay` (inclusive, YYYY-MM-DD), every environment and version. */
export async function readDays(service: string, fromDay: string, toDay: string): Promise<DayCell[]> {
  const items = await queryAll({
    TableName: tableName(),
    KeyConditionExpression: 'PK = :pk AND SK BETWEEN :from AND :to',
    ExpressionAttributeValues: { ':pk': keys.inferenceDays(service), ':from': `${fromDay}#`, ':to': `${toDay}#~` },
    ProjectionExpression: '#environment, #version, #start, #data',
    ExpressionAttributeNames: { '#environment': 'environment', '#version': 'version', '#start': 'start', '#data': 'data' },
  });
  return items.map((item) => ({
    day: String(item.start).slice(0, 10),
    environment: String(item.environment),
    version: String(item.version),
    cell: parseCell(item),
  }));
}

/**
 * What DynamoDB's TTL does to inference cells on AWS, for the local runtime (dynalite has no TTL):
 * deletes the inference cells (of every service, or of `services`) whose `expiresAt` has passed. No Scan: a service's day cells
 * (one partition) name the versions and environments it had traffic in; for each, the minute and
 * hour cells old enough to have expired are one range Query each (their sort keys sort by time),
 * and only those whose `expiresAt` is past are deleted; then the day cells past theirs. Bounded
 * by `maxItems` deletions a call (the next call goes on).
 */
export async function sweepExpiredCells(
  now: Date,
  options: { services?: readonly string[]; maxItems?: number } = {},
): Promise<{ deleted: number }> {
  const maxItems = options.maxItems ?? 5_000;
  const services = options.services ?? (await allServiceNames());
  let deleted = 0;
  const nowMs = now.getTime();
  const nowSeconds = Math.floor(nowMs / 1000);
  const expired = (items: Record<string, unknown>[]) => items.filter((item) => Number(item[TTL_ATTRIBUTE]) <= nowSeconds);
  const remove = async (items: Record<string, unknown>[]) => {
    const batch = items.slice(0, maxItems - deleted);
    await batchWriteAll(batch.map((item) => ({ DeleteRequest: { Key: { PK: item.PK, SK: item.SK } } })));
    deleted += batch.length;
  };
  for (const service of services) {
    if (deleted >= maxItems) break;
    const days = await queryAll({
      TableName: tableName(),
      KeyConditionExpression: 'PK = :pk',
      ExpressionAttributeValues: { ':pk': keys.inferenceDays(service) },
      ProjectionExpression: 'PK, SK, #environment, #version, #ttl',
      ExpressionAttributeNames: { '#environment': 'environment', '#version': 'version', '#ttl': TTL_ATTRIBUTE },
    });
    const pairs = new Map(
      days.map((day) => [`${day.version}\u0000${day.environment}`, { version: String(day.version), environment: String(day.environment) }]),
    );
    for (const { version, environment } of pairs.values()) {
      for (const granularity of ['minute', 'hour'] as const) {
        if (deleted >= maxItems) break;
        // A cell expires a granule plus its retention after it starts: older starts only.
        const lastExpiredStart = nowMs - granuleMs(granularity) - CELL_RETENTION_MS[granularity];
        const cells = await queryAll({
          TableName: tableName(),
          KeyConditionExpression: 'PK = :pk AND SK BETWEEN :from AND :to',
          ExpressionAttributeValues: {
            ':pk': keys.inferenceCells(service, version),
            ':from': keys.inferenceCellSortKey(granularity, environment, ''),
            ':to': keys.inferenceCellSortKey(granularity, environment, granuleLabel(lastExpiredStart, granularity)),
          },
          ProjectionExpression: 'PK, SK, #ttl',
          ExpressionAttributeNames: { '#ttl': TTL_ATTRIBUTE },
        });
        await remove(expired(cells));
      }
    }
    // The day cells last, so that a version's cells are found while any of its days is kept.
    if (deleted < maxItems) await remove(expired(days));
  }
  return { deleted };
}

async function allServiceNames(): Promise<string[]> {
  const names: string[] = [];
  let cursor: string | undefined;
  do {
    const page = await listServices({ limit: 100, cursor });
    names.push(...page.items.map((service) => service.name));
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  return names;
}
