/**
 * Scheduled HTTP health checks (issue 4, item 1): what a check is, and how its state moves.
 * Pure: no I/O. The runner (functions/monitoring) fetches, evaluates and records.
 */

export const HEALTH_STATES = ['unknown', 'healthy', 'unhealthy'] as const;
export type HealthState = (typeof HEALTH_STATES)[number];

export const DEFAULT_FAILURE_THRESHOLD = 3;
export const DEFAULT_SUCCESS_THRESHOLD = 2;
export const DEFAULT_CHECK_TIMEOUT_MS = 10_000;
export const MAX_CHECK_TIMEOUT_MS = 30_000;
/** EventBridge runs the runner once a minute on AWS; a shorter interval could never be honoured there. */
export const MIN_INTERVAL_SECONDS_AWS = 60;
/** Results older than this are expired (DynamoDB TTL on AWS, the runtime's sweep locally). */
export const RESULT_RETENTION_DAYS = 30;

/** Why a run failed before any condition could pass: the request did not complete, or was refused. */
export type FailureReason = 'refused' | 'timeout' | 'dns' | 'connect' | 'tls' | 'reset' | 'too-large' | 'protocol' | 'conditions';

export interface HealthCheckSettings {
  environment: string;
  url: string;
  method: string;
  headers: Record<string, string>;
  body: string | null;
  timeoutMs: number;
  intervalSeconds: number;
  conditions: string[];
  failureThreshold: number;
  successThreshold: number;
}

export interface HealthCheck extends HealthCheckSettings {
  id: string;
  service: string;
  state: HealthState;
  stateChangedAt: string | null;
  createdAt: string;
  updatedAt: string;
  rev: number;
  /** Set when deleted: the head stays as a tombstone, out of every list. */
  deletedAt: string | null;
}

export interface ConditionResult {
  condition: string;
  ok: boolean;
  /** The condition with what each placeholder resolved to, e.g. `[STATUS] (503) == 200`. */
  resolved: string;
  error?: string;
}

/** One run of a check: not an event (high volume), kept in day buckets with a TTL. */
export interface HealthCheckResult {
  id: string;
  checkId: string;
  at: string;
  ok: boolean;
  /** HTTP status; 0 when no response came. */
  status: number;
  latencyMs: number;
  conditions: ConditionResult[];
  /** Why the run failed: `conditions` when the target answered but a condition did not hold. */
  reason: FailureReason | null;
  /** What happened, in words, when the run failed (never a header value or body). */
  detail: string | null;
  certificateExpiresAt: string | null;
}

export interface RunCounters {
  consecutiveFailures: number;
  consecutiveSuccesses: number;
}

/** The counters after one more result. */
export function countResult(counters: RunCounters, ok: boolean): RunCounters {
  return ok
    ? { consecutiveFailures: 0, consecutiveSuccesses: counters.consecutiveSuccesses + 1 }
    : { consecutiveFailures: counters.consecutiveFailures + 1, consecutiveSuccesses: 0 };
}

/**
 * The state a check is in after these counters: unhealthy once `failureThreshold` runs in a row
 * failed, healthy once `successThreshold` in a row passed (from `unknown` too), otherwise as it was.
 */
export function nextState(
  current: HealthState,
  counters: RunCounters,
  thresholds: Pick<HealthCheckSettings, 'failureThreshold' | 'successThreshold'>,
): HealthState {
  if (current !== 'unhealthy' && counters.consecutiveFailures >= thresholds.failureThreshold) return 'unhealthy';
  if (current !== 'healthy' && counters.consecutiveSuccesses >= thresholds.successThreshold) return 'healthy';
  return current;
}

/** The least interval allowed here: a minute on AWS; locally (a runtime tick is set) one second. */
export function minIntervalSeconds(env: NodeJS.ProcessEnv = process.env): number {
  return env.STEWARD_TICK_SECONDS !== undefined ? 1 : MIN_INTERVAL_SECONDS_AWS;
}

/** The UTC day a result is bucketed under. */
export function dayOf(at: Date | string): string {
  return (typeof at === 'string' ? at : at.toISOString()).slice(0, 10);
}

export function healthCheckSubject(service: string, id: string): string {
  return `healthcheck/${service}/${id}`;
}
