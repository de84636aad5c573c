import { describe, expect, it } from 'vitest';
import {
  aggregateRecords,
  compareVersions,
  emptyAggregate,
  type ModelPricing,
  StatisticsError,
  summariseAggregate,
} from '../../../functions/models/statistics/index.ts';
import { seededRandom, simulatedRecords } from './random.ts';

/**
 * Comparing versions with the first: live figures, differences, and 'better'/'worse' only where
 * the test is significant — never for noise between two samples of the same behaviour.
 */

const PRICING: ModelPricing = { inputPer1kTokens: 0.2, outputPer1kTokens: 0.6, currency: 'USD' };

function versions() {
  const random = seededRandom(99);
  const aggregate = (shape: Parameters<typeof simulatedRecords>[2]) => aggregateRecords(simulatedRecords(random, 3_000, shape), PRICING);
  return [
    { version: 'v1', aggregate: aggregate({ errorRate: 0.02, medianLatencyMs: 400, confidence: 0.8 }) },
    { version: 'v2-regressed', aggregate: aggregate({ errorRate: 0.06, medianLatencyMs: 520, confidence: 0.8 }) },
    { version: 'v3-same', aggregate: aggregate({ errorRate: 0.02, medianLatencyMs: 400, confidence: 0.8 }) },
    { version: 'v4-improved', aggregate: aggregate({ errorRate: 0.005, medianLatencyMs: 300, confidence: null }) },
  ];
}

describe('compareVersions', () => {
  it('marks a regressed version worse, an improved one better, and the same behaviour as no significant difference', () => {
    // Prepare
    const input = versions();

    // Act
    const comparison = compareVersions(input);

    // Assess
    expect(comparison.reference).toBe('v1');
    expect(comparison.alpha).toBe(0.05);
    const markers = comparison.rows.map((row) => [row.version, row.errorRate?.marker ?? null, row.latency?.marker ?? null]);
    expect(markers).toEqual([
      ['v1', null, null],
      ['v2-regressed', 'worse', 'worse'],
      ['v3-same', 'no-significant-difference', 'no-significant-difference'],
      ['v4-improved', 'better', 'better'],
    ]);
    for (const row of comparison.rows.slice(1)) {
      const significant = row.errorRate!.marker !== 'no-significant-difference';
      expect(row.errorRate!.pValue < 0.05).toBe(significant);
    }
    expect(comparison.rows[3]?.latency?.commonLanguageEffect).toBeLessThan(0.5);
  });

  it('gives each row its live figures and its differences from the reference', () => {
    // Prepare
    const input = versions();

    // Act
    const comparison = compareVersions(input);

    // Assess
    const reference = summariseAggregate(input[0]!.aggregate);
    const regressed = summariseAggregate(input[1]!.aggregate);
    expect(comparison.rows[0]).toMatchObject({ summary: reference, deltas: null, errorRate: null, latency: null });
    expect(comparison.rows[1]?.summary).toEqual(regressed);
    expect(comparison.rows[1]?.deltas).toEqual({
      errorRate: regressed.errorRate! - reference.errorRate!,
      latencyP50Ms: regressed.latencyMs.p50! - reference.latencyMs.p50!,
      latencyP95Ms: regressed.latencyMs.p95! - reference.latencyMs.p95!,
      latencyP99Ms: regressed.latencyMs.p99! - reference.latencyMs.p99!,
      confidenceMean: regressed.confidence.mean! - reference.confidence.mean!,
      costPer1kRequestsUsd: regressed.costUsd.per1kRequests! - reference.costUsd.per1kRequests!,
    });
    // v4 reports no confidences: that delta is unknown, not a number.
    expect(comparison.rows[3]?.deltas?.confidenceMean).toBeNull();
  });

  it('marks a version without traffic as no significant difference, with null deltas', () => {
    // Prepare
    const [reference] = versions();

    // Act
    const comparison = compareVersions([reference!, { version: 'idle', aggregate: emptyAggregate() }]);

    // Assess
    const idle = comparison.rows[1]!;
    expect(idle.errorRate).toMatchObject({ marker: 'no-significant-difference', pValue: 1, degenerate: 'empty-group' });
    expect(idle.latency).toMatchObject({ marker: 'no-significant-difference', pValue: 1, degenerate: 'empty-group' });
    expect(idle.deltas?.errorRate).toBeNull();
    expect(idle.deltas?.latencyP95Ms).toBeNull();
  });

  it('needs stronger evidence with a smaller alpha', () => {
    // Prepare: a modest error-rate increase, significant at 0.05 but not at 0.001.
    const random = seededRandom(4);
    const a = aggregateRecords(simulatedRecords(random, 2_000, { errorRate: 0.02, medianLatencyMs: 400 }));
    const b = aggregateRecords(simulatedRecords(random, 2_000, { errorRate: 0.033, medianLatencyMs: 400 }));
    const input = [
      { version: 'a', aggregate: a },
      { version: 'b', aggregate: b },
    ];

    // Act
    const loose = compareVersions(input);
    const strict = compareVersions(input, { alpha: 0.001 });

    // Assess
    expect(loose.rows[1]?.errorRate?.pValue).toBeGreaterThan(0.001);
    expect(loose.rows[1]?.errorRate?.marker).toBe('worse');
    expect(strict.rows[1]?.errorRate?.marker).toBe('no-significant-difference');
  });

  it('compares a single version with nothing', () => {
    // Act
    const comparison = compareVersions([{ version: 'only', aggregate: emptyAggregate() }]);

    // Assess
    expect(comparison.rows).toHaveLength(1);
    expect(comparison.rows[0]).toMatchObject({ version: 'only', deltas: null, errorRate: null, latency: null });
  });

  it.each([
    ['no versions', [], {}, /at least one version/],
    ['a version twice', [{ version: 'v1' }, { version: 'v1' }], {}, /listed twice/],
    ['a nameless version', [{ version: '' }], {}, /needs a name/],
    ['alpha of 1', [{ version: 'v1' }], { alpha: 1 }, /alpha is a significance level/],
  ])('refuses %s with its own error', (_, list, options, message) => {
    // Prepare
    const input = (list as { version: string }[]).map((v) => ({ ...v, aggregate: emptyAggregate() }));

    // Act & Assess
    expect(() => compareVersions(input, options)).toThrow(StatisticsError);
    expect(() => compareVersions(input, options)).toThrow(message);
  });
});
