import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Runtime, startRuntime } from '../../local/runtime.ts';
import { evaluateRules } from '../../functions/alerts/evaluator.ts';
import { startTargets, type Targets } from '../health-checks/targets.ts';
import { type ApiClient, api, expectInvalid, expectNoServerErrors, expectProblem, readAll } from '../helpers/http-client.ts';

/**
 * Issue 4, items 4 and 5, end to end through the local runtime: alert rule CRUD, the evaluator
 * driven with explicit times over pushed samples (pending, firing, dedup, resolved), the alerts
 * API with acknowledgements, and a health check's own alert.
 */

let runtime: Runtime;
let client: ApiClient;
let targets: Targets;
const SERVICE = 'alerts-api';
const OTHER = 'alerts-other';
const CHECKED = 'alerts-checked';

beforeAll(async () => {
  runtime = await startRuntime({ memory: true, port: 0, reconcileEveryMs: 3_600_000, tickSeconds: 3600 });
  client = api(runtime);
  targets = await startTargets();
  for (const name of [SERVICE, OTHER, CHECKED]) expect((await client.post('/v1/services', { name, kind: 'api' })).status).toBe(201);
});

afterAll(async () => {
  expectNoServerErrors(client.log);
  await targets?.close();
  await runtime?.close();
});

/** A minute-aligned time some minutes ago, so samples after it are in the accepted past. */
const T = Math.floor(Date.now() / 60_000) * 60_000 - 30 * 60_000;
const iso = (seconds: number) => new Date(T + seconds * 1000).toISOString();
const at = (seconds: number) => new Date(T + seconds * 1000);

const RULE = {
  name: 'Slow responses',
  service: SERVICE,
  metric: 'http.latency_ms',
  labels: { environment: 'prod' },
  agg: 'avg',
  window: '1m',
  op: '>',
  threshold: 500,
  for: '2m',
  severity: 'critical',
};

async function push(samples: Array<{ value: number; labels: Record<string, string>; t: number; name?: string }>) {
  const response = await client.post('/v1/metrics', {
    samples: samples.map(({ value, labels, t, name }) => ({
      name: name ?? 'http.latency_ms',
      type: 'gauge',
      value,
      labels,
      timestamp: iso(t),
    })),
  });
  expect(response.status, response.text).toBe(200);
}

async function keyFor(role: string, services?: string[]): Promise<ApiClient> {
  const response = await client.post('/v1/api-keys', { name: `alerts-${role}-${services?.join('-') ?? 'all'}`, role, services });
  expect(response.status, response.text).toBe(201);
  return client.as(response.json.key);
}

async function alertsOf(query: Record<string, string>) {
  const response = await client.get('/v1/alerts', { query });
  expect(response.status, response.text).toBe(200);
  return response.json.items as Array<Record<string, any>>;
}

describe('alert rules', () => {
  it('creates, reads, lists, patches with If-Match and deletes, each an event', async () => {
    const created = await client.post('/v1/alert-rules', { ...RULE, name: 'crud', labels: { service: OTHER }, service: undefined });
    expect(created.status, created.text).toBe(201);
    expect(created.json).toMatchObject({ name: 'crud', service: OTHER, labels: {}, sendResolved: true, etag: '"1"' });
    expect(created.headers.get('location')).toBe(`/v1/alert-rules/${created.json.id}`);
    const id = created.json.id;

    expect((await client.get(`/v1/alert-rules/${id}`)).json).toMatchObject({ id, threshold: 500 });
    const listed = await client.get('/v1/alert-rules', { query: { service: OTHER } });
    expect(listed.json.items.map((rule: { id: string }) => rule.id)).toEqual([id]);

    expectProblem(await client.patch(`/v1/alert-rules/${id}`, { threshold: 1 }, { headers: { 'if-match': '"7"' } }), 412);
    const patched = await client.patch(`/v1/alert-rules/${id}`, { threshold: 750, for: '0s' }, { headers: { 'if-match': '"1"' } });
    expect(patched.status, patched.text).toBe(200);
    expect(patched.json).toMatchObject({ threshold: 750, for: '0s', service: OTHER, etag: '"2"' });
    const moved = await client.patch(`/v1/alert-rules/${id}`, { labels: { service: SERVICE, environment: 'prod' } });
    expect(moved.json).toMatchObject({ service: SERVICE, labels: { environment: 'prod' }, etag: '"3"' });
    expect((await client.patch(`/v1/alert-rules/${id}`, { service: OTHER, labels: {} })).json).toMatchObject({
      service: OTHER,
      labels: {},
    });

    expect((await client.delete(`/v1/alert-rules/${id}`)).status).toBe(204);
    expectProblem(await client.get(`/v1/alert-rules/${id}`), 404);
    const history = await readAll(client, `/v1/services/${OTHER}/history`, { type: 'alertrule.*' });
    expect(history.map((event) => event.type).sort()).toEqual([
      'alertrule.created',
      'alertrule.deleted',
      'alertrule.updated',
      'alertrule.updated',
    ]); // the move to SERVICE is in that service's history
  });

  it('refuses bad durations, a missing or unknown service, two services and bad operators', async () => {
    expectInvalid(await client.post('/v1/alert-rules', { ...RULE, window: '5' }), '/body/window');
    expectInvalid(await client.post('/v1/alert-rules', { ...RULE, for: 'soon' }), '/body/for');
    expectInvalid(await client.post('/v1/alert-rules', { ...RULE, window: '2d' }), '/body/window');
    expectInvalid(await client.post('/v1/alert-rules', { ...RULE, service: undefined }), '/body/service');
    expectInvalid(await client.post('/v1/alert-rules', { ...RULE, service: 'no-such-service' }), '/body/service');
    expectInvalid(await client.post('/v1/alert-rules', { ...RULE, labels: { service: OTHER } }), '/body/labels/service');
    expectInvalid(await client.post('/v1/alert-rules', { ...RULE, op: '=>' }), '/body/op');
    expectInvalid(await client.post('/v1/alert-rules', { ...RULE, severity: 'page' }), '/body/severity');
  });

  it('lets viewers read but not write, and keeps scoped keys to their services', async () => {
    const viewer = await keyFor('viewer');
    expectProblem(await viewer.post('/v1/alert-rules', RULE), 403);
    expect((await viewer.get('/v1/alert-rules')).status).toBe(200);
    const scoped = await keyFor('deployer', [OTHER]);
    expectProblem(await scoped.post('/v1/alert-rules', RULE), 403);
  });
});

describe('evaluating rules over metrics', () => {
  it('goes pending, fires after `for`, deduplicates, is acknowledged and resolves when the condition clears', async () => {
    const rule = (await client.post('/v1/alert-rules', RULE)).json;
    const prod = { service: SERVICE, environment: 'prod' };
    await push([
      { value: 900, labels: { ...prod, instance: 'a' }, t: 30 },
      { value: 100, labels: { ...prod, instance: 'b' }, t: 30 },
      { value: 5000, labels: { service: SERVICE, environment: 'staging' }, t: 30 },
    ]);

    const first = await evaluateRules(at(60));
    expect(first.transitions).toMatchObject({ pending: 1, firing: 0 });
    expect(await alertsOf({ service: SERVICE })).toEqual([]);

    await push([
      { value: 800, labels: { ...prod, instance: 'a' }, t: 90 },
      { value: 1200, labels: { ...prod, instance: 'a' }, t: 150 },
    ]);
    expect((await evaluateRules(at(120))).transitions).toMatchObject({ pending: 0, firing: 0 });
    const fired = await evaluateRules(at(180));
    expect(fired.transitions).toMatchObject({ firing: 1 });
    // Evaluating the same moment again, even twice at once, opens nothing more.
    const again = await Promise.all([evaluateRules(at(185)), evaluateRules(at(185))]);
    expect(again.map((outcome) => outcome.transitions.firing)).toEqual([0, 0]);

    const firing = await alertsOf({ status: 'firing', service: SERVICE });
    expect(firing).toHaveLength(1);
    const alert = firing[0] as Record<string, any>;
    expect(alert).toMatchObject({
      source: { kind: 'rule', ruleId: rule.id },
      name: 'Slow responses',
      severity: 'critical',
      status: 'firing',
      labels: { service: SERVICE, environment: 'prod', instance: 'a' },
      value: 1200,
      startedAt: iso(60),
      firedAt: iso(180),
      resolvedAt: null,
    });
    expect(alert.summary).toContain('avg(http.latency_ms) over 1m is 1200');

    const acked = await client.post(`/v1/alerts/${alert.id}/acknowledge`);
    expect(acked.status, acked.text).toBe(200);
    expect(acked.json).toMatchObject({ status: 'acknowledged', acknowledgedBy: { keyId: expect.any(String) } });
    expect((await client.post(`/v1/alerts/${alert.id}/acknowledge`)).json.acknowledgedAt).toBe(acked.json.acknowledgedAt);
    expect(await alertsOf({ status: 'firing', service: SERVICE })).toEqual([]);
    expect((await alertsOf({ status: 'acknowledged', service: SERVICE })).map((a) => a.id)).toEqual([alert.id]);

    // No samples in the window: the condition does not hold, so the alert resolves.
    const cleared = await evaluateRules(at(300));
    expect(cleared.transitions).toMatchObject({ resolved: 1 });
    const resolved = (await client.get(`/v1/alerts/${alert.id}`)).json;
    expect(resolved).toMatchObject({ status: 'resolved', resolvedAt: iso(300), acknowledgedAt: acked.json.acknowledgedAt });

    const history = await readAll(client, `/v1/services/${SERVICE}/history`, { type: 'alert.*' });
    expect(history.map((event) => event.type).reverse()).toEqual(['alert.pending', 'alert.firing', 'alert.acknowledged', 'alert.resolved']);

    // A new breach is a new alert, not the old one reopened.
    await push([{ value: 700, labels: { ...prod, instance: 'a' }, t: 330 }]);
    await client.patch(`/v1/alert-rules/${rule.id}`, { for: '0s' });
    expect((await evaluateRules(at(360))).transitions).toMatchObject({ firing: 1 });
    const reopened = await alertsOf({ status: 'firing', service: SERVICE });
    expect(reopened).toHaveLength(1);
    expect(reopened[0]?.id).not.toBe(alert.id);

    // Deleting the rule resolves what it has open.
    expect((await client.delete(`/v1/alert-rules/${rule.id}`)).status).toBe(204);
    expect((await client.get(`/v1/alerts/${reopened[0]?.id}`)).json.status).toBe('resolved');
    expect((await evaluateRules(at(420))).transitions).toMatchObject({ firing: 0, pending: 0 });
  });

  it('clears a pending series that stops breaching before `for`, and judges rate rules on counters', async () => {
    const rule = (
      await client.post('/v1/alert-rules', {
        ...RULE,
        name: 'errors',
        metric: 'http.errors',
        labels: {},
        agg: 'rate',
        op: '>=',
        threshold: 1,
        for: '5m',
      })
    ).json;
    const labels = { service: SERVICE };
    await push([
      { name: 'http.errors', value: 0, labels, t: 600 },
      { name: 'http.errors', value: 120, labels, t: 650 },
    ]);
    expect((await evaluateRules(at(660))).transitions).toMatchObject({ pending: 1 });
    await push([{ name: 'http.errors', value: 121, labels, t: 700 }]);
    expect((await evaluateRules(at(720))).transitions).toMatchObject({ cleared: 1 });
    expect((await alertsOf({ service: SERVICE })).filter((alert) => alert.source.ruleId === rule.id)).toEqual([]);
    await client.delete(`/v1/alert-rules/${rule.id}`);
  });
});

describe('the alerts API', () => {
  it('acknowledges a batch with one outcome per id, filters and paginates', async () => {
    const rule = (await client.post('/v1/alert-rules', { ...RULE, service: OTHER, labels: {}, agg: 'max', for: '0s', severity: 'warning' }))
      .json;
    await push([
      { value: 900, labels: { service: OTHER, instance: 'x' }, t: 800 },
      { value: 901, labels: { service: OTHER, instance: 'y' }, t: 800 },
      { value: 902, labels: { service: OTHER, instance: 'z' }, t: 800 },
    ]);
    expect((await evaluateRules(at(810))).transitions).toMatchObject({ firing: 3 });
    const open = await alertsOf({ service: OTHER, severity: 'warning' });
    expect(open).toHaveLength(3);
    expect(await alertsOf({ service: OTHER, severity: 'critical' })).toEqual([]);

    const [a, b, c] = open.map((alert) => alert.id as string);
    await client.post(`/v1/alerts/${a}/acknowledge`, {});
    const missing = '01JDQ6Z5K2N3P4Q5R6S7T8V9W0';
    const batch = await client.post('/v1/alerts/acknowledge-batch', { ids: [a, b, missing, c] });
    expect(batch.status, batch.text).toBe(200);
    expect(batch.json.results).toEqual([
      { id: a, outcome: 'already' },
      { id: b, outcome: 'acknowledged' },
      { id: missing, outcome: 'not_found' },
      { id: c, outcome: 'acknowledged' },
    ]);
    expectInvalid(await client.post('/v1/alerts/acknowledge-batch', { ids: [] }), '/body/ids');
    expectProblem(await client.post(`/v1/alerts/${missing}/acknowledge`), 404);
    expectProblem(await client.get(`/v1/alerts/${missing}`), 404);

    const ids: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await client.get('/v1/alerts', {
        query: { service: OTHER, status: 'acknowledged', limit: '2', ...(cursor ? { cursor } : {}) },
      });
      expect(page.status, page.text).toBe(200);
      ids.push(...page.json.items.map((alert: { id: string }) => alert.id));
      cursor = page.json.nextCursor ?? undefined;
    } while (cursor);
    expect(ids).toEqual([c, b, a].sort().reverse());

    // A key scoped to another service sees none of them, and cannot acknowledge them.
    const scoped = await keyFor('deployer', [SERVICE]);
    expectProblem(await scoped.get('/v1/alerts', { query: { service: OTHER } }), 403);
    const seen = (await scoped.get('/v1/alerts', { query: { limit: '100' } })).json.items.map((alert: { id: string }) => alert.id);
    expect(seen).not.toContain(a);
    expectProblem(await scoped.get(`/v1/alerts/${a}`), 404);
    expect((await scoped.post('/v1/alerts/acknowledge-batch', { ids: [a] })).json.results).toEqual([{ id: a, outcome: 'not_found' }]);
    await client.delete(`/v1/alert-rules/${rule.id}`);
  });
});

describe('health-check alerts', () => {
  it('opens a critical alert when a check turns unhealthy and resolves it when it is healthy again, without a rule', async () => {
    targets.flip.status = 500;
    const created = await client.post(`/v1/services/${CHECKED}/health-checks`, {
      environment: 'prod',
      url: `${targets.url}/flip`,
      intervalSeconds: 60,
      conditions: ['[STATUS] == 200'],
      failureThreshold: 1,
      successThreshold: 1,
    });
    expect(created.status, created.text).toBe(201);
    const check = created.json;
    const run = async () => {
      const response = await client.post(`/v1/services/${CHECKED}/health-checks/${check.id}/run`);
      expect(response.status, response.text).toBe(200);
      return response.json;
    };

    expect((await run()).state).toBe('unhealthy');
    await run(); // still unhealthy: no second alert
    const firing = await alertsOf({ service: CHECKED });
    expect(firing).toHaveLength(1);
    expect(firing[0]).toMatchObject({
      source: { kind: 'healthcheck', checkId: check.id },
      severity: 'critical',
      status: 'firing',
      labels: { service: CHECKED, environment: 'prod', check: check.id },
    });
    expect(firing[0]?.summary).toContain('failed 1 times in a row');

    targets.flip.status = 200;
    expect((await run()).state).toBe('healthy');
    const resolved = (await client.get(`/v1/alerts/${firing[0]?.id}`)).json;
    expect(resolved.status).toBe('resolved');

    targets.flip.status = 500;
    await run();
    const reopened = await alertsOf({ service: CHECKED, status: 'firing' });
    expect(reopened).toHaveLength(1);
    expect(reopened[0]?.id).not.toBe(firing[0]?.id);

    // Deleting the check resolves its open alert.
    expect((await client.delete(`/v1/services/${CHECKED}/health-checks/${check.id}`)).status).toBe(204);
    expect(await alertsOf({ service: CHECKED, status: 'firing' })).toEqual([]);
    const events = await readAll(client, `/v1/services/${CHECKED}/history`, { type: 'healthcheck.*' });
    const changes = events.filter((event) => event.type === 'healthcheck.state_changed');
    expect(changes.every((event) => typeof event.changes.after.alertId === 'string')).toBe(true);
  });
});
