import { errorCount, type ModelAggregate, type ModelSummary, summariseAggregate } from './aggregate.ts';
import { describeValue, StatisticsError } from './errors.ts';
import { type Degenerate, mannWhitneyU, twoProportionZTest } from './hypothesis-tests.ts';
import { QuantileSketch } from './sketch.ts';

/**
 * Side-by-side comparison of model versions: each version's live figures, its differences from the
 * first version (the reference), and whether its error rate and latency differ significantly —
 * 'better' or 'worse' only when the test says so, so noise is never shown as a regression.
 */

export type Marker = 'better' | 'worse' | 'no-significant-difference';

export interface VersionInput {
  version: string;
  aggregate: ModelAggregate;
}

/** This version minus the reference; null where either has no figure. */
export interface VersionDeltas {
  errorRate: number | null;
  latencyP50Ms: number | null;
  latencyP95Ms: number | null;
  latencyP99Ms: number | null;
  confidenceMean: number | null;
  costPer1kRequestsUsd: number | null;
}

export interface SignificanceMarker {
  pValue: number;
  z: number;
  marker: Marker;
  degenerate: Degenerate | null;
}

export interface ComparisonRow {
  version: string;
  summary: ModelSummary;
  /** Null on the reference row. */
  deltas: VersionDeltas | null;
  /** Two-proportion z-test on the error counts against the reference; null on the reference row. */
  errorRate: SignificanceMarker | null;
  /** Mann-Whitney U on the latency sketches against the reference; null on the reference row. */
  latency: (SignificanceMarker & { commonLanguageEffect: number }) | null;
}

export interface VersionComparison {
  reference: string;
  alpha: number;
  rows: ComparisonRow[];
}

export const DEFAULT_ALPHA = 0.05;

/** Compares every version with the first one given. Lower error rate and lower latency are better. */
export function compareVersions(versions: readonly VersionInput[], options: { alpha?: number } = {}): VersionComparison {
  const alpha = options.alpha ?? DEFAULT_ALPHA;
  if (typeof alpha !== 'number' || !(alpha > 0 && alpha < 1))
    throw new StatisticsError(`alpha is a significance level between 0 and 1, such as 0.05; got ${describeValue(alpha)}.`);
  if (!Array.isArray(versions) || versions.length === 0)
    throw new StatisticsError('Give at least one version to compare; the first is the reference.');
  const seen = new Set<string>();
  for (const input of versions) {
    if (typeof input?.version !== 'string' || input.version.length === 0)
      throw new StatisticsError(`Each version to compare needs a name; got ${describeValue(input?.version)}.`);
    if (seen.has(input.version)) throw new StatisticsError(`Version ${input.version} is listed twice; list each version once.`);
    seen.add(input.version);
  }
  const [reference, ...others] = versions as [VersionInput, ...VersionInput[]];
  const referenceSummary = summariseAggregate(reference.aggregate);
  const referenceLatency = QuantileSketch.fromJSON(reference.aggregate.latency).bins();
  const rows: ComparisonRow[] = [{ version: reference.version, summary: referenceSummary, deltas: null, errorRate: null, latency: null }];
  for (const input of others) {
    const summary = summariseAggregate(input.aggregate);
    const errors = twoProportionZTest(
      { count: errorCount(reference.aggregate), total: reference.aggregate.count },
      { count: errorCount(input.aggregate), total: input.aggregate.count },
    );
    const latency = mannWhitneyU(referenceLatency, QuantileSketch.fromJSON(input.aggregate.latency).bins());
    rows.push({
      version: input.version,
      summary,
      deltas: deltas(referenceSummary, summary),
      errorRate: {
        pValue: errors.pValue,
        z: errors.z,
        marker: marker(errors.pValue, errors.difference, alpha),
        degenerate: errors.degenerate,
      },
      latency: {
        pValue: latency.pValue,
        z: latency.z,
        marker: marker(latency.pValue, latency.commonLanguageEffect - 0.5, alpha),
        degenerate: latency.degenerate,
        commonLanguageEffect: latency.commonLanguageEffect,
      },
    });
  }
  return { reference: reference.version, alpha, rows };
}

/** `direction` > 0 means this version is higher, which is worse for both error rate and latency. */
function marker(pValue: number, direction: number, alpha: number): Marker {
  if (!(pValue < alpha) || direction === 0) return 'no-significant-difference';
  return direction < 0 ? 'better' : 'worse';
}

function deltas(reference: ModelSummary, version: ModelSummary): VersionDeltas {
  const minus = (a: number | null, b: number | null) => (a === null || b === null ? null : a - b);
  return {
    errorRate: minus(version.errorRate, reference.errorRate),
    latencyP50Ms: minus(version.latencyMs.p50, reference.latencyMs.p50),
    latencyP95Ms: minus(version.latencyMs.p95, reference.latencyMs.p95),
    latencyP99Ms: minus(version.latencyMs.p99, reference.latencyMs.p99),
    confidenceMean: minus(version.confidence.mean, reference.confidence.mean),
    costPer1kRequestsUsd: minus(version.costUsd.per1kRequests, reference.costUsd.per1kRequests),
  };
}
