import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MetricSample } from '../../functions/metrics/metrics.domain.ts';
import { putSamples } from '../../functions/metrics/public.ts';
import { type Runtime, startRuntime } from '../../local/runtime.ts';
import { type ApiClient, api, expectNoServerErrors } from '../helpers/http-client.ts';

/**
 * Issue 11 §7 over HTTP against the local runtime: consumers registered by name, traffic per
 * consumer and version from metrics labelled `client` (POST /v1/metrics) and from a model's
 * inference records naming their `client`, and retiring a version a consumer called in the last 7
 * days refused with 409 naming them, unless forced (audited).
 */

let runtime: Runtime;
let client: ApiClient;
const SERVICE = 'orders-api';
const hoursAgo = (hours: number) => new Date(Date.now() - hours * 3_600_000).toISOString();

beforeAll(async () => {
  runtime = await startRuntime({ memory: true, port: 0, reconcileEveryMs: 3_600_000 });
  client = api(runtime);
  expect((await client.post('/v1/services', { name: SERVICE, kind: 'api' })).status).toBe(201);
  for (const version of ['1.0.0', '1.1.0', '2.0.0']) {
    expect((await client.post(`/v1/services/${SERVICE}/versions`, { version })).status).toBe(201);
    expect((await client.post(`/v1/services/${SERVICE}/versions/${version}/release`)).status).toBe(200);
  }
  for (const version of ['1.0.0', '1.1.0']) {
    expect((await client.post(`/v1/services/${SERVICE}/versions/${version}/deprecate`, { replacement: '2.0.0' })).status).toBe(200);
  }
  const sample = (version: string, consumer: string, value: number, at: string) => ({
    name: 'http.requests',
    type: 'counter',
    value,
    labels: { service: SERVICE, version, client: consumer },
    timestamp: at,
  });
  const ingest = await client.post('/v1/metrics', {
    samples: [
      sample('1.0.0', 'mobile-app', 5, hoursAgo(20)),
      sample('1.0.0', 'mobile-app', 7, hoursAgo(2)),
      sample('2.0.0', 'web', 40, hoursAgo(1)),
    ],
  });
  expect(ingest.status, ingest.text).toBeLessThan(300);
  // Ingestion takes samples up to a day old; older traffic is written to the same store directly.
  await putSamples([
    sample('1.0.0', 'batch-job', 1, hoursAgo(50)),
    // Older than 7 days: not a reason to keep 1.1.0.
    sample('1.1.0', 'legacy-tool', 3, hoursAgo(24 * 8)),
  ] as MetricSample[]);
});

afterAll(async () => {
  expectNoServerErrors(client.log);
  await runtime?.close();
});

describe('consumers', () => {
  it('registers a consumer by name (201, then 200), lists them, and refuses unknown fields', async () => {
    const created = await client.request('PUT', `/v1/services/${SERVICE}/consumers/mobile-app`, { contact: 'mobile@example.com' });
    expect(created.status, created.text).toBe(201);
    expect(created.json).toMatchObject({ service: SERVICE, consumer: 'mobile-app', contact: 'mobile@example.com', description: null });
    const again = await client.request('PUT', `/v1/services/${SERVICE}/consumers/mobile-app`, { contact: 'mobile@example.com' });
    expect(again.status).toBe(200);
    const list = await client.get(`/v1/services/${SERVICE}/consumers`);
    expect(list.json.items.map((item: { consumer: string }) => item.consumer)).toEqual(['mobile-app']);
    expect((await client.request('PUT', `/v1/services/${SERVICE}/consumers/mobile-app`, { team: 'x' })).status).toBe(400);
    expect((await client.request('PUT', '/v1/services/no-such-svc/consumers/mobile-app', {})).status).toBe(404);
  });

  it('GET .../versions/{v}/consumers: who called the version, how often and when last, newest first', async () => {
    const response = await client.get(`/v1/services/${SERVICE}/versions/1.0.0/consumers`);
    expect(response.status, response.text).toBe(200);
    expect(response.json).toMatchObject({ service: SERVICE, version: '1.0.0', metric: 'http.requests' });
    expect(response.json.items).toEqual([
      {
        consumer: 'mobile-app',
        registered: true,
        contact: 'mobile@example.com',
        requests: 12,
        lastSeenAt: expect.any(String),
        sources: ['metric'],
      },
      { consumer: 'batch-job', registered: false, contact: null, requests: 1, lastSeenAt: expect.any(String), sources: ['metric'] },
    ]);
    expect(Date.parse(response.json.items[0].lastSeenAt)).toBeGreaterThan(Date.now() - 3 * 3_600_000);
    const oneDay = await client.get(`/v1/services/${SERVICE}/versions/1.0.0/consumers?days=1`);
    expect(oneDay.json.items.map((item: { consumer: string }) => item.consumer)).toEqual(['mobile-app']);
    expect((await client.get(`/v1/services/${SERVICE}/versions/1.0.0/consumers?days=90`)).status).toBe(400);
  });

  it('retiring a version called in the last 7 days is a 409 naming the consumers; force: { reason } retires it, audited', async () => {
    const refused = await client.post(`/v1/services/${SERVICE}/versions/1.0.0/retire`);
    expect(refused.status).toBe(409);
    expect(refused.json.detail).toContain('mobile-app');
    expect(refused.json.detail).toContain('batch-job');
    expect(refused.json.consumers.map((item: { consumer: string }) => item.consumer)).toEqual(['mobile-app', 'batch-job']);
    expect((await client.get(`/v1/services/${SERVICE}/versions/1.0.0`)).json.status).toBe('deprecated');

    const forced = await client.post(`/v1/services/${SERVICE}/versions/1.0.0/retire`, {
      force: { reason: 'mobile-app 4.2 ships on 2.0.0 today' },
    });
    expect(forced.status, forced.text).toBe(200);
    expect(forced.json.status).toBe('retired');
    const audit = await client.get(`/v1/audit?service=${SERVICE}&type=version.retired`);
    expect(JSON.stringify(audit.json.items)).toContain('mobile-app 4.2 ships on 2.0.0 today');
  });

  it('a version whose last call is older than 7 days retires without force', async () => {
    const retired = await client.post(`/v1/services/${SERVICE}/versions/1.1.0/retire`);
    expect(retired.status, retired.text).toBe(200);
  });
});

describe('a model’s consumers: its inference records’ clients', () => {
  const MODEL = 'churn-model';

  beforeAll(async () => {
    expect((await client.post('/v1/services', { name: MODEL, kind: 'model' })).status).toBe(201);
    for (const version of ['1.0.0', '2.0.0']) {
      expect((await client.post(`/v1/services/${MODEL}/versions`, { version })).status).toBe(201);
      expect((await client.post(`/v1/services/${MODEL}/versions/${version}/release`)).status).toBe(200);
    }
    const record = (version: string, extra: Record<string, unknown>) => ({ version, success: true, latencyMs: 40, ...extra });
    const reported = await client.post(`/v1/services/${MODEL}/inferences`, {
      records: [
        record('1.0.0', { client: 'mobile' }),
        record('1.0.0', { client: 'mobile' }),
        record('1.0.0', { client: 'partner', environment: 'staging' }),
        // Named no client: traffic, but nobody to tell.
        record('1.0.0', {}),
        // Another version's client is not 1.0.0's.
        record('2.0.0', { client: 'web' }),
      ],
    });
    expect(reported.status, reported.text).toBe(202);
    expect(reported.json.accepted).toBe(5);
    const metric = await client.post('/v1/metrics', {
      samples: [{ name: 'http.requests', type: 'counter', value: 3, labels: { service: MODEL, version: '1.0.0', client: 'mobile' } }],
    });
    expect(metric.status, metric.text).toBeLessThan(300);
  });

  it('GET .../versions/{v}/consumers counts the inferences per client, with the traffic metric, in every environment', async () => {
    const response = await client.get(`/v1/services/${MODEL}/versions/1.0.0/consumers`);
    expect(response.status, response.text).toBe(200);
    const items = response.json.items as Array<{ consumer: string; requests: number; sources: string[]; lastSeenAt: string }>;
    expect(
      items
        .map(({ consumer, requests, sources }) => ({ consumer, requests, sources }))
        .sort((a, b) => a.consumer.localeCompare(b.consumer)),
    ).toEqual([
      { consumer: 'mobile', requests: 5, sources: ['metric', 'inferences'] },
      { consumer: 'partner', requests: 1, sources: ['inferences'] },
    ]);
    for (const item of items) {
      expect(Date.parse(item.lastSeenAt)).toBeGreaterThan(Date.now() - 3_600_000);
      expect(Date.parse(item.lastSeenAt)).toBeLessThanOrEqual(Date.parse(response.json.to));
    }
    const other = await client.get(`/v1/services/${MODEL}/versions/2.0.0/consumers`);
    expect(other.json.items.map((item: { consumer: string }) => item.consumer)).toEqual(['web']);
  });

  it('retiring a version a model’s clients called is a 409 naming them; force: { reason } retires it, audited', async () => {
    expect((await client.post(`/v1/services/${MODEL}/versions/1.0.0/deprecate`, { replacement: '2.0.0' })).status).toBe(200);
    const refused = await client.post(`/v1/services/${MODEL}/versions/1.0.0/retire`);
    expect(refused.status, refused.text).toBe(409);
    expect(refused.json.detail).toContain('mobile');
    expect(refused.json.detail).toContain('partner');
    expect((await client.get(`/v1/services/${MODEL}/versions/1.0.0`)).json.status).toBe('deprecated');

    const forced = await client.post(`/v1/services/${MODEL}/versions/1.0.0/retire`, {
      force: { reason: 'mobile moves to 2.0.0 with 5.1' },
    });
    expect(forced.status, forced.text).toBe(200);
    expect(forced.json.status).toBe('retired');
    const audit = await client.get(`/v1/audit?service=${MODEL}&type=version.retired`);
    expect(JSON.stringify(audit.json.items)).toContain('mobile moves to 2.0.0 with 5.1');
  });
});
