/**
 * The bench's one measuring loop and its statistics. Every latency figure comes from here, so
 * HTTP requests and raw store reads are timed by exactly the same code.
 */

export interface LatencySummary {
  /** How many latencies were recorded. */
  count: number;
  p50Ms: number;
  p90Ms: number;
  p99Ms: number;
  meanMs: number;
  maxMs: number;
}

export interface LoopResult extends LatencySummary {
  concurrency: number;
  /** Wall time of the measured part, warm-up excluded. */
  durationMs: number;
  /** Completed operations per second over `durationMs`. */
  rps: number;
  /** Every recorded latency, in completion order. */
  samples: Float64Array;
  /** True when the time cap ended the run before its request count. */
  capped: boolean;
}

export interface LoopOptions {
  /** Workers, each with one operation in flight at a time (a closed loop). */
  concurrency: number;
  /** Stop after this many measured operations... */
  requests: number;
  /** ...or after this long, whichever comes first, so a slow machine still finishes. */
  maxDurationMs?: number;
  /** Operations run before measuring (same workers, not recorded). */
  warmup?: number;
}

/** One operation; `seq` counts from 0 across all workers (warm-up included), `worker` from 0. */
export type Task = (seq: number, worker: number) => Promise<void>;

/** Nearest-rank percentile of ascending values. */
export function percentile(sorted: ArrayLike<number>, p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))] as number;
}

export function summarize(latenciesMs: ArrayLike<number>): LatencySummary {
  const sorted = Float64Array.from(latenciesMs).sort();
  let total = 0;
  for (const value of sorted) total += value;
  return {
    count: sorted.length,
    p50Ms: percentile(sorted, 50),
    p90Ms: percentile(sorted, 90),
    p99Ms: percentile(sorted, 99),
    meanMs: sorted.length > 0 ? total / sorted.length : Number.NaN,
    maxMs: sorted.length > 0 ? (sorted[sorted.length - 1] as number) : Number.NaN,
  };
}

/**
 * Runs `task` in a closed loop: `concurrency` workers, each starting its next operation when the
 * previous one finishes. Bounded by a request count and a time cap. The first failure stops
 * the loop and is thrown: figures from a run with errors would measure the errors.
 */
export async function closedLoop(options: LoopOptions, task: Task): Promise<LoopResult> {
  const { concurrency } = options;
  let seq = 0;

  const warmup = options.warmup ?? 0;
  if (warmup > 0) {
    let left = warmup;
    await Promise.all(
      Array.from({ length: Math.min(concurrency, warmup) }, async (_, worker) => {
        while (left > 0) {
          left--;
          await task(seq++, worker);
        }
      }),
    );
  }

  const latencies = new Float64Array(options.requests);
  let recorded = 0;
  let started = 0;
  let failure: unknown;
  const start = performance.now();
  const deadline = start + (options.maxDurationMs ?? Number.POSITIVE_INFINITY);
  await Promise.all(
    Array.from({ length: concurrency }, async (_, worker) => {
      while (failure === undefined && started < options.requests && performance.now() < deadline) {
        started++;
        const begin = performance.now();
        try {
          await task(seq++, worker);
        } catch (error) {
          failure ??= error;
          return;
        }
        latencies[recorded++] = performance.now() - begin;
      }
    }),
  );
  const durationMs = performance.now() - start;
  if (failure !== undefined) throw failure;
  const samples = latencies.subarray(0, recorded);
  const capped = recorded < options.requests;
  return { ...summarize(samples), concurrency, durationMs, rps: (recorded / durationMs) * 1000, samples, capped };
}

/**
 * Measures several operations in alternating rounds (A B A B ...) and pools each one's
 * samples, so that drift during the run (JIT, heap growth, a noisy neighbour) weighs on all of
 * them alike instead of on whichever ran last. Each runner does one round.
 */
export async function interleaved<K extends string>(
  rounds: number,
  runners: Record<K, () => Promise<LoopResult>>,
): Promise<Record<K, LoopResult>> {
  const names = Object.keys(runners) as K[];
  const parts = Object.fromEntries(names.map((name) => [name, [] as LoopResult[]])) as Record<K, LoopResult[]>;
  for (let round = 0; round < rounds; round++) {
    for (const name of names) parts[name].push(await runners[name]());
  }
  return Object.fromEntries(names.map((name) => [name, pool(parts[name])])) as Record<K, LoopResult>;
}

/** One result from several runs of the same operation. */
export function pool(results: LoopResult[]): LoopResult {
  const samples = new Float64Array(results.reduce((sum, result) => sum + result.samples.length, 0));
  let offset = 0;
  for (const result of results) {
    samples.set(result.samples, offset);
    offset += result.samples.length;
  }
  const durationMs = results.reduce((sum, result) => sum + result.durationMs, 0);
  return {
    ...summarize(samples),
    concurrency: results[0]?.concurrency ?? 0,
    durationMs,
    rps: (samples.length / durationMs) * 1000,
    samples,
    capped: results.some((result) => result.capped),
  };
}

/** Rounds for display and JSON: enough digits to compare runs, no float noise. */
export function round(value: number, digits = 3): number {
  if (!Number.isFinite(value)) return value;
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}
