import { describeValue, StatisticsError } from './errors.ts';
import { emptySketchData, mergeSketchData, QuantileSketch, type SketchData } from './sketch.ts';

/**
 * The per-(version, minute) aggregate of inference telemetry: counts, token and cost totals and
 * quantile sketches, never one stored record per inference. Aggregates merge (commutatively and
 * associatively, so minutes and shards can be combined in any order) and summarise into the figures
 * the policy evaluation, the version comparison and the canary judge read.
 */

/** One inference as a model reports it. */
export interface InferenceRecord {
  success: boolean;
  /** Milliseconds, 0 or more. */
  latencyMs: number;
  /** Why it failed; counted under 'unknown' when absent. Ignored for a success. */
  errorType?: string | null;
  inputTokens?: number | null;
  outputTokens?: number | null;
  /** The model's confidence in its answer, 0..1, when it reports one. */
  confidence?: number | null;
}

/** What a model version costs; prices are per 1000 tokens, plus an optional fixed price per request. */
export interface ModelPricing {
  inputPer1kTokens: number;
  outputPer1kTokens: number;
  perRequest?: number;
  /** ISO 4217 code. Aggregates hold costUsd, so they are built only from prices in USD. */
  currency: string;
}

export interface ModelAggregate {
  count: number;
  success: number;
  /** Error type → failures of that type; success + the sum of these = count. */
  errors: Record<string, number>;
  inputTokens: number;
  outputTokens: number;
  /** 0 when no pricing was given. */
  costUsd: number;
  latency: SketchData;
  /** Null until some record reports a confidence. */
  confidence: SketchData | null;
  confidenceCount: number;
}

export interface ModelSummary {
  samples: number;
  successRate: number | null;
  errorRate: number | null;
  latencyMs: { p50: number | null; p90: number | null; p95: number | null; p99: number | null; mean: number | null; max: number | null };
  confidence: { mean: number | null; p10: number | null };
  tokens: { input: number; output: number };
  costUsd: { total: number; per1kRequests: number | null };
}

export const UNKNOWN_ERROR_TYPE = 'unknown';
const MAX_ERROR_TYPE_LENGTH = 100;

/** The aggregate of no records: the neutral element of `mergeAggregates`. */
export function emptyAggregate(): ModelAggregate {
  return {
    count: 0,
    success: 0,
    errors: {},
    inputTokens: 0,
    outputTokens: 0,
    costUsd: 0,
    latency: emptySketchData(),
    confidence: null,
    confidenceCount: 0,
  };
}

/** The cost of one inference in the pricing's currency. */
export function recordCost(record: Pick<InferenceRecord, 'inputTokens' | 'outputTokens'>, pricing: ModelPricing): number {
  checkPricing(pricing);
  const input = tokens(record.inputTokens, 'inputTokens', 'The record');
  const output = tokens(record.outputTokens, 'outputTokens', 'The record');
  return costOf(input, output, pricing);
}

/** The aggregate of a batch of records; with pricing (in USD), their cost too. */
export function aggregateRecords(records: readonly InferenceRecord[], pricing?: ModelPricing): ModelAggregate {
  if (!Array.isArray(records)) throw new StatisticsError(`Records come as an array; got ${describeValue(records)}.`);
  if (pricing !== undefined) {
    checkPricing(pricing);
    if (pricing.currency !== 'USD') {
      throw new StatisticsError(
        `Costs are aggregated in USD, but this pricing is in ${describeValue(pricing.currency)}: give the prices in USD.`,
      );
    }
  }
  const latency = QuantileSketch.create();
  const confidence = QuantileSketch.create();
  const errors = new Map<string, number>();
  let success = 0;
  let inputTokens = 0;
  let outputTokens = 0;
  let costUsd = 0;
  // A plain loop, so the holes of a sparse array are refused rather than skipped.
  for (let index = 0; index < records.length; index++) {
    const record: unknown = records[index];
    const at = `Record ${index}`;
    if (typeof record !== 'object' || record === null) throw new StatisticsError(`${at} is not an object; got ${describeValue(record)}.`);
    const r = record as InferenceRecord;
    if (typeof r.success !== 'boolean') throw new StatisticsError(`${at}: success must be true or false; got ${describeValue(r.success)}.`);
    if (typeof r.latencyMs !== 'number' || !Number.isFinite(r.latencyMs) || r.latencyMs < 0) {
      throw new StatisticsError(`${at}: latencyMs must be a finite number of 0 or more; got ${describeValue(r.latencyMs)}.`);
    }
    const input = tokens(r.inputTokens, 'inputTokens', at);
    const output = tokens(r.outputTokens, 'outputTokens', at);
    if (r.confidence !== undefined && r.confidence !== null) {
      if (typeof r.confidence !== 'number' || !(r.confidence >= 0 && r.confidence <= 1)) {
        throw new StatisticsError(`${at}: confidence must be a number from 0 to 1, or absent; got ${describeValue(r.confidence)}.`);
      }
      confidence.add(r.confidence);
    }
    if (r.success) {
      success++;
    } else {
      const type = errorType(r.errorType, at);
      errors.set(type, (errors.get(type) ?? 0) + 1);
    }
    latency.add(r.latencyMs);
    inputTokens += input;
    outputTokens += output;
    if (pricing) costUsd += costOf(input, output, pricing);
  }
  return {
    count: records.length,
    success,
    // From entries, so that even an error type such as '__proto__' is an ordinary key.
    errors: Object.fromEntries(errors),
    inputTokens,
    outputTokens,
    costUsd,
    latency: latency.toJSON(),
    confidence: confidence.count > 0 ? confidence.toJSON() : null,
    confidenceCount: confidence.count,
  };
}

/** The aggregate of the records of both. Commutative and associative (sums of costs up to floating-point rounding). */
export function mergeAggregates(a: ModelAggregate, b: ModelAggregate): ModelAggregate {
  checkAggregate(a, 'the first');
  checkAggregate(b, 'the second');
  const errors = new Map(Object.entries(a.errors));
  for (const [type, n] of Object.entries(b.errors)) errors.set(type, (errors.get(type) ?? 0) + n);
  return {
    count: a.count + b.count,
    success: a.success + b.success,
    errors: Object.fromEntries(errors),
    inputTokens: a.inputTokens + b.inputTokens,
    outputTokens: a.outputTokens + b.outputTokens,
    costUsd: a.costUsd + b.costUsd,
    latency: mergeSketchData(a.latency, b.latency),
    confidence: a.confidence && b.confidence ? mergeSketchData(a.confidence, b.confidence) : (a.confidence ?? b.confidence),
    confidenceCount: a.confidenceCount + b.confidenceCount,
  };
}

/** All the aggregates merged into one (the empty aggregate for none). */
export function mergeAllAggregates(aggregates: readonly ModelAggregate[]): ModelAggregate {
  return aggregates.reduce(mergeAggregates, emptyAggregate());
}

/** The figures of an aggregate; null wherever there is nothing to compute them from. */
export function summariseAggregate(aggregate: ModelAggregate): ModelSummary {
  checkAggregate(aggregate, 'the');
  const { count } = aggregate;
  const failures = Object.values(aggregate.errors).reduce((total, n) => total + n, 0);
  if (aggregate.success + failures !== count) {
    throw new StatisticsError(
      `This aggregate is inconsistent: ${aggregate.success} successes and ${failures} errors do not make ${count} records.`,
    );
  }
  const latency = QuantileSketch.fromJSON(aggregate.latency);
  if (latency.count !== count)
    throw new StatisticsError(`This aggregate is inconsistent: ${count} records but ${latency.count} latencies.`);
  const confidence = aggregate.confidence ? QuantileSketch.fromJSON(aggregate.confidence) : null;
  return {
    samples: count,
    successRate: count === 0 ? null : aggregate.success / count,
    errorRate: count === 0 ? null : failures / count,
    latencyMs: {
      p50: latency.quantile(0.5),
      p90: latency.quantile(0.9),
      p95: latency.quantile(0.95),
      p99: latency.quantile(0.99),
      mean: latency.mean,
      max: latency.max,
    },
    confidence: { mean: confidence?.mean ?? null, p10: confidence?.quantile(0.1) ?? null },
    tokens: { input: aggregate.inputTokens, output: aggregate.outputTokens },
    costUsd: { total: aggregate.costUsd, per1kRequests: count === 0 ? null : (aggregate.costUsd / count) * 1000 },
  };
}

/**
 * Checks the shape and counts of an aggregate read from storage (its sketches are checked when
 * read), so a corrupt item fails with a clear message rather than a TypeError or a wrong figure.
 */
export function checkAggregate(aggregate: unknown, which: string): asserts aggregate is ModelAggregate {
  const fail = (why: string) => {
    throw new StatisticsError(`${which[0]!.toUpperCase()}${which.slice(1)} aggregate is not valid: ${why}.`);
  };
  if (typeof aggregate !== 'object' || aggregate === null) return fail(`expected an object, got ${describeValue(aggregate)}`);
  const a = aggregate as Record<string, unknown>;
  for (const field of ['count', 'success', 'inputTokens', 'outputTokens', 'confidenceCount']) {
    if (!Number.isSafeInteger(a[field]) || (a[field] as number) < 0)
      fail(`${field} must be a whole number of 0 or more, got ${describeValue(a[field])}`);
  }
  if (typeof a['costUsd'] !== 'number' || !Number.isFinite(a['costUsd']) || a['costUsd'] < 0) {
    fail(`costUsd must be a finite number of 0 or more, got ${describeValue(a['costUsd'])}`);
  }
  const errors = a['errors'];
  if (typeof errors !== 'object' || errors === null || Array.isArray(errors))
    fail(`errors must be an object of error type → count, got ${describeValue(errors)}`);
  for (const [type, n] of Object.entries(errors as object)) {
    if (!Number.isSafeInteger(n) || n < 1)
      fail(`the count of errors ${describeValue(type)} must be a whole number of 1 or more, got ${describeValue(n)}`);
  }
  if (typeof a['latency'] !== 'object' || a['latency'] === null)
    fail(`latency must be a stored sketch, got ${describeValue(a['latency'])}`);
  if (a['confidence'] !== null && typeof a['confidence'] !== 'object')
    fail(`confidence must be a stored sketch or null, got ${describeValue(a['confidence'])}`);
  if ((a['confidence'] === null) !== (a['confidenceCount'] === 0)) fail('confidence is null exactly when confidenceCount is 0');
}

/** The number of failures in an aggregate. */
export function errorCount(aggregate: ModelAggregate): number {
  return aggregate.count - aggregate.success;
}

function costOf(inputTokens: number, outputTokens: number, pricing: ModelPricing): number {
  return (inputTokens / 1000) * pricing.inputPer1kTokens + (outputTokens / 1000) * pricing.outputPer1kTokens + (pricing.perRequest ?? 0);
}

function tokens(value: unknown, field: string, at: string): number {
  if (value === undefined || value === null) return 0;
  if (!Number.isSafeInteger(value) || (value as number) < 0)
    throw new StatisticsError(`${at}: ${field} must be a whole number of 0 or more; got ${describeValue(value)}.`);
  return value as number;
}

function errorType(value: unknown, at: string): string {
  if (value === undefined || value === null) return UNKNOWN_ERROR_TYPE;
  if (typeof value !== 'string' || value.length === 0 || value.length > MAX_ERROR_TYPE_LENGTH) {
    throw new StatisticsError(
      `${at}: errorType must be a non-empty string of at most ${MAX_ERROR_TYPE_LENGTH} characters; got ${describeValue(value)}.`,
    );
  }
  return value;
}

function checkPricing(pricing: unknown): asserts pricing is ModelPricing {
  if (typeof pricing !== 'object' || pricing === null) throw new StatisticsError(`A pricing is an object; got ${describeValue(pricing)}.`);
  const p = pricing as Record<string, unknown>;
  for (const field of ['inputPer1kTokens', 'outputPer1kTokens', 'perRequest'] as const) {
    const price = p[field];
    if (field === 'perRequest' && price === undefined) continue;
    if (typeof price !== 'number' || !Number.isFinite(price) || price < 0) {
      throw new StatisticsError(`The pricing's ${field} must be a finite number of 0 or more; got ${describeValue(price)}.`);
    }
  }
  if (typeof p['currency'] !== 'string' || !/^[A-Z]{3}$/.test(p['currency'])) {
    throw new StatisticsError(`The pricing's currency is a three-letter ISO 4217 code such as USD; got ${describeValue(p['currency'])}.`);
  }
}
