import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  aggregateRecords,
  emptyAggregate,
  type InferenceRecord,
  type ModelAggregate,
  type ModelPricing,
  mergeAggregates,
  mergeAllAggregates,
  QuantileSketch,
  recordCost,
  StatisticsError,
  summariseAggregate,
} from '../../../functions/models/statistics/index.ts';

/**
 * The per-(version, minute) aggregate: exact totals, merges that do not depend on order or grouping
 * (so minutes and shards combine any way), and the summary the policy, comparison and judge read.
 */

const PRICING: ModelPricing = { inputPer1kTokens: 0.5, outputPer1kTokens: 1.5, perRequest: 0.001, currency: 'USD' };

const recordArbitrary: fc.Arbitrary<InferenceRecord> = fc.record(
  {
    success: fc.boolean(),
    latencyMs: fc.oneof(fc.constant(0), fc.double({ min: 0, max: 60_000, noNaN: true, noDefaultInfinity: true })),
    errorType: fc.option(fc.constantFrom('timeout', 'rate_limited', 'invalid_output'), { nil: undefined }),
    inputTokens: fc.option(fc.nat(20_000), { nil: undefined }),
    outputTokens: fc.option(fc.nat(8_000), { nil: undefined }),
    confidence: fc.option(fc.double({ min: 0, max: 1, noNaN: true }), { nil: null }),
  },
  { requiredKeys: ['success', 'latencyMs'] },
);
const aggregateArbitrary = fc.array(recordArbitrary, { maxLength: 25 }).map((records) => aggregateRecords(records, PRICING));

/** Floating-point sums are exact only up to rounding, whatever the merge does; everything else must match exactly. */
function withoutSums(aggregate: ModelAggregate) {
  const { costUsd, latency, confidence, ...rest } = aggregate;
  return { ...rest, latency: { ...latency, sum: 0 }, confidence: confidence && { ...confidence, sum: 0 } };
}
function expectSameAggregate(actual: ModelAggregate, expected: ModelAggregate) {
  expect(withoutSums(actual)).toEqual(withoutSums(expected));
  for (const [a, b] of [
    [actual.costUsd, expected.costUsd],
    [actual.latency.sum, expected.latency.sum],
    [actual.confidence?.sum ?? 0, expected.confidence?.sum ?? 0],
  ] as const) {
    expect(Math.abs(a - b)).toBeLessThanOrEqual(1e-9 * Math.max(1, Math.abs(b)));
  }
}

describe('aggregateRecords', () => {
  it('keeps exact totals: counts, errors by type, tokens and cost', () => {
    // Prepare
    const records: InferenceRecord[] = [
      { success: true, latencyMs: 120, inputTokens: 1000, outputTokens: 2000, confidence: 0.9 },
      { success: true, latencyMs: 80, inputTokens: 500, outputTokens: 0 },
      { success: false, latencyMs: 30_000, errorType: 'timeout', inputTokens: 700 },
      { success: false, latencyMs: 5, errorType: 'timeout' },
      { success: false, latencyMs: 15 },
    ];

    // Act
    const aggregate = aggregateRecords(records, PRICING);

    // Assess: cost = (1000 + 500 + 700) / 1000 × 0.5 + 2000 / 1000 × 1.5 + 5 × 0.001.
    expect(aggregate).toMatchObject({
      count: 5,
      success: 2,
      errors: { timeout: 2, unknown: 1 },
      inputTokens: 2200,
      outputTokens: 2000,
      confidenceCount: 1,
    });
    expect(aggregate.costUsd).toBeCloseTo(1.1 + 3 + 0.005, 12);
    expect(aggregate.latency).toMatchObject({ count: 5, min: 5, max: 30_000, sum: 30_220 });
    expect(aggregate.confidence).toMatchObject({ count: 1, min: 0.9, max: 0.9 });
  });

  it('has no confidence sketch and a zero cost when nothing reports them', () => {
    // Act
    const aggregate = aggregateRecords([{ success: true, latencyMs: 10, confidence: null }]);

    // Assess
    expect(aggregate).toMatchObject({ confidence: null, confidenceCount: 0, costUsd: 0 });
  });

  it('is stored as plain JSON and reads back the same', () => {
    // Prepare
    const aggregate = aggregateRecords(
      [
        { success: true, latencyMs: 12.5, confidence: 0.75 },
        { success: false, latencyMs: 0, errorType: 'x' },
      ],
      PRICING,
    );

    // Act
    const read = JSON.parse(JSON.stringify(aggregate)) as ModelAggregate;

    // Assess
    expect(read).toEqual(aggregate);
    expect(summariseAggregate(read)).toEqual(summariseAggregate(aggregate));
  });

  it.each([
    ['a negative latency', { success: true, latencyMs: -1 }, /Record 1: latencyMs must be a finite number of 0 or more; got -1/],
    ['an infinite latency', { success: true, latencyMs: Number.POSITIVE_INFINITY }, /Record 1: latencyMs/],
    ['a confidence above 1', { success: true, latencyMs: 1, confidence: 1.5 }, /Record 1: confidence must be a number from 0 to 1/],
    ['fractional tokens', { success: true, latencyMs: 1, inputTokens: 2.5 }, /Record 1: inputTokens must be a whole number/],
    ['negative tokens', { success: true, latencyMs: 1, outputTokens: -3 }, /Record 1: outputTokens must be a whole number/],
    ['no success flag', { latencyMs: 1 }, /Record 1: success must be true or false/],
    ['an empty error type', { success: false, latencyMs: 1, errorType: '' }, /Record 1: errorType must be a non-empty string/],
    ['a record that is not an object', 42, /Record 1 is not an object/],
  ])('refuses %s with its own error, naming the record', (_, bad, message) => {
    // Prepare
    const records = [{ success: true, latencyMs: 1 }, bad] as InferenceRecord[];

    // Act & Assess
    expect(() => aggregateRecords(records)).toThrow(StatisticsError);
    expect(() => aggregateRecords(records)).toThrow(message);
  });

  it("counts an error type named like an object's internals as an ordinary type", () => {
    // Prepare
    const records: InferenceRecord[] = [
      { success: false, latencyMs: 1, errorType: '__proto__' },
      { success: false, latencyMs: 1, errorType: 'constructor' },
    ];

    // Act
    const aggregate = mergeAggregates(aggregateRecords(records), aggregateRecords(records));

    // Assess
    expect(Object.entries(aggregate.errors)).toEqual([
      ['__proto__', 2],
      ['constructor', 2],
    ]);
    expect(summariseAggregate(aggregate).errorRate).toBe(1);
  });

  it('refuses pricing in another currency than USD, and invalid prices', () => {
    // Prepare
    const records: InferenceRecord[] = [{ success: true, latencyMs: 1 }];

    // Act & Assess
    expect(() => aggregateRecords(records, { ...PRICING, currency: 'EUR' })).toThrow(/aggregated in USD.*"EUR"/);
    expect(() => aggregateRecords(records, { ...PRICING, inputPer1kTokens: -1 })).toThrow(
      /inputPer1kTokens must be a finite number of 0 or more/,
    );
    expect(() => aggregateRecords(records, { ...PRICING, currency: 'dollars' })).toThrow(/three-letter ISO 4217 code/);
  });
});

describe('recordCost', () => {
  it('prices input and output tokens per 1000 plus the price per request', () => {
    // Act
    const cost = recordCost(
      { inputTokens: 1200, outputTokens: 300 },
      { inputPer1kTokens: 0.01, outputPer1kTokens: 0.03, perRequest: 0.002, currency: 'EUR' },
    );

    // Assess: 1.2 × 0.01 + 0.3 × 0.03 + 0.002.
    expect(cost).toBeCloseTo(0.012 + 0.009 + 0.002, 15);
  });

  it('counts missing token counts as zero and no price per request as free', () => {
    // Act
    const cost = recordCost({}, { inputPer1kTokens: 1, outputPer1kTokens: 1, currency: 'USD' });

    // Assess
    expect(cost).toBe(0);
  });
});

describe('mergeAggregates', () => {
  it('is commutative', () => {
    fc.assert(
      fc.property(aggregateArbitrary, aggregateArbitrary, (a, b) => {
        // Act
        const ab = mergeAggregates(a, b);
        const ba = mergeAggregates(b, a);

        // Assess: exactly equal, sums included (floating-point addition is commutative).
        expect(ab).toEqual(ba);
      }),
      { numRuns: 150 },
    );
  });

  it('is associative', () => {
    fc.assert(
      fc.property(aggregateArbitrary, aggregateArbitrary, aggregateArbitrary, (a, b, c) => {
        // Act
        const left = mergeAggregates(mergeAggregates(a, b), c);
        const right = mergeAggregates(a, mergeAggregates(b, c));

        // Assess
        expectSameAggregate(left, right);
      }),
      { numRuns: 150 },
    );
  });

  it('gives the aggregate of all the records, with the empty aggregate as identity', () => {
    fc.assert(
      fc.property(fc.array(fc.array(recordArbitrary, { maxLength: 15 }), { maxLength: 5 }), (batches) => {
        // Act
        const merged = mergeAllAggregates(batches.map((batch) => aggregateRecords(batch, PRICING)));
        const whole = aggregateRecords(batches.flat(), PRICING);

        // Assess
        expectSameAggregate(merged, whole);
        expect(merged.count).toBe(batches.flat().length);
        expect(merged.success + Object.values(merged.errors).reduce((t, n) => t + n, 0)).toBe(merged.count);
        expect(mergeAggregates(emptyAggregate(), whole)).toEqual(whole);
      }),
      { numRuns: 100 },
    );
  });
});

describe('summariseAggregate', () => {
  it('gives rates, latency percentiles within 1%, confidence, tokens and cost per 1000 requests', () => {
    // Prepare: latencies 1..1000 ms, every tenth request failing, confidences 0.5 and 1 alternately.
    const records: InferenceRecord[] = Array.from({ length: 1000 }, (_, i) => ({
      success: i % 10 !== 0,
      latencyMs: i + 1,
      inputTokens: 100,
      outputTokens: 10,
      confidence: i % 2 === 0 ? 0.5 : 1,
    }));

    // Act
    const summary = summariseAggregate(aggregateRecords(records, PRICING));

    // Assess: the exact percentiles are the values at rank floor(q × 999): 500, 900, 950, 990.
    expect(summary.samples).toBe(1000);
    expect(summary.successRate).toBe(0.9);
    expect(summary.errorRate).toBe(0.1);
    for (const [key, exact] of [
      ['p50', 500],
      ['p90', 900],
      ['p95', 950],
      ['p99', 990],
    ] as const) {
      expect(Math.abs(summary.latencyMs[key]! - exact)).toBeLessThanOrEqual(0.01 * exact);
    }
    expect(summary.latencyMs.mean).toBeCloseTo(500.5, 9);
    expect(summary.latencyMs.max).toBe(1000);
    expect(summary.confidence.mean).toBeCloseTo(0.75, 12);
    expect(Math.abs(summary.confidence.p10! - 0.5)).toBeLessThanOrEqual(0.005);
    expect(summary.tokens).toEqual({ input: 100_000, output: 10_000 });
    // Per request: 0.1 × 0.5 + 0.01 × 1.5 + 0.001 = 0.066 USD, so 66 USD per 1000 requests.
    expect(summary.costUsd.total).toBeCloseTo(66, 9);
    expect(summary.costUsd.per1kRequests).toBeCloseTo(66, 9);
  });

  it('gives nulls, not NaN, where there are no samples', () => {
    // Act
    const summary = summariseAggregate(emptyAggregate());

    // Assess
    expect(summary).toEqual({
      samples: 0,
      successRate: null,
      errorRate: null,
      latencyMs: { p50: null, p90: null, p95: null, p99: null, mean: null, max: null },
      confidence: { mean: null, p10: null },
      tokens: { input: 0, output: 0 },
      costUsd: { total: 0, per1kRequests: null },
    });
  });

  it.each([
    ['null', null, /The aggregate is not valid: expected an object, got null/],
    ['a negative count', { ...emptyAggregate(), count: -1 }, /count must be a whole number of 0 or more, got -1/],
    ['a cost that is not a number', { ...emptyAggregate(), costUsd: '3' }, /costUsd must be a finite number/],
    ['a fractional error count', { ...emptyAggregate(), errors: { timeout: 0.5 } }, /the count of errors "timeout" must be a whole number/],
    ['no latency sketch', { ...emptyAggregate(), latency: undefined }, /latency must be a stored sketch/],
    [
      'confidences counted but no sketch',
      { ...emptyAggregate(), confidenceCount: 2 },
      /confidence is null exactly when confidenceCount is 0/,
    ],
    ['a corrupt latency sketch', { ...emptyAggregate(), latency: { ...emptyAggregate().latency, count: 4 } }, /not a stored sketch/],
  ])('refuses to summarise or merge an aggregate with %s', (_, bad, message) => {
    // Act & Assess
    expect(() => summariseAggregate(bad as ModelAggregate)).toThrow(StatisticsError);
    expect(() => summariseAggregate(bad as ModelAggregate)).toThrow(message);
    expect(() => mergeAggregates(emptyAggregate(), bad as ModelAggregate)).toThrow(StatisticsError);
  });

  it('refuses an aggregate whose counts do not add up', () => {
    // Prepare
    const aggregate = aggregateRecords([{ success: true, latencyMs: 3 }]);
    const wrongErrors = { ...aggregate, errors: { timeout: 1 } };
    const wrongLatencies = { ...aggregate, count: 2, success: 2, latency: QuantileSketch.of([3]).toJSON() };

    // Act & Assess
    expect(() => summariseAggregate(wrongErrors)).toThrow(/1 successes and 1 errors do not make 1 records/);
    expect(() => summariseAggregate(wrongLatencies)).toThrow(/2 records but 1 latencies/);
  });
});
