import type { ModelSummary } from './aggregate.ts';
import { describeValue, StatisticsError } from './errors.ts';

/**
 * Judges a model version's summary against its policy: pass, fail, or not enough data to say. Too
 * few samples is never a failure, and a figure the model does not report (no confidences) is
 * skipped rather than failed, so a policy never punishes missing telemetry.
 */

export const LATENCY_PERCENTILES = ['p50', 'p90', 'p95', 'p99'] as const;
export type LatencyPercentile = (typeof LATENCY_PERCENTILES)[number];

/** A model policy (the zod schema for it lives with the API). */
export interface ModelPolicy {
  /** Fewer samples than this gives 'insufficient-data'. */
  minSamples: number;
  maxErrorRate: number;
  minSuccessRate: number;
  /** At `latencyPercentile`. */
  maxLatencyMs: number;
  latencyPercentile: LatencyPercentile;
  /** On the mean confidence. */
  minConfidence: number;
  /** No cost criterion when absent. */
  maxCostPer1kRequests?: number;
}

export const DEFAULT_MODEL_POLICY: Readonly<ModelPolicy> = Object.freeze({
  minSamples: 50,
  maxErrorRate: 0.05,
  minSuccessRate: 0.95,
  maxLatencyMs: 5000,
  latencyPercentile: 'p95',
  minConfidence: 0.7,
});

const POLICY_FIELDS = [
  'minSamples',
  'maxErrorRate',
  'minSuccessRate',
  'maxLatencyMs',
  'latencyPercentile',
  'minConfidence',
  'maxCostPer1kRequests',
] as const satisfies readonly (keyof ModelPolicy)[];

export type Verdict = 'pass' | 'fail' | 'insufficient-data';

export interface Criterion {
  /** successRate, errorRate, latencyP50…latencyP99, confidence or costPer1kRequests. */
  name: string;
  observed: number | null;
  threshold: number;
  /** How observed must compare with threshold to be ok. */
  comparison: '<=' | '>=';
  /** Null when there is nothing observed to judge. */
  ok: boolean | null;
}

export interface PolicyEvaluation {
  verdict: Verdict;
  samples: number;
  minSamples: number;
  criteria: Criterion[];
}

/** The defaults with the given fields over them, checked. */
export function resolveModelPolicy(policy: Partial<ModelPolicy> = {}): ModelPolicy {
  if (typeof policy !== 'object' || policy === null)
    throw new StatisticsError(`A model policy is an object; got ${describeValue(policy)}.`);
  // Only known fields, and an explicit undefined keeps the default.
  const resolved: ModelPolicy = { ...DEFAULT_MODEL_POLICY };
  for (const field of POLICY_FIELDS) {
    if (policy[field] !== undefined) Object.assign(resolved, { [field]: policy[field] });
  }
  if (!Number.isSafeInteger(resolved.minSamples) || resolved.minSamples < 0) {
    throw new StatisticsError(`The policy's minSamples must be a whole number of 0 or more; got ${describeValue(resolved.minSamples)}.`);
  }
  for (const field of ['maxErrorRate', 'minSuccessRate', 'minConfidence'] as const) {
    const rate = resolved[field];
    if (typeof rate !== 'number' || !(rate >= 0 && rate <= 1)) {
      throw new StatisticsError(`The policy's ${field} is a fraction from 0 to 1 (0.05 for 5%); got ${describeValue(rate)}.`);
    }
  }
  if (typeof resolved.maxLatencyMs !== 'number' || !Number.isFinite(resolved.maxLatencyMs) || resolved.maxLatencyMs <= 0) {
    throw new StatisticsError(
      `The policy's maxLatencyMs must be a positive number of milliseconds; got ${describeValue(resolved.maxLatencyMs)}.`,
    );
  }
  if (!LATENCY_PERCENTILES.includes(resolved.latencyPercentile)) {
    throw new StatisticsError(
      `The policy's latencyPercentile is one of ${LATENCY_PERCENTILES.join(', ')}; got ${describeValue(resolved.latencyPercentile)}.`,
    );
  }
  const cost = resolved.maxCostPer1kRequests;
  if (cost !== undefined && (typeof cost !== 'number' || !Number.isFinite(cost) || cost < 0)) {
    throw new StatisticsError(`The policy's maxCostPer1kRequests must be a number of 0 or more (USD); got ${describeValue(cost)}.`);
  }
  return resolved;
}

/** Every criterion is listed, whatever the verdict, so the user sees where the version stands. */
export function evaluatePolicy(summary: ModelSummary, policy: Partial<ModelPolicy> = {}): PolicyEvaluation {
  if (typeof summary !== 'object' || summary === null) throw new StatisticsError(`A summary is an object; got ${describeValue(summary)}.`);
  const p = resolveModelPolicy(policy);
  const percentile = p.latencyPercentile;
  const criteria: Criterion[] = [
    criterion('successRate', summary.successRate, p.minSuccessRate, '>='),
    criterion('errorRate', summary.errorRate, p.maxErrorRate, '<='),
    criterion(`latency${percentile.toUpperCase()}`, summary.latencyMs[percentile], p.maxLatencyMs, '<='),
    criterion('confidence', summary.confidence.mean, p.minConfidence, '>='),
  ];
  if (p.maxCostPer1kRequests !== undefined) {
    criteria.push(criterion('costPer1kRequests', summary.costUsd.per1kRequests, p.maxCostPer1kRequests, '<='));
  }
  // No samples at all is never enough, even with minSamples 0.
  const enough = summary.samples >= Math.max(1, p.minSamples);
  const verdict: Verdict = !enough ? 'insufficient-data' : criteria.some((c) => c.ok === false) ? 'fail' : 'pass';
  return { verdict, samples: summary.samples, minSamples: p.minSamples, criteria };
}

function criterion(name: string, observed: number | null, threshold: number, comparison: '<=' | '>='): Criterion {
  const ok = observed === null ? null : comparison === '<=' ? observed <= threshold : observed >= threshold;
  return { name, observed, threshold, comparison, ok };
}
