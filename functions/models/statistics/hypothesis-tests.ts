import { describeValue, StatisticsError } from './errors.ts';
import type { WeightedValue } from './sketch.ts';

/**
 * The significance tests behind version comparison and canary judgement: a two-proportion z-test
 * for error rates, and a Mann-Whitney U test that works on binned data (the bins of two quantile
 * sketches) for latencies and confidences. Both use the normal approximation, which the volumes of
 * telemetry here make accurate. Results are oriented "second compared with first" (canary against
 * baseline): a positive z means the second is higher. Degenerate inputs give p = 1 and a flag, never NaN.
 */

/** Why a test could not say anything: then z = 0 and p = 1. */
export type Degenerate = 'empty-group' | 'zero-variance' | 'all-tied';

/** Events (such as errors) out of trials. */
export interface ProportionSample {
  count: number;
  total: number;
}

export interface TwoProportionResult {
  /** count / total of each group; null for an empty group. */
  first: number | null;
  second: number | null;
  /** second − first (0 when a group is empty). */
  difference: number;
  z: number;
  /** Two-sided. */
  pValue: number;
  degenerate: Degenerate | null;
}

export interface MannWhitneyResult {
  nFirst: number;
  nSecond: number;
  /** Pairs (first, second) with the first value greater, ties counting ½. uFirst + uSecond = nFirst × nSecond. */
  uFirst: number;
  uSecond: number;
  /** Normal approximation with tie correction and continuity correction; positive when the second tends to be higher. */
  z: number;
  /** Two-sided. */
  pValue: number;
  /** Common-language effect size: P(second > first) + ½ P(second = first) = uSecond / (nFirst × nSecond); 0.5 is no effect. */
  commonLanguageEffect: number;
  /** Rank-biserial correlation, 2 × commonLanguageEffect − 1, in −1..1; positive when the second tends to be higher. */
  rankBiserial: number;
  degenerate: Degenerate | null;
}

/**
 * The complementary error function, to 1e-15 absolute and 2e-12 relative error: a series with
 * positive terms (no cancellation) below 2.5, a continued fraction above, where it converges fast.
 */
export function erfc(x: number): number {
  if (typeof x !== 'number' || Number.isNaN(x)) throw new StatisticsError(`erfc takes a number; got ${describeValue(x)}.`);
  if (x < 0) return 2 - erfc(-x);
  if (x < 2.5) return 1 - erfSeries(x);
  return erfcContinuedFraction(x);
}

/** P(Z ≤ x) for a standard normal Z, to 1e-15 absolute error. */
export function normalCdf(x: number): number {
  if (typeof x !== 'number' || Number.isNaN(x)) throw new StatisticsError(`normalCdf takes a number; got ${describeValue(x)}.`);
  return 0.5 * erfc(-x / Math.SQRT2);
}

/** P(|Z| ≥ |z|): computed from the upper tail directly, so tiny p-values keep their precision. */
export function twoSidedPValue(z: number): number {
  if (typeof z !== 'number' || Number.isNaN(z)) throw new StatisticsError(`A z statistic is a number; got ${describeValue(z)}.`);
  return Math.min(1, erfc(Math.abs(z) / Math.SQRT2));
}

/** Pooled two-proportion z-test of H0: both groups have the same rate. */
export function twoProportionZTest(first: ProportionSample, second: ProportionSample): TwoProportionResult {
  checkProportion(first, 'first');
  checkProportion(second, 'second');
  const p1 = first.total === 0 ? null : first.count / first.total;
  const p2 = second.total === 0 ? null : second.count / second.total;
  if (p1 === null || p2 === null) return { first: p1, second: p2, difference: 0, z: 0, pValue: 1, degenerate: 'empty-group' };
  const pooled = (first.count + second.count) / (first.total + second.total);
  const standardError = Math.sqrt(pooled * (1 - pooled) * (1 / first.total + 1 / second.total));
  if (standardError === 0) return { first: p1, second: p2, difference: p2 - p1, z: 0, pValue: 1, degenerate: 'zero-variance' };
  const z = (p2 - p1) / standardError;
  return { first: p1, second: p2, difference: p2 - p1, z, pValue: twoSidedPValue(z), degenerate: null };
}

/**
 * Mann-Whitney U from binned data: each group as (value, count) pairs in any order; equal values,
 * within a group or across groups, are ties. O(k log k) in the number of distinct values, so two
 * sketches of millions of latencies compare in microseconds.
 */
export function mannWhitneyU(first: readonly WeightedValue[], second: readonly WeightedValue[]): MannWhitneyResult {
  const a = groupCounts(first, 'first');
  const b = groupCounts(second, 'second');
  const nFirst = sum(a.values());
  const nSecond = sum(b.values());
  const pairs = nFirst * nSecond;
  if (pairs === 0) {
    return {
      nFirst,
      nSecond,
      uFirst: 0,
      uSecond: 0,
      z: 0,
      pValue: 1,
      commonLanguageEffect: 0.5,
      rankBiserial: 0,
      degenerate: 'empty-group',
    };
  }
  const values = [...new Set([...a.keys(), ...b.keys()])].sort((x, y) => x - y);
  // uFirst counts, for each first value, the second values below it plus half those equal to it.
  let uFirst = 0;
  let secondBelow = 0;
  let tieTerm = 0;
  for (const value of values) {
    const ca = a.get(value) ?? 0;
    const cb = b.get(value) ?? 0;
    uFirst += ca * (secondBelow + cb / 2);
    secondBelow += cb;
    const t = ca + cb;
    tieTerm += t * t * t - t;
  }
  const uSecond = pairs - uFirst;
  const commonLanguageEffect = uSecond / pairs;
  const rankBiserial = 2 * commonLanguageEffect - 1;
  const n = nFirst + nSecond;
  const variance = (pairs / 12) * (n + 1 - tieTerm / (n * (n - 1)));
  if (!(variance > 0)) {
    return { nFirst, nSecond, uFirst, uSecond, z: 0, pValue: 1, commonLanguageEffect, rankBiserial, degenerate: 'all-tied' };
  }
  const deviation = uSecond - pairs / 2;
  // Continuity correction: move ½ towards the mean, never past it.
  const corrected = Math.sign(deviation) * Math.max(0, Math.abs(deviation) - 0.5);
  const z = corrected / Math.sqrt(variance);
  return { nFirst, nSecond, uFirst, uSecond, z, pValue: twoSidedPValue(z), commonLanguageEffect, rankBiserial, degenerate: null };
}

function erfSeries(x: number): number {
  // erf(x) = 2/√π · e^(−x²) · Σ 2ⁿ x^(2n+1) / (1·3·…·(2n+1))
  let term = x;
  let total = x;
  for (let n = 1; n < 200; n++) {
    term *= (2 * x * x) / (2 * n + 1);
    total += term;
    if (term < total * 1e-17) break;
  }
  return (2 / Math.sqrt(Math.PI)) * Math.exp(-x * x) * total;
}

function erfcContinuedFraction(x: number): number {
  // erfc(x) = e^(−x²)/√π · 1/(x + (1/2)/(x + (2/2)/(x + (3/2)/(x + …)))), by the modified Lentz method.
  const tiny = 1e-300;
  let f = x;
  let c = x;
  let d = 0;
  for (let n = 1; n < 500; n++) {
    const an = n / 2;
    d = x + an * d;
    d = Math.abs(d) < tiny ? tiny : d;
    c = x + an / c;
    c = Math.abs(c) < tiny ? tiny : c;
    d = 1 / d;
    const delta = c * d;
    f *= delta;
    if (Math.abs(delta - 1) < 1e-16) break;
  }
  return Math.exp(-x * x) / Math.sqrt(Math.PI) / f;
}

function checkProportion(sample: ProportionSample, which: string): void {
  if (typeof sample !== 'object' || sample === null)
    throw new StatisticsError(`The ${which} group is { count, total }; got ${describeValue(sample)}.`);
  const { count, total } = sample;
  if (!Number.isSafeInteger(total) || total < 0)
    throw new StatisticsError(`The ${which} group's total must be a whole number of 0 or more; got ${describeValue(total)}.`);
  if (!Number.isSafeInteger(count) || count < 0 || count > total) {
    throw new StatisticsError(
      `The ${which} group's count must be a whole number from 0 to its total (${total}); got ${describeValue(count)}.`,
    );
  }
}

function groupCounts(group: readonly WeightedValue[], which: string): Map<number, number> {
  if (!Array.isArray(group)) throw new StatisticsError(`The ${which} group is an array of { value, count }; got ${describeValue(group)}.`);
  const counts = new Map<number, number>();
  group.forEach((entry: unknown, index) => {
    const { value, count } = (typeof entry === 'object' && entry !== null ? entry : {}) as Partial<WeightedValue>;
    if (typeof value !== 'number' || !Number.isFinite(value)) {
      throw new StatisticsError(`Entry ${index} of the ${which} group: value must be a finite number; got ${describeValue(value)}.`);
    }
    if (!Number.isSafeInteger(count) || (count as number) < 0) {
      throw new StatisticsError(
        `Entry ${index} of the ${which} group: count must be a whole number of 0 or more; got ${describeValue(count)}.`,
      );
    }
    // −0 and 0 are the same value.
    if ((count as number) > 0) counts.set(value + 0, (counts.get(value + 0) ?? 0) + (count as number));
  });
  return counts;
}

function sum(values: Iterable<number>): number {
  let total = 0;
  for (const value of values) total += value;
  return total;
}
