import { checkAggregate, errorCount, type ModelAggregate } from './aggregate.ts';
import { describeValue, StatisticsError } from './errors.ts';
import { mannWhitneyU, twoProportionZTest } from './hypothesis-tests.ts';
import { QuantileSketch } from './sketch.ts';

/**
 * Kayenta-style canary judgement over one bake: each metric of the canary is classified against
 * the baseline (a significance test AND a minimum effect size, so a trivial but significant shift
 * on big traffic does not fail a release), the share of passing metrics is the score, and the score
 * decides continue, roll back, or — when the evidence is thin — extend the bake. Lack of data alone
 * rolls back only when the configuration says so, after the extensions are used up.
 */

export const CANARY_METRICS = ['errorRate', 'latencyP95', 'confidence'] as const;
export type CanaryMetric = (typeof CANARY_METRICS)[number];

/** Pass also covers a significant shift in the harmless direction (a canary with fewer errors passes). */
export type Classification = 'Pass' | 'High' | 'Low' | 'NoData';

/** How far a significant shift must go before it counts. */
export interface CanaryTolerances {
  /** Error rate: canary − baseline must exceed this (0.01 = one percentage point)… */
  errorRateAbsolute: number;
  /** …and this fraction of the baseline rate. */
  errorRateRelative: number;
  /** Latency: the median or the p95 must move by more than this fraction. */
  latencyRelative: number;
  /** Confidence: the mean must move by more than this. */
  confidenceAbsolute: number;
}

export interface CanaryConfig {
  metrics: readonly CanaryMetric[];
  /** Per side; fewer is inconclusive. */
  minSamples?: number;
  /** Score (0..100) at or above which the canary continues. */
  passScore?: number;
  /** Score below which it rolls back; in between is inconclusive. */
  marginalScore?: number;
  maxExtensions?: number;
  /** What to do when still inconclusive after maxExtensions extensions. */
  onInconclusive?: 'rollback' | 'continue';
  /** Significance level of the tests. */
  alpha?: number;
  tolerances?: Partial<CanaryTolerances>;
}

export const DEFAULT_CANARY_TOLERANCES: Readonly<CanaryTolerances> = Object.freeze({
  errorRateAbsolute: 0.01,
  errorRateRelative: 0.1,
  latencyRelative: 0.1,
  confidenceAbsolute: 0.02,
});

export const DEFAULT_CANARY_CONFIG = Object.freeze({
  minSamples: 50,
  passScore: 95,
  marginalScore: 75,
  maxExtensions: 2,
  onInconclusive: 'rollback' as const,
  alpha: 0.05,
});

export interface MetricJudgement {
  metric: CanaryMetric;
  classification: Classification;
  /** Error rate, p95 latency in ms, or mean confidence; null without data. */
  baseline: number | null;
  canary: number | null;
  /** Observations of this metric on each side. */
  samples: { baseline: number; canary: number };
  /** Null for NoData. */
  pValue: number | null;
  /** Error rate and confidence: canary − baseline; latency: canary p95 / baseline p95 − 1. Null for NoData. */
  effectSize: number | null;
  /** A significant shift beyond the tolerance, whichever its direction. */
  shift: 'higher' | 'lower' | 'none';
}

export type CanaryOutcome = 'pass' | 'fail' | 'inconclusive';
export type CanaryAction = 'continue' | 'rollback' | 'extend';

export interface CanaryJudgement {
  outcome: CanaryOutcome;
  action: CanaryAction;
  /** Share of judged (non-NoData) metrics that pass, × 100; null when none could be judged. */
  score: number | null;
  passScore: number;
  marginalScore: number;
  samples: { baseline: number; canary: number };
  minSamples: number;
  extensionsSoFar: number;
  maxExtensions: number;
  metrics: MetricJudgement[];
  /** One sentence for people. */
  reason: string;
}

export interface CanaryInput {
  baseline: ModelAggregate;
  canary: ModelAggregate;
  config: CanaryConfig;
  /** How many times this bake has been extended already. */
  extensionsSoFar: number;
}

export function judgeCanary(input: CanaryInput): CanaryJudgement {
  if (typeof input !== 'object' || input === null)
    throw new StatisticsError(`judgeCanary takes { baseline, canary, config, extensionsSoFar }; got ${describeValue(input)}.`);
  const { baseline, canary, extensionsSoFar } = input;
  const config = resolveConfig(input.config);
  if (!Number.isSafeInteger(extensionsSoFar) || extensionsSoFar < 0) {
    throw new StatisticsError(
      `extensionsSoFar is the number of extensions already granted, a whole number of 0 or more; got ${describeValue(extensionsSoFar)}.`,
    );
  }
  checkAggregate(baseline, 'the baseline');
  checkAggregate(canary, 'the canary');

  const metrics = config.metrics.map((metric) => judgeMetric(metric, baseline, canary, config));
  const judged = metrics.filter((m) => m.classification !== 'NoData');
  const passed = judged.filter((m) => m.classification === 'Pass');
  const score = judged.length === 0 ? null : (passed.length / judged.length) * 100;
  const samples = { baseline: baseline.count, canary: canary.count };
  const enoughSamples = samples.baseline >= config.minSamples && samples.canary >= config.minSamples;

  const outcome: CanaryOutcome =
    !enoughSamples || score === null
      ? 'inconclusive'
      : score >= config.passScore
        ? 'pass'
        : score < config.marginalScore
          ? 'fail'
          : 'inconclusive';
  const canExtend = extensionsSoFar < config.maxExtensions;
  const action: CanaryAction =
    outcome === 'pass' ? 'continue' : outcome === 'fail' ? 'rollback' : canExtend ? 'extend' : config.onInconclusive;

  const judgement: Omit<CanaryJudgement, 'reason'> = {
    outcome,
    action,
    score,
    passScore: config.passScore,
    marginalScore: config.marginalScore,
    samples,
    minSamples: config.minSamples,
    extensionsSoFar,
    maxExtensions: config.maxExtensions,
    metrics,
  };
  return { ...judgement, reason: explain(judgement, enoughSamples) };
}

type ResolvedConfig = Required<Omit<CanaryConfig, 'tolerances'>> & { tolerances: CanaryTolerances };

function resolveConfig(config: CanaryConfig): ResolvedConfig {
  if (typeof config !== 'object' || config === null)
    throw new StatisticsError(`The canary config is an object with at least metrics; got ${describeValue(config)}.`);
  const pick = <T>(value: T | undefined, fallback: T): T => (value === undefined ? fallback : value);
  const resolved: ResolvedConfig = {
    metrics: config.metrics,
    minSamples: pick(config.minSamples, DEFAULT_CANARY_CONFIG.minSamples),
    passScore: pick(config.passScore, DEFAULT_CANARY_CONFIG.passScore),
    marginalScore: pick(config.marginalScore, DEFAULT_CANARY_CONFIG.marginalScore),
    maxExtensions: pick(config.maxExtensions, DEFAULT_CANARY_CONFIG.maxExtensions),
    onInconclusive: pick(config.onInconclusive, DEFAULT_CANARY_CONFIG.onInconclusive),
    alpha: pick(config.alpha, DEFAULT_CANARY_CONFIG.alpha),
    tolerances: { ...DEFAULT_CANARY_TOLERANCES },
  };
  const { metrics } = resolved;
  if (!Array.isArray(metrics) || metrics.length === 0)
    throw new StatisticsError(`The canary config lists the metrics to judge, one or more of ${CANARY_METRICS.join(', ')}.`);
  for (const metric of metrics) {
    if (!CANARY_METRICS.includes(metric))
      throw new StatisticsError(`Unknown canary metric ${describeValue(metric)}; the metrics are ${CANARY_METRICS.join(', ')}.`);
  }
  if (new Set(metrics).size !== metrics.length) throw new StatisticsError('Each canary metric may be listed once.');
  const whole = (name: string, value: unknown) => {
    if (!Number.isSafeInteger(value) || (value as number) < 0)
      throw new StatisticsError(`The canary config's ${name} must be a whole number of 0 or more; got ${describeValue(value)}.`);
  };
  whole('minSamples', resolved.minSamples);
  whole('maxExtensions', resolved.maxExtensions);
  for (const name of ['passScore', 'marginalScore'] as const) {
    const value = resolved[name];
    if (typeof value !== 'number' || !(value >= 0 && value <= 100))
      throw new StatisticsError(`The canary config's ${name} is a score from 0 to 100; got ${describeValue(value)}.`);
  }
  if (resolved.marginalScore > resolved.passScore) {
    throw new StatisticsError(`The marginal score (${resolved.marginalScore}) cannot be above the pass score (${resolved.passScore}).`);
  }
  if (resolved.onInconclusive !== 'rollback' && resolved.onInconclusive !== 'continue') {
    throw new StatisticsError(`onInconclusive is 'rollback' or 'continue'; got ${describeValue(resolved.onInconclusive)}.`);
  }
  if (typeof resolved.alpha !== 'number' || !(resolved.alpha > 0 && resolved.alpha < 1)) {
    throw new StatisticsError(`alpha is a significance level between 0 and 1, such as 0.05; got ${describeValue(resolved.alpha)}.`);
  }
  const tolerances = config.tolerances ?? {};
  if (typeof tolerances !== 'object' || tolerances === null)
    throw new StatisticsError(`tolerances is an object; got ${describeValue(tolerances)}.`);
  for (const name of Object.keys(DEFAULT_CANARY_TOLERANCES) as (keyof CanaryTolerances)[]) {
    const value = tolerances[name];
    if (value === undefined) continue;
    if (typeof value !== 'number' || !Number.isFinite(value) || value < 0)
      throw new StatisticsError(`The tolerance ${name} must be a number of 0 or more; got ${describeValue(value)}.`);
    resolved.tolerances[name] = value;
  }
  return resolved;
}

function judgeMetric(metric: CanaryMetric, baseline: ModelAggregate, canary: ModelAggregate, config: ResolvedConfig): MetricJudgement {
  const { alpha, tolerances, minSamples } = config;
  switch (metric) {
    case 'errorRate': {
      const samples = { baseline: baseline.count, canary: canary.count };
      if (tooFew(samples, minSamples)) return noData(metric, samples);
      const test = twoProportionZTest(
        { count: errorCount(baseline), total: baseline.count },
        { count: errorCount(canary), total: canary.count },
      );
      const base = test.first ?? 0;
      const diff = test.difference;
      const beyond = Math.abs(diff) > tolerances.errorRateAbsolute && Math.abs(diff) > tolerances.errorRateRelative * base;
      const shift = test.pValue < alpha && beyond ? direction(diff) : 'none';
      return {
        metric,
        classification: shift === 'higher' ? 'High' : 'Pass',
        baseline: base,
        canary: test.second,
        samples,
        pValue: test.pValue,
        effectSize: diff,
        shift,
      };
    }
    case 'latencyP95': {
      const samples = { baseline: baseline.count, canary: canary.count };
      if (tooFew(samples, minSamples)) return noData(metric, samples);
      const b = QuantileSketch.fromJSON(baseline.latency);
      const c = QuantileSketch.fromJSON(canary.latency);
      const test = mannWhitneyU(b.bins(), c.bins());
      const p50 = relativeChange(b.quantile(0.5), c.quantile(0.5));
      const p95 = relativeChange(b.quantile(0.95), c.quantile(0.95));
      const tendency = test.commonLanguageEffect - 0.5;
      // The shift counts when the ranks say the canary is higher (lower) and the median or p95 moved that way by more than the tolerance.
      const beyond = tendency > 0 ? Math.max(p50, p95) > tolerances.latencyRelative : Math.min(p50, p95) < -tolerances.latencyRelative;
      const shift = test.pValue < alpha && tendency !== 0 && beyond ? direction(tendency) : 'none';
      return {
        metric,
        classification: shift === 'higher' ? 'High' : 'Pass',
        baseline: b.quantile(0.95),
        canary: c.quantile(0.95),
        samples,
        pValue: test.pValue,
        effectSize: p95,
        shift,
      };
    }
    case 'confidence': {
      const samples = { baseline: baseline.confidenceCount, canary: canary.confidenceCount };
      if (tooFew(samples, minSamples) || !baseline.confidence || !canary.confidence) return noData(metric, samples);
      const b = QuantileSketch.fromJSON(baseline.confidence);
      const c = QuantileSketch.fromJSON(canary.confidence);
      const test = mannWhitneyU(b.bins(), c.bins());
      const diff = (c.mean ?? 0) - (b.mean ?? 0);
      const tendency = test.commonLanguageEffect - 0.5;
      const beyond = Math.abs(diff) > tolerances.confidenceAbsolute && Math.sign(diff) === Math.sign(tendency);
      const shift = test.pValue < alpha && tendency !== 0 && beyond ? direction(tendency) : 'none';
      return {
        metric,
        classification: shift === 'lower' ? 'Low' : 'Pass',
        baseline: b.mean,
        canary: c.mean,
        samples,
        pValue: test.pValue,
        effectSize: diff,
        shift,
      };
    }
  }
}

function tooFew(samples: { baseline: number; canary: number }, minSamples: number): boolean {
  // At least one observation per side, even with minSamples 0: a test on nothing says nothing.
  return Math.min(samples.baseline, samples.canary) < Math.max(1, minSamples);
}

function noData(metric: CanaryMetric, samples: { baseline: number; canary: number }): MetricJudgement {
  return { metric, classification: 'NoData', baseline: null, canary: null, samples, pValue: null, effectSize: null, shift: 'none' };
}

function relativeChange(base: number | null, value: number | null): number {
  if (base === null || value === null) return 0;
  if (base === 0) return value === 0 ? 0 : Number.POSITIVE_INFINITY;
  return value / base - 1;
}

function direction(x: number): 'higher' | 'lower' {
  return x > 0 ? 'higher' : 'lower';
}

function explain(j: Omit<CanaryJudgement, 'reason'>, enoughSamples: boolean): string {
  const then = (() => {
    if (j.action === 'continue' && j.outcome === 'pass') return 'continue';
    if (j.action === 'rollback' && j.outcome === 'fail') return 'roll back';
    if (j.action === 'extend') return `extend the bake (extension ${j.extensionsSoFar + 1} of ${j.maxExtensions})`;
    const verb = j.action === 'rollback' ? 'roll back' : 'continue';
    return `${verb} as configured for an inconclusive result, the ${j.maxExtensions} extension${j.maxExtensions === 1 ? '' : 's'} being used up`;
  })();
  const judged = j.metrics.filter((m) => m.classification !== 'NoData');
  const failing = judged.filter((m) => m.classification !== 'Pass');
  const score = j.score === null ? '' : formatScore(j.score);
  if (!enoughSamples) {
    return `Too few samples to judge (baseline ${j.samples.baseline}, canary ${j.samples.canary}; ${j.minSamples} needed on each side): ${then}.`;
  }
  if (judged.length === 0) {
    return `No metric had enough data to judge (${j.metrics.map((m) => m.metric).join(', ')}; ${j.minSamples} observations needed on each side): ${then}.`;
  }
  if (j.outcome === 'pass')
    return `The canary passed ${judged.length - failing.length} of ${judged.length} judged metrics (score ${score}, pass score ${j.passScore}): ${then}.`;
  const failed = failing.map(describeFailure).join('; ');
  if (j.outcome === 'fail')
    return `The canary failed ${failed}, so its score ${score} is below the marginal score ${j.marginalScore}: ${then}.`;
  return `The canary's score ${score} (failed ${failed}) is between the marginal score ${j.marginalScore} and the pass score ${j.passScore}: ${then}.`;
}

function describeFailure(m: MetricJudgement): string {
  const format = (value: number | null) => {
    if (value === null) return 'none';
    if (m.metric === 'errorRate') return `${(value * 100).toFixed(2)}%`;
    if (m.metric === 'latencyP95') return `${value.toFixed(1)} ms`;
    return value.toFixed(3);
  };
  const p = m.pValue !== null && m.pValue < 0.001 ? 'p < 0.001' : `p = ${m.pValue?.toFixed(3)}`;
  return `${m.metric} (${m.classification}: ${format(m.canary)} against ${format(m.baseline)} on the baseline, ${p})`;
}

function formatScore(score: number): string {
  return Number.isInteger(score) ? String(score) : score.toFixed(1);
}
