import { describe, expect, it } from 'vitest';
import {
  aggregateRecords,
  type CanaryConfig,
  DEFAULT_CANARY_CONFIG,
  emptyAggregate,
  judgeCanary,
  type ModelAggregate,
  StatisticsError,
} from '../../../functions/models/statistics/index.ts';
import { seededRandom, simulatedRecords } from './random.ts';

/**
 * Every path of the canary judge: pass, rollback, inconclusive → extend, inconclusive after the
 * last extension → onInconclusive either way, NoData metrics, a better canary passing, and shifts
 * that are significant but too small to matter.
 */

const ALL_METRICS: CanaryConfig = { metrics: ['errorRate', 'latencyP95', 'confidence'] };

function bake(seed: number, count: number, shape: Parameters<typeof simulatedRecords>[2]): ModelAggregate {
  return aggregateRecords(simulatedRecords(seededRandom(seed), count, shape));
}
const BASELINE_SHAPE = { errorRate: 0.01, medianLatencyMs: 400, confidence: 0.8 };
const baseline = bake(1, 2_000, BASELINE_SHAPE);

const byMetric = (judgement: ReturnType<typeof judgeCanary>) => Object.fromEntries(judgement.metrics.map((m) => [m.metric, m]));

describe('judgeCanary', () => {
  it('continues a canary that behaves like the baseline', () => {
    // Prepare
    const canary = bake(2, 2_000, BASELINE_SHAPE);

    // Act
    const judgement = judgeCanary({ baseline, canary, config: ALL_METRICS, extensionsSoFar: 0 });

    // Assess
    expect(judgement).toMatchObject({ outcome: 'pass', action: 'continue', score: 100, passScore: 95, marginalScore: 75 });
    expect(judgement.metrics.map((m) => m.classification)).toEqual(['Pass', 'Pass', 'Pass']);
    expect(judgement.reason).toBe('The canary passed 3 of 3 judged metrics (score 100, pass score 95): continue.');
  });

  it('rolls back a canary with a significantly higher error rate and latency', () => {
    // Prepare
    const canary = bake(3, 2_000, { errorRate: 0.05, medianLatencyMs: 600, confidence: 0.8 });

    // Act
    const judgement = judgeCanary({ baseline, canary, config: ALL_METRICS, extensionsSoFar: 0 });

    // Assess
    const metrics = byMetric(judgement);
    expect(metrics['errorRate']).toMatchObject({ classification: 'High', shift: 'higher' });
    expect(metrics['errorRate']?.pValue).toBeLessThan(0.001);
    expect(metrics['errorRate']?.effectSize).toBeGreaterThan(0.02);
    expect(metrics['latencyP95']).toMatchObject({ classification: 'High', shift: 'higher' });
    expect(metrics['latencyP95']?.effectSize).toBeGreaterThan(0.3);
    expect(metrics['confidence']?.classification).toBe('Pass');
    expect(judgement).toMatchObject({ outcome: 'fail', action: 'rollback' });
    expect(judgement.score).toBeCloseTo(100 / 3, 10);
    expect(judgement.reason).toMatch(
      /^The canary failed errorRate \(High: [\d.]+% against [\d.]+% on the baseline, p < 0\.001\); latencyP95 \(High: .*\), so its score 33\.3 is below the marginal score 75: roll back\.$/,
    );
  });

  it('fails on a significantly lower confidence, the bad direction for confidence', () => {
    // Prepare
    const canary = bake(4, 2_000, { errorRate: 0.01, medianLatencyMs: 400, confidence: 0.7 });

    // Act
    const judgement = judgeCanary({ baseline, canary, config: { metrics: ['confidence'] }, extensionsSoFar: 0 });

    // Assess
    expect(byMetric(judgement)['confidence']).toMatchObject({ classification: 'Low', shift: 'lower' });
    expect(byMetric(judgement)['confidence']?.effectSize).toBeCloseTo(-0.1, 1);
    expect(judgement).toMatchObject({ outcome: 'fail', action: 'rollback', score: 0 });
  });

  it('passes a better canary: fewer errors, lower latency and higher confidence are shifts the harmless way', () => {
    // Prepare
    const canary = bake(5, 2_000, { errorRate: 0.0, medianLatencyMs: 250, confidence: 0.9 });

    // Act
    const judgement = judgeCanary({ baseline, canary, config: ALL_METRICS, extensionsSoFar: 0 });

    // Assess
    const metrics = byMetric(judgement);
    expect(metrics['errorRate']).toMatchObject({ classification: 'Pass', shift: 'none' }); // 1 pp is not beyond the 1 pp tolerance
    expect(metrics['latencyP95']).toMatchObject({ classification: 'Pass', shift: 'lower' });
    expect(metrics['confidence']).toMatchObject({ classification: 'Pass', shift: 'higher' });
    expect(judgement).toMatchObject({ outcome: 'pass', action: 'continue', score: 100 });
  });

  it('passes a canary whose error rate is significantly and substantially lower', () => {
    // Prepare
    const failing = bake(15, 2_000, { ...BASELINE_SHAPE, errorRate: 0.06 });
    const canary = bake(16, 2_000, { ...BASELINE_SHAPE, errorRate: 0.01 });

    // Act
    const judgement = judgeCanary({ baseline: failing, canary, config: { metrics: ['errorRate'] }, extensionsSoFar: 0 });

    // Assess
    expect(byMetric(judgement)['errorRate']).toMatchObject({ classification: 'Pass', shift: 'lower' });
    expect(byMetric(judgement)['errorRate']?.effectSize).toBeLessThan(-0.03);
    expect(judgement.action).toBe('continue');
  });

  it('continues when the score is exactly the pass score', () => {
    // Prepare: the latency regresses, the error rate does not: a score of 50.
    const canary = bake(8, 2_000, { errorRate: 0.01, medianLatencyMs: 600, confidence: 0.8 });

    // Act
    const judgement = judgeCanary({
      baseline,
      canary,
      config: { metrics: ['errorRate', 'latencyP95'], passScore: 50, marginalScore: 25 },
      extensionsSoFar: 0,
    });

    // Assess
    expect(judgement).toMatchObject({ score: 50, outcome: 'pass', action: 'continue' });
  });

  it('extends the bake when either side has too few samples, never rolling back for lack of data', () => {
    // Prepare
    const canary = bake(6, 30, { errorRate: 0.5, medianLatencyMs: 2_000, confidence: 0.2 });

    // Act
    const judgement = judgeCanary({ baseline, canary, config: ALL_METRICS, extensionsSoFar: 0 });

    // Assess
    expect(judgement).toMatchObject({ outcome: 'inconclusive', action: 'extend', score: null, samples: { baseline: 2_000, canary: 30 } });
    expect(judgement.metrics.every((m) => m.classification === 'NoData')).toBe(true);
    expect(judgement.reason).toBe(
      'Too few samples to judge (baseline 2000, canary 30; 50 needed on each side): extend the bake (extension 1 of 2).',
    );
  });

  it.each([
    ['rollback', 'rollback', /roll back as configured for an inconclusive result, the 2 extensions being used up/],
    ['continue', 'continue', /continue as configured for an inconclusive result, the 2 extensions being used up/],
  ] as const)('after the last extension, an inconclusive bake does what onInconclusive says: %s', (onInconclusive, action, reason) => {
    // Prepare
    const canary = bake(7, 30, BASELINE_SHAPE);

    // Act
    const judgement = judgeCanary({ baseline, canary, config: { ...ALL_METRICS, onInconclusive }, extensionsSoFar: 2 });

    // Assess
    expect(judgement).toMatchObject({ outcome: 'inconclusive', action, extensionsSoFar: 2, maxExtensions: 2 });
    expect(judgement.reason).toMatch(reason);
  });

  it('rolls back by default when still inconclusive after the extensions', () => {
    // Act
    const judgement = judgeCanary({ baseline, canary: emptyAggregate(), config: ALL_METRICS, extensionsSoFar: 5 });

    // Assess
    expect(judgement).toMatchObject({ outcome: 'inconclusive', action: 'rollback' });
    expect(DEFAULT_CANARY_CONFIG.onInconclusive).toBe('rollback');
  });

  it('is inconclusive with a score between the marginal and the pass score, and extends', () => {
    // Prepare: only the latency regresses, so 2 of 3 metrics pass (66.7).
    const canary = bake(8, 2_000, { errorRate: 0.01, medianLatencyMs: 600, confidence: 0.8 });

    // Act
    const judgement = judgeCanary({ baseline, canary, config: { ...ALL_METRICS, passScore: 90, marginalScore: 50 }, extensionsSoFar: 1 });

    // Assess
    expect(judgement).toMatchObject({ outcome: 'inconclusive', action: 'extend' });
    expect(judgement.score).toBeCloseTo(200 / 3, 10);
    expect(judgement.reason).toMatch(
      /^The canary's score 66\.7 \(failed latencyP95 .*\) is between the marginal score 50 and the pass score 90: extend the bake \(extension 2 of 2\)\.$/,
    );
  });

  it('leaves a metric nobody reports out of the score as NoData', () => {
    // Prepare: neither side reports confidences; the canary is otherwise healthy.
    const noConfidence = { ...BASELINE_SHAPE, confidence: null };
    const base = bake(9, 1_000, noConfidence);
    const canary = bake(10, 1_000, noConfidence);

    // Act
    const judgement = judgeCanary({ baseline: base, canary, config: ALL_METRICS, extensionsSoFar: 0 });

    // Assess
    expect(byMetric(judgement)['confidence']).toEqual({
      metric: 'confidence',
      classification: 'NoData',
      baseline: null,
      canary: null,
      samples: { baseline: 0, canary: 0 },
      pValue: null,
      effectSize: null,
      shift: 'none',
    });
    expect(judgement).toMatchObject({ outcome: 'pass', action: 'continue', score: 100 });
    expect(judgement.reason).toMatch(/passed 2 of 2 judged metrics/);
  });

  it('is inconclusive and extends when every metric is NoData despite enough requests', () => {
    // Prepare
    const base = bake(11, 500, { ...BASELINE_SHAPE, confidence: null });
    const canary = bake(12, 500, { ...BASELINE_SHAPE, confidence: null });

    // Act
    const judgement = judgeCanary({ baseline: base, canary, config: { metrics: ['confidence'] }, extensionsSoFar: 0 });

    // Assess
    expect(judgement).toMatchObject({ outcome: 'inconclusive', action: 'extend', score: null });
    expect(judgement.reason).toMatch(
      /^No metric had enough data to judge \(confidence; 50 observations needed on each side\): extend the bake/,
    );
  });

  it('passes shifts that are significant but within the tolerances', () => {
    // Prepare: big bakes, error rate 1.0% against 1.6% and latency +5% — both significant, neither beyond tolerance.
    const base = bake(13, 40_000, { errorRate: 0.01, medianLatencyMs: 400, sigma: 0.3 });
    const canary = bake(14, 40_000, { errorRate: 0.016, medianLatencyMs: 420, sigma: 0.3 });

    // Act
    const judgement = judgeCanary({ baseline: base, canary, config: { metrics: ['errorRate', 'latencyP95'] }, extensionsSoFar: 0 });

    // Assess
    const metrics = byMetric(judgement);
    expect(metrics['errorRate']?.pValue).toBeLessThan(0.05);
    expect(metrics['errorRate']).toMatchObject({ classification: 'Pass', shift: 'none' });
    expect(metrics['latencyP95']?.pValue).toBeLessThan(0.05);
    expect(metrics['latencyP95']).toMatchObject({ classification: 'Pass', shift: 'none' });
    expect(judgement.action).toBe('continue');
  });

  it('fails the same shifts once the tolerances are tightened', () => {
    // Prepare
    const base = bake(13, 40_000, { errorRate: 0.01, medianLatencyMs: 400, sigma: 0.3 });
    const canary = bake(14, 40_000, { errorRate: 0.016, medianLatencyMs: 420, sigma: 0.3 });
    const config: CanaryConfig = { metrics: ['errorRate', 'latencyP95'], tolerances: { errorRateAbsolute: 0.002, latencyRelative: 0.02 } };

    // Act
    const judgement = judgeCanary({ baseline: base, canary, config, extensionsSoFar: 0 });

    // Assess
    expect(judgement.metrics.map((m) => m.classification)).toEqual(['High', 'High']);
    expect(judgement.action).toBe('rollback');
  });

  it.each([
    ['no metrics', { metrics: [] }, 0, /lists the metrics to judge/],
    ['an unknown metric', { metrics: ['throughput'] }, 0, /Unknown canary metric "throughput"/],
    ['a metric twice', { metrics: ['errorRate', 'errorRate'] }, 0, /listed once/],
    ['a pass score above 100', { metrics: ['errorRate'], passScore: 120 }, 0, /passScore is a score from 0 to 100/],
    [
      'a marginal score above the pass score',
      { metrics: ['errorRate'], passScore: 70, marginalScore: 80 },
      0,
      /cannot be above the pass score/,
    ],
    ['negative extensions', { metrics: ['errorRate'] }, -1, /extensionsSoFar is the number of extensions already granted/],
    ['an odd onInconclusive', { metrics: ['errorRate'], onInconclusive: 'pause' }, 0, /onInconclusive is 'rollback' or 'continue'/],
    [
      'a negative tolerance',
      { metrics: ['errorRate'], tolerances: { latencyRelative: -1 } },
      0,
      /tolerance latencyRelative must be a number of 0 or more/,
    ],
  ])('refuses %s with its own error', (_, config, extensionsSoFar, message) => {
    // Prepare
    const canary = 'canary' in config ? (config.canary as ModelAggregate) : baseline;
    const judge = () => judgeCanary({ baseline, canary, config: config as CanaryConfig, extensionsSoFar });

    // Act & Assess
    expect(judge).toThrow(StatisticsError);
    expect(judge).toThrow(message);
  });
});
