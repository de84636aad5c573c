/**
 * Seeded random data for the statistics tests, so every run sees the same numbers and a failure
 * can be reproduced.
 */

/** mulberry32: a small, fast 32-bit generator, uniform on [0, 1). */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A standard normal deviate by Box-Muller. */
export function normal(random: () => number): number {
  const u = 1 - random(); // (0, 1], so the log is finite
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random());
}

/** Latency-like values: e^(N(ln median, sigma)). */
export function lognormal(random: () => number, median: number, sigma: number): number {
  return median * Math.exp(sigma * normal(random));
}

/** The value at rank floor(q × (n − 1)) of sorted values: the definition QuantileSketch approximates. */
export function exactQuantile(sorted: readonly number[], q: number): number {
  return sorted[Math.floor(q * (sorted.length - 1))]!;
}

/** Inference records of a simulated model version: errors at `errorRate`, lognormal latencies, confidences around `confidence`. */
export function simulatedRecords(
  random: () => number,
  count: number,
  shape: { errorRate: number; medianLatencyMs: number; sigma?: number; confidence?: number | null },
) {
  return Array.from({ length: count }, () => {
    const success = random() >= shape.errorRate;
    return {
      success,
      errorType: success ? undefined : 'timeout',
      latencyMs: lognormal(random, shape.medianLatencyMs, shape.sigma ?? 0.5),
      inputTokens: 100 + Math.floor(random() * 50),
      outputTokens: 20 + Math.floor(random() * 10),
      confidence: shape.confidence == null ? null : Math.min(1, Math.max(0, shape.confidence + 0.1 * normal(random))),
    };
  });
}
