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

/**
 * Why a run failed before any condition could pass: the request did not complete, or was refused;
 * `secret` when a header's value could not be read (its secret is gone, or the value store failed).
 */
export type FailureReason =
  | 'refused'
  | 'timeout'
  | 'dns'
  | 'connect'
  | 'tls'
  | 'reset'
  | 'too-large'
  | 'protocol'
  | 'conditions'
  | 'secret';

/** A request header as a check is given it: a value, or one of the check's service's secrets in its environment. */
export type HeaderValue = string | { secret: string };

/** How a credential's value is shown and audited: never the value itself. */
export const REDACTED = '***';

const CREDENTIAL_HEADER_NAMES = new Set(['authorization', 'proxy-authorization', 'cookie', 'x-api-key', 'x-auth-token']);
const CREDENTIAL_HEADER_PATTERN = /token|secret|key|auth|cookie|password/i;

/**
 * Whether a header's value is a credential, by its name: such a value is kept in the secret value
 * store, never in the table, and shown and audited as `***`.
 */
export function isCredentialHeader(name: string): boolean {
  return CREDENTIAL_HEADER_NAMES.has(name.toLowerCase()) || CREDENTIAL_HEADER_PATTERN.test(name);
}

/**
 * Headers as they may be shown: a credential's plain value as `***` (a check stored before
 * credentials were sealed may still hold one), a secret reference as the reference.
 */
export function redactHeaders(headers: Record<string, HeaderValue> | null | undefined): Record<string, HeaderValue> {
  return Object.fromEntries(
    Object.entries(headers ?? {}).map(([name, value]) => [name, typeof value === 'string' && isCredentialHeader(name) ? REDACTED : value]),
  );
}

/** Where a check's credential values are: the value store's version holding them (a JSON object by header name), and which headers they are. */
export interface SealedHeaders {
  versionId: string;
  names: string[];
}

/** What a check's headers become: the stored form, the credential values to seal, the secrets named. */
export interface HeaderPlan {
  headers: Record<string, HeaderValue>;
  /** Credential values by header name, for the value store. */
  sealed: Record<string, string>;
  /** Of `sealed`, the ones carried over from before (`***` sent back). */
  kept: string[];
  /** Secret names the headers refer to. */
  references: string[];
  /** Headers that cannot be: a `***` with nothing stored under that name. */
  errors: Array<{ name: string; message: string }>;
}

/**
 * Splits headers as a client sent them: a credential's plain value goes to the value store and is
 * stored as `***`; `***` sent back keeps the value stored before under that header (`before`);
 * a secret reference stays a reference; anything else is a plain value.
 */
export function planHeaders(input: Record<string, HeaderValue>, before: Record<string, string> | null): HeaderPlan {
  const plan: HeaderPlan = { headers: {}, sealed: {}, kept: [], references: [], errors: [] };
  for (const [name, value] of Object.entries(input)) {
    if (typeof value !== 'string') {
      plan.headers[name] = { secret: value.secret };
      plan.references.push(value.secret);
    } else if (!isCredentialHeader(name)) {
      plan.headers[name] = value;
    } else if (value === REDACTED) {
      const previous = before?.[name];
      if (previous === undefined) {
        plan.errors.push({ name, message: `${REDACTED} keeps the value stored for ${name}, and this check has none: send the value` });
      } else {
        plan.sealed[name] = previous;
        plan.kept.push(name);
        plan.headers[name] = REDACTED;
      }
    } else {
      plan.sealed[name] = value;
      plan.headers[name] = REDACTED;
    }
  }
  return plan;
}

export interface HealthCheckSettings {
  environment: string;
  url: string;
  method: string;
  /** As stored: plain values, secret references, and `***` for each of `sealedHeaders.names`. */
  headers: Record<string, HeaderValue>;
  /** The credential values of `headers`, kept in the secret value store; null without any. */
  sealedHeaders: SealedHeaders | null;
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
