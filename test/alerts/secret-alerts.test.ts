import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { handler as secretExpiry } from '../../functions/handlers/secret-expiry.ts';
import type { Runtime } from '../../local/runtime.ts';
import { type ApiClient, api, expectNoServerErrors, readAll } from '../helpers/http-client.ts';
import { startTestRuntime } from '../helpers/runtime.ts';

/**
 * Secret expiry and rotation notices become alerts a user sees in GET /v1/alerts: one open alert
 * per secret, labelled with it; `warning` when expiring, `critical` once expired (which opens an
 * incident, as critical alerts do), `info` when rotation is due; resolved by a new value or by
 * deleting the secret. The scheduled check runs at the time each test gives it.
 */

let runtime: Runtime;
let client: ApiClient;
const DAY = 86_400_000;
let t0: number;

const at = (days: number) => new Date(t0 + days * DAY).toISOString();
const run = (days: number) => secretExpiry({ time: at(days) });

beforeAll(async () => {
  runtime = await startTestRuntime();
  client = api(runtime);
  t0 = Date.now();
  for (const name of ['certs-api', 'expired-api', 'rotate-api', 'quiet-api', 'lapse-api']) {
    expect((await client.post('/v1/services', { name, kind: 'api' })).status).toBe(201);
  }
});

afterAll(async () => {
  expectNoServerErrors(client.log);
  await runtime?.close();
});

async function put(service: string, name: string, body: Record<string, unknown>, environment = 'prod') {
  const response = await client.request('PUT', `/v1/services/${service}/secrets/${environment}/${name}`, {
    value: `value-${Math.random()}`,
    ...body,
  });
  expect([200, 201], response.text).toContain(response.status);
}

async function alertsOf(service: string, query: Record<string, string> = {}) {
  return readAll(client, '/v1/alerts', { service, ...query });
}

describe('secret notices as alerts', () => {
  it('an expiring secret raises one warning alert, labelled with the secret, however often the check runs', async () => {
    await put('certs-api', 'TLS_CERT', { type: 'certificate', expiresAt: at(10) });
    await put('certs-api', 'TLS_CERT', { type: 'certificate', expiresAt: at(10) }, 'staging');
    await put('certs-api', 'LATER_CERT', { type: 'certificate', expiresAt: at(30) });

    await run(0);
    await run(0.5);
    await run(1);

    const alerts = await alertsOf('certs-api');
    expect(alerts).toHaveLength(2);
    const prod = alerts.find((alert) => alert.labels.environment === 'prod');
    expect(prod).toMatchObject({
      source: { kind: 'secret', environment: 'prod', name: 'TLS_CERT' },
      name: 'Secret TLS_CERT expiring',
      service: 'certs-api',
      labels: { service: 'certs-api', environment: 'prod', secret: 'TLS_CERT' },
      severity: 'warning',
      status: 'firing',
      value: null,
      firedAt: at(0),
      resolvedAt: null,
    });
    expect(prod.summary).toBe(`Secret TLS_CERT of certs-api in prod expires at ${at(10)} (10 days left)`);
    expect(alerts.find((alert) => alert.labels.environment === 'staging')).toMatchObject({ severity: 'warning', status: 'firing' });
    // Warnings open no incident.
    expect((await client.get('/v1/incidents', { query: { service: 'certs-api' } })).json.items).toEqual([]);
  });

  it('can be acknowledged, and resolves when the secret gets a new value with a new expiry', async () => {
    const [open] = await alertsOf('certs-api', { status: 'firing' });
    const acked = await client.post(`/v1/alerts/${open.id}/acknowledge`);
    expect(acked.status, acked.text).toBe(200);
    expect(acked.json).toMatchObject({ status: 'acknowledged' });

    const env = open.labels.environment;
    await put('certs-api', 'TLS_CERT', { expiresAt: at(90) }, env);
    const resolved = (await client.get(`/v1/alerts/${open.id}`)).json;
    expect(resolved).toMatchObject({ status: 'resolved', severity: 'warning', acknowledgedAt: acked.json.acknowledgedAt });
    expect(Date.parse(resolved.resolvedAt)).toBeGreaterThan(Date.parse(open.firedAt));

    // The new value is not expiring: the next runs raise nothing for it.
    await run(2);
    const again = await alertsOf('certs-api', { status: 'firing' });
    expect(again.map((alert) => alert.labels.environment)).toEqual([env === 'prod' ? 'staging' : 'prod']);
  });

  it('an expired secret raises a critical alert, which opens an incident; deleting the secret resolves it', async () => {
    await put('expired-api', 'OLD_TOKEN', { expiresAt: at(-1) });
    await run(0);

    const [alert, ...more] = await alertsOf('expired-api');
    expect(more).toEqual([]);
    expect(alert).toMatchObject({
      name: 'Secret OLD_TOKEN expired',
      severity: 'critical',
      status: 'firing',
      summary: `Secret OLD_TOKEN of expired-api in prod expired at ${at(-1)}`,
    });
    const incidents = (await client.get('/v1/incidents', { query: { service: 'expired-api' } })).json.items;
    expect(incidents).toHaveLength(1);
    expect(incidents[0]).toMatchObject({ status: 'open', severity: 'critical', title: 'Secret OLD_TOKEN expired', alertCount: 1 });

    expect((await client.delete('/v1/services/expired-api/secrets/prod/OLD_TOKEN')).status).toBe(202);
    expect((await client.get(`/v1/alerts/${alert.id}`)).json).toMatchObject({ status: 'resolved' });
  });

  it('an expiring secret that then expires raises its alert to critical, once, which opens an incident', async () => {
    await put('lapse-api', 'API_TOKEN', { expiresAt: at(3) });
    await run(0);
    const [warning] = await alertsOf('lapse-api');
    expect(warning).toMatchObject({ severity: 'warning', status: 'firing' });
    expect((await client.get('/v1/incidents', { query: { service: 'lapse-api' } })).json.items).toEqual([]);

    await run(2); // still before expiry: nothing new
    await run(3.5); // expired since the notice
    await run(4); // and stays quiet after
    const [critical, ...more] = await alertsOf('lapse-api');
    expect(more).toEqual([]);
    expect(critical).toMatchObject({ id: warning.id, name: 'Secret API_TOKEN expired', severity: 'critical', status: 'firing' });
    const incidents = (await client.get('/v1/incidents', { query: { service: 'lapse-api' } })).json.items;
    expect(incidents).toEqual([expect.objectContaining({ status: 'open', severity: 'critical', title: 'Secret API_TOKEN expired' })]);

    const notices = await readAll(client, '/v1/services/lapse-api/history', { type: 'secret.expiring' });
    expect(notices.map((event) => event.changes.after.expired)).toEqual(expect.arrayContaining([false, true]));
    expect(notices).toHaveLength(2);
  });

  it('rotation due raises an info alert; expiring later raises the same alert to warning, never a second one', async () => {
    await put('rotate-api', 'DB_PASSWORD', { rotationDays: 1, expiresAt: at(20) });
    await run(2);
    const [rotation, ...none] = await alertsOf('rotate-api');
    expect(none).toEqual([]);
    expect(rotation).toMatchObject({
      name: 'Secret DB_PASSWORD due for rotation',
      severity: 'info',
      status: 'firing',
      labels: { service: 'rotate-api', environment: 'prod', secret: 'DB_PASSWORD' },
    });
    expect(rotation.summary).toMatch(/^Secret DB_PASSWORD of rotate-api in prod is due for rotation since .* \(every 1 day\)$/);

    await run(7); // now within 14 days of expiry
    const [escalated, ...still] = await alertsOf('rotate-api');
    expect(still).toEqual([]);
    expect(escalated).toMatchObject({ id: rotation.id, name: 'Secret DB_PASSWORD expiring', severity: 'warning', status: 'firing' });
    expect(escalated.summary).toContain('(13 days left)');

    // Both notices are in the history.
    const history = await readAll(client, '/v1/services/rotate-api/history', { type: 'secret.*' });
    expect(history.map((event) => event.type)).toEqual(expect.arrayContaining(['secret.rotation_due', 'secret.expiring']));

    await put('rotate-api', 'DB_PASSWORD', { rotationDays: 30, expiresAt: at(120) });
    expect((await client.get(`/v1/alerts/${rotation.id}`)).json.status).toBe('resolved');
  });

  it('a secret with nothing to say raises no alert', async () => {
    await put('quiet-api', 'API_KEY', { rotationDays: 90, expiresAt: at(60) });
    await run(3);
    expect(await alertsOf('quiet-api')).toEqual([]);
  });
});
