import { randomBytes } from 'node:crypto';
import { EVENT_TYPES } from '#kernel/events';

/**
 * Webhooks: where Steward POSTs events, signed per the Standard Webhooks specification. The
 * signing secret is kept in the secret value store, never in the table, and shown once.
 */

export interface Webhook {
  id: string;
  url: string;
  /** Event types or patterns: `alert.*`, `*`, or a type from the catalogue. */
  events: string[];
  /** The services whose events it receives, and whose keys may manage it; null: every service (unscoped keys only). */
  services: string[] | null;
  description: string | null;
  active: boolean;
  /** Why it is inactive when Steward disabled it, else null. */
  disabledReason: string | null;
  createdAt: string;
  updatedAt: string;
  rev: number;
  deletedAt: string | null;
}

export interface WebhookHealth {
  /** Share of the recent events delivered (0–1), null before the first. */
  successRate: number | null;
  /** How many recent events the rate is over. */
  recentEvents: number;
  /** The HTTP status of the last attempt, or null when it got none (timeout, refused, unreachable). */
  lastStatus: number | null;
  lastDeliveryAt: string | null;
  consecutiveFailures: number;
}

export interface DeliveryRecord {
  eventId: string;
  type: string;
  attempt: number;
  status: number | null;
  ok: boolean;
  latencyMs: number;
  error: string | null;
  at: string;
}

/** The event types a webhook may receive today (the others stay in the audit trail). */
export const WEBHOOK_TEST_EVENT = 'webhook.test';
const CATEGORIES = new Set(EVENT_TYPES.map((type) => type.split('.')[0]));

/** Why an entry of `events` is not a type or pattern, or undefined when it is one. */
export function eventPatternProblem(pattern: string): string | undefined {
  if (pattern === '*' || pattern === WEBHOOK_TEST_EVENT) return undefined;
  if (pattern.endsWith('.*')) {
    return CATEGORIES.has(pattern.slice(0, -2)) ? undefined : `no event types start with "${pattern.slice(0, -1)}"`;
  }
  return (EVENT_TYPES as string[]).includes(pattern) ? undefined : `"${pattern}" is not an event type or a pattern such as alert.*`;
}

/** Whether a webhook limited to services takes an event of this service (an event of no service: only unlimited webhooks). */
export function matchesServices(services: readonly string[] | null, service: string | null | undefined): boolean {
  return services === null || (typeof service === 'string' && services.includes(service));
}

export function matchesEvents(patterns: readonly string[], type: string): boolean {
  return patterns.some(
    (pattern) => pattern === '*' || pattern === type || (pattern.endsWith('.*') && type.startsWith(pattern.slice(0, -1))),
  );
}

/** Standard Webhooks secrets: `whsec_` and base64 of random bytes. */
export function generateWebhookSecret(): string {
  return `whsec_${randomBytes(24).toString('base64')}`;
}

export function webhookSubject(id: string): string {
  return `webhook/${id}`;
}
