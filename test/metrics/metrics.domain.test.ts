import { describe, expect, it } from 'vitest';
import {
  aggregate,
  counterIncreases,
  defaultStepSeconds,
  hourOf,
  hoursBetween,
  matchesLabels,
  parseLabelSelector,
  parseStep,
  quantile,
  seriesKey,
  stepStart,
} from '../../functions/metrics/metrics.domain.ts';

const T0 = Date.parse('2026-11-23T10:00:00.000Z');
const at = (seconds: number) => new Date(T0 + seconds * 1000).toISOString();
const sample = (seconds: number, value: number, labels: Record<string, string> = { service: 'orders-api' }) => ({
  timestamp: at(seconds),
  value,
  labels,
});
const window = (seconds: number) => ({ from: new Date(T0), to: new Date(T0 + seconds * 1000) });

describe('quantile', () => {
  it('interpolates between the closest ranks', () => {
    const values = Array.from({ length: 100 }, (_, i) => i + 1);
    expect(quantile(values, 0.5)).toBeCloseTo(50.5);
    expect(quantile(values, 0.95)).toBeCloseTo(95.05);
    expect(quantile(values, 0.99)).toBeCloseTo(99.01);
    expect(quantile(values, 0)).toBe(1);
    expect(quantile(values, 1)).toBe(100);
  });

  it('does not need sorted input, and handles one value and none', () => {
    expect(quantile([9, 1, 5], 0.5)).toBe(5);
    expect(quantile([42], 0.99)).toBe(42);
    expect(quantile([], 0.5)).toBeNaN();
  });
});

describe('counter increases', () => {
  it('are the differences of consecutive samples, in time order', () => {
    expect(
      counterIncreases([
        { atMs: 20, value: 15 },
        { atMs: 10, value: 10 },
        { atMs: 30, value: 15 },
      ]),
    ).toEqual([
      { atMs: 20, increase: 5 },
      { atMs: 30, increase: 0 },
    ]);
  });

  it('count a drop as a reset from zero', () => {
    expect(
      counterIncreases([
        { atMs: 0, value: 100 },
        { atMs: 10, value: 110 },
        { atMs: 20, value: 3 },
        { atMs: 30, value: 7 },
      ]).map((i) => i.increase),
    ).toEqual([10, 3, 4]);
  });
});

describe('step bucketing', () => {
  it('aligns steps on the epoch', () => {
    expect(stepStart(T0 + 59_999, 60_000)).toBe(T0);
    expect(stepStart(T0 + 60_000, 60_000)).toBe(T0 + 60_000);
    expect(stepStart(T0 + 7_000, 5_000)).toBe(T0 + 5_000);
  });

  it('reduces each step with the aggregation, oldest first, leaving empty steps out', () => {
    const samples = [sample(0, 1), sample(10, 3), sample(59, 8), sample(180, 4)];
    const run = (agg: Parameters<typeof aggregate>[1]['agg']) => aggregate(samples, { ...window(300), stepSeconds: 60, agg });
    expect(run('avg')).toEqual([
      { t: at(0), value: 4 },
      { t: at(180), value: 4 },
    ]);
    expect(run('min').map((p) => p.value)).toEqual([1, 4]);
    expect(run('max').map((p) => p.value)).toEqual([8, 4]);
    expect(run('sum').map((p) => p.value)).toEqual([12, 4]);
    expect(run('count').map((p) => p.value)).toEqual([3, 1]);
    expect(run('p50').map((p) => p.value)).toEqual([3, 4]);
    expect(run('p99')[0]?.value).toBeCloseTo(7.9);
  });

  it('keeps only samples inside the window, ends included', () => {
    const samples = [sample(-1, 100), sample(0, 1), sample(120, 2), sample(121, 100)];
    expect(aggregate(samples, { ...window(120), stepSeconds: 60, agg: 'sum' })).toEqual([
      { t: at(0), value: 1 },
      { t: at(120), value: 2 },
    ]);
  });

  it('pools every series of a step for value aggregations', () => {
    const a = { service: 'orders-api', instance: 'a' };
    const b = { service: 'orders-api', instance: 'b' };
    expect(aggregate([sample(0, 10, a), sample(5, 20, b)], { ...window(60), stepSeconds: 60, agg: 'avg' })).toEqual([
      { t: at(0), value: 15 },
    ]);
  });
});

describe('rate', () => {
  it('is the counter increase per second in each step, per series then summed', () => {
    const a = { service: 'orders-api', instance: 'a' };
    const b = { service: 'orders-api', instance: 'b' };
    const samples = [
      sample(0, 100, a),
      sample(30, 160, a),
      sample(60, 220, a), // +60 in the second step
      sample(0, 0, b),
      sample(30, 30, b),
    ];
    expect(aggregate(samples, { ...window(120), stepSeconds: 60, agg: 'rate' })).toEqual([
      { t: at(0), value: (60 + 30) / 60 },
      { t: at(60), value: 1 },
    ]);
  });

  it('counts a reset from zero instead of a negative rate', () => {
    const samples = [sample(0, 1000), sample(10, 1010), sample(20, 5), sample(30, 15)];
    expect(aggregate(samples, { ...window(60), stepSeconds: 60, agg: 'rate' })).toEqual([{ t: at(0), value: (10 + 5 + 10) / 60 }]);
  });

  it('has no point for a single sample', () => {
    expect(aggregate([sample(0, 5)], { ...window(60), stepSeconds: 60, agg: 'rate' })).toEqual([]);
  });
});

describe('selectors, steps and buckets', () => {
  it('parses label selectors', () => {
    expect(parseLabelSelector('service=a,environment=prod')).toEqual({ service: 'a', environment: 'prod' });
    expect(parseLabelSelector(' service = a , ')).toEqual({ service: 'a' });
    expect(parseLabelSelector('service')).toHaveProperty('error');
    expect(parseLabelSelector('=a')).toHaveProperty('error');
    expect(parseLabelSelector('service=a,service=b')).toHaveProperty('error');
    expect(parseLabelSelector('9x=a')).toHaveProperty('error');
  });

  it('matches labels and keys series independently of label order', () => {
    expect(matchesLabels({ service: 'a', environment: 'prod', check: 'x' }, { service: 'a', environment: 'prod' })).toBe(true);
    expect(matchesLabels({ service: 'a' }, { service: 'a', environment: 'prod' })).toBe(false);
    expect(seriesKey({ b: '2', a: '1' })).toBe(seriesKey({ a: '1', b: '2' }));
  });

  it('parses steps and picks a default that stays within the point limit', () => {
    expect(parseStep('30s')).toBe(30);
    expect(parseStep('5m')).toBe(300);
    expect(parseStep('1h')).toBe(3600);
    expect(parseStep('90')).toBe(90);
    expect(parseStep('5x')).toBeUndefined();
    expect(parseStep('-1s')).toBeUndefined();
    expect(defaultStepSeconds(3_600_000)).toBe(60);
    expect(defaultStepSeconds(7 * 86_400_000)).toBe(605);
  });

  it('names hour buckets and lists those a window touches', () => {
    expect(hourOf('2026-11-23T10:59:59.999Z')).toBe('2026-11-23T10');
    expect(hoursBetween(new Date('2026-11-23T10:30:00Z'), new Date('2026-11-23T12:00:00Z'))).toEqual([
      '2026-11-23T10',
      '2026-11-23T11',
      '2026-11-23T12',
    ]);
  });
});
