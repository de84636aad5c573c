import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Runtime, startRuntime } from '../../local/runtime.ts';
import { type ApiClient, api, expectNoServerErrors, expectProblem } from '../helpers/http-client.ts';
import { lognormal, seededRandom } from './statistics/random.ts';

/**
 * Issue 10, items 5 and 6, through the local runtime over HTTP: a version's evaluation against
 * the model policy (pass, fail, insufficient data) and the comparison of versions with its tests.
 */

let runtime: Runtime;
let client: ApiClient;
const MODEL = 'eval-model';
const card = (accuracy: number) => ({
  artifactUri: 's3://m',
  artifactDigest: `sha256:${'cd'.repeat(32)}`,
  capabilities: ['classification'],
  trainingMetrics: { accuracy, f1: accuracy - 0.05 },
});

beforeAll(async () => {
  runtime = await startRuntime({ memory: true, port: 0, reconcileEveryMs: 3_600_000, tickSeconds: 3600 });
  client = api(runtime);
  expect((await client.post('/v1/services', { name: MODEL, kind: 'model' })).status).toBe(201);
  for (const [version, accuracy] of [
    ['1.0.0', 0.9],
    ['1.1.0', 0.93],
    ['1.2.0', 0.91],
    ['1.3.0', 0.95],
  ] as const) {
    expect((await client.post(`/v1/services/${MODEL}/versions`, { version, model: card(accuracy) })).status).toBe(201);
  }
  const random = seededRandom(42);
  const records = (version: string, count: number, errorRate: number, medianMs: number, confidence: number) =>
    Array.from({ length: count }, (_, i) => ({
      version,
      success: i % Math.round(1 / Math.max(errorRate, 1e-9)) !== 0 || errorRate === 0,
      latencyMs: lognormal(random, medianMs, 0.3),
      confidence,
      inputTokens: 100,
      outputTokens: 50,
    }));
  // 1.0.0: healthy; 1.1.0: same shape; 1.2.0: 20% errors and three times slower; 1.3.0: ten records only.
  for (const batch of [
    records('1.0.0', 1000, 0.01, 100, 0.9),
    records('1.1.0', 1000, 0.01, 100, 0.9),
    records('1.2.0', 1000, 0.2, 300, 0.6),
    records('1.3.0', 10, 0, 100, 0.9),
  ]) {
    const reply = await client.post(`/v1/services/${MODEL}/inferences`, { records: batch });
    expect(reply.json.rejected).toEqual([]);
  }
});

afterAll(async () => {
  expectNoServerErrors(client.log);
  await runtime?.close();
});

const evaluation = (version: string, query: Record<string, string> = {}) =>
  client.get(`/v1/services/${MODEL}/versions/${version}/evaluation`, { query });

describe('evaluation', () => {
  it('passes a version within every threshold, listing each criterion', async () => {
    // Act
    const reply = await evaluation('1.0.0');

    // Assess
    expect(reply.status, reply.text).toBe(200);
    expect(reply.json).toMatchObject({
      verdict: 'pass',
      samples: 1000,
      minSamples: 50,
      window: { environment: 'prod', granularity: 'hour' },
    });
    expect(reply.json.criteria.map((c: { name: string; ok: boolean }) => [c.name, c.ok])).toEqual([
      ['successRate', true],
      ['errorRate', true],
      ['latencyP95', true],
      ['confidence', true],
    ]);
  });

  it('fails a version past its thresholds, naming the criteria it fails', async () => {
    // Act
    const reply = await evaluation('1.2.0');

    // Assess
    expect(reply.json.verdict).toBe('fail');
    const failed = reply.json.criteria.filter((c: { ok: boolean }) => c.ok === false).map((c: { name: string }) => c.name);
    expect(failed).toEqual(['successRate', 'errorRate', 'confidence']);
    expect(reply.json.criteria.find((c: { name: string }) => c.name === 'errorRate')).toMatchObject({ observed: 0.2, threshold: 0.05 });
  });

  it('says insufficient-data, never fail, under minSamples', async () => {
    // Act
    const few = await evaluation('1.3.0');
    const none = await evaluation('1.0.0', { environment: 'staging' });

    // Assess
    expect(few.json).toMatchObject({ verdict: 'insufficient-data', samples: 10 });
    expect(none.json).toMatchObject({ verdict: 'insufficient-data', samples: 0 });
  });

  it('judges by the policy in force, at its latency percentile and cost limit', async () => {
    // Prepare
    await client.request('PUT', `/v1/services/${MODEL}/model-policy`, {
      maxLatencyMs: 120,
      latencyPercentile: 'p50',
      maxCostPer1kRequests: 1,
    });

    // Act
    const reply = await evaluation('1.0.0');

    // Assess
    expect(reply.json.verdict).toBe('pass');
    expect(reply.json.criteria.map((c: { name: string }) => c.name)).toEqual([
      'successRate',
      'errorRate',
      'latencyP50',
      'confidence',
      'costPer1kRequests',
    ]);
    await client.request('PUT', `/v1/services/${MODEL}/model-policy`, { maxLatencyMs: 50, latencyPercentile: 'p50' });
    expect((await evaluation('1.0.0')).json.verdict).toBe('fail');
    await client.request('PUT', `/v1/services/${MODEL}/model-policy`, {});
  });
});

describe('compare', () => {
  it('marks a worse version worse only where the tests say so, with deltas against the first', async () => {
    // Act
    const reply = await client.get(`/v1/services/${MODEL}/compare`, { query: { versions: '1.0.0,1.1.0,1.2.0' } });

    // Assess
    expect(reply.status, reply.text).toBe(200);
    const [reference, same, worse] = reply.json.rows;
    expect(reference).toMatchObject({ version: '1.0.0', reference: true, deltas: null, errorRate: null, latency: null });
    expect(reference.trainingMetrics).toEqual({ accuracy: 0.9, f1: 0.9 - 0.05 });
    expect(same.errorRate.marker).toBe('no-significant-difference');
    expect(same.latency.marker).toBe('no-significant-difference');
    expect(worse.errorRate.marker).toBe('worse');
    expect(worse.errorRate.pValue).toBeLessThan(0.001);
    expect(worse.latency.marker).toBe('worse');
    expect(worse.deltas.errorRate).toBeCloseTo(0.19, 10);
    expect(worse.deltas.trainingMetrics.accuracy).toBeCloseTo(0.01, 10);
    expect(worse.live.samples).toBe(1000);
  });

  it('sorts the rows after the reference, and compares the other way round', async () => {
    // Act
    const reply = await client.get(`/v1/services/${MODEL}/compare`, { query: { versions: '1.2.0,1.0.0,1.1.0', sort: 'errorRate' } });

    // Assess
    expect(reply.json.rows.map((r: { version: string }) => r.version)[0]).toBe('1.2.0');
    expect(reply.json.rows[1].errorRate.marker).toBe('better');
    expect(reply.json.rows[1].latency.marker).toBe('better');
  });

  it('refuses one version, a version listed twice, and an unknown one', async () => {
    // Act
    const one = await client.get(`/v1/services/${MODEL}/compare`, { query: { versions: '1.0.0' } });
    const twice = await client.get(`/v1/services/${MODEL}/compare`, { query: { versions: '1.0.0,1.0.0' } });
    const unknown = await client.get(`/v1/services/${MODEL}/compare`, { query: { versions: '1.0.0,4.0.0' } });

    // Assess
    expectProblem(one, 400);
    expectProblem(twice, 400);
    expectProblem(unknown, 404);
  });
});
