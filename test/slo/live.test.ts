import { afterAll, beforeAll, expect, it } from 'vitest';
import { type Runtime, startRuntime } from '../../local/runtime.ts';
import { startTargets, type Targets } from '../health-checks/targets.ts';
import { type ApiClient, api, expectNoServerErrors } from '../helpers/http-client.ts';

/**
 * Uptime from checks the runtime runs on its own 1-second tick against real local HTTP targets:
 * one always up, one always down, with a 99.9% target.
 */

let runtime: Runtime;
let client: ApiClient;
let targets: Targets;
const SERVICE = 'live-api';

beforeAll(async () => {
  runtime = await startRuntime({ memory: true, port: 0, reconcileEveryMs: 3_600_000, tickSeconds: 1 });
  client = api(runtime);
  targets = await startTargets();
  expect((await client.post('/v1/services', { name: SERVICE, kind: 'api' })).status).toBe(201);
  expect((await client.request('PUT', `/v1/services/${SERVICE}/slo`, { target: 99.9 })).status).toBe(200);
});

afterAll(async () => {
  expectNoServerErrors(client.log);
  await targets?.close();
  await runtime?.close();
});

async function check(environment: string, path: string): Promise<string> {
  const response = await client.post(`/v1/services/${SERVICE}/health-checks`, {
    environment,
    url: `${targets.url}${path}`,
    intervalSeconds: 1,
    timeoutMs: 500,
    conditions: ['[STATUS] == 200'],
  });
  expect(response.status, response.text).toBe(201);
  return response.json.id;
}

async function waitForResults(id: string, count: number) {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const results = (await client.get(`/v1/services/${SERVICE}/health-checks/${id}/results`)).json.items;
    if (results.length >= count || Date.now() > deadline) return results.length;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

it('reports an up target as 100% with latency, and a down one as 0% burning the budget 1000× (every rule fires)', async () => {
  const up = await check('prod', '/up');
  const down = await check('broken', '/down');
  expect(await waitForResults(up, 3)).toBeGreaterThanOrEqual(3);
  expect(await waitForResults(down, 3)).toBeGreaterThanOrEqual(3);

  const prod = await client.get(`/v1/services/${SERVICE}/uptime`, { query: { environment: 'prod', window: '1h' } });
  expect(prod.status, prod.text).toBe(200);
  expect(prod.json).toMatchObject({ checks: 1, downSeconds: 0, uptimePercent: 100 });
  expect(prod.json.upSeconds).toBeGreaterThan(1);
  // The runtime has run for seconds of the hour: the rest is unknown, not up.
  expect(prod.json.coveragePercent).toBeGreaterThan(0);
  expect(prod.json.coveragePercent).toBeLessThan(10);
  expect(prod.json.latency.samples).toBeGreaterThanOrEqual(3);
  expect(prod.json.latency.meanMs).toBeGreaterThanOrEqual(0);
  expect(prod.json.latency.p95Ms).toBeGreaterThanOrEqual(0);
  expect(prod.json.slo).toMatchObject({ target: 99.9, source: 'service', burnRate: 0, alerts: { page: false, ticket: false } });

  const broken = await client.get(`/v1/services/${SERVICE}/uptime`, { query: { environment: 'broken', window: '24h' } });
  expect(broken.json).toMatchObject({ checks: 1, upSeconds: 0, uptimePercent: 0 });
  expect(broken.json.downSeconds).toBeGreaterThan(1);
  expect(broken.json.slo.burnRate).toBeCloseTo(1000, 6);
  expect(broken.json.slo.errorBudget.remainingPercent).toBeCloseTo(-99_900, 4);
  expect(broken.json.slo.alerts).toMatchObject({ page: true, ticket: true });
  expect(broken.json.slo.alerts.rules.every((rule: { firing: boolean }) => rule.firing)).toBe(true);
});

it("lists the service's incidents open during the window, opened by an alert or by hand, resolved or not", async () => {
  // The down check has turned unhealthy by now (3 failures): its critical alert opened an incident.
  const deadline = Date.now() + 15_000;
  let incidents: Array<Record<string, unknown>> = [];
  while (incidents.length === 0 && Date.now() < deadline) {
    incidents = (await client.get(`/v1/services/${SERVICE}/uptime`, { query: { window: '1h' } })).json.incidents;
    if (incidents.length === 0) await new Promise((resolve) => setTimeout(resolve, 250));
  }
  expect(incidents).toEqual([
    expect.objectContaining({
      severity: 'critical',
      status: 'open',
      resolvedAt: null,
      title: expect.stringMatching(/^GET http:\/\/127\.0\.0\.1:\d+\/down \(broken\) unhealthy$/),
    }),
  ]);
  const id = incidents[0]?.id as string;
  expect((await client.post(`/v1/incidents/${id}/resolve`, { summary: 'Target fixed' })).status).toBe(200);

  const other = 'live-other-api';
  expect((await client.post('/v1/services', { name: other, kind: 'api' })).status).toBe(201);
  expect((await client.post('/v1/incidents', { service: other, title: 'Elsewhere' })).status).toBe(201);

  const after = (await client.get(`/v1/services/${SERVICE}/uptime`, { query: { window: '1h' } })).json.incidents;
  expect(after[0]).toMatchObject({ id, status: 'resolved', resolvedAt: expect.any(String) });
  expect(after.map((incident: { title: string }) => incident.title)).not.toContain('Elsewhere');
  const elsewhere = (await client.get(`/v1/services/${other}/uptime`, { query: { window: '1h' } })).json.incidents;
  expect(elsewhere).toEqual([expect.objectContaining({ title: 'Elsewhere', severity: 'critical', status: 'open' })]);
});
