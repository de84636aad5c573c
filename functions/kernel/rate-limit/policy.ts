import { type Principal, ROLES, type Role } from '../roles.ts';

/**
 * Rate limits per principal (docs/architecture.md §4): a token bucket per API key (or JWT subject)
 * and route class, held in the table so that it holds across Lambda instances. Pure: the limits,
 * the classes, the bucket arithmetic and the IETF headers; `store/token-buckets.ts` keeps them.
 */

export const RATE_CLASSES = ['reads', 'writes', 'ingest'] as const;
export type RateClass = (typeof RATE_CLASSES)[number];

/** Requests per minute, per route class. A bucket holds one minute's worth: that is the burst. */
export type RateLimits = Record<RateClass, number>;

export const DEFAULT_ROLE_LIMITS: Record<Role, RateLimits> = {
  viewer: { reads: 600, writes: 60, ingest: 600 },
  deployer: { reads: 1200, writes: 300, ingest: 6000 },
  admin: { reads: 1200, writes: 600, ingest: 6000 },
  // A model gateway's key: it only reports inferences.
  ingest: { reads: 60, writes: 60, ingest: 6000 },
};

/** Routes that take telemetry in bulk: their own class, so a busy exporter does not starve reads and writes. */
const INGEST_OPERATIONS = new Set(['ingestMetrics', 'ingestInferences']);

export function rateClassOf(operation: { operationId: string; method: string }): RateClass {
  if (INGEST_OPERATIONS.has(operation.operationId)) return 'ingest';
  return operation.method === 'GET' ? 'reads' : 'writes';
}

export interface RateLimitSettings {
  enabled: boolean;
  roles: Record<Role, RateLimits>;
}

/**
 * STEWARD_RATE_LIMITS: unset or `off` → no limits (the local runtime's default); `on` → the
 * defaults; a JSON object → on, with per-role overrides, e.g. `{"viewer":{"reads":100}}`. The
 * stack sets it on every API function.
 */
export function rateLimitSettings(value = process.env.STEWARD_RATE_LIMITS): RateLimitSettings {
  const roles = structuredClone(DEFAULT_ROLE_LIMITS);
  if (!value || value === 'off') return { enabled: false, roles };
  if (value === 'on') return { enabled: true, roles };
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    throw new Error('STEWARD_RATE_LIMITS is "on", "off" or a JSON object of per-role limits');
  }
  for (const role of ROLES) {
    const override = (parsed as Record<string, Partial<RateLimits>> | null)?.[role];
    for (const rateClass of RATE_CLASSES) {
      const limit = override?.[rateClass];
      if (limit !== undefined) {
        if (!Number.isInteger(limit) || limit < 1) throw new Error(`STEWARD_RATE_LIMITS: ${role}.${rateClass} must be a positive integer`);
        roles[role][rateClass] = limit;
      }
    }
  }
  return { enabled: true, roles };
}

/** The principal's limit for a class: its key's own, else its role's. */
export function limitFor(principal: Principal, rateClass: RateClass, settings: RateLimitSettings): number {
  return principal.rateLimits?.[rateClass] ?? settings.roles[principal.role][rateClass];
}

/** Who a bucket belongs to: the API key, or the identity provider's subject. */
export function bucketOwner(principal: Principal): string {
  return principal.keyId;
}

export interface BucketState {
  tokens: number;
  /** Epoch milliseconds of the last refill. */
  updatedAt: number;
}

export interface TakeOutcome {
  allowed: boolean;
  /** Whole tokens left after this request. */
  remaining: number;
  /** Seconds until one token is back (0 when allowed). */
  retryAfterSeconds: number;
  /** Seconds until the bucket is full again. */
  resetSeconds: number;
  next: BucketState;
}

/** Refills for the time passed, then takes one token if there is one. */
export function takeToken(state: BucketState | undefined, limitPerMinute: number, now: number): TakeOutcome {
  const perMs = limitPerMinute / 60_000;
  const refilled = state ? Math.min(limitPerMinute, state.tokens + Math.max(0, now - state.updatedAt) * perMs) : limitPerMinute;
  const allowed = refilled >= 1;
  const tokens = allowed ? refilled - 1 : refilled;
  return {
    allowed,
    remaining: Math.floor(tokens),
    retryAfterSeconds: allowed ? 0 : Math.max(1, Math.ceil((1 - tokens) / perMs / 1000)),
    resetSeconds: Math.ceil((limitPerMinute - tokens) / perMs / 1000),
    next: { tokens, updatedAt: now },
  };
}

/**
 * The IETF RateLimit headers (draft-ietf-httpapi-ratelimit-headers): the policy (quota `q` per
 * window `w` seconds) and the state (`r` remaining, `t` seconds until it is full again), named by
 * the route class.
 */
export function rateLimitHeaders(rateClass: RateClass, limit: number, outcome: TakeOutcome): Record<string, string> {
  return {
    'ratelimit-policy': `"${rateClass}";q=${limit};w=60`,
    ratelimit: `"${rateClass}";r=${outcome.remaining};t=${outcome.resetSeconds}`,
  };
}
