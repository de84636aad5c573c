/**
 * Uptime and SLOs (issue 4, item 2): the arithmetic over health-check results. Pure: no I/O.
 *
 * A result covers its check's interval from the moment it was taken, or up to the next result if
 * that came sooner. Time no result covers — before the first one, after the checker stopped, while
 * it was not running — is unknown: it counts neither as up nor as down. So
 * uptime = up / (up + down) and coverage = (up + down) / window, per check-second over all the
 * checks of the service in the environment.
 */

/** The windows `GET .../uptime` accepts, in seconds. */
export const UPTIME_WINDOWS = { '1h': 3_600, '24h': 86_400, '7d': 604_800, '30d': 2_592_000 } as const;
export type UptimeWindow = keyof typeof UPTIME_WINDOWS;
export const DEFAULT_UPTIME_WINDOW: UptimeWindow = '24h';

/** The windows of the multiwindow burn-rate alerts (Google SRE workbook, ch. 5), in seconds. */
export const BURN_WINDOWS = { '5m': 300, '30m': 1_800, '1h': 3_600, '6h': 21_600, '3d': 259_200 } as const;
export type BurnWindow = keyof typeof BURN_WINDOWS;

export interface BurnRule {
  severity: 'page' | 'ticket';
  longWindow: BurnWindow;
  shortWindow: BurnWindow;
  /** Fires when the burn rate is at least this over both windows. */
  threshold: number;
}

export const BURN_RULES: readonly BurnRule[] = [
  { severity: 'page', longWindow: '1h', shortWindow: '5m', threshold: 14.4 },
  { severity: 'page', longWindow: '6h', shortWindow: '30m', threshold: 6 },
  { severity: 'ticket', longWindow: '3d', shortWindow: '6h', threshold: 1 },
];

/** The longest span of results any computation here looks at behind `now`, in seconds. */
export const MAX_LOOKBACK_SECONDS = Math.max(UPTIME_WINDOWS['30d'], BURN_WINDOWS['3d']);

/** One result as the arithmetic needs it. `at` in epoch milliseconds. */
export interface Observation {
  at: number;
  ok: boolean;
  /** HTTP status; 0 when no response came. */
  status: number;
  latencyMs: number;
}

/** One check's results (any order) and the interval each result covers. */
export interface CheckObservations {
  intervalSeconds: number;
  results: readonly Observation[];
}

export interface Coverage {
  upSeconds: number;
  downSeconds: number;
  unknownSeconds: number;
}

/** Half-open `[from, to)` in epoch milliseconds. */
export interface Span {
  from: number;
  to: number;
}

function sorted(results: readonly Observation[]): Observation[] {
  return [...results].sort((a, b) => a.at - b.at);
}

/** Up, down and unknown milliseconds of one check over `span`. */
function coverageMs(check: CheckObservations, span: Span): { up: number; down: number } {
  const results = sorted(check.results);
  const interval = check.intervalSeconds * 1000;
  let up = 0;
  let down = 0;
  for (let i = 0; i < results.length; i++) {
    const result = results[i] as Observation;
    const next = results[i + 1];
    const end = Math.min(result.at + interval, next ? next.at : Number.POSITIVE_INFINITY, span.to);
    const start = Math.max(result.at, span.from);
    if (end <= start) continue;
    if (result.ok) up += end - start;
    else down += end - start;
  }
  return { up, down };
}

/**
 * Up, down and unknown check-seconds over `span`, summed over `checks`. With no checks the whole
 * window is unknown.
 */
export function coverageOf(checks: readonly CheckObservations[], span: Span): Coverage {
  const window = Math.max(0, span.to - span.from);
  let up = 0;
  let down = 0;
  for (const check of checks) {
    const one = coverageMs(check, span);
    up += one.up;
    down += one.down;
  }
  const total = window * Math.max(1, checks.length);
  return { upSeconds: up / 1000, downSeconds: down / 1000, unknownSeconds: (total - up - down) / 1000 };
}

/** up / (up + down), in percent; null when nothing was measured. */
export function uptimePercent(coverage: Coverage): number | null {
  const measured = coverage.upSeconds + coverage.downSeconds;
  return measured > 0 ? (coverage.upSeconds / measured) * 100 : null;
}

/** (up + down) / window, in percent. */
export function coveragePercent(coverage: Coverage): number {
  const total = coverage.upSeconds + coverage.downSeconds + coverage.unknownSeconds;
  return total > 0 ? ((coverage.upSeconds + coverage.downSeconds) / total) * 100 : 0;
}

export interface LatencyStats {
  /** Results that got a response (status > 0): a refused connection or a timeout has no latency of the service's. */
  samples: number;
  meanMs: number | null;
  /** Nearest rank: the smallest latency at least 95% of the samples are at or below. */
  p95Ms: number | null;
}

/** Mean and p95 latency of the results taken inside `span`. */
export function latencyOf(checks: readonly CheckObservations[], span: Span): LatencyStats {
  const latencies = checks
    .flatMap((check) => check.results)
    .filter((result) => result.status > 0 && result.at >= span.from && result.at < span.to)
    .map((result) => result.latencyMs)
    .sort((a, b) => a - b);
  if (latencies.length === 0) return { samples: 0, meanMs: null, p95Ms: null };
  const mean = latencies.reduce((sum, value) => sum + value, 0) / latencies.length;
  const rank = Math.ceil(0.95 * latencies.length);
  return { samples: latencies.length, meanMs: mean, p95Ms: latencies[rank - 1] as number };
}

/**
 * How fast the error budget burns: the error rate over the measured time divided by the rate the
 * target allows (1 = exactly the budget over the window). Null when nothing was measured.
 * Written as down·100 / (measured·(100 − target)) so that round targets stay exact.
 */
export function burnRate(coverage: Coverage, target: number): number | null {
  const measured = coverage.upSeconds + coverage.downSeconds;
  if (measured <= 0) return null;
  return (coverage.downSeconds * 100) / (measured * (100 - target));
}

export interface ErrorBudget {
  target: number;
  /** The down time the target allows over the measured time of the window. */
  allowedDownSeconds: number;
  consumedSeconds: number;
  /** allowed − consumed; negative once the budget is spent. */
  remainingSeconds: number;
  /** remaining / allowed, in percent (100 = untouched, 0 = spent, below 0 = overspent); null when nothing was measured. */
  remainingPercent: number | null;
  burnRate: number | null;
}

/** The error budget of `target` (a percentage, 0 < target < 100) over the window of `coverage`. */
export function errorBudgetOf(coverage: Coverage, target: number): ErrorBudget {
  const measured = coverage.upSeconds + coverage.downSeconds;
  const allowed = (measured * (100 - target)) / 100;
  const rate = burnRate(coverage, target);
  return {
    target,
    allowedDownSeconds: allowed,
    consumedSeconds: coverage.downSeconds,
    remainingSeconds: allowed - coverage.downSeconds,
    remainingPercent: rate === null ? null : (1 - rate) * 100,
    burnRate: rate,
  };
}

/** `value ≥ threshold`, forgiving the last bits of floating point error (14.4 must fire at 14.4). */
export function reaches(value: number | null, threshold: number): boolean {
  return value !== null && value >= threshold * (1 - 1e-9);
}

export interface BurnAlert extends BurnRule {
  longBurnRate: number | null;
  shortBurnRate: number | null;
  firing: boolean;
}

export interface BurnAlerts {
  page: boolean;
  ticket: boolean;
  rules: BurnAlert[];
}

/** Which multiwindow conditions fire, given the burn rate over each window (null: nothing measured, never fires). */
export function evaluateBurnAlerts(rates: Record<BurnWindow, number | null>): BurnAlerts {
  const rules = BURN_RULES.map((rule) => {
    const longBurnRate = rates[rule.longWindow];
    const shortBurnRate = rates[rule.shortWindow];
    return {
      ...rule,
      longBurnRate,
      shortBurnRate,
      firing: reaches(longBurnRate, rule.threshold) && reaches(shortBurnRate, rule.threshold),
    };
  });
  return {
    page: rules.some((rule) => rule.severity === 'page' && rule.firing),
    ticket: rules.some((rule) => rule.severity === 'ticket' && rule.firing),
    rules,
  };
}

/** The burn rate over each alerting window ending at `now` (epoch ms). */
export function burnRatesAt(checks: readonly CheckObservations[], now: number, target: number): Record<BurnWindow, number | null> {
  return Object.fromEntries(
    (Object.entries(BURN_WINDOWS) as Array<[BurnWindow, number]>).map(([name, seconds]) => [
      name,
      burnRate(coverageOf(checks, { from: now - seconds * 1000, to: now }), target),
    ]),
  ) as Record<BurnWindow, number | null>;
}

/** An SLO target must be a percentage strictly between 0 and 100. */
export function isValidTarget(target: number): boolean {
  return Number.isFinite(target) && target > 0 && target < 100;
}

export function sloSubject(service: string): string {
  return `slo/${service}`;
}

/**
 * A figure as a response shows it: at most 4 decimals (99.9999 %, a burn rate of 0.0001), so that
 * floating point noise (-99900.00000000569) never reaches a reader. Decisions use the exact values.
 */
export function shown(value: number): number;
export function shown(value: number | null): number | null;
export function shown(value: number | null): number | null {
  if (value === null || !Number.isFinite(value)) return value;
  const rounded = Math.round(value * 10_000) / 10_000;
  return Object.is(rounded, -0) ? 0 : rounded;
}
