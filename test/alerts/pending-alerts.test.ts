import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { evaluateRules } from '../../functions/alerts/evaluator.ts';
import { type Runtime, startRuntime } from '../../local/runtime.ts';
import { type ApiClient, api, expectNoServerErrors, expectProblem } from '../helpers/http-client.ts';

/**
 * A rule whose condition holds, but not yet for its `for`, shows as pending: in
 * `GET /v1/alerts?status=pending` and on the rule, then fires as the alert it said it would be.
 */

let runtime: Runtime;
let client: ApiClient;
const SERVICE = 'pending-api';
const OTHER = 'pending-other';

beforeAll(async () => {
  runtime = await startRuntime({ memory: true, port: 0, reconcileEveryMs: 3_600_000, tickSeconds: 3600 });
  client = api(runtime);
  for (const name of [SERVICE, OTHER]) expect((await client.post('/v1/services', { name, kind: 'api' })).status).toBe(201);
});

afterAll(async () => {
  expectNoServerErrors(client.log);
  await runtime?.close();
});

const T = Math.floor(Date.now() / 60_000) * 60_000 - 30 * 60_000;
const iso = (seconds: number) => new Date(T + seconds * 1000).toISOString();
const at = (seconds: number) => new Date(T + seconds * 1000);

async function push(service: string, value: number, t: number) {
  const response = await client.post('/v1/metrics', {
    samples: [{ name: 'http.latency_ms', type: 'gauge', value, labels: { service, environment: 'prod' }, timestamp: iso(t) }],
  });
  expect(response.status, response.text).toBe(200);
}

describe('pending alerts', () => {
  it('are listed with status=pending and on the rule until they fire, keeping their id', async () => {
    // Prepare
    const rule = (
      await client.post('/v1/alert-rules', {
        name: 'p95 latency',
        service: SERVICE,
        metric: 'http.latency_ms',
        labels: { environment: 'prod' },
        agg: 'avg',
        window: '1m',
        op: '>',
        threshold: 800,
        for: '2m',
        severity: 'critical',
      })
    ).json;
    await push(SERVICE, 950, 30);

    // Act
    await evaluateRules(at(60));
    const pending = await client.get('/v1/alerts', { query: { status: 'pending', service: SERVICE } });
    const onRule = await client.get(`/v1/alert-rules/${rule.id}`);
    const unfiltered = await client.get('/v1/alerts', { query: { service: SERVICE } });

    // Assess
    expect(pending.status, pending.text).toBe(200);
    expect(pending.json.items).toEqual([
      expect.objectContaining({
        source: { kind: 'rule', ruleId: rule.id },
        name: 'p95 latency',
        service: SERVICE,
        severity: 'critical',
        status: 'pending',
        value: 950,
        summary: 'avg(http.latency_ms) over 1m is 950 (> 800)',
        startedAt: iso(60),
        firesAt: iso(180),
        firedAt: null,
      }),
    ]);
    const id = pending.json.items[0].id;
    expect(onRule.json.series).toEqual([
      { labels: { service: SERVICE, environment: 'prod' }, state: 'pending', since: iso(60), firesAt: iso(180), alertId: id },
    ]);
    expect(unfiltered.json.items).toEqual([]);

    // Act: held for `for`, it fires as the alert it said it would be
    await push(SERVICE, 1000, 150);
    await evaluateRules(at(180));

    // Assess
    expect((await client.get('/v1/alerts', { query: { status: 'pending', service: SERVICE } })).json.items).toEqual([]);
    const firing = (await client.get('/v1/alerts', { query: { status: 'firing', service: SERVICE } })).json.items;
    expect(firing).toEqual([expect.objectContaining({ id, status: 'firing', firedAt: iso(180) })]);
    expect((await client.get(`/v1/alert-rules/${rule.id}`)).json.series).toEqual([
      expect.objectContaining({ state: 'firing', alertId: id, firesAt: null }),
    ]);
  });

  it('leave the list when the condition clears first, and a scoped key sees only its services', async () => {
    // Prepare
    const rule = (
      await client.post('/v1/alert-rules', {
        name: 'other latency',
        service: OTHER,
        metric: 'http.latency_ms',
        agg: 'avg',
        window: '1m',
        op: '>',
        threshold: 800,
        for: '5m',
        severity: 'warning',
      })
    ).json;
    await push(OTHER, 900, 630);
    await evaluateRules(at(660));
    const created = await client.post('/v1/api-keys', { name: 'pending-scoped', role: 'viewer', services: [SERVICE] });
    const scoped = client.as(created.json.key);

    // Act
    const all = (await client.get('/v1/alerts', { query: { status: 'pending' } })).json.items;
    const warnings = (await client.get('/v1/alerts', { query: { status: 'pending', severity: 'warning' } })).json.items;
    const seenByScoped = await scoped.get('/v1/alerts', { query: { status: 'pending' } });
    await evaluateRules(at(780)); // no samples in the window: the condition no longer holds
    const afterClearing = (await client.get('/v1/alerts', { query: { status: 'pending' } })).json.items;

    // Assess
    expect(all.map((alert: { service: string }) => alert.service)).toContain(OTHER);
    expect(warnings.map((alert: { source: { ruleId: string } }) => alert.source.ruleId)).toEqual([rule.id]);
    expect(seenByScoped.status).toBe(200);
    expect(seenByScoped.json.items.map((alert: { service: string }) => alert.service)).not.toContain(OTHER);
    expect(afterClearing.map((alert: { source: { ruleId: string } }) => alert.source.ruleId)).not.toContain(rule.id);
    expect((await client.get(`/v1/alert-rules/${rule.id}`)).json.series).toEqual([]);
  });

  it('refuse an unknown status, naming the ones there are', async () => {
    const problem = expectProblem(await client.get('/v1/alerts', { query: { status: 'open' } }), 400);
    expect(JSON.stringify(problem.errors)).toMatch(/pending/);
  });
});
