import { parseDurationSeconds } from '#kernel/duration';
/**
 * Metrics: samples pushed by services (and written by the health-check runner), and the pure
 * arithmetic that turns the samples of a window into points. No AWS here.
 */

export const METRIC_TYPES = ['counter', 'gauge', 'histogram'] as const;
export type MetricType = (typeof METRIC_TYPES)[number];

export const AGGREGATIONS = ['avg', 'min', 'max', 'sum', 'count', 'rate', 'p50', 'p95', 'p99'] as const;
export type Aggregation = (typeof AGGREGATIONS)[number];

/** Samples are kept this long (DynamoDB TTL on AWS, the local sweep otherwise). */
export const METRIC_RETENTION_DAYS = 14;
export const MAX_SAMPLES_PER_REQUEST = 1000;
/** How far from now a sample's timestamp may be. */
export const MAX_SAMPLE_AGE_MS = 24 * 3_600_000;
export const MAX_SAMPLE_SKEW_MS = 5 * 60_000;
/** Query limits: the window, the points it is cut into, and the samples read for it. */
export const MAX_QUERY_WINDOW_MS = 7 * 86_400_000;
export const MAX_QUERY_POINTS = 1000;
export const MAX_QUERY_SAMPLES = 200_000;
export const MIN_STEP_SECONDS = 1;

export type Labels = Record<string, string>;

export interface MetricSample {
  name: string;
  type: MetricType;
  value: number;
  labels: Labels;
  /** ISO 8601 UTC. */
  timestamp: string;
}

export interface Point {
  /** The start of the step, ISO 8601 UTC. */
  t: string;
  value: number;
}

/** The hour bucket a time falls in, e.g. `2026-11-23T09`: samples are partitioned by it. */
export function hourOf(at: string | Date | number): string {
  return new Date(at).toISOString().slice(0, 13);
}

/** Every hour bucket from the one holding `from` to the one holding `to`, oldest first. */
export function hoursBetween(from: Date, to: Date): string[] {
  const hours: string[] = [];
  for (let t = Math.floor(from.getTime() / 3_600_000) * 3_600_000; t <= to.getTime(); t += 3_600_000) hours.push(hourOf(t));
  return hours;
}

/** A stable key for a label set: the series a sample belongs to. */
export function seriesKey(labels: Labels): string {
  return JSON.stringify(
    Object.keys(labels)
      .sort()
      .map((key) => [key, labels[key]]),
  );
}

/** Whether `labels` has every label of `selector` with the same value. */
export function matchesLabels(labels: Labels, selector: Labels): boolean {
  return Object.entries(selector).every(([key, value]) => labels[key] === value);
}

/** `service=a,environment=prod` → `{ service: 'a', environment: 'prod' }`, or the reason it is not one. */
export function parseLabelSelector(text: string): Labels | { error: string } {
  const labels: Labels = {};
  for (const part of text.split(',')) {
    const trimmed = part.trim();
    if (trimmed === '') continue;
    const eq = trimmed.indexOf('=');
    if (eq <= 0) return { error: `"${trimmed}" is not name=value` };
    const key = trimmed.slice(0, eq).trim();
    const value = trimmed.slice(eq + 1).trim();
    if (!/^[a-zA-Z_][a-zA-Z0-9_]{0,63}$/.test(key)) return { error: `"${key}" is not a label name` };
    if (key in labels) return { error: `label "${key}" is given twice` };
    labels[key] = value;
  }
  return labels;
}

/** A duration (`30s`, `5m`, `1h`, `1d`) or a plain number of seconds → seconds; undefined when it is neither. */
export function parseStep(text: string): number | undefined {
  const trimmed = text.trim();
  return /^\d{1,7}$/.test(trimmed) ? Number(trimmed) : parseDurationSeconds(trimmed);
}

/** The step used when the query names none: at least a minute, and at most MAX_QUERY_POINTS points. */
export function defaultStepSeconds(windowMs: number): number {
  return Math.max(60, Math.ceil(windowMs / 1000 / MAX_QUERY_POINTS));
}

/** The start of the step `at` falls in, steps aligned on the epoch (so the same step gives the same points). */
export function stepStart(atMs: number, stepMs: number): number {
  return Math.floor(atMs / stepMs) * stepMs;
}

/**
 * The q-th quantile (0–1) of `values`, linearly interpolated between the closest ranks (the
 * usual "type 7" definition: p50 of 1..100 is 50.5). `values` need not be sorted.
 */
export function quantile(values: readonly number[], q: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = (sorted.length - 1) * Math.min(1, Math.max(0, q));
  const low = Math.floor(rank);
  const high = Math.ceil(rank);
  const lowValue = sorted[low] as number;
  return lowValue + ((sorted[high] as number) - lowValue) * (rank - low);
}

/**
 * How much a counter went up between consecutive samples, attributed to the later one's time.
 * A drop is a reset (the process restarted and counts from zero): the increase is the new value.
 */
export function counterIncreases(samples: ReadonlyArray<{ atMs: number; value: number }>): Array<{ atMs: number; increase: number }> {
  const sorted = [...samples].sort((a, b) => a.atMs - b.atMs);
  const increases: Array<{ atMs: number; increase: number }> = [];
  for (let i = 1; i < sorted.length; i++) {
    const previous = sorted[i - 1] as { value: number };
    const current = sorted[i] as { atMs: number; value: number };
    increases.push({ atMs: current.atMs, increase: current.value >= previous.value ? current.value - previous.value : current.value });
  }
  return increases;
}

export function reduce(values: readonly number[], agg: Exclude<Aggregation, 'rate'>): number {
  switch (agg) {
    case 'count':
      return values.length;
    case 'sum':
      return values.reduce((total, value) => total + value, 0);
    case 'avg':
      return values.reduce((total, value) => total + value, 0) / values.length;
    case 'min':
      return values.reduce((low, value) => Math.min(low, value), Number.POSITIVE_INFINITY);
    case 'max':
      return values.reduce((high, value) => Math.max(high, value), Number.NEGATIVE_INFINITY);
    case 'p50':
      return quantile(values, 0.5);
    case 'p95':
      return quantile(values, 0.95);
    case 'p99':
      return quantile(values, 0.99);
  }
}

/**
 * The points of a window: samples cut into steps (aligned on the epoch) between `from` and `to`
 * inclusive, each step reduced by `agg` over every matching series. `rate` is per second: each
 * series' counter increases (resets counted from zero) in the step, summed over series, divided
 * by the step. Steps without samples have no point.
 */
export function aggregate(
  samples: ReadonlyArray<Pick<MetricSample, 'value' | 'labels' | 'timestamp'>>,
  options: { from: Date; to: Date; stepSeconds: number; agg: Aggregation },
): Point[] {
  const fromMs = options.from.getTime();
  const toMs = options.to.getTime();
  const stepMs = options.stepSeconds * 1000;
  const inWindow = samples
    .map((sample) => ({ atMs: Date.parse(sample.timestamp), value: sample.value, labels: sample.labels }))
    .filter((sample) => sample.atMs >= fromMs && sample.atMs <= toMs);
  const steps = new Map<number, number[]>();
  const add = (atMs: number, value: number) => {
    const start = stepStart(atMs, stepMs);
    const values = steps.get(start);
    if (values) values.push(value);
    else steps.set(start, [value]);
  };
  if (options.agg === 'rate') {
    const series = new Map<string, Array<{ atMs: number; value: number }>>();
    for (const sample of inWindow) {
      const key = seriesKey(sample.labels);
      const list = series.get(key);
      if (list) list.push(sample);
      else series.set(key, [sample]);
    }
    for (const list of series.values()) for (const { atMs, increase } of counterIncreases(list)) add(atMs, increase);
  } else {
    for (const sample of inWindow) add(sample.atMs, sample.value);
  }
  const agg = options.agg;
  return [...steps.entries()]
    .sort(([a], [b]) => a - b)
    .map(([start, values]) => ({
      t: new Date(start).toISOString(),
      value: agg === 'rate' ? values.reduce((total, value) => total + value, 0) / options.stepSeconds : reduce(values, agg),
    }));
}
