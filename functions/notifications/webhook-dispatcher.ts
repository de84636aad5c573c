import { Webhook as Signer } from 'standardwebhooks';
import { ulid } from 'ulid';
import { disableWebhook, webhookSecret } from '#commands/webhooks';
import { timeScale } from '#deployments/clock';
import { SYSTEM_PRINCIPAL } from '#domain/roles';
import { matchesEvents, WEBHOOK_TEST_EVENT, type Webhook } from '#domain/webhooks';
import { OutboundRefusedError, safeFetch } from '#outbound/safe-fetch';
import type { StoredEvent } from '#store/event-log';
import { allWebhooks, claimDelivery, parkDeadLetter, recordAttempt, recordOutcome } from '#store/webhooks';

/**
 * Delivers events to webhooks, signed per the Standard Webhooks specification: `webhook-id` is
 * the event id (receivers dedupe on it), `webhook-timestamp` the signing time, `webhook-signature`
 * `v1,<base64 HMAC-SHA256>` over `id.timestamp.body`. Each (webhook, event) is claimed once, so a
 * duplicate notification sends nothing. Failed attempts are retried with exponential backoff and
 * full jitter; an event that still fails is parked in the dead-letter list (locally; on AWS the
 * dispatcher Lambda's SQS dead-letter queue will take that role), and a run of failed events
 * disables the webhook with a `webhook.disabled` event.
 */

export interface WebhookEvent {
  /** The event id: the same on every attempt and every webhook. */
  id: string;
  type: string;
  timestamp: string;
  data: Record<string, unknown>;
}

export interface DeliverySettings {
  /** Attempts per event, the first included. */
  attempts: number;
  /** The backoff before attempt n+1 is a random wait in [0, min(maxDelayMs, baseDelayMs·2ⁿ⁻¹)). */
  baseDelayMs: number;
  maxDelayMs: number;
  /** One attempt's whole exchange. */
  timeoutMs: number;
  /** Consecutive failed events after which the webhook is disabled. */
  disableAfter: number;
}

/** Workflow-time defaults, shrunk locally by STEWARD_TIME_SCALE like the deployment waits. */
function defaultSettings(): DeliverySettings {
  const scale = timeScale();
  return {
    attempts: 4,
    baseDelayMs: 2_000 * scale,
    maxDelayMs: 60_000 * scale,
    timeoutMs: Math.max(100, 10_000 * scale),
    disableAfter: 5,
  };
}

let overrides: Partial<DeliverySettings> = {};

/** Changes the delivery settings of this process (tests); null restores the defaults. */
export function configureWebhookDelivery(next: Partial<DeliverySettings> | null): void {
  overrides = next ?? {};
}

export function deliverySettings(): DeliverySettings {
  return { ...defaultSettings(), ...overrides };
}

/** The event types that leave Steward by webhook (the rest stay in the audit trail). */
export function isPublished(type: string): boolean {
  return (
    type.startsWith('alert.') ||
    type.startsWith('incident.') ||
    type.startsWith('deployment.') ||
    type === 'healthcheck.state_changed' ||
    type === WEBHOOK_TEST_EVENT
  );
}

/** The payload for an event: what happened, to what, by whom; never the projected items. */
export function toWebhookEvent(event: StoredEvent): WebhookEvent {
  return {
    id: event.eventId,
    type: event.type,
    timestamp: event.at,
    data: {
      subject: event.subject,
      service: event.service ?? null,
      actor: event.actor,
      requestId: event.requestId,
      changes: event.changes,
    },
  };
}

export interface AttemptResult {
  ok: boolean;
  status: number | null;
  latencyMs: number;
  error: string | null;
  /** Retrying cannot help (the target is refused). */
  final: boolean;
}

/** Signs and POSTs once. */
export async function sendOnce(
  event: WebhookEvent,
  webhook: Pick<Webhook, 'url'>,
  secret: string,
  timeoutMs: number,
): Promise<AttemptResult> {
  const payload = JSON.stringify(event);
  const now = new Date();
  const signature = new Signer(secret).sign(event.id, now, payload);
  const started = performance.now();
  try {
    const response = await safeFetch(webhook.url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'user-agent': 'Steward-Webhooks/1',
        'webhook-id': event.id,
        'webhook-timestamp': String(Math.floor(now.getTime() / 1000)),
        'webhook-signature': signature,
      },
      body: payload,
      timeoutMs,
      maxRedirects: 0,
      maxResponseBytes: 4096,
    });
    const ok = response.status >= 200 && response.status < 300;
    return {
      ok,
      status: response.status,
      latencyMs: Math.round(response.latencyMs),
      error: ok ? null : `the receiver answered ${response.status}`,
      final: false,
    };
  } catch (error) {
    return {
      ok: false,
      status: null,
      latencyMs: Math.round(performance.now() - started),
      error: error instanceof Error ? error.message : String(error),
      final: error instanceof OutboundRefusedError,
    };
  }
}

export interface DeliveryOutcome {
  webhookId: string;
  eventId: string;
  /** `duplicate`: this (webhook, event) was delivered or is being delivered already. */
  result: 'delivered' | 'parked' | 'duplicate';
  attempts: number;
  status: number | null;
  latencyMs: number;
  error: string | null;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
/** Outcomes of one webhook are recorded one at a time, so its failure run is counted right. */
const outcomeChains = new Map<string, Promise<unknown>>();

function serialised<T>(webhookId: string, work: () => Promise<T>): Promise<T> {
  const previous = outcomeChains.get(webhookId) ?? Promise.resolve();
  const next = previous.then(work, work);
  const settled = next.catch(() => undefined);
  outcomeChains.set(webhookId, settled);
  void settled.then(() => {
    if (outcomeChains.get(webhookId) === settled) outcomeChains.delete(webhookId);
  });
  return next;
}

/**
 * Delivers one event to one webhook with retries: a record per attempt, the health summary per
 * event, the dead-letter list when every attempt failed, and the webhook disabled after
 * `disableAfter` failed events in a row.
 */
export async function deliver(
  event: WebhookEvent,
  webhook: Pick<Webhook, 'id' | 'url'>,
  settings: DeliverySettings = deliverySettings(),
): Promise<DeliveryOutcome> {
  const base = { webhookId: webhook.id, eventId: event.id };
  if (!(await claimDelivery(webhook.id, event.id, event.type))) {
    return { ...base, result: 'duplicate', attempts: 0, status: null, latencyMs: 0, error: null };
  }
  const secret = await webhookSecret(webhook.id);
  let last: AttemptResult = { ok: false, status: null, latencyMs: 0, error: 'not attempted', final: false };
  let attempt = 0;
  while (attempt < settings.attempts) {
    if (attempt > 0) await sleep(Math.random() * Math.min(settings.maxDelayMs, settings.baseDelayMs * 2 ** (attempt - 1)));
    attempt++;
    last = await sendOnce(event, webhook, secret, settings.timeoutMs);
    await recordAttempt(webhook.id, {
      eventId: event.id,
      type: event.type,
      attempt,
      status: last.status,
      ok: last.ok,
      latencyMs: last.latencyMs,
      error: last.error,
      at: new Date().toISOString(),
    });
    if (last.ok || last.final) break;
  }
  const at = new Date().toISOString();
  if (!last.ok) {
    await parkDeadLetter({
      webhookId: webhook.id,
      eventId: event.id,
      type: event.type,
      payload: JSON.stringify(event),
      attempts: attempt,
      error: last.error ?? 'failed',
      at,
    });
  }
  if (event.type !== WEBHOOK_TEST_EVENT) {
    await serialised(webhook.id, async () => {
      const failures = await recordOutcome(webhook.id, { ok: last.ok, status: last.status, at });
      if (failures >= settings.disableAfter) {
        await disableWebhook(webhook.id, `${failures} events in a row could not be delivered; the last: ${last.error}`, {
          actor: { keyId: SYSTEM_PRINCIPAL.keyId, name: 'webhook-dispatcher' },
          requestId: `webhook-dispatch-${event.id}`,
        });
      }
    });
  }
  return {
    ...base,
    result: last.ok ? 'delivered' : 'parked',
    attempts: attempt,
    status: last.status,
    latencyMs: last.latencyMs,
    error: last.error,
  };
}

/** Sends a `webhook.test` event now, once, whatever the webhook's filter or state. */
export function sendTestEvent(webhook: Pick<Webhook, 'id' | 'url'>): Promise<DeliveryOutcome> {
  const event: WebhookEvent = {
    id: ulid(),
    type: WEBHOOK_TEST_EVENT,
    timestamp: new Date().toISOString(),
    data: { webhookId: webhook.id, message: 'A test event from Steward.' },
  };
  return deliver(event, webhook, { ...deliverySettings(), attempts: 1 });
}

/** Delivers an event to every active webhook whose filter matches, each on its own (one slow receiver stalls none of the others). */
export async function dispatch(event: WebhookEvent): Promise<DeliveryOutcome[]> {
  const targets = (await allWebhooks()).filter((webhook) => webhook.active && matchesEvents(webhook.events, event.type));
  const settled = await Promise.allSettled(targets.map((webhook) => deliver(event, webhook)));
  return settled.flatMap((entry) => (entry.status === 'fulfilled' ? [entry.value] : []));
}

const inFlight = new Set<Promise<unknown>>();

/**
 * The in-process publisher of the local runtime: called by the event log after each commit;
 * dispatches without blocking the request and swallows (logs) its own failures.
 */
export function publishToWebhooks(event: StoredEvent): void {
  if (!isPublished(event.type)) return;
  const work = dispatch(toWebhookEvent(event)).catch((error) => {
    console.warn(JSON.stringify({ message: 'webhook dispatch failed', eventId: event.eventId, error: String(error) }));
  });
  inFlight.add(work);
  void work.finally(() => inFlight.delete(work));
}

/** Waits for the deliveries started so far (tests, and a clean shutdown). */
export async function settleWebhookDeliveries(): Promise<void> {
  while (inFlight.size > 0) await Promise.allSettled([...inFlight]);
}
