import { describe, expect, it } from 'vitest';
import {
  aggregateRecords,
  DEFAULT_MODEL_POLICY,
  evaluatePolicy,
  type ModelSummary,
  resolveModelPolicy,
  StatisticsError,
  summariseAggregate,
} from '../../../functions/models/statistics/index.ts';

/**
 * Every verdict path of the policy evaluation: pass, a failure of each criterion on its own,
 * insufficient data (never a failure), and a criterion skipped because nothing was reported.
 */

/** A summary that passes the default policy with room to spare; each test changes what it needs. */
function healthy(overrides: Partial<ModelSummary> = {}): ModelSummary {
  return {
    samples: 200,
    successRate: 0.99,
    errorRate: 0.01,
    latencyMs: { p50: 300, p90: 900, p95: 1200, p99: 4000, mean: 420, max: 6000 },
    confidence: { mean: 0.85, p10: 0.6 },
    tokens: { input: 20_000, output: 4_000 },
    costUsd: { total: 0.4, per1kRequests: 2 },
    ...overrides,
  };
}

const byName = (evaluation: ReturnType<typeof evaluatePolicy>) => Object.fromEntries(evaluation.criteria.map((c) => [c.name, c]));

describe('evaluatePolicy', () => {
  it('passes a healthy version on the default policy, listing every criterion', () => {
    // Act
    const evaluation = evaluatePolicy(healthy());

    // Assess
    expect(evaluation).toEqual({
      verdict: 'pass',
      samples: 200,
      minSamples: 50,
      criteria: [
        { name: 'successRate', observed: 0.99, threshold: 0.95, comparison: '>=', ok: true },
        { name: 'errorRate', observed: 0.01, threshold: 0.05, comparison: '<=', ok: true },
        { name: 'latencyP95', observed: 1200, threshold: 5000, comparison: '<=', ok: true },
        { name: 'confidence', observed: 0.85, threshold: 0.7, comparison: '>=', ok: true },
      ],
    });
  });

  it.each([
    ['successRate', healthy({ successRate: 0.9, errorRate: 0.01 }), {}],
    ['errorRate', healthy({ successRate: 0.99, errorRate: 0.08 }), {}],
    ['latencyP95', healthy({ latencyMs: { p50: 300, p90: 900, p95: 5200, p99: 8000, mean: 700, max: 9000 } }), {}],
    ['latencyP99', healthy(), { latencyPercentile: 'p99', maxLatencyMs: 3000 } as const],
    ['confidence', healthy({ confidence: { mean: 0.62, p10: 0.3 } }), {}],
    ['costPer1kRequests', healthy(), { maxCostPer1kRequests: 1.5 }],
  ])('fails on %s alone when only it is beyond its threshold', (name, summary, policy) => {
    // Act
    const evaluation = evaluatePolicy(summary, policy);

    // Assess
    expect(evaluation.verdict).toBe('fail');
    expect(evaluation.criteria.filter((c) => c.ok === false).map((c) => c.name)).toEqual([name]);
  });

  it('accepts a figure exactly at its threshold', () => {
    // Act
    const evaluation = evaluatePolicy(healthy({ successRate: 0.95, errorRate: 0.05 }), { minConfidence: 0.85 });

    // Assess
    expect(evaluation.verdict).toBe('pass');
  });

  it('reports insufficient data, never a failure, below minSamples — with the criteria still listed', () => {
    // Act
    const evaluation = evaluatePolicy(healthy({ samples: 49, successRate: 0.5, errorRate: 0.5 }));

    // Assess
    expect(evaluation.verdict).toBe('insufficient-data');
    expect(evaluation.samples).toBe(49);
    expect(byName(evaluation)['errorRate']).toMatchObject({ observed: 0.5, ok: false });
    expect(evaluation.criteria).toHaveLength(4);
  });

  it('reports insufficient data for no samples at all, even when minSamples is 0', () => {
    // Prepare
    const summary = summariseAggregate(aggregateRecords([]));

    // Act
    const evaluation = evaluatePolicy(summary, { minSamples: 0 });

    // Assess
    expect(evaluation.verdict).toBe('insufficient-data');
    expect(evaluation.criteria.every((c) => c.ok === null)).toBe(true);
  });

  it('skips the confidence criterion when the model reports no confidences, and still passes', () => {
    // Act
    const evaluation = evaluatePolicy(healthy({ confidence: { mean: null, p10: null } }));

    // Assess
    expect(evaluation.verdict).toBe('pass');
    expect(byName(evaluation)['confidence']).toEqual({ name: 'confidence', observed: null, threshold: 0.7, comparison: '>=', ok: null });
  });

  it('still fails on another criterion when one is skipped', () => {
    // Act
    const evaluation = evaluatePolicy(healthy({ confidence: { mean: null, p10: null }, successRate: 0.8, errorRate: 0.2 }));

    // Assess
    expect(evaluation.verdict).toBe('fail');
    expect(byName(evaluation)['confidence']?.ok).toBeNull();
  });

  it('evaluates a summary computed from real records', () => {
    // Prepare: 100 requests, 3 failing, latencies up to 2 s, confidences 0.8.
    const records = Array.from({ length: 100 }, (_, i) => ({ success: i >= 3, latencyMs: 20 * (i + 1), confidence: 0.8 }));
    const summary = summariseAggregate(aggregateRecords(records));

    // Act
    const strict = evaluatePolicy(summary, { maxLatencyMs: 1500 });
    const lenient = evaluatePolicy(summary);

    // Assess: p95 is about 1900 ms (the value at rank 94, within 1%).
    expect(byName(strict)['latencyP95']?.ok).toBe(false);
    expect(strict.verdict).toBe('fail');
    expect(lenient.verdict).toBe('pass');
  });
});

describe('resolveModelPolicy', () => {
  it('fills in the exported defaults, ignoring explicit undefined and unknown fields', () => {
    // Act
    const policy = resolveModelPolicy({ maxErrorRate: 0.02, minSamples: undefined, extra: 1 } as never);

    // Assess
    expect(policy).toEqual({ ...DEFAULT_MODEL_POLICY, maxErrorRate: 0.02 });
    expect(DEFAULT_MODEL_POLICY).toEqual({
      minSamples: 50,
      maxErrorRate: 0.05,
      minSuccessRate: 0.95,
      maxLatencyMs: 5000,
      latencyPercentile: 'p95',
      minConfidence: 0.7,
    });
  });

  it.each([
    [{ minSamples: -1 }, /minSamples must be a whole number/],
    [{ minSamples: 2.5 }, /minSamples must be a whole number/],
    [{ maxErrorRate: 5 }, /maxErrorRate is a fraction from 0 to 1 \(0.05 for 5%\)/],
    [{ minConfidence: Number.NaN }, /minConfidence is a fraction/],
    [{ maxLatencyMs: 0 }, /maxLatencyMs must be a positive number/],
    [{ latencyPercentile: 'p75' }, /latencyPercentile is one of p50, p90, p95, p99/],
    [{ maxCostPer1kRequests: -2 }, /maxCostPer1kRequests must be a number of 0 or more/],
  ])('refuses %j with its own error', (policy, message) => {
    // Act & Assess
    expect(() => evaluatePolicy(healthy(), policy as never)).toThrow(StatisticsError);
    expect(() => evaluatePolicy(healthy(), policy as never)).toThrow(message);
  });
});
