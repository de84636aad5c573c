import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sweepExpiredSamples } from '../../functions/metrics/metrics.store.ts';
import { type Runtime, startRuntime } from '../../local/runtime.ts';
import { startTargets, type Targets } from '../health-checks/targets.ts';
import { type ApiClient, api, expectInvalid, expectNoServerErrors, expectProblem } from '../helpers/http-client.ts';

/**
 * Issue 4, item 3, end to end through the local runtime: pushing samples, querying them back
 * aggregated, scoped keys, the limits, health-check results as metrics, and the sweep that
 * stands in for DynamoDB TTL on samples.
 */

let runtime: Runtime;
let client: ApiClient;
let targets: Targets;
const SERVICE = 'metrics-api';

beforeAll(async () => {
  runtime = await startRuntime({ memory: true, port: 0, reconcileEveryMs: 3_600_000, tickSeconds: 3600 });
  client = api(runtime);
  targets = await startTargets();
  for (const name of [SERVICE, 'other-api']) expect((await client.post('/v1/services', { name, kind: 'api' })).status).toBe(201);
});

afterAll(async () => {
  expectNoServerErrors(client.log);
  await targets?.close();
  await runtime?.close();
});

/** A minute-aligned time a few minutes ago, so samples after it are in the past and steps line up. */
function recentMinute(minutesAgo: number): number {
  return Math.floor(Date.now() / 60_000) * 60_000 - minutesAgo * 60_000;
}

const iso = (ms: number) => new Date(ms).toISOString();

async function push(samples: unknown[], as: ApiClient = client) {
  return as.post('/v1/metrics', { samples });
}

async function query(params: Record<string, string>, as: ApiClient = client) {
  return as.get('/v1/metrics/query', { query: params });
}

async function keyFor(role: string, services?: string[]): Promise<ApiClient> {
  const response = await client.post('/v1/api-keys', { name: `metrics-${role}-${services?.join('-') ?? 'all'}`, role, services });
  expect(response.status, response.text).toBe(201);
  return client.as(response.json.key);
}

describe('pushing and querying', () => {
  it('stores samples and aggregates them by step', async () => {
    const t0 = recentMinute(10);
    const labels = { service: SERVICE, environment: 'prod' };
    const pushed = await push([
      { name: 'http.latency_ms', type: 'histogram', value: 10, labels, timestamp: iso(t0 + 1_000) },
      { name: 'http.latency_ms', type: 'histogram', value: 20, labels, timestamp: iso(t0 + 2_000) },
      { name: 'http.latency_ms', type: 'histogram', value: 90, labels: { ...labels, instance: 'b' }, timestamp: iso(t0 + 3_000) },
      { name: 'http.latency_ms', type: 'histogram', value: 40, labels, timestamp: iso(t0 + 61_000) },
      {
        name: 'http.latency_ms',
        type: 'histogram',
        value: 1000,
        labels: { service: SERVICE, environment: 'staging' },
        timestamp: iso(t0 + 4_000),
      },
    ]);
    expect(pushed.status, pushed.text).toBe(200);
    expect(pushed.json).toEqual({ accepted: 5 });

    const base = {
      name: 'http.latency_ms',
      labels: `service=${SERVICE},environment=prod`,
      from: iso(t0),
      to: iso(t0 + 120_000),
      step: '1m',
    };
    const avg = await query({ ...base, agg: 'avg' });
    expect(avg.status, avg.text).toBe(200);
    expect(avg.json).toMatchObject({
      name: 'http.latency_ms',
      labels: { service: SERVICE, environment: 'prod' },
      agg: 'avg',
      step: 60,
      points: [
        { t: iso(t0), value: 40 },
        { t: iso(t0 + 60_000), value: 40 },
      ],
    });
    expect((await query({ ...base, agg: 'max' })).json.points.map((p: { value: number }) => p.value)).toEqual([90, 40]);
    expect((await query({ ...base, agg: 'count' })).json.points.map((p: { value: number }) => p.value)).toEqual([3, 1]);
    expect((await query({ ...base, agg: 'p50' })).json.points.map((p: { value: number }) => p.value)).toEqual([20, 40]);
    // A narrower selector picks one series.
    const one = await query({ ...base, labels: `service=${SERVICE},environment=prod,instance=b`, agg: 'sum' });
    expect(one.json.points).toEqual([{ t: iso(t0), value: 90 }]);
    // Without environment, staging counts too.
    const all = await query({ ...base, labels: `service=${SERVICE}`, agg: 'max' });
    expect(all.json.points[0]).toEqual({ t: iso(t0), value: 1000 });
  });

  it('computes the rate of a counter across a reset', async () => {
    const t0 = recentMinute(20);
    const labels = { service: SERVICE, route: '/orders' };
    const values = [100, 130, 160, 10, 40];
    const response = await push(
      values.map((value, i) => ({ name: 'http.requests', type: 'counter', value, labels, timestamp: iso(t0 + i * 15_000) })),
    );
    expect(response.status, response.text).toBe(200);
    const rate = await query({
      name: 'http.requests',
      labels: `service=${SERVICE}`,
      from: iso(t0),
      to: iso(t0 + 119_000),
      step: '1m',
      agg: 'rate',
    });
    expect(rate.status, rate.text).toBe(200);
    // 30 + 30 + 10 (reset) in the first minute, 30 in the second.
    expect(rate.json.points).toEqual([
      { t: iso(t0), value: 70 / 60 },
      { t: iso(t0 + 60_000), value: 30 / 60 },
    ]);
  });

  it('stores a sample without a timestamp at now, and defaults the window to the last hour', async () => {
    expect((await push([{ name: 'queue.depth', type: 'gauge', value: 7, labels: { service: SERVICE } }])).status).toBe(200);
    const response = await query({ name: 'queue.depth', labels: `service=${SERVICE}`, agg: 'max' });
    expect(response.status, response.text).toBe(200);
    expect(response.json.step).toBe(60);
    expect(response.json.points.map((p: { value: number }) => p.value)).toEqual([7]);
  });

  it('writes 1,000 samples in one request, across hour buckets', async () => {
    const start = Date.now() - 3 * 3_600_000;
    const samples = Array.from({ length: 1000 }, (_, i) => ({
      name: 'bulk.gauge',
      type: 'gauge',
      value: i,
      labels: { service: SERVICE },
      timestamp: iso(start + i * 10_000),
    }));
    const response = await push(samples);
    expect(response.status, response.text).toBe(200);
    const count = await query({
      name: 'bulk.gauge',
      labels: `service=${SERVICE}`,
      from: iso(start),
      to: iso(start + 10_000_000),
      step: '1h',
      agg: 'count',
    });
    expect(count.status, count.text).toBe(200);
    expect(count.json.points.reduce((total: number, p: { value: number }) => total + p.value, 0)).toBe(1000);
  });
});

describe('bad input', () => {
  const good = { name: 'x.y', type: 'gauge', value: 1, labels: { service: SERVICE } };

  it('points at the sample and field at fault', async () => {
    expectInvalid(await push([good, { ...good, type: 'summary' }]), '/body/samples/1/type');
    expectInvalid(await push([good, good, { ...good, labels: {} }]), '/body/samples/2/labels/service');
    expectInvalid(await push([{ ...good, labels: { service: 'Not Valid' } }]), '/body/samples/0/labels/service');
    expectInvalid(await push([{ ...good, labels: { service: SERVICE, 'bad-name': 'x' } }]), '/body/samples/0/labels/bad-name');
    expectInvalid(await push([{ ...good, type: 'counter', value: -1 }]), '/body/samples/0/value');
    expectInvalid(await push([{ ...good, value: 'one' }]), '/body/samples/0/value');
    expectInvalid(await push([{ ...good, name: 'has#hash' }]), '/body/samples/0/name');
    expectInvalid(await push([{ ...good, timestamp: iso(Date.now() - 25 * 3_600_000) }]), '/body/samples/0/timestamp');
    expectInvalid(await push([{ ...good, timestamp: iso(Date.now() + 10 * 60_000) }]), '/body/samples/0/timestamp');
    expectInvalid(await push([{ ...good, extra: true }]), '/body/samples/0/extra');
    expectInvalid(await push([]), '/body/samples');
    expectInvalid(await push(Array.from({ length: 1001 }, () => good)), '/body/samples');
  });

  it('stores nothing of a request with one bad sample', async () => {
    await push([
      { ...good, name: 'all.or.nothing' },
      { ...good, name: 'all.or.nothing', value: Number.NaN },
    ]);
    const response = await query({ name: 'all.or.nothing', labels: `service=${SERVICE}`, agg: 'count' });
    expect(response.json.points).toEqual([]);
  });

  it('refuses queries without a service, with a bad window, too many points or a bad step', async () => {
    const to = Date.now();
    expectInvalid(await query({ name: 'x.y', labels: 'environment=prod' }), '/query/labels');
    expectInvalid(await query({ name: 'x.y', labels: 'service' }), '/query/labels');
    expectInvalid(await query({ name: 'x.y' }), '/query/labels');
    expectInvalid(await query({ labels: `service=${SERVICE}` }), '/query/name');
    expectInvalid(await query({ name: 'x.y', labels: `service=${SERVICE}`, agg: 'median' }), '/query/agg');
    expectInvalid(await query({ name: 'x.y', labels: `service=${SERVICE}`, step: 'soon' }), '/query/step');
    expectInvalid(await query({ name: 'x.y', labels: `service=${SERVICE}`, from: iso(to), to: iso(to - 1000) }), '/query/from');
    expectInvalid(await query({ name: 'x.y', labels: `service=${SERVICE}`, from: iso(to - 8 * 86_400_000), to: iso(to) }), '/query/from');
    expectInvalid(
      await query({ name: 'x.y', labels: `service=${SERVICE}`, from: iso(to - 86_400_000), to: iso(to), step: '1s' }),
      '/query/step',
    );
  });
});

describe('access', () => {
  it('needs a deployer to push and a viewer to query; a scoped key sees its services only', async () => {
    const viewer = await keyFor('viewer');
    expectProblem(await push([{ name: 'a.b', type: 'gauge', value: 1, labels: { service: SERVICE } }], viewer), 403);
    expect((await query({ name: 'a.b', labels: `service=${SERVICE}` }, viewer)).status).toBe(200);

    const scoped = await keyFor('deployer', [SERVICE]);
    expect((await push([{ name: 'a.b', type: 'gauge', value: 1, labels: { service: SERVICE } }], scoped)).status).toBe(200);
    expectProblem(
      await push(
        [
          { name: 'a.b', type: 'gauge', value: 1, labels: { service: SERVICE } },
          { name: 'a.b', type: 'gauge', value: 1, labels: { service: 'other-api' } },
        ],
        scoped,
      ),
      403,
    );
    expectProblem(await query({ name: 'a.b', labels: 'service=other-api' }, scoped), 403);
    expect((await query({ name: 'a.b', labels: `service=${SERVICE}` }, scoped)).status).toBe(200);
    expectProblem(await push([], client.as(null)), 401);
  });
});

describe('health checks as metrics', () => {
  it('records health.latency_ms and health.success for every run', async () => {
    const created = await client.post(`/v1/services/${SERVICE}/health-checks`, {
      environment: 'prod',
      url: `${targets.url}/up`,
      intervalSeconds: 3600,
      conditions: ['[STATUS] == 200'],
    });
    expect(created.status, created.text).toBe(201);
    const id = created.json.id as string;
    const from = iso(Date.now() - 1000);
    for (const path of ['run', 'run']) expect((await client.post(`/v1/services/${SERVICE}/health-checks/${id}/${path}`)).status).toBe(200);
    const labels = `service=${SERVICE},environment=prod,check=${id}`;
    const success = await query({ name: 'health.success', labels, from, agg: 'count' });
    expect(success.status, success.text).toBe(200);
    expect(success.json.points.reduce((total: number, p: { value: number }) => total + p.value, 0)).toBe(2);
    const min = await query({ name: 'health.success', labels, from, agg: 'min', step: '1h' });
    expect(min.json.points.map((p: { value: number }) => p.value)).toEqual([1]);
    const latency = await query({ name: 'health.latency_ms', labels, from, agg: 'max', step: '1h' });
    expect(latency.json.points).toHaveLength(1);
    expect(latency.json.points[0].value).toBeGreaterThanOrEqual(0);
  });
});

describe('the local sweep', () => {
  it('deletes samples once their TTL has passed, and none before, markers with them', async () => {
    const labels = { service: 'other-api' };
    expect((await push([{ name: 'swept.gauge', type: 'gauge', value: 1, labels }])).status).toBe(200);
    const read = () => query({ name: 'swept.gauge', labels: 'service=other-api', agg: 'count' });
    expect((await sweepExpiredSamples(new Date())).deleted).toBe(0);
    expect((await read()).json.points).toHaveLength(1);

    const later = new Date(Date.now() + 15 * 86_400_000);
    let swept = 0;
    for (let round = 0; round < 20; round++) {
      const outcome = await sweepExpiredSamples(later);
      swept += outcome.deleted;
      if (outcome.buckets === 0) break;
    }
    expect(swept).toBeGreaterThanOrEqual(1);
    expect((await read()).json.points).toEqual([]);
    // Every bucket's marker went with its samples: a further sweep finds nothing.
    expect(await sweepExpiredSamples(later)).toEqual({ deleted: 0, buckets: 0 });
  });
});
