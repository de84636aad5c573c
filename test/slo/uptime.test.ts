import { ulid } from 'ulid';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { putResult } from '../../functions/health-checks/health-checks.store.ts';
import { type Runtime, startRuntime } from '../../local/runtime.ts';
import { type ApiClient, api, expectInvalid, expectNoServerErrors, expectProblem, readAll } from '../helpers/http-client.ts';

/**
 * Issue 4, item 2, end to end through the local runtime: SLO targets, and uptime and error-budget
 * arithmetic on fixed data — results written through the store with fixed timestamps, read
 * with the clock (Date only; timers stay real) stopped at NOW, so every value is exact.
 */

let runtime: Runtime;
let client: ApiClient;
const SERVICE = 'slo-api';
const S = 1000;
const DAY = 86_400;
/** A whole hour, so nothing else about the data depends on when the test runs. */
const NOW = Math.floor(Date.now() / 3_600_000) * 3_600_000;

beforeAll(async () => {
  runtime = await startRuntime({ memory: true, port: 0, reconcileEveryMs: 3_600_000, tickSeconds: 3600 });
  client = api(runtime);
  expect((await client.post('/v1/services', { name: SERVICE, kind: 'api' })).status).toBe(201);
});

afterEach(() => {
  vi.useRealTimers();
});

afterAll(async () => {
  expectNoServerErrors(client.log);
  await runtime?.close();
});

async function createCheck(environment: string, intervalSeconds: number): Promise<string> {
  const response = await client.post(`/v1/services/${SERVICE}/health-checks`, {
    environment,
    url: 'http://127.0.0.1:9/never-run',
    intervalSeconds,
    timeoutMs: 1000,
    conditions: ['[STATUS] == 200'],
  });
  expect(response.status, response.text).toBe(201);
  return response.json.id;
}

/**
 * Results of one check from `from` to `to` seconds before NOW (from > to), one every `step`
 * seconds: each covers up to the next, so the segment is exactly [NOW − from, NOW − to).
 */
async function segment(checkId: string, from: number, to: number, ok: boolean, step: number, latencyMs = 20) {
  let lastBucket: string | null = null;
  for (let t = from; t > to; t -= step) {
    const at = new Date(NOW - Math.round(t * S)).toISOString();
    await putResult(
      {
        id: ulid(),
        checkId,
        at,
        ok,
        status: ok ? 200 : 503,
        latencyMs,
        conditions: [],
        reason: ok ? null : 'conditions',
        detail: null,
        certificateExpiresAt: null,
      },
      lastBucket,
    );
    lastBucket = at.slice(0, 10);
  }
}

const put = (as: ApiClient, path: string, body: unknown) => as.request('PUT', path, body);

async function uptime(query: Record<string, string>) {
  vi.useFakeTimers({ toFake: ['Date'] });
  vi.setSystemTime(NOW);
  const response = await client.get(`/v1/services/${SERVICE}/uptime`, { query });
  vi.useRealTimers();
  return response;
}

describe('SLO targets', () => {
  it('sets the service default and an environment’s own, each once as an slo.updated event', async () => {
    const first = await put(client, `/v1/services/${SERVICE}/slo`, { target: 99 });
    expect(first.status, first.text).toBe(200);
    expect(first.json).toMatchObject({ service: SERVICE, target: 99, environments: {} });
    const prod = await put(client, `/v1/services/${SERVICE}/slo`, { target: 99.9, environment: 'prod' });
    expect(prod.json).toMatchObject({ target: 99, environments: { prod: 99.9 } });
    // The same target again changes nothing and records nothing.
    expect((await put(client, `/v1/services/${SERVICE}/slo`, { target: 99.9, environment: 'prod' })).status).toBe(200);

    const events = await readAll(client, `/v1/services/${SERVICE}/history`, { type: 'slo.*' });
    expect(events.map((event) => event.changes.after)).toEqual(
      expect.arrayContaining([
        { environment: null, target: 99 },
        { environment: 'prod', target: 99.9 },
      ]),
    );
    expect(events).toHaveLength(2);
    expect(events.every((event) => event.subject === `slo/${SERVICE}`)).toBe(true);
  });

  it.each([[100], [0], [-5], [100.5], ['99.9']])('refuses target %s with a 400 at /body/target', async (target) => {
    expectInvalid(await put(client, `/v1/services/${SERVICE}/slo`, { target }), '/body/target');
  });

  it('refuses a missing target, a bad environment, an unknown service and a viewer', async () => {
    expectInvalid(await put(client, `/v1/services/${SERVICE}/slo`, { environment: 'prod' }), '/body/target');
    expectInvalid(await put(client, `/v1/services/${SERVICE}/slo`, { target: 99, environment: 'Prod!' }), '/body/environment');
    expectProblem(await put(client, '/v1/services/no-such-api/slo', { target: 99 }), 404);
    const key = await client.post('/v1/api-keys', { name: 'slo-reader', role: 'viewer' });
    expect(key.status, key.text).toBe(201);
    const viewer = client.as(key.json.key);
    expectProblem(await put(viewer, `/v1/services/${SERVICE}/slo`, { target: 99 }), 403);
    expect((await viewer.get(`/v1/services/${SERVICE}/uptime`)).status).toBe(200);
  });
});

describe('uptime on fixed data', () => {
  beforeAll(async () => {
    // prod: up for 3 days, down 47.52 s ending 5 minutes ago and down the last 4.32 s — exactly
    // 14.4× the 99.9% budget over both 1 hour and 5 minutes.
    const prod = await createCheck('prod', 600);
    await segment(prod, 3 * DAY + 600, 347.52, true, 600);
    await segment(prod, 347.52, 300, false, 600);
    await segment(prod, 300, 4.32, true, 600);
    await segment(prod, 4.32, 0, false, 600);
    // staging: a 60-second check whose runner ran from 60 to 30 minutes ago only, latencies 10..300 ms.
    const staging = await createCheck('staging', 60);
    for (let i = 0; i < 30; i++) await segment(staging, 3600 - i * 60, 3600 - (i + 1) * 60, true, 60, (i + 1) * 10);
  }, 120_000);

  it('prod over 1 hour: 51.84 s down, 14.4× burn, the fast page fires', async () => {
    const response = await uptime({ environment: 'prod', window: '1h' });
    expect(response.status, response.text).toBe(200);
    const body = response.json;
    expect(body).toMatchObject({
      service: SERVICE,
      environment: 'prod',
      window: '1h',
      from: new Date(NOW - 3600 * S).toISOString(),
      to: new Date(NOW).toISOString(),
      checks: 1,
      incidents: [],
    });
    expect(body.upSeconds).toBeCloseTo(3548.16, 3);
    expect(body.downSeconds).toBeCloseTo(51.84, 3);
    expect(body.unknownSeconds).toBeCloseTo(0, 3);
    expect(body.uptimePercent).toBeCloseTo(98.56, 3);
    expect(body.coveragePercent).toBeCloseTo(100, 3);
    expect(body.latency).toMatchObject({ meanMs: 20, p95Ms: 20 });
    expect(body.slo).toMatchObject({ target: 99.9, source: 'environment' });
    expect(body.slo.burnRate).toBeCloseTo(14.4, 3);
    expect(body.slo.errorBudget.allowedDownSeconds).toBeCloseTo(3.6, 3);
    expect(body.slo.errorBudget.consumedSeconds).toBeCloseTo(51.84, 3);
    expect(body.slo.errorBudget.remainingSeconds).toBeCloseTo(-48.24, 3);
    expect(body.slo.errorBudget.remainingPercent).toBeCloseTo(-1340, 3);
    const rules = body.slo.alerts.rules as Array<Record<string, any>>;
    expect(body.slo.alerts).toMatchObject({ page: true, ticket: false });
    expect(rules.map((rule) => [rule.severity, rule.longWindow, rule.shortWindow, rule.firing])).toEqual([
      ['page', '1h', '5m', true],
      ['page', '6h', '30m', false],
      ['ticket', '3d', '6h', false],
    ]);
    expect(rules[0]?.longBurnRate).toBeCloseTo(14.4, 3);
    expect(rules[0]?.shortBurnRate).toBeCloseTo(14.4, 3);
    expect(rules[1]?.longBurnRate).toBeCloseTo(51.84 / 21.6, 3);
    expect(rules[1]?.shortBurnRate).toBeCloseTo(51.84 / 1.8, 3);
    expect(rules[2]?.longBurnRate).toBeCloseTo(51.84 / 259.2, 3);
  });

  it('prod over 24 hours and over 7 days (of which only 3 days and 10 minutes were measured)', async () => {
    const day = (await uptime({ environment: 'prod', window: '24h' })).json;
    expect(day.downSeconds).toBeCloseTo(51.84, 3);
    expect(day.uptimePercent).toBeCloseTo(100 - 0.06, 3);
    expect(day.slo.burnRate).toBeCloseTo(0.6, 3);
    expect(day.slo.errorBudget.remainingPercent).toBeCloseTo(40, 3);

    const week = (await uptime({ environment: 'prod', window: '7d' })).json;
    expect(week.upSeconds + week.downSeconds).toBeCloseTo(3 * DAY + 600, 3);
    expect(week.unknownSeconds).toBeCloseTo(7 * DAY - 3 * DAY - 600, 3);
    expect(week.coveragePercent).toBeCloseTo(((3 * DAY + 600) / (7 * DAY)) * 100, 3);
    // Unknown time is not up: uptime is over the measured time only.
    expect(week.uptimePercent).toBeCloseTo((1 - 51.84 / (3 * DAY + 600)) * 100, 3);
    // Figures are shown with at most 4 decimals, never with floating point noise.
    for (const figure of [
      week.coveragePercent,
      week.uptimePercent,
      week.upSeconds,
      week.slo.burnRate,
      week.slo.errorBudget.remainingPercent,
    ]) {
      expect(String(figure)).toMatch(/^-?\d+(\.\d{1,4})?$/);
    }
  });

  it('staging: the half hour the checker did not run is unknown, not up; the service default target applies', async () => {
    const body = (await uptime({ environment: 'staging', window: '1h' })).json;
    expect(body).toMatchObject({
      checks: 1,
      upSeconds: 1800,
      downSeconds: 0,
      unknownSeconds: 1800,
      uptimePercent: 100,
      coveragePercent: 50,
    });
    expect(body.latency).toEqual({ samples: 30, meanMs: 155, p95Ms: 290 });
    expect(body.slo).toMatchObject({ target: 99, source: 'service', burnRate: 0 });
    expect(body.slo.errorBudget.remainingPercent).toBeCloseTo(100, 3);
    // Nothing measured in the last 5 and 30 minutes: those windows have no burn rate and fire nothing.
    expect(body.slo.alerts.page).toBe(false);
    expect(body.slo.alerts.rules[0]).toMatchObject({ longBurnRate: 0, shortBurnRate: null, firing: false });
  });

  it('an environment without checks: all unknown, no uptime, no burn rate', async () => {
    const body = (await uptime({ environment: 'qa', window: '1h' })).json;
    expect(body).toMatchObject({ checks: 0, upSeconds: 0, downSeconds: 0, unknownSeconds: 3600, uptimePercent: null, coveragePercent: 0 });
    expect(body.latency).toEqual({ samples: 0, meanMs: null, p95Ms: null });
    expect(body.slo).toMatchObject({
      target: 99,
      burnRate: null,
      errorBudget: { remainingPercent: null },
      alerts: { page: false, ticket: false },
    });
  });

  it('every environment together, with the default window of 24 hours', async () => {
    const body = (await uptime({})).json;
    expect(body).toMatchObject({ environment: null, window: '24h', checks: 2, slo: { target: 99, source: 'service' } });
    expect(body.upSeconds).toBeCloseTo(DAY - 51.84 + 1800, 3);
    expect(body.unknownSeconds).toBeCloseTo(2 * DAY - DAY - 1800, 3);
  });

  it('a service without a target has no slo part', async () => {
    expect((await client.post('/v1/services', { name: 'no-slo-api', kind: 'api' })).status).toBe(201);
    const response = await client.get('/v1/services/no-slo-api/uptime', { query: { window: '30d' } });
    expect(response.status, response.text).toBe(200);
    expect(response.json).toMatchObject({ window: '30d', checks: 0, slo: null, incidents: [] });
  });

  it('refuses an unknown window and an unknown service', async () => {
    expectInvalid(await client.get(`/v1/services/${SERVICE}/uptime`, { query: { window: '2h' } }), '/query/window');
    expectInvalid(await client.get(`/v1/services/${SERVICE}/uptime`, { query: { since: '1h' } }), '/query/since');
    expectProblem(await client.get('/v1/services/no-such-api/uptime'), 404);
  });
});
