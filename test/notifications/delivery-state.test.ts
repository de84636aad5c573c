import { describe, expect, it } from 'vitest';
import { isPublished, shouldPublish } from '../../functions/kernel/events.ts';
import {
  notificationOf,
  notificationSeverity,
  type PublishableEvent,
  publishedPatternProblem,
} from '../../functions/notifications/notifications.domain.ts';
import { leaseMs } from '../../functions/webhooks/dispatcher.ts';
import { claimDelivery, getWebhookHealth, recordOutcome, settleClaim } from '../../functions/webhooks/webhooks.store.ts';
import { useLocalStore } from '../helpers/local-store.ts';

/**
 * What a notification says and how loudly, and the delivery state that dispatchers in several
 * Lambdas share: claims with a lease, and a health summary no concurrent update is lost from.
 */

useLocalStore();

const event = (type: string, after: Record<string, unknown> = {}): PublishableEvent => ({
  eventId: '01JDQ6Z5K2N3P4Q5R6S7T8V9W0',
  type,
  at: '2026-11-23T12:00:00.000Z',
  service: 'payments',
  subject: 'alert/payments/01JDQ6Z5K2N3P4Q5R6S7T8V9W1',
  actor: { keyId: 'system', name: 'alert-evaluator' },
  requestId: 'tick-1',
  changes: { before: null, after },
});

describe('what is published, and how loudly', () => {
  it('publishes alert, incident, deployment and health check state events; the rest stay in the audit trail', () => {
    for (const type of ['alert.firing', 'incident.opened', 'deployment.rolled_back', 'healthcheck.state_changed', 'webhook.disabled']) {
      expect(isPublished(type), type).toBe(true);
    }
    for (const type of ['service.created', 'secret.revealed', 'healthcheck.created', 'config.updated', 'apikey.created']) {
      expect(isPublished(type), type).toBe(false);
    }
    expect(isPublished('secret.expiring')).toBe(true); // it carries the secret's alert
  });

  it("keeps an alert's resolution quiet when its rule said sendResolved: false", () => {
    expect(shouldPublish(event('alert.resolved', { severity: 'critical', sendResolved: false }))).toBe(false);
    expect(shouldPublish(event('alert.resolved', { severity: 'critical', sendResolved: true }))).toBe(true);
    expect(shouldPublish(event('alert.firing', { severity: 'critical', sendResolved: false }))).toBe(true);
    expect(shouldPublish(event('service.created'))).toBe(false);
  });

  it('refuses a subscriber pattern that can never match a published event, naming what is published', () => {
    expect(publishedPatternProblem('alert.*')).toBeUndefined();
    expect(publishedPatternProblem('*')).toBeUndefined();
    expect(publishedPatternProblem('secret.expiring')).toBeUndefined();
    expect(publishedPatternProblem('secret.*')).toBeUndefined();
    expect(publishedPatternProblem('secret.revealed')).toMatch(
      /^"secret.revealed" is not published; published are alert\.\*, incident\.\*, deployment\.\*/,
    );
    expect(publishedPatternProblem('service.*')).toMatch(/no published event types start with "service\."/);
    expect(publishedPatternProblem('nonsense.*')).toMatch(/no event types start with/);
  });

  it.each([
    ['alert.firing', { severity: 'critical' }, 'critical'],
    ['alert.firing', { severity: 'warning' }, 'warning'],
    ['alert.resolved', { severity: 'critical' }, 'critical'],
    ['alert.pending', { severity: 'critical' }, 'info'],
    ['alert.cleared', { severity: 'critical' }, 'info'],
    ['incident.opened', { severity: 'warning' }, 'warning'],
    ['healthcheck.state_changed', { state: 'unhealthy' }, 'critical'],
    ['healthcheck.state_changed', { state: 'healthy' }, 'info'],
    ['deployment.rolled_back', {}, 'critical'],
    ['deployment.succeeded', {}, 'info'],
    ['alert.firing', { severity: 'loud' }, 'warning'],
    ['secret.expiring', { expired: false, daysLeft: 3 }, 'warning'],
    ['secret.expiring', { expired: true, daysLeft: 0 }, 'critical'],
    ['secret.rotation_due', {}, 'info'],
  ])('%s with %j is %s', (type, after, severity) => {
    expect(notificationSeverity(event(type, after))).toBe(severity);
  });

  it('writes an email subject SNS accepts: ASCII, one line, under 100 characters', () => {
    const long = notificationOf(event('alert.firing', { severity: 'critical', summary: `p99 latency ✗ ${'x'.repeat(200)}\nsecond line` }));
    expect(long.subject.length).toBeLessThan(100);
    expect(long.subject).toMatch(/^Steward critical: alert\.firing \(payments\): p99 latency \? x+\.\.\.$/);
    expect(long.subject).not.toMatch(/[^\x20-\x7e]/);
    const serviceless = notificationOf({ ...event('webhook.disabled'), service: undefined });
    expect(serviceless.subject).toBe('Steward warning: webhook.disabled');
    expect(serviceless.attributes).toEqual({ eventType: 'webhook.disabled', severity: 'warning' });
  });

  it('leaves the details out of a notification too large for the topic, and says so', () => {
    const huge = notificationOf(event('deployment.failed', { reason: 'x'.repeat(200_000) }));
    expect(huge.body.data).toMatchObject({ changes: null, truncated: true });
    expect(Buffer.byteLength(JSON.stringify(huge.body))).toBeLessThan(10_000);
    expect(huge.text).toContain('too large for a notification');
  });
});

describe('delivery state shared by dispatchers', () => {
  it('lets a retried notification take over a claim whose holder died, once its lease ran out', async () => {
    // A lease long enough that a loaded machine cannot outlast it between two calls.
    const LEASE_MS = 1_000;
    expect(await claimDelivery('W1', 'E1', 'alert.firing', LEASE_MS)).toBe(true);
    expect(await claimDelivery('W1', 'E1', 'alert.firing', LEASE_MS)).toBe(false); // in flight elsewhere
    await new Promise((resolve) => setTimeout(resolve, LEASE_MS + 100));
    expect(await claimDelivery('W1', 'E1', 'alert.firing', LEASE_MS)).toBe(true); // abandoned: taken over
    await settleClaim('W1', 'E1', 'delivered');
    await new Promise((resolve) => setTimeout(resolve, LEASE_MS + 100));
    expect(await claimDelivery('W1', 'E1', 'alert.firing', LEASE_MS)).toBe(false); // settled: never again
  });

  it('holds a claim for every attempt and backoff of one delivery', () => {
    // 4 attempts of 10 s with waits of at most 2, 4 and 8 s, and 5 s to spare.
    expect(leaseMs({ attempts: 4, baseDelayMs: 2_000, maxDelayMs: 60_000, timeoutMs: 10_000, disableAfter: 5 })).toBe(59_000);
    expect(leaseMs({ attempts: 4, baseDelayMs: 2_000, maxDelayMs: 3_000, timeoutMs: 10_000, disableAfter: 5 })).toBe(53_000);
  });

  it('loses no outcome when dispatchers record a webhook health at the same time', async () => {
    const at = new Date().toISOString();
    const failures = await Promise.all(Array.from({ length: 12 }, () => recordOutcome('W2', { ok: false, status: 500, at })));
    expect([...failures].sort((a, b) => a - b)).toEqual(Array.from({ length: 12 }, (_, index) => index + 1));
    expect(await getWebhookHealth('W2')).toMatchObject({ consecutiveFailures: 12, recentEvents: 12, successRate: 0, lastStatus: 500 });
    await recordOutcome('W2', { ok: true, status: 204, at });
    expect(await getWebhookHealth('W2')).toMatchObject({ consecutiveFailures: 0, recentEvents: 13, lastStatus: 204 });
  });
});
