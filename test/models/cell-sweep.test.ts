import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { documentClient, tableName } from '../../functions/kernel/store/client.ts';
import { keys } from '../../functions/kernel/store/keys.ts';
import { deltasOf, granuleStart, type ParsedRecord } from '../../functions/models/telemetry.domain.ts';
import { sweepExpiredCells, writeDeltas } from '../../functions/models/telemetry.store.ts';
import { type Runtime, startRuntime } from '../../local/runtime.ts';
import { api } from '../helpers/http-client.ts';

/**
 * Inference cells carry `expiresAt` (minutes 15 days, hours 90, days 400), which DynamoDB's TTL
 * honours on AWS. dynalite has no TTL, so the local runtime sweeps them: at start and every hour,
 * deleting exactly the cells whose `expiresAt` has passed, and nothing else.
 */

const DAY_MS = 86_400_000;
const SERVICE = 'sweep-model';
const NOW = Date.now();
let dataDir: string;
let runtime: Runtime;

const record = (version: string, environment: string, atMs: number): ParsedRecord => ({
  version,
  environment,
  atMs,
  success: true,
  latencyMs: 10,
});

/** Writes cells as the ingestion route does, at any time (the route refuses records older than 14 days). */
async function write(records: ParsedRecord[]): Promise<void> {
  await writeDeltas(
    SERVICE,
    deltasOf(records, () => undefined),
  );
}

async function countOf(partition: string, prefix = ''): Promise<number> {
  const page = await documentClient().send(
    new QueryCommand({
      TableName: tableName(),
      KeyConditionExpression: 'PK = :pk AND begins_with(SK, :prefix)',
      ExpressionAttributeValues: { ':pk': partition, ':prefix': prefix },
      Select: 'COUNT',
    }),
  );
  return page.Count ?? 0;
}

/** The service's cells by kind: minute and hour cells of each version, and day cells. */
async function cells() {
  const of = async (version: string) => ({
    minutes: await countOf(keys.inferenceCells(SERVICE, version), 'M#'),
    hours: await countOf(keys.inferenceCells(SERVICE, version), 'H#'),
  });
  return { '1.0.0': await of('1.0.0'), '2.0.0': await of('2.0.0'), days: await countOf(keys.inferenceDays(SERVICE)) };
}

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'steward-cell-sweep-'));
  const first = await startRuntime({ dataDir, port: 0, reconcileEveryMs: 3_600_000 });
  expect((await api(first).post('/v1/services', { name: SERVICE, kind: 'model' })).status).toBe(201);
  await write([
    record('1.0.0', 'prod', NOW), // every cell kept for now
    record('1.0.0', 'prod', NOW - 13 * DAY_MS), // its minute cell expires in 2 days, its hour cell in 77
    record('2.0.0', 'staging', NOW - 100 * DAY_MS), // minute and hour cells expired already; its day cell is kept
  ]);
  expect(await cells()).toEqual({ '1.0.0': { minutes: 2, hours: 2 }, '2.0.0': { minutes: 1, hours: 1 }, days: 3 });
  await first.close();
  // Started again on the same data: the sweep runs at start.
  runtime = await startRuntime({ dataDir, port: 0, reconcileEveryMs: 3_600_000 });
});

afterAll(async () => {
  await runtime?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('the local sweep of expired inference cells', () => {
  it('runs at start, deleting the cells that have expired and keeping the rest', async () => {
    // Assess
    expect(await cells()).toEqual({ '1.0.0': { minutes: 2, hours: 2 }, '2.0.0': { minutes: 0, hours: 0 }, days: 3 });
  });

  it('deletes each cell once its expiresAt has passed, as DynamoDB TTL would: minutes, then hours, then days', async () => {
    // Act & Assess: three days on, the 13-day-old minute cell has expired.
    expect(await sweepExpiredCells(new Date(NOW + 3 * DAY_MS))).toEqual({ deleted: 1 });
    expect(await cells()).toEqual({ '1.0.0': { minutes: 1, hours: 2 }, '2.0.0': { minutes: 0, hours: 0 }, days: 3 });

    // 92 days on: the other minute cell and both hour cells.
    expect(await sweepExpiredCells(new Date(NOW + 92 * DAY_MS))).toEqual({ deleted: 3 });
    expect(await cells()).toEqual({ '1.0.0': { minutes: 0, hours: 0 }, '2.0.0': { minutes: 0, hours: 0 }, days: 3 });

    // 302 days on: the day cell of 100 days ago (kept 400 days); 402 days on, the others.
    expect(await sweepExpiredCells(new Date(NOW + 302 * DAY_MS))).toEqual({ deleted: 1 });
    expect(await sweepExpiredCells(new Date(NOW + 402 * DAY_MS))).toEqual({ deleted: 2 });
    expect(await cells()).toEqual({ '1.0.0': { minutes: 0, hours: 0 }, '2.0.0': { minutes: 0, hours: 0 }, days: 0 });
  });

  it('deletes at most maxItems a call; the next call goes on', async () => {
    // Prepare: three minutes of one hour of one version, the minutes all expired 20 days from now.
    const hour = granuleStart(NOW - 3 * 3_600_000, 'hour');
    await write([0, 1, 2].map((minute) => record('1.0.0', 'prod', hour + minute * 60_000)));
    const later = new Date(NOW + 20 * DAY_MS);

    // Act
    const first = await sweepExpiredCells(later, { services: [SERVICE], maxItems: 2 });
    const second = await sweepExpiredCells(later, { services: [SERVICE], maxItems: 2 });

    // Assess
    expect(first).toEqual({ deleted: 2 });
    expect(second).toEqual({ deleted: 1 });
    expect((await cells())['1.0.0']).toEqual({ minutes: 0, hours: 1 });
  });
});
