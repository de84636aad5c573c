import { Webhook as Verifier } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Runtime, startRuntime } from '../../local/runtime.ts';
import { settleNotifications } from '../../functions/notifications/local-topic.ts';
import { configureWebhookDelivery, deliver, type WebhookEvent } from '../../functions/webhooks/dispatcher.ts';
import { finished, putEnvironment, serviceWithVersions } from '../helpers/deployments.ts';
import { type ApiClient, api, expectInvalid, expectNoServerErrors, expectProblem } from '../helpers/http-client.ts';
import { type Receiver, startReceiver } from './receiver.ts';

/**
 * Issue 4 item 7 (webhooks), end to end through the local runtime: CRUD with the secret shown
 * once, refused targets, signed delivery of committed events verified with the
 * `standardwebhooks` library, retries and dead-lettering, a hanging receiver that stalls no one
 * else, disabling after a run of failures, idempotent delivery, and roles.
 */

process.env.STEWARD_TIME_SCALE = '0.01';

let runtime: Runtime;
let client: ApiClient;
let receiver: Receiver;
let services = 0;

beforeAll(async () => {
  runtime = await startRuntime({ memory: true, port: 0, reconcileEveryMs: 3_600_000, tickSeconds: 3600 });
  client = api(runtime);
  receiver = await startReceiver();
  configureWebhookDelivery({ attempts: 3, baseDelayMs: 10, maxDelayMs: 40, timeoutMs: 400, disableAfter: 3 });
});

afterAll(async () => {
  expectNoServerErrors(client.log);
  await settleNotifications();
  configureWebhookDelivery(null);
  await receiver?.close();
  await runtime?.close();
});

async function register(path: string, events: string[], extra: Record<string, unknown> = {}) {
  const created = await client.post('/v1/webhooks', { url: receiver.url(path), events, ...extra });
  expect(created.status, created.text).toBe(201);
  return created.json as { id: string; secret: string; [field: string]: unknown };
}

async function openIncident(): Promise<string> {
  const service = `hooked-${++services}`;
  expect((await client.post('/v1/services', { name: service, kind: 'api' })).status).toBe(201);
  const opened = await client.post('/v1/incidents', { service, title: 'Checkout errors' });
  expect(opened.status, opened.text).toBe(201);
  return service;
}

async function until<T>(probe: () => T | undefined | Promise<T | undefined>, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

function verify(secret: string, entry: { body: string; headers: Record<string, unknown> }) {
  const headers = {
    'webhook-id': String(entry.headers['webhook-id']),
    'webhook-timestamp': String(entry.headers['webhook-timestamp']),
    'webhook-signature': String(entry.headers['webhook-signature']),
  };
  return new Verifier(secret).verify(entry.body, headers) as WebhookEvent;
}

describe('webhook CRUD', () => {
  it('returns the whsec_ secret once and never again, with health', async () => {
    const created = await register('/ok/crud', ['alert.*', 'deployment.succeeded'], { description: 'pager' });
    expect(created.secret).toMatch(/^whsec_[A-Za-z0-9+/=]+$/);
    expect(created).toMatchObject({ active: true, description: 'pager', events: ['alert.*', 'deployment.succeeded'] });
    expect(created.health).toEqual({ successRate: null, recentEvents: 0, lastStatus: null, lastDeliveryAt: null, consecutiveFailures: 0 });

    const read = await client.get(`/v1/webhooks/${created.id}`);
    expect(read.status).toBe(200);
    expect(read.json.secret).toBeUndefined();
    expect(read.text).not.toContain(created.secret);
    const listed = await client.get('/v1/webhooks');
    expect(listed.json.items.map((item: { id: string }) => item.id)).toContain(created.id);
    expect(listed.text).not.toContain(created.secret);

    const patched = await client.patch(
      `/v1/webhooks/${created.id}`,
      { events: ['*'], active: false },
      { headers: { 'if-match': read.json.etag } },
    );
    expect(patched.status, patched.text).toBe(200);
    expect(patched.json).toMatchObject({ events: ['*'], active: false });
    expectProblem(await client.patch(`/v1/webhooks/${created.id}`, { active: true }, { headers: { 'if-match': read.json.etag } }), 412);

    expect((await client.delete(`/v1/webhooks/${created.id}`)).status).toBe(204);
    expectProblem(await client.get(`/v1/webhooks/${created.id}`), 404);

    const audit = await client.get('/v1/audit', { query: { limit: 100 } });
    const types = (audit.json.items as Array<{ type: string; subject: string }>)
      .filter((item) => item.subject === `webhook/${created.id}`)
      .map((item) => item.type);
    expect(types).toEqual(expect.arrayContaining(['webhook.created', 'webhook.updated', 'webhook.deleted']));
    expect(audit.text).not.toContain(created.secret);
  });

  it.each([
    ['http://10.0.0.1/hook', '10.0.0.0/8'],
    ['http://169.254.169.254/latest/meta-data', '169.254.0.0/16'],
    ['http://[fe80::1]/hook', 'fe80::/10'],
  ])('refuses %s with the reason', async (url, range) => {
    const refused = await client.post('/v1/webhooks', { url, events: ['*'] });
    const entry = expectInvalid(refused, '/body/url');
    expect(`${refused.json.detail} ${entry.message}`).toContain(range);
  });

  it('refuses unknown event types and bad URLs', async () => {
    expectInvalid(await client.post('/v1/webhooks', { url: receiver.url('/ok'), events: ['alert.*', 'nope.done'] }), '/body/events/1');
    expectInvalid(await client.post('/v1/webhooks', { url: receiver.url('/ok'), events: ['bogus.*'] }), '/body/events/0');
    // Real event types that are never published: refused rather than silently never delivered.
    const unpublished = expectInvalid(
      await client.post('/v1/webhooks', { url: receiver.url('/ok'), events: ['alert.*', 'secret.revealed'] }),
      '/body/events/1',
    );
    expect(unpublished.message).toMatch(/"secret.revealed" is not published/);
    expectInvalid(await client.post('/v1/webhooks', { url: receiver.url('/ok'), events: ['service.*'] }), '/body/events/0');
    expectInvalid(await client.post('/v1/webhooks', { url: 'ftp://example.com/x', events: ['*'] }), '/body/url');
    expectInvalid(await client.post('/v1/webhooks', { url: 'http://user:pw@example.com/x', events: ['*'] }), '/body/url');
  });

  it('is for admins only', async () => {
    const keys: Record<string, string> = {};
    for (const role of ['viewer', 'deployer']) {
      const created = await client.post('/v1/api-keys', { name: `webhooks-${role}`, role });
      expect(created.status, created.text).toBe(201);
      keys[role] = created.json.key;
    }
    for (const role of ['viewer', 'deployer']) {
      const as = client.as(keys[role] as string);
      expectProblem(await as.get('/v1/webhooks'), 403);
      expectProblem(await as.post('/v1/webhooks', { url: receiver.url('/ok'), events: ['*'] }), 403);
    }
    expectProblem(await client.as(null).get('/v1/webhooks'), 401);
  });
});

describe('signed delivery', () => {
  it('sends a test event now, signed, and lists it among the deliveries', async () => {
    const hook = await register('/ok/test', ['alert.*']);
    const sent = await client.post(`/v1/webhooks/${hook.id}/test`);
    expect(sent.status, sent.text).toBe(200);
    expect(sent.json).toMatchObject({ result: 'delivered', attempts: 1, status: 204, error: null });
    const [entry] = receiver.on('/ok/test');
    expect(entry).toBeDefined();
    const payload = verify(hook.secret, entry as never);
    expect(payload).toMatchObject({ id: sent.json.eventId, type: 'webhook.test' });
    expect(entry?.headers['webhook-id']).toBe(sent.json.eventId);
    expect(() => verify(`whsec_${Buffer.from('not the secret at all!!').toString('base64')}`, entry as never)).toThrow();

    const deliveries = await client.get(`/v1/webhooks/${hook.id}/deliveries`);
    expect(deliveries.json.items[0]).toMatchObject({ eventId: sent.json.eventId, type: 'webhook.test', attempt: 1, status: 204, ok: true });
    // A test that was delivered shows in the webhook's health.
    const health = (await client.get(`/v1/webhooks/${hook.id}`)).json.health;
    expect(health).toMatchObject({ successRate: 1, recentEvents: 1, lastStatus: 204, consecutiveFailures: 0 });
  });

  it('delivers a committed incident event to matching webhooks only, signed', async () => {
    const matching = await register('/ok/incidents', ['incident.*']);
    await register('/ok/deploys-only', ['deployment.*']);
    const service = await openIncident();
    const entry = await until(() => receiver.on('/ok/incidents').find((item) => JSON.parse(item.body).data.service === service));
    const payload = verify(matching.secret, entry);
    expect(payload.type).toBe('incident.opened');
    expect(entry.headers['webhook-id']).toBe(payload.id);
    await settleNotifications();
    expect(receiver.on('/ok/deploys-only').some((item) => JSON.parse(item.body).data.service === service)).toBe(false);
    const health = (await client.get(`/v1/webhooks/${matching.id}`)).json.health;
    expect(health).toMatchObject({ lastStatus: 204, consecutiveFailures: 0 });
    expect(health.successRate).toBe(1);
  });

  it('delivers deployment events, signed', async () => {
    const hook = await register('/ok/deployments', ['deployment.*']);
    const service = `deployed-${++services}`;
    await serviceWithVersions(client, service, ['1.0.0']);
    await putEnvironment(client, service, 'prod', { traffic: { driver: 'none' } });
    const promoted = await client.post(`/v1/services/${service}/environments/prod/promote`, { version: '1.0.0' });
    expect(promoted.status, promoted.text).toBe(202);
    expect((await finished(client, service, promoted.json.id)).status).toBe('succeeded');
    const types = await until(() => {
      const seen = receiver
        .on('/ok/deployments')
        .map((item) => verify(hook.secret, item))
        .filter((event) => event.data.service === service)
        .map((event) => event.type);
      return seen.includes('deployment.succeeded') ? seen : undefined;
    });
    expect(types).toContain('deployment.started');
  });
});

describe('faults', () => {
  it('retries a receiver answering 500, then parks the event; a hanging receiver stalls no one', async () => {
    const failing = await register('/fail/retry', ['incident.*']);
    const hanging = await register('/hang/one', ['incident.*']);
    const healthy = await register('/ok/beside-hang', ['incident.*']);
    const started = Date.now();
    const service = await openIncident();
    const fast = await until(() => receiver.on('/ok/beside-hang').find((item) => JSON.parse(item.body).data.service === service));
    expect(fast.at - started).toBeLessThan(400); // under one hanging attempt's timeout
    verify(healthy.secret, fast);

    await settleNotifications();
    const attempts = receiver.on('/fail/retry').filter((item) => JSON.parse(item.body).data.service === service);
    expect(attempts).toHaveLength(3);
    expect(new Set(attempts.map((item) => item.headers['webhook-id'])).size).toBe(1);
    for (const attempt of attempts) verify(failing.secret, attempt);
    const deliveries = (await client.get(`/v1/webhooks/${failing.id}/deliveries`)).json.items;
    expect(deliveries.slice(0, 3).map((item: { attempt: number }) => item.attempt)).toEqual([3, 2, 1]);
    expect(deliveries[0]).toMatchObject({ status: 500, ok: false, error: 'the receiver answered 500' });

    const hangDeliveries = (await client.get(`/v1/webhooks/${hanging.id}/deliveries`)).json.items;
    expect(hangDeliveries[0]).toMatchObject({ status: null, ok: false });
    expect(hangDeliveries[0].error).toMatch(/time/i);

    const eventId = attempts[0]?.headers['webhook-id'];
    const parkedOf = async (id: string) =>
      (await client.get(`/v1/webhooks/${id}/dead-letters`)).json.items as Array<{ eventId: string; attempts: number; error: string }>;
    expect((await parkedOf(failing.id)).find((letter) => letter.eventId === eventId)).toMatchObject({
      attempts: 3,
      error: 'the receiver answered 500',
    });
    expect((await parkedOf(hanging.id)).some((letter) => letter.eventId === eventId)).toBe(true);
    expect(await parkedOf(healthy.id)).toEqual([]);
    const health = (await client.get(`/v1/webhooks/${failing.id}`)).json.health;
    expect(health).toMatchObject({ lastStatus: 500, consecutiveFailures: 1, successRate: 0 });
  });

  it('replays a parked event with the same webhook-id once the receiver is mended', async () => {
    const hook = await register('/fail/replay', ['incident.*']);
    const service = await openIncident();
    await settleNotifications();
    const parked = (await client.get(`/v1/webhooks/${hook.id}/dead-letters`)).json.items as Array<{
      eventId: string;
      event: { data: { service: string } };
    }>;
    expect(parked).toHaveLength(1);
    expect(parked[0]?.event.data.service).toBe(service);
    const eventId = parked[0]?.eventId as string;

    // Still failing: the replay is tried (with retries) and the event stays parked.
    const again = await client.post(`/v1/webhooks/${hook.id}/dead-letters/${eventId}/replay`);
    expect(again.json).toMatchObject({ eventId, result: 'parked', attempts: 3, status: 500 });
    expect((await client.get(`/v1/webhooks/${hook.id}/dead-letters`)).json.items).toHaveLength(1);

    // Mended: delivered, signed with the same id, and gone from the list.
    expect((await client.patch(`/v1/webhooks/${hook.id}`, { url: receiver.url('/ok/replayed') })).status).toBe(200);
    const replayed = await client.post(`/v1/webhooks/${hook.id}/dead-letters/${eventId}/replay`);
    expect(replayed.json).toMatchObject({ eventId, result: 'delivered', attempts: 1, status: 204 });
    const received = receiver.on('/ok/replayed');
    expect(received).toHaveLength(1);
    expect(received[0]?.headers['webhook-id']).toBe(eventId);
    verify(hook.secret, received[0] as (typeof received)[number]);
    expect((await client.get(`/v1/webhooks/${hook.id}/dead-letters`)).json.items).toEqual([]);

    // Nothing parked any more: 404, never a second delivery.
    expectProblem(await client.post(`/v1/webhooks/${hook.id}/dead-letters/${eventId}/replay`), 404);
    expect(receiver.on('/ok/replayed')).toHaveLength(1);
  });

  it('disables a webhook after consecutive failed events, and says so in an event', async () => {
    const hook = await register('/fail/disable', ['incident.*']);
    for (let run = 0; run < 3; run++) {
      await openIncident();
      await settleNotifications();
    }
    const read = (await client.get(`/v1/webhooks/${hook.id}`)).json;
    expect(read.active).toBe(false);
    expect(read.disabledReason).toMatch(/3 events in a row/);
    expect(read.health.consecutiveFailures).toBe(3);
    const audit = await client.get('/v1/audit', { query: { limit: 100 } });
    expect(
      (audit.json.items as Array<{ type: string; subject: string }>).some(
        (item) => item.type === 'webhook.disabled' && item.subject === `webhook/${hook.id}`,
      ),
    ).toBe(true);

    // Disabled: the next event is not sent.
    const before = receiver.on('/fail/disable').length;
    await openIncident();
    await settleNotifications();
    expect(receiver.on('/fail/disable')).toHaveLength(before);

    // Switched back on, it starts a clean run.
    const on = await client.patch(`/v1/webhooks/${hook.id}`, { active: true });
    expect(on.json).toMatchObject({ active: true, disabledReason: null });
    expect(on.json.health.consecutiveFailures).toBe(0);
  });

  it('does not send a duplicate notification twice', async () => {
    const hook = await register('/ok/dedupe', ['alert.*']);
    const event: WebhookEvent = { id: '01JDQ6Z5K2N3P4Q5R6S7T8V9W0', type: 'alert.firing', timestamp: new Date().toISOString(), data: {} };
    const [first, second] = await Promise.all([
      deliver(event, { id: hook.id, url: receiver.url('/ok/dedupe') }),
      deliver(event, { id: hook.id, url: receiver.url('/ok/dedupe') }),
    ]);
    expect([first?.result, second?.result].sort()).toEqual(['delivered', 'duplicate']);
    const third = await deliver(event, { id: hook.id, url: receiver.url('/ok/dedupe') });
    expect(third.result).toBe('duplicate');
    expect(receiver.on('/ok/dedupe')).toHaveLength(1);
  });
});
