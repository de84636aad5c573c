import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Runtime, startRuntime } from '../../local/runtime.ts';
import { type ApiClient, api, expectInvalid, expectNoServerErrors, expectProblem } from '../helpers/http-client.ts';
import { exactQuantile, lognormal, seededRandom } from './statistics/random.ts';

/**
 * Issue 10, item 4, end to end through the local runtime over HTTP: reporting inferences, what is
 * refused and why, the `ingest` role, exact totals under twenty concurrent writers, and the
 * performance figures read back from the cells (quantiles within 1% of the exact ones).
 */

let runtime: Runtime;
let client: ApiClient;
const MODEL = 'tele-model';
const OTHER = 'tele-other-model';
const API = 'tele-api';
const DIGEST = `sha256:${'ab'.repeat(32)}`;
const PRICING = { inputPer1kTokens: 0.5, outputPer1kTokens: 2, perRequest: 0.001, currency: 'USD' };

beforeAll(async () => {
  runtime = await startRuntime({ memory: true, port: 0, reconcileEveryMs: 3_600_000, tickSeconds: 3600 });
  client = api(runtime);
  for (const [name, kind] of [
    [MODEL, 'model'],
    [OTHER, 'model'],
    [API, 'api'],
  ] as const) {
    expect((await client.post('/v1/services', { name, kind })).status).toBe(201);
  }
  const card = { artifactUri: 's3://m/1', artifactDigest: DIGEST, capabilities: ['chat'], pricing: PRICING };
  for (const version of ['1.0.0', '1.1.0', '1.2.0+build.7']) {
    const reply = await client.post(`/v1/services/${MODEL}/versions`, { version, model: card });
    expect(reply.status, reply.text).toBe(201);
  }
  expect((await client.post(`/v1/services/${OTHER}/versions`, { version: '9.0.0' })).status).toBe(201);
  expect((await client.post(`/v1/services/${API}/versions`, { version: '1.0.0' })).status).toBe(201);
});

afterAll(async () => {
  expectNoServerErrors(client.log);
  await runtime?.close();
});

const report = (records: unknown[], as: ApiClient = client, service = MODEL) => as.post(`/v1/services/${service}/inferences`, { records });
const performance = (version: string, query: Record<string, string> = {}) =>
  client.get(`/v1/services/${MODEL}/versions/${encodeURIComponent(version)}/performance`, { query });

async function keyFor(role: string, services?: string[]): Promise<ApiClient> {
  const response = await client.post('/v1/api-keys', { name: `tele-${role}-${services?.join('-') ?? 'all'}`, role, services });
  expect(response.status, response.text).toBe(201);
  return client.as(response.json.key);
}

describe('reporting inferences', () => {
  it('counts the valid records and lists each refused one with its reason', async () => {
    // Prepare
    const now = Date.now();
    const records = [
      { version: '1.0.0', success: true, latencyMs: 120, confidence: 0.9, inputTokens: 1000, outputTokens: 500, environment: 'staging' },
      { version: '1.0.0', success: true, latencyMs: -1, environment: 'staging' },
      { version: '1.0.0', success: true, latencyMs: 10, confidence: 1.5, environment: 'staging' },
      { version: '7.7.7', success: true, latencyMs: 10, environment: 'staging' },
      { version: '9.0.0', success: true, latencyMs: 10, environment: 'staging' },
      { version: '1.0.0', success: true, latencyMs: 10, at: new Date(now + 2 * 3_600_000).toISOString(), environment: 'staging' },
      { version: '1.0.0', success: true, latencyMs: 10, at: new Date(now - 15 * 86_400_000).toISOString(), environment: 'staging' },
      { version: '1.0.0', success: false, latencyMs: 300, error: 'timeout', environment: 'staging' },
      'not a record',
      { version: 'v1', success: true, latencyMs: 10 },
      { version: '1.0.0', success: true, latencyMs: 10, extra: 1 },
    ];

    // Act
    const reply = await report(records);

    // Assess
    expect(reply.status, reply.text).toBe(202);
    expect(reply.json.accepted).toBe(2);
    expect(reply.json.rejected.map((r: { index: number }) => r.index)).toEqual([1, 2, 3, 4, 5, 6, 8, 9, 10]);
    const reason = (index: number) => reply.json.rejected.find((r: { index: number }) => r.index === index).reason;
    expect(reason(1)).toMatch(/^latencyMs: /);
    expect(reason(2)).toMatch(/^confidence: /);
    expect(reason(3)).toBe(`version: ${MODEL} has no version 7.7.7`);
    expect(reason(4)).toBe(`version: ${MODEL} has no version 9.0.0`);
    expect(reason(5)).toBe('at is more than 1 hour in the future');
    expect(reason(6)).toBe('at is more than 14 days in the past');
    expect(reason(9)).toMatch(/not a valid semantic version/);
    expect(reason(10)).toMatch(/extra/);

    const read = await performance('1.0.0', { window: '1h', environment: 'staging' });
    expect(read.status, read.text).toBe(200);
    expect(read.json).toMatchObject({
      service: MODEL,
      version: '1.0.0',
      samples: 2,
      successRate: 0.5,
      errorRate: 0.5,
      errors: { timeout: 1 },
      tokens: { input: 1000, output: 500 },
      window: { granularity: 'minute', environment: 'staging' },
    });
    // 1000 input tokens at 0.5/1k + 500 output at 2/1k + 0.001 per request, twice for the request price.
    expect(read.json.costUsd.total).toBeCloseTo(0.5 + 1 + 0.002, 10);
    expect(read.json.latencyMs.max).toBe(300);
    expect(read.json.confidence.mean).toBeCloseTo(0.9, 10);
  });

  it('counts a version written with or without its build metadata as the registered version', async () => {
    // Act
    const reply = await report([
      { version: '1.2.0', success: true, latencyMs: 5, environment: 'build-meta' },
      { version: '1.2.0+build.7', success: true, latencyMs: 5, environment: 'build-meta' },
    ]);

    // Assess
    expect(reply.json).toEqual({ accepted: 2, rejected: [] });
    const read = await performance('1.2.0', { window: '1h', environment: 'build-meta' });
    expect(read.json).toMatchObject({ version: '1.2.0+build.7', samples: 2 });
  });

  it('counts records without an environment under the production environment of the policy', async () => {
    // Prepare
    const policy = await client.request('PUT', `/v1/services/${MODEL}/model-policy`, { productionEnvironment: 'live' });
    expect(policy.status, policy.text).toBe(200);

    // Act
    await report([{ version: '1.1.0', success: true, latencyMs: 5 }]);

    // Assess
    expect((await performance('1.1.0', { window: '1h', environment: 'live' })).json.samples).toBe(1);
    expect((await performance('1.1.0', { window: '1h' })).json.window.environment).toBe('live');
    expect((await performance('1.1.0', { window: '1h', environment: 'prod' })).json.samples).toBe(0);
    await client.request('PUT', `/v1/services/${MODEL}/model-policy`, {});
  });

  it('refuses an empty batch and one of more than 5,000 records with a 400', async () => {
    // Act
    const empty = await report([]);
    const oversize = await report(Array.from({ length: 5001 }, () => ({ version: '1.0.0', success: true, latencyMs: 1 })));

    // Assess
    expectInvalid(empty, '/body/records');
    expectInvalid(oversize, '/body/records');
  });

  it('takes a full batch of 5,000 records past the default 1 MB body limit', async () => {
    // Prepare: over 1 MB of records.
    const records = Array.from({ length: 5000 }, (_, i) => ({
      version: '1.0.0',
      environment: 'big-batch',
      success: i % 100 !== 0,
      latencyMs: 10 + (i % 90),
      confidence: 0.9,
      inputTokens: 1200,
      outputTokens: 300,
      ...(i % 100 === 0 ? { error: 'upstream_timeout_after_retries' } : {}),
      client: `checkout-service-eu-west-1-instance-${i % 40}-of-the-payments-platform-team`,
    }));
    expect(JSON.stringify({ records }).length).toBeGreaterThan(1024 * 1024);

    // Act
    const reply = await report(records);

    // Assess
    expect(reply.status, reply.text.slice(0, 300)).toBe(202);
    expect(reply.json).toEqual({ accepted: 5000, rejected: [] });
    expect((await performance('1.0.0', { window: '1h', environment: 'big-batch' })).json).toMatchObject({ samples: 5000, errorRate: 0.01 });
  });

  it('answers 409 for a service that is not a model, and 404 for no service', async () => {
    // Act
    const notModel = await report([{ version: '1.0.0', success: true, latencyMs: 1 }], client, API);
    const missing = await report([{ version: '1.0.0', success: true, latencyMs: 1 }], client, 'no-such-model');

    // Assess
    expect(expectProblem(notModel, 409).detail).toContain('not model');
    expectProblem(missing, 404);
  });
});

describe('the ingest role', () => {
  it('may report inferences and nothing else, within its services', async () => {
    // Prepare
    const ingest = await keyFor('ingest', [MODEL]);
    const viewer = await keyFor('viewer');

    // Act
    const reported = await report([{ version: '1.0.0', success: true, latencyMs: 1, environment: 'ingest-env' }], ingest);
    const elsewhere = await report([{ version: '9.0.0', success: true, latencyMs: 1 }], ingest, OTHER);
    const read = await ingest.get(`/v1/services/${MODEL}/versions/1.0.0/performance`);
    const list = await ingest.get('/v1/services');
    const byViewer = await report([{ version: '1.0.0', success: true, latencyMs: 1 }], viewer);

    // Assess
    expect(reported.status, reported.text).toBe(202);
    expectProblem(elsewhere, 403);
    expect(expectProblem(read, 403).detail).toContain('has ingest');
    expectProblem(list, 403);
    expect(expectProblem(byViewer, 403).detail).toContain('needs the ingest role');
  });
});

describe('concurrent writers', () => {
  it('gives exact totals when twenty batches land on the same cells at once', async () => {
    // Prepare
    const at = new Date(Math.floor(Date.now() / 60_000) * 60_000 - 120_000).toISOString();
    const batch = (writer: number) =>
      Array.from({ length: 50 }, (_, i) => ({
        version: '1.0.0',
        at,
        environment: 'race',
        success: i % 10 !== 0,
        latencyMs: writer * 10 + i,
        inputTokens: 3,
        client: `writer-${writer}`,
      }));

    // Act
    const replies = await Promise.all(Array.from({ length: 20 }, (_, writer) => report(batch(writer))));

    // Assess
    for (const reply of replies) expect(reply.json, reply.text).toEqual({ accepted: 50, rejected: [] });
    const minutes = await performance('1.0.0', { window: '1h', environment: 'race' });
    expect(minutes.json).toMatchObject({ samples: 1000, errorRate: 0.1, tokens: { input: 3000, output: 0 } });
    const hours = await performance('1.0.0', { window: '24h', environment: 'race' });
    expect(hours.json).toMatchObject({ samples: 1000, errorRate: 0.1, window: { granularity: 'hour' } });
    expect(hours.json.latencyMs.max).toBe(19 * 10 + 49);
  });
});

describe('performance', () => {
  it('reads quantiles within 1% of the exact values, and a series by minute', async () => {
    // Prepare
    const random = seededRandom(10);
    const base = Math.floor(Date.now() / 60_000) * 60_000 - 5 * 60_000;
    const latencies = Array.from({ length: 3000 }, () => lognormal(random, 200, 0.6));
    const records = latencies.map((latencyMs, i) => ({
      version: '1.1.0',
      environment: 'quantiles',
      at: new Date(base + (i % 3) * 60_000 + 1000).toISOString(),
      success: true,
      latencyMs,
      confidence: 0.5 + (i % 50) / 100,
    }));

    // Act
    const replies = await Promise.all([0, 1000, 2000].map((start) => report(records.slice(start, start + 1000))));
    const read = await performance('1.1.0', { window: '1h', environment: 'quantiles' });

    // Assess
    for (const reply of replies) expect(reply.json.accepted).toBe(1000);
    const sorted = [...latencies].sort((a, b) => a - b);
    for (const [name, q] of [
      ['p50', 0.5],
      ['p90', 0.9],
      ['p95', 0.95],
      ['p99', 0.99],
    ] as const) {
      const exact = exactQuantile(sorted, q);
      expect(Math.abs(read.json.latencyMs[name] - exact) / exact, name).toBeLessThanOrEqual(0.01);
    }
    expect(read.json.latencyMs.max).toBe(sorted.at(-1));
    expect(read.json.series.map((point: { samples: number }) => point.samples)).toEqual([1000, 1000, 1000]);
    expect(read.json.series[0].t).toBe(new Date(base).toISOString());
  });

  it('resolves an unknown version to 404 and refuses a window given twice', async () => {
    // Act
    const unknown = await performance('3.0.0');
    const twice = await performance('1.0.0', { window: '1h', from: new Date(Date.now() - 60_000).toISOString() });

    // Assess
    expectProblem(unknown, 404);
    expectProblem(twice, 400);
  });
});

describe('the model policy', () => {
  it('shows the defaults until set, and replaces the policy whole with If-Match', async () => {
    // Prepare
    const fresh = 'tele-policy-model';
    await client.post('/v1/services', { name: fresh, kind: 'model' });

    // Act
    const initial = await client.get(`/v1/services/${fresh}/model-policy`);
    const put = await client.request(
      'PUT',
      `/v1/services/${fresh}/model-policy`,
      { maxErrorRate: 0.01, minSamples: 10 },
      {
        headers: { 'if-match': initial.json.etag },
      },
    );
    const stale = await client.request('PUT', `/v1/services/${fresh}/model-policy`, {}, { headers: { 'if-match': initial.json.etag } });
    const replaced = await client.request('PUT', `/v1/services/${fresh}/model-policy`, { minSamples: 20 });

    // Assess
    expect(initial.json).toMatchObject({
      minSamples: 50,
      maxErrorRate: 0.05,
      minSuccessRate: 0.95,
      maxLatencyMs: 5000,
      latencyPercentile: 'p95',
      minConfidence: 0.7,
      maxCostPer1kRequests: null,
      productionEnvironment: 'prod',
      enforcePerformanceThresholds: true,
      deprecateOldVersionsOnNewDeployment: true,
      enableAutomaticRetirement: false,
      defaultGracePeriodDays: 90,
      eolWarningThresholdDays: 30,
      autoRollbackWindowMinutes: 30,
      updatedAt: null,
    });
    expect(put.status, put.text).toBe(200);
    expect(put.json).toMatchObject({ maxErrorRate: 0.01, minSamples: 10 });
    expectProblem(stale, 412);
    expect(replaced.json).toMatchObject({ maxErrorRate: 0.05, minSamples: 20 });
    const history = await client.get(`/v1/services/${fresh}/history`);
    expect(history.json.items.filter((event: { type: string }) => event.type === 'model.policy_updated')).toHaveLength(2);
  });

  it('is a 409 on a service that is not a model', async () => {
    // Act
    const reply = await client.request('PUT', `/v1/services/${API}/model-policy`, {});

    // Assess
    expectProblem(reply, 409);
  });
});
