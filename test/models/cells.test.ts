import { describe, expect, it } from 'vitest';
import { QuantileSketch, summariseAggregate } from '../../functions/models/statistics/index.ts';
import { InferenceRecordInput } from '../../functions/models/telemetry.schema.ts';
import {
  cellOf,
  checkRecord,
  deltasOf,
  MAX_CLIENTS_PER_CELL,
  mergeCells,
  OTHER_CLIENTS,
  type ParsedRecord,
  resolveWindow,
} from '../../functions/models/telemetry.domain.ts';
import { mergeIntoCell, readCells, readDays } from '../../functions/models/telemetry.store.ts';
import { useLocalStore } from '../helpers/local-store.ts';
import { lognormal, seededRandom } from './statistics/random.ts';

/**
 * Inference cells: cutting a batch into minute, hour and day cells, merging cells, the windows,
 * and the conditional writes against dynalite with writers that share no queue (as separate
 * processes would), which must add up exactly.
 */

useLocalStore();

const T0 = Date.parse('2026-11-23T09:58:30.000Z');
const record = (overrides: Partial<ParsedRecord> = {}): ParsedRecord => ({
  version: '1.0.0',
  environment: 'prod',
  atMs: T0,
  success: true,
  latencyMs: 100,
  ...overrides,
});

describe('deltasOf', () => {
  it('cuts a batch into minute cells, and hour and day cells that hold the same records', () => {
    // Prepare
    const records = [
      record(),
      record({ atMs: T0 + 60_000, success: false, error: 'timeout' }),
      record({ atMs: T0 + 120_000 }), // 10:00:30, the next hour
      record({ version: '2.0.0' }),
      record({ environment: 'staging' }),
    ];

    // Act
    const deltas = deltasOf(records, () => undefined);

    // Assess
    const of = (granularity: string) =>
      deltas
        .filter((d) => d.granularity === granularity)
        .map((d) => `${d.version} ${d.environment} ${new Date(d.startMs).toISOString()} ${d.cell.aggregate.count}`)
        .sort();
    expect(of('minute')).toEqual([
      '1.0.0 prod 2026-11-23T09:58:00.000Z 1',
      '1.0.0 prod 2026-11-23T09:59:00.000Z 1',
      '1.0.0 prod 2026-11-23T10:00:00.000Z 1',
      '1.0.0 staging 2026-11-23T09:58:00.000Z 1',
      '2.0.0 prod 2026-11-23T09:58:00.000Z 1',
    ]);
    expect(of('hour')).toEqual([
      '1.0.0 prod 2026-11-23T09:00:00.000Z 2',
      '1.0.0 prod 2026-11-23T10:00:00.000Z 1',
      '1.0.0 staging 2026-11-23T09:00:00.000Z 1',
      '2.0.0 prod 2026-11-23T09:00:00.000Z 1',
    ]);
    expect(of('day')).toEqual([
      '1.0.0 prod 2026-11-23T00:00:00.000Z 3',
      '1.0.0 staging 2026-11-23T00:00:00.000Z 1',
      '2.0.0 prod 2026-11-23T00:00:00.000Z 1',
    ]);
    const hour = deltas.find(
      (d) => d.granularity === 'hour' && d.version === '1.0.0' && d.environment === 'prod' && d.cell.aggregate.count === 2,
    );
    expect(hour?.cell.aggregate.errors).toEqual({ timeout: 1 });
  });

  it('prices a version only in USD', () => {
    // Prepare
    const records = [record({ inputTokens: 2000, outputTokens: 1000 })];

    // Act
    const usd = deltasOf(records, () => ({ inputPer1kTokens: 1, outputPer1kTokens: 3, currency: 'USD' }))[0];
    const eur = deltasOf(records, () => ({ inputPer1kTokens: 1, outputPer1kTokens: 3, currency: 'EUR' }))[0];

    // Assess
    expect(usd?.cell.aggregate.costUsd).toBe(5);
    expect(eur?.cell.aggregate.costUsd).toBe(0);
  });
});

describe('mergeCells', () => {
  it('gives the cell of all the records, sketches included, whatever the split', () => {
    // Prepare
    const random = seededRandom(3);
    const records = Array.from({ length: 900 }, (_, i) =>
      record({ latencyMs: lognormal(random, 50, 1), confidence: random(), success: i % 7 !== 0, client: `c${i % 3}` }),
    );

    // Act
    const whole = cellOf(records, undefined);
    const parts = mergeCells([
      cellOf(records.slice(0, 100), undefined),
      cellOf(records.slice(100, 550), undefined),
      cellOf(records.slice(550), undefined),
    ]);

    // Assess
    // Sums of floating-point latencies differ in the last bits with the order of addition; the rest is exact.
    const { latencyMs: partsLatency, ...partsRest } = summariseAggregate(parts.aggregate);
    const { latencyMs: wholeLatency, ...wholeRest } = summariseAggregate(whole.aggregate);
    expect(partsRest).toEqual(wholeRest);
    expect({ ...partsLatency, mean: null }).toEqual({ ...wholeLatency, mean: null });
    expect(partsLatency.mean).toBeCloseTo(wholeLatency.mean as number, 9);
    expect(QuantileSketch.fromJSON(parts.aggregate.latency).bins()).toEqual(QuantileSketch.fromJSON(whole.aggregate.latency).bins());
    expect(parts.clients).toEqual({ c0: 300, c1: 300, c2: 300 });
  });

  it('counts clients beyond the limit under one name', () => {
    // Prepare
    const records = Array.from({ length: MAX_CLIENTS_PER_CELL + 5 }, (_, i) => record({ client: `client-${i}` }));

    // Act
    const cell = cellOf(records, undefined);

    // Assess
    expect(Object.keys(cell.clients)).toHaveLength(MAX_CLIENTS_PER_CELL + 1);
    expect(cell.clients[OTHER_CLIENTS]).toBe(5);
  });
});

describe('checkRecord', () => {
  const valid = { version: '1.0.0', success: true, latencyMs: 12.5 };
  const cases: Array<[string, unknown]> = [
    ['a minimal record', valid],
    [
      'every field',
      {
        ...valid,
        at: '2026-11-23T09:30:00.123Z',
        environment: 'qa',
        confidence: 1,
        inputTokens: 0,
        outputTokens: 9,
        error: 'x',
        client: 'web',
      },
    ],
    ['an offset time', { ...valid, at: '2026-11-23T09:30:00+02:00' }],
    ['a time without offset', { ...valid, at: '2026-11-23T09:30:00' }],
    ['a date only', { ...valid, at: '2026-11-23' }],
    ['a latency of 0', { ...valid, latencyMs: 0 }],
    ['a negative latency', { ...valid, latencyMs: -0.1 }],
    ['a latency as text', { ...valid, latencyMs: '12' }],
    ['a latency past a day', { ...valid, latencyMs: 86_400_001 }],
    ['a confidence above 1', { ...valid, confidence: 1.01 }],
    ['a negative confidence', { ...valid, confidence: -0.01 }],
    ['fractional tokens', { ...valid, inputTokens: 1.5 }],
    ['negative tokens', { ...valid, outputTokens: -1 }],
    ['success as text', { ...valid, success: 'true' }],
    ['no version', { success: true, latencyMs: 1 }],
    ['an empty version', { ...valid, version: '' }],
    ['an empty error', { ...valid, error: '' }],
    ['a long client', { ...valid, client: 'c'.repeat(101) }],
    ['an upper-case environment', { ...valid, environment: 'Prod' }],
    ['a one-letter environment', { ...valid, environment: 'p' }],
    ['an unknown field', { ...valid, region: 'eu' }],
    ['null', null],
    ['an array', [valid]],
  ];

  it.each(cases)('agrees with the documented schema on %s', (_name, record) => {
    // Act
    const checked = checkRecord(record);

    // Assess
    expect(typeof checked !== 'string').toBe(InferenceRecordInput.safeParse(record).success);
  });
});

describe('resolveWindow', () => {
  const now = Date.parse('2026-11-23T10:05:30.000Z');

  it.each([
    { input: { window: '1h' as const }, from: '2026-11-23T09:05:00.000Z', to: '2026-11-23T10:06:00.000Z', granularity: 'minute' },
    { input: { window: '24h' as const }, from: '2026-11-22T10:00:00.000Z', to: '2026-11-23T11:00:00.000Z', granularity: 'hour' },
    { input: {}, from: '2026-11-22T10:00:00.000Z', to: '2026-11-23T11:00:00.000Z', granularity: 'hour' },
    {
      input: { from: '2026-11-23T08:00:10.000Z', to: '2026-11-23T09:00:00.000Z' },
      from: '2026-11-23T08:00:00.000Z',
      to: '2026-11-23T09:00:00.000Z',
      granularity: 'minute',
    },
  ])('reads $input as whole granules', ({ input, from, to, granularity }) => {
    // Act
    const window = resolveWindow(input, now);

    // Assess
    expect(window).toEqual({ fromMs: Date.parse(from), toMs: Date.parse(to), granularity });
  });

  it.each([
    { input: { window: '1h' as const, from: '2026-11-23T08:00:00.000Z' }, why: 'either window or from/to' },
    { input: { from: '2026-11-23T11:00:00.000Z' }, why: 'from must be before to' },
    { input: { from: '2026-01-01T00:00:00.000Z' }, why: 'at most 90 days' },
  ])('refuses $input', ({ input, why }) => {
    // Act
    const window = resolveWindow(input, now);

    // Assess
    expect(window).toContain(why);
  });
});

describe('the stored cells', () => {
  it('add up exactly when twenty writers in different processes merge into one cell at once', async () => {
    // Prepare
    const deltas = Array.from({ length: 20 }, (_, writer) =>
      deltasOf(
        Array.from({ length: 25 }, (_, i) => record({ latencyMs: writer + i, success: i !== 0, inputTokens: 2 })),
        () => undefined,
      ),
    );

    // Act
    await Promise.all(deltas.flat().map((delta) => mergeIntoCell('race-model', delta)));

    // Assess
    const window = {
      fromMs: Date.parse('2026-11-23T09:00:00.000Z'),
      toMs: Date.parse('2026-11-23T10:00:00.000Z'),
      granularity: 'minute' as const,
    };
    const [minute] = await readCells('race-model', '1.0.0', 'prod', window);
    expect(minute?.cell.aggregate).toMatchObject({ count: 500, success: 480, inputTokens: 1000, errors: { unknown: 20 } });
    expect(QuantileSketch.fromJSON(minute?.cell.aggregate.latency).count).toBe(500);
    const [hour] = await readCells('race-model', '1.0.0', 'prod', { ...window, granularity: 'hour' });
    expect(hour?.cell.aggregate.count).toBe(500);
    const days = await readDays('race-model', '2026-11-23', '2026-11-23');
    expect(days.map((d) => [d.day, d.environment, d.version, d.cell.aggregate.count])).toEqual([['2026-11-23', 'prod', '1.0.0', 500]]);
  });
});
