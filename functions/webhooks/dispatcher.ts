import { Webhook as Signer } from 'standardwebhooks';
import { ulid } from 'ulid';
import { disableWebhook, webhookSecret } from './webhooks.commands.ts';
import { timeScale } from '#kernel/clock';
import type { NotificationBody } from '#notifications/notifications.domain';
import { SYSTEM_PRINCIPAL } from '#kernel/roles';
import { matchesEvents, matchesServices, WEBHOOK_TEST_EVENT, type Webhook } from './webhooks.domain.ts';
import { OutboundRefusedError, safeFetch } from '#kernel/outbound/safe-fetch';
import {
  allWebhooks,
  claimDelivery,
  type DeadLetter,
  getDeadLetter,
  parkDeadLetter,
  reclaimParked,
  recordAttempt,
  recordOutcome,
  removeDeadLetter,
  settleClaim,
} from './webhooks.store.ts';
import { recordDeliveryFailed } from '#kernel/operational-metrics';
import { deadLetterQueue } from './dead-letter-queue.ts';
import { backoffMs, pause, type RetryPolicy, worstCaseWaitMs } from '#kernel/retry';

/**
 * Delivers events to webhooks, signed per the Standard Webhooks specification: `webhook-id` is
 * the event id (receivers dedupe on it), `webhook-timestamp` the signing time, `webhook-signature`
 * `v1,<base64 HMAC-SHA256>` over `id.timestamp.body`. Each (webhook, event) is claimed once, so a
 * duplicate notification sends nothing; a claim whose holder died is taken over after its lease.
 * Failed attempts are retried with exponential backoff and full jitter, except a 4xx answer other
 * than 408 and 429, which no retry can mend and which is parked at once; an event that still fails
 * is parked (listed and replayable per webhook, and sent to the dead-letter queue on AWS, whose
 * depth alarm tells operators), and a run of failed events disables the webhook with a
 * `webhook.disabled` event. The same code runs in the dispatcher Lambda subscribed to the SNS
 * topic and behind the local runtime's in-process topic.
 */

/** What a webhook receives: a notification body (`NotificationBody`), or the test event. */
export interface WebhookEvent {
  /** The event id: the same on every attempt and every webhook. */
  id: string;
  type: string;
  timestamp: string;
  data: NotificationBody['data'] | Record<string, unknown>;
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

export interface AttemptResult {
  ok: boolean;
  status: number | null;
  latencyMs: number;
  error: string | null;
  /** Retrying cannot help: the target is refused, or the receiver answered a 4xx other than 408 and 429. */
  final: boolean;
}

/**
 * A 4xx answer says the request itself is wrong (gone, unauthorised, refused); sending it again
 * cannot succeed, so it is parked at once. 408 (timeout) and 429 (slow down) are the exceptions:
 * they ask for a later try.
 */
export function refusesForGood(status: number): boolean {
  return status >= 400 && status < 500 && status !== 408 && status !== 429;
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
    const final = !ok && refusesForGood(response.status);
    return {
      ok,
      status: response.status,
      latencyMs: Math.round(response.latencyMs),
      error: ok ? null : `the receiver answered ${response.status}${final ? '; a 4xx other than 408 and 429 is not retried' : ''}`,
      final,
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

/** Delivery retries follow the one retry policy, with the delivery settings' numbers. */
function retryPolicy(settings: DeliverySettings): RetryPolicy {
  return { attempts: settings.attempts, baseMs: settings.baseDelayMs, maxMs: settings.maxDelayMs };
}

/**
 * Long enough for every attempt and backoff of one delivery (about a minute by default); a claim
 * older than this was abandoned by a dispatcher that died, and Lambda's retries of the
 * notification (one and three minutes later) may take it over.
 */
export function leaseMs(settings: DeliverySettings): number {
  return settings.attempts * settings.timeoutMs + worstCaseWaitMs(retryPolicy(settings)) + 5_000;
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
  if (!(await claimDelivery(webhook.id, event.id, event.type, leaseMs(settings)))) {
    return { webhookId: webhook.id, eventId: event.id, result: 'duplicate', attempts: 0, status: null, latencyMs: 0, error: null };
  }
  return attemptClaimed(event, webhook, settings);
}

/** The attempts of a claimed (webhook, event), then its outcome recorded. */
async function attemptClaimed(
  event: WebhookEvent,
  webhook: Pick<Webhook, 'id' | 'url'>,
  settings: DeliverySettings,
): Promise<DeliveryOutcome> {
  const secret = await webhookSecret(webhook.id);
  let last: AttemptResult = { ok: false, status: null, latencyMs: 0, error: 'not attempted', final: false };
  let attempt = 0;
  while (attempt < settings.attempts) {
    if (attempt > 0) await pause(backoffMs(retryPolicy(settings), attempt));
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
  if (last.ok) {
    await removeDeadLetter(webhook.id, event.id); // a replay that succeeded
  } else if (event.type !== WEBHOOK_TEST_EVENT) {
    const letter: DeadLetter = {
      webhookId: webhook.id,
      eventId: event.id,
      type: event.type,
      payload: JSON.stringify(event),
      attempts: attempt,
      error: last.error ?? 'failed',
      at,
    };
    await parkDeadLetter(letter);
    await deadLetterQueue().send(letter);
    recordDeliveryFailed();
  }
  await settleClaim(webhook.id, event.id, last.ok ? 'delivered' : 'parked');
  // A test's outcome counts in the webhook's health like any delivery (a receiver that answered
  // a test shows a success rate); only events' failures can disable the webhook.
  const failures = await recordOutcome(webhook.id, { ok: last.ok, status: last.status, at });
  if (event.type !== WEBHOOK_TEST_EVENT) {
    if (failures >= settings.disableAfter) {
      await disableWebhook(webhook.id, `${failures} events in a row could not be delivered; the last: ${last.error}`, {
        actor: { keyId: SYSTEM_PRINCIPAL.keyId, name: 'webhook-dispatcher' },
        requestId: `webhook-dispatch-${event.id}`,
      });
    }
  }
  return {
    webhookId: webhook.id,
    eventId: event.id,
    result: last.ok ? 'delivered' : 'parked',
    attempts: attempt,
    status: last.status,
    latencyMs: last.latencyMs,
    error: last.error,
  };
}

/**
 * Delivers a parked event again, with the usual retries; on success it leaves the dead-letter
 * list. `missing` when there is no such dead letter, `busy` when a replay of it is running.
 */
export async function replayDeadLetter(
  webhook: Pick<Webhook, 'id' | 'url'>,
  eventId: string,
  settings: DeliverySettings = deliverySettings(),
): Promise<DeliveryOutcome | 'missing' | 'busy'> {
  const letter = await getDeadLetter(webhook.id, eventId);
  if (!letter) return 'missing';
  if (!(await reclaimParked(webhook.id, eventId, leaseMs(settings)))) return 'busy';
  return attemptClaimed(JSON.parse(letter.payload) as WebhookEvent, webhook, settings);
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

/**
 * Delivers an event to every active webhook whose filter matches, each on its own (one slow
 * receiver stalls none of the others). Throws after all have settled if any could not even be
 * attempted (the table failed): the notification is then retried, and the webhooks already
 * served skip it as duplicates.
 */
export async function dispatch(event: WebhookEvent): Promise<DeliveryOutcome[]> {
  const service = (event.data as { service?: string | null }).service;
  const targets = (await allWebhooks()).filter(
    (webhook) => webhook.active && matchesEvents(webhook.events, event.type) && matchesServices(webhook.services ?? null, service),
  );
  const settled = await Promise.allSettled(targets.map((webhook) => deliver(event, webhook)));
  const failed = settled.find((entry) => entry.status === 'rejected');
  if (failed) throw failed.reason;
  return settled.flatMap((entry) => (entry.status === 'fulfilled' ? [entry.value] : []));
}
