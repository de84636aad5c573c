import { afterAll, beforeAll, beforeEach, expect, it, vi } from 'vitest';
import { observeSeries } from '../../functions/alerts/series.commands.ts';
import { evaluateRules } from '../../functions/alerts/evaluator.ts';
import type { Runtime } from '../../local/runtime.ts';
import { installCrashSwitch } from '../helpers/crash-switch.ts';
import { type ApiClient, api, expectNoServerErrors, readAll } from '../helpers/http-client.ts';
import { startTestRuntime } from '../helpers/runtime.ts';

/**
 * A critical alert is recorded by its own event, then joins its service's incident in a second
 * step. If the process dies between the two, the alert is firing outside any incident; the alert
 * evaluator's next tick finds it (open critical alerts are a sparse index) and joins it, once.
 */

let runtime: Runtime;
let client: ApiClient;
let crash: ReturnType<typeof installCrashSwitch>;
const ACTOR = { keyId: 'system', name: 'alert-evaluator' };

beforeAll(async () => {
  runtime = await startTestRuntime();
  client = api(runtime);
  crash = installCrashSwitch();
  for (const name of ['repair-api', 'probe-api', 'quiet-api'])
    expect((await client.post('/v1/services', { name, kind: 'api' })).status).toBe(201);
});

beforeEach(() => {
  crash.revive();
  // The failed incident step is logged; keep the output quiet.
  vi.spyOn(console, 'error').mockImplementation(() => undefined);
});

afterAll(async () => {
  crash?.revive();
  expectNoServerErrors(client.log);
  await runtime?.close();
});

async function rule(service: string, severity: string) {
  const response = await client.post('/v1/alert-rules', {
    name: `Errors on ${service}`,
    service,
    metric: 'http.errors',
    agg: 'max',
    window: '5m',
    op: '>',
    threshold: 0,
    for: '0s',
    severity,
  });
  expect(response.status, response.text).toBe(201);
  return response.json as { id: string };
}

async function incidentsOf(service: string) {
  return readAll(client, '/v1/incidents', { service });
}

it('joins a critical alert whose incident step died to an incident on the next evaluator tick, and only once', async () => {
  const now = Date.now();
  const samples = ['repair-api', 'probe-api'].map((service) => ({
    name: 'http.errors',
    type: 'gauge',
    value: 5,
    labels: { service },
    timestamp: new Date(now - 10_000).toISOString(),
  }));
  expect((await client.post('/v1/metrics', { samples })).status).toBe(200);
  const probe = await rule('probe-api', 'warning');
  const critical = await rule('repair-api', 'critical');
  const observation = { value: 5, holds: true, now: new Date(now) };

  expect(await observeSeries(probe.id, { service: 'probe-api' }, observation, ACTOR, 'probe')).toBe('firing');

  // The process dies right after the critical alert's event: the incident step never happens.
  crash.crashBeforeWritesTo('INCIDENTS#');
  expect(await observeSeries(critical.id, { service: 'repair-api' }, observation, ACTOR, 'crashed')).toBe('firing');
  crash.revive();
  const [alert, ...more] = await readAll(client, '/v1/alerts', { service: 'repair-api' });
  expect(more).toEqual([]);
  expect(alert).toMatchObject({ severity: 'critical', status: 'firing' });
  expect(await incidentsOf('repair-api')).toEqual([]);

  // The next tick: the condition still holds (no transition), and the sweep joins the stranded alert.
  const tick = await evaluateRules(new Date(now + 60_000));
  expect(tick.transitions).toMatchObject({ firing: 0, resolved: 0 });
  expect(tick.repaired).toBe(1);
  const [incident, ...others] = await incidentsOf('repair-api');
  expect(others).toEqual([]);
  expect(incident).toMatchObject({ status: 'open', severity: 'critical', openedByAlertId: alert.id, alertCount: 1 });
  const timeline = (await client.get(`/v1/incidents/${incident.id}`)).json.timeline;
  expect(timeline.filter((entry: { kind: string }) => entry.kind === 'alert').map((entry: { alertId: string }) => entry.alertId)).toEqual([
    alert.id,
  ]);
  // The warning alert has no incident to join, and the alert itself is untouched.
  expect(await incidentsOf('probe-api')).toEqual([]);
  expect((await client.get(`/v1/alerts/${alert.id}`)).json).toMatchObject({ status: 'firing' });

  // Joined alerts are left alone by later ticks.
  expect((await evaluateRules(new Date(now + 120_000))).repaired).toBe(0);
  expect((await incidentsOf('repair-api'))[0]).toMatchObject({ id: incident.id, alertCount: 1 });
});

it('leaves alone a stranded critical alert that resolved before the sweep came', async () => {
  const critical = await rule('quiet-api', 'critical');
  const now = new Date();
  const labels = { service: 'quiet-api' };
  crash.crashBeforeWritesTo('INCIDENTS#');
  expect(await observeSeries(critical.id, labels, { value: 5, holds: true, now }, ACTOR, 'crashed')).toBe('firing');
  crash.revive();
  expect(await observeSeries(critical.id, labels, { value: 0, holds: false, now }, ACTOR, 'cleared')).toBe('resolved');

  expect((await evaluateRules(new Date(now.getTime() + 60_000))).repaired).toBe(0);
  expect(await incidentsOf('quiet-api')).toEqual([]);
  expect((await readAll(client, '/v1/alerts', { service: 'quiet-api' }))[0]).toMatchObject({ severity: 'critical', status: 'resolved' });
});
