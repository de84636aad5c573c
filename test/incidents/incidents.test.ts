import { healthCheckAlertName } from '../../functions/alerts/alerts.domain.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Runtime, startRuntime } from '../../local/runtime.ts';
import { evaluateRules } from '../../functions/alerts/evaluator.ts';
import { finished, putEnvironment, serviceWithVersions, startDeployment } from '../helpers/deployments.ts';
import { startTargets, type Targets } from '../health-checks/targets.ts';
import { type ApiClient, api, expectInvalid, expectNoServerErrors, expectProblem, readAll } from '../helpers/http-client.ts';

/**
 * Issue 4, item 6, end to end through the local runtime: incidents opened by hand and by
 * critical alerts (a failing health check, then a rule), one open incident per service, the
 * timeline with notes, acknowledgements and deployments, bad moves, roles and MTTA / MTTR.
 */

let runtime: Runtime;
let client: ApiClient;
let targets: Targets;
const MANUAL = 'incidents-manual';
const CHECKED = 'incidents-checked';
const OTHER = 'incidents-other';
const MISSING = '01JDQ6Z5K2N3P4Q5R6S7T8V9W0';

beforeAll(async () => {
  runtime = await startRuntime({ memory: true, port: 0, reconcileEveryMs: 3_600_000, tickSeconds: 3600 });
  client = api(runtime);
  targets = await startTargets();
  await serviceWithVersions(client, MANUAL, ['1.0.0']);
  for (const name of [CHECKED, OTHER]) expect((await client.post('/v1/services', { name, kind: 'api' })).status).toBe(201);
});

afterAll(async () => {
  expectNoServerErrors(client.log);
  await targets?.close();
  await runtime?.close();
});

async function keyFor(role: string, services?: string[]): Promise<ApiClient> {
  const response = await client.post('/v1/api-keys', { name: `incidents-${role}-${services?.join('-') ?? 'all'}`, role, services });
  expect(response.status, response.text).toBe(201);
  return client.as(response.json.key);
}

async function incidentsOf(query: Record<string, string>) {
  const response = await client.get('/v1/incidents', { query });
  expect(response.status, response.text).toBe(200);
  return response.json.items as Array<Record<string, any>>;
}

describe('incidents opened by hand', () => {
  it('opens, refuses a second open one, takes notes, is acknowledged and resolved, with deployments on the timeline', async () => {
    const opened = await client.post('/v1/incidents', { service: MANUAL, title: 'Checkout errors', summary: 'Customers see 502s' });
    expect(opened.status, opened.text).toBe(201);
    const incident = opened.json;
    expect(incident).toMatchObject({
      service: MANUAL,
      title: 'Checkout errors',
      severity: 'critical',
      status: 'open',
      summary: 'Customers see 502s',
      openedByAlertId: null,
      acknowledgedAt: null,
      resolvedAt: null,
    });
    expect(opened.headers.get('location')).toBe(`/v1/incidents/${incident.id}`);
    const second = expectProblem(await client.post('/v1/incidents', { service: MANUAL, title: 'again' }), 409);
    expect(second.openIncidentId).toBe(incident.id);

    // A deployment during the incident shows on its timeline.
    await putEnvironment(client, MANUAL, 'prod');
    const deployment = await startDeployment(client, MANUAL, { environment: 'prod', version: '1.0.0', strategy: { type: 'all-at-once' } });
    await finished(client, MANUAL, deployment.id);

    const noted = await client.post(`/v1/incidents/${incident.id}/notes`, { text: 'Rolled the load balancer' });
    expect(noted.status, noted.text).toBe(201);
    expect(noted.json.noteCount).toBe(1);
    const acked = await client.post(`/v1/incidents/${incident.id}/acknowledge`);
    expect(acked.status, acked.text).toBe(200);
    expect(acked.json).toMatchObject({ status: 'acknowledged', acknowledgedBy: { keyId: expect.any(String) } });
    expectProblem(await client.post(`/v1/incidents/${incident.id}/acknowledge`), 409);
    expect((await incidentsOf({ service: MANUAL, status: 'acknowledged' })).map((i) => i.id)).toEqual([incident.id]);

    expectInvalid(await client.post(`/v1/incidents/${incident.id}/resolve`, {}), '/body/summary');
    const resolved = await client.post(`/v1/incidents/${incident.id}/resolve`, { summary: 'Bad config, reverted' });
    expect(resolved.status, resolved.text).toBe(200);
    expect(resolved.json).toMatchObject({
      status: 'resolved',
      resolution: 'Bad config, reverted',
      resolvedBy: { keyId: expect.any(String) },
    });
    expectProblem(await client.post(`/v1/incidents/${incident.id}/resolve`, { summary: 'twice' }), 409);
    expectProblem(await client.post(`/v1/incidents/${incident.id}/acknowledge`), 409);
    expect((await client.post(`/v1/incidents/${incident.id}/notes`, { text: 'Review on Monday' })).status).toBe(201);

    const detail = await client.get(`/v1/incidents/${incident.id}`);
    expect(detail.status, detail.text).toBe(200);
    expect(detail.json.timeline.map((item: { kind: string }) => item.kind)).toEqual([
      'opened',
      'deployment',
      'note',
      'acknowledged',
      'resolved',
      'note',
    ]);
    expect(detail.json.timeline[1]).toMatchObject({ deploymentId: deployment.id, environment: 'prod', version: '1.0.0' });
    expect(detail.json.timeline[2]).toMatchObject({ text: 'Rolled the load balancer', actor: { keyId: expect.any(String) } });

    // Resolved: the service may open a new one.
    const next = await client.post('/v1/incidents', { service: MANUAL, title: 'Next', severity: 'warning' });
    expect(next.status, next.text).toBe(201);
    expect(next.json.severity).toBe('warning');
    expect((await incidentsOf({ service: MANUAL })).map((i) => i.id)).toEqual([next.json.id, incident.id]);
    expect((await incidentsOf({ service: MANUAL, status: 'open' })).map((i) => i.id)).toEqual([next.json.id]);
    await client.post(`/v1/incidents/${next.json.id}/resolve`, { summary: 'false alarm' });

    const history = await readAll(client, `/v1/services/${MANUAL}/history`, { type: 'incident.*' });
    expect(history.map((event) => event.type).reverse()).toEqual([
      'incident.opened',
      'incident.note_added',
      'incident.acknowledged',
      'incident.resolved',
      'incident.note_added',
      'incident.opened',
      'incident.resolved',
    ]);
  });

  it('refuses bad input, unknown incidents and services, and keeps roles and scopes', async () => {
    expectInvalid(await client.post('/v1/incidents', { service: MANUAL }), '/body/title');
    expectInvalid(await client.post('/v1/incidents', { service: 'no-such-service', title: 't' }), '/body/service');
    expectInvalid(await client.post('/v1/incidents', { service: MANUAL, title: 't', severity: 'page' }), '/body/severity');
    expectProblem(await client.get(`/v1/incidents/${MISSING}`), 404);
    expectProblem(await client.post(`/v1/incidents/${MISSING}/acknowledge`), 404);
    expectProblem(await client.post(`/v1/incidents/${MISSING}/notes`, { text: 'x' }), 404);
    expectProblem(await client.post(`/v1/incidents/${MISSING}/resolve`, { summary: 'x' }), 404);

    const viewer = await keyFor('viewer');
    expectProblem(await viewer.post('/v1/incidents', { service: OTHER, title: 't' }), 403);
    expect((await viewer.get('/v1/incidents')).status).toBe(200);
    expect((await viewer.get('/v1/incidents/stats')).status).toBe(200);

    const opened = (await client.post('/v1/incidents', { service: OTHER, title: 'Scoped' })).json;
    expectProblem(await viewer.post(`/v1/incidents/${opened.id}/acknowledge`), 403);
    const scoped = await keyFor('deployer', [MANUAL]);
    expectProblem(await scoped.post('/v1/incidents', { service: OTHER, title: 't' }), 403);
    expectProblem(await scoped.get(`/v1/incidents/${opened.id}`), 404);
    expectProblem(await scoped.post(`/v1/incidents/${opened.id}/resolve`, { summary: 'x' }), 404);
    expectProblem(await scoped.get('/v1/incidents', { query: { service: OTHER } }), 403);
    const seen = (await scoped.get('/v1/incidents', { query: { limit: '100' } })).json.items.map((incident: { id: string }) => incident.id);
    expect(seen).not.toContain(opened.id);
    expect((await client.post(`/v1/incidents/${opened.id}/resolve`, { summary: 'done' })).status).toBe(200);
  });
});

describe('incidents opened by critical alerts', () => {
  it('a failing health check opens an incident, and a second critical alert joins it', async () => {
    targets.flip.status = 500;
    const check = (
      await client.post(`/v1/services/${CHECKED}/health-checks`, {
        environment: 'prod',
        url: `${targets.url}/flip`,
        intervalSeconds: 60,
        conditions: ['[STATUS] == 200'],
        failureThreshold: 1,
        successThreshold: 1,
      })
    ).json;
    const run = async () => {
      const response = await client.post(`/v1/services/${CHECKED}/health-checks/${check.id}/run`);
      expect(response.status, response.text).toBe(200);
      return response.json;
    };
    expect((await run()).state).toBe('unhealthy');
    await run(); // still unhealthy: no new alert, no new incident

    const open = await incidentsOf({ service: CHECKED });
    expect(open).toHaveLength(1);
    const alerts = (await client.get('/v1/alerts', { query: { service: CHECKED } })).json.items;
    expect(alerts).toHaveLength(1);
    expect(open[0]).toMatchObject({ status: 'open', severity: 'critical', openedByAlertId: alerts[0].id, alertCount: 1 });
    expectProblem(await client.post('/v1/incidents', { service: CHECKED, title: 'by hand' }), 409);

    // A critical rule alert of the same service joins the open incident.
    const now = Date.now();
    const rule = (
      await client.post('/v1/alert-rules', {
        name: 'Errors',
        service: CHECKED,
        metric: 'http.errors',
        agg: 'max',
        window: '5m',
        op: '>',
        threshold: 0,
        for: '0s',
        severity: 'critical',
      })
    ).json;
    const pushed = await client.post('/v1/metrics', {
      samples: [
        { name: 'http.errors', type: 'gauge', value: 3, labels: { service: CHECKED }, timestamp: new Date(now - 30_000).toISOString() },
      ],
    });
    expect(pushed.status, pushed.text).toBe(200);
    expect((await evaluateRules(new Date(now))).transitions.firing).toBeGreaterThanOrEqual(1);
    const joined = await incidentsOf({ service: CHECKED });
    expect(joined).toHaveLength(1);
    expect(joined[0]?.alertCount).toBe(2);

    const detail = (await client.get(`/v1/incidents/${joined[0]?.id}`)).json;
    const alertItems = detail.timeline.filter((item: { kind: string }) => item.kind === 'alert');
    expect(alertItems.map((item: { alertName: string }) => item.alertName)).toEqual([healthCheckAlertName(check), 'Errors']);
    expect(detail.timeline[0].kind).toBe('opened');

    const history = await readAll(client, `/v1/services/${CHECKED}/history`, { type: 'incident.*' });
    expect(history.map((event) => event.type).reverse()).toEqual(['incident.opened', 'incident.alert_joined']);

    // Resolve; the next critical alert opens a new incident.
    expect((await client.post(`/v1/incidents/${detail.id}/resolve`, { summary: 'Fixed the upstream' })).status).toBe(200);
    targets.flip.status = 200;
    expect((await run()).state).toBe('healthy');
    targets.flip.status = 500;
    expect((await run()).state).toBe('unhealthy');
    const after = await incidentsOf({ service: CHECKED, status: 'open' });
    expect(after).toHaveLength(1);
    expect(after[0]?.id).not.toBe(detail.id);
    await client.post(`/v1/incidents/${after[0]?.id}/resolve`, { summary: 'ok' });
    await client.delete(`/v1/alert-rules/${rule.id}`);
    await client.delete(`/v1/services/${CHECKED}/health-checks/${check.id}`);
  });
});

describe('incident statistics', () => {
  it('gives MTTA and MTTR with counts over a window, and refuses a window that ends before it starts', async () => {
    const from = new Date(Date.now() - 60_000).toISOString();
    const stats = await client.get('/v1/incidents/stats', { query: { from, service: MANUAL } });
    expect(stats.status, stats.text).toBe(200);
    expect(stats.json).toMatchObject({ from, opened: 2, acknowledged: 1, resolved: 2 });
    // Exactly the means of the two incidents' own times.
    const incidents = await incidentsOf({ service: MANUAL });
    const seconds = (start: string, end: string) => (Date.parse(end) - Date.parse(start)) / 1000;
    const acked = incidents.filter((i) => i.acknowledgedAt).map((i) => seconds(i.openedAt, i.acknowledgedAt));
    const repaired = incidents.map((i) => seconds(i.openedAt, i.resolvedAt));
    expect(stats.json.mttaSeconds).toBeCloseTo(acked[0] as number, 3);
    expect(stats.json.mttrSeconds).toBeCloseTo(((repaired[0] as number) + (repaired[1] as number)) / 2, 2);
    const all = (await client.get('/v1/incidents/stats')).json;
    expect(all.opened).toBeGreaterThanOrEqual(5);
    const before = (
      await client.get('/v1/incidents/stats', { query: { from: '2020-01-01T00:00:00.000Z', to: '2020-02-01T00:00:00.000Z' } })
    ).json;
    expect(before).toMatchObject({ opened: 0, acknowledged: 0, resolved: 0, mttaSeconds: null, mttrSeconds: null });
    expectProblem(await client.get('/v1/incidents/stats', { query: { from, to: '2020-01-01T00:00:00.000Z' } }), 400);
  });
});
