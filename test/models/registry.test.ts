import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Runtime, startRuntime } from '../../local/runtime.ts';
import { finished, putEnvironment } from '../helpers/deployments.ts';
import { type ApiClient, api, expectNoServerErrors, expectProblem } from '../helpers/http-client.ts';

/**
 * Issue 10, items 11 and 12, through the local runtime over HTTP: the registry views (every model,
 * the totals, a model's costs) and the deprecations, with what a key limited to services sees.
 */

let runtime: Runtime;
let client: ApiClient;
const CHAT = 'reg-chat-model';
const VISION = 'reg-vision-model';
const API = 'reg-orders-api';
const DAY_MS = 86_400_000;
const card = (pricing?: object) => ({
  artifactUri: 's3://m',
  artifactDigest: `sha256:${'aa'.repeat(32)}`,
  capabilities: ['chat'],
  ...(pricing ? { pricing } : {}),
});
const PRICING = { inputPer1kTokens: 1, outputPer1kTokens: 2, currency: 'USD' };
const path = (service: string, rest = '') => `/v1/services/${service}${rest}`;

async function release(service: string, version: string, body: Record<string, unknown> = {}) {
  expect((await client.post(path(service, '/versions'), { version, ...body })).status).toBe(201);
  expect((await client.post(path(service, `/versions/${version}/release`))).status).toBe(200);
}

beforeAll(async () => {
  runtime = await startRuntime({ memory: true, port: 0, reconcileEveryMs: 3_600_000, tickSeconds: 3600 });
  client = api(runtime);
  await client.post('/v1/services', { name: CHAT, kind: 'model', owner: 'ml@example.com' });
  await client.post('/v1/services', { name: VISION, kind: 'model' });
  await client.post('/v1/services', { name: API, kind: 'api' });
  await release(CHAT, '1.0.0', { model: card(PRICING) });
  await release(CHAT, '2.0.0', { model: card(PRICING) });
  await release(VISION, '1.0.0', { model: card() });
  await release(API, '1.0.0');
  await release(API, '2.0.0');
  await client.request('PUT', path(CHAT, '/model-policy'), { enforcePerformanceThresholds: false });
  await putEnvironment(client, CHAT, 'prod', { traffic: { driver: 'none' } });
  const promoted = await client.post(path(CHAT, '/environments/prod/promote'), { version: '2.0.0' });
  expect((await finished(client, CHAT, promoted.json.id)).status).toBe('succeeded');
  await client.request('PUT', path(CHAT, '/aliases/champion'), { version: '2.0.0' });

  const yesterday = new Date(Date.now() - DAY_MS - 3_600_000).toISOString();
  const records = [
    // 1.0.0: 3 today from two clients, one yesterday; 2.0.0: 4 today, one failing.
    ...[0, 1, 2].map((i) => ({
      version: '1.0.0',
      success: true,
      latencyMs: 10,
      inputTokens: 1000,
      outputTokens: 500,
      client: i ? 'web' : 'batch',
    })),
    { version: '1.0.0', at: yesterday, success: true, latencyMs: 10, inputTokens: 1000, outputTokens: 0, client: 'web' },
    ...[0, 1, 2, 3].map((i) => ({
      version: '2.0.0',
      success: i !== 0,
      latencyMs: 10,
      inputTokens: 500,
      outputTokens: 500,
      environment: i ? 'prod' : 'staging',
    })),
  ];
  expect((await client.post(path(CHAT, '/inferences'), { records })).json.rejected).toEqual([]);
  expect((await client.post(path(VISION, '/inferences'), { records: [{ version: '1.0.0', success: true, latencyMs: 5 }] })).status).toBe(
    202,
  );

  const sunset = (days: number) => new Date(Date.now() + days * DAY_MS + 3_600_000).toISOString();
  await client.post(path(CHAT, '/versions/1.0.0/deprecate'), { sunsetAt: sunset(5), replacement: '2.0.0', reason: 'older' });
  await client.post(path(API, '/versions/1.0.0/deprecate'), { sunsetAt: sunset(20), replacement: '2.0.0' });
});

afterAll(async () => {
  expectNoServerErrors(client.log);
  await runtime?.close();
});

describe('the registry views', () => {
  it('lists the models with their versions by serving status, active version, aliases and last day', async () => {
    // Act
    const reply = await client.get('/v1/models');

    // Assess
    expect(reply.status, reply.text).toBe(200);
    expect(reply.json.items.map((m: { name: string }) => m.name)).toEqual([CHAT, VISION]);
    const [chat] = reply.json.items;
    expect(chat).toMatchObject({
      owner: 'ml@example.com',
      versionCount: 2,
      servingStatuses: { active: 1, deprecated: 1, inactive: 0, canary: 0, testing: 0, retired: 0 },
      activeVersion: '2.0.0',
      aliases: { champion: '2.0.0' },
    });
    // 7 records in the last 24 hours (the one from yesterday is older), one failed; 1.0.0 costs 2 USD a record, 2.0.0 1.5.
    expect(chat.last24h.requests).toBe(7);
    expect(chat.last24h.errorRate).toBeCloseTo(1 / 7, 10);
    expect(chat.last24h.costUsd).toBeCloseTo(3 * 2 + 4 * 1.5, 10);
  });

  it('pages by name', async () => {
    // Act
    const first = await client.get('/v1/models', { query: { limit: 1 } });
    const second = await client.get('/v1/models', { query: { limit: 1, cursor: first.json.nextCursor } });

    // Assess
    expect(first.json.items.map((m: { name: string }) => m.name)).toEqual([CHAT]);
    expect(second.json.items.map((m: { name: string }) => m.name)).toEqual([VISION]);
    expect(second.json.nextCursor).toBeNull();
  });

  it('totals the models, with the top ones by traffic and by cost', async () => {
    // Act
    const reply = await client.get('/v1/models/stats');

    // Assess
    expect(reply.json).toMatchObject({
      models: 2,
      versions: 3,
      servingStatuses: { active: 1, deprecated: 1, inactive: 1 },
      last24h: { inferences: 8 },
      topByTraffic: [
        { name: CHAT, requests: 7 },
        { name: VISION, requests: 1 },
      ],
    });
    expect(reply.json.topByCost[0]).toMatchObject({ name: CHAT });
    expect(reply.json.last24h.costUsd).toBeCloseTo(12, 10);
  });

  it('shows a limited key only its own models', async () => {
    // Prepare
    const key = await client.post('/v1/api-keys', { name: 'reg-viewer', role: 'viewer', services: [VISION] });
    const limited = client.as(key.json.key);

    // Act
    const models = await limited.get('/v1/models');
    const stats = await limited.get('/v1/models/stats');
    const deprecations = await limited.get('/v1/deprecations');
    const elsewhere = await limited.get('/v1/deprecations', { query: { service: CHAT } });

    // Assess
    expect(models.json.items.map((m: { name: string }) => m.name)).toEqual([VISION]);
    expect(stats.json.models).toBe(1);
    expect(deprecations.json.items).toEqual([]);
    expectProblem(elsewhere, 403);
  });
});

describe('costs', () => {
  it('sums a model’s cost by day and by version, per environment when asked', async () => {
    // Act
    const byDay = await client.get(path(CHAT, '/costs'));
    const byVersion = await client.get(path(CHAT, '/costs'), { query: { groupBy: 'version' } });
    const staging = await client.get(path(CHAT, '/costs'), { query: { groupBy: 'version', environment: 'staging' } });

    // Assess
    expect(byDay.status, byDay.text).toBe(200);
    expect(byDay.json.total).toMatchObject({ requests: 8, inputTokens: 6000, outputTokens: 3500 });
    expect(byDay.json.total.costUsd).toBeCloseTo(6 + 1 + 6, 10);
    expect(byDay.json.groups.map((g: { key: string }) => g.key)).toHaveLength(2);
    expect(byVersion.json.groups.map((g: { key: string; requests: number }) => [g.key, g.requests])).toEqual([
      ['1.0.0', 4],
      ['2.0.0', 4],
    ]);
    expect(staging.json.groups.map((g: { key: string; requests: number }) => [g.key, g.requests])).toEqual([['2.0.0', 1]]);
  });

  it('refuses a window that ends before it starts, or is too long', async () => {
    // Act
    const backwards = await client.get(path(CHAT, '/costs'), { query: { from: '2026-02-01', to: '2026-01-01' } });
    const tooLong = await client.get(path(CHAT, '/costs'), { query: { from: '2024-01-01', to: '2026-01-01' } });

    // Assess
    expectProblem(backwards, 400);
    expectProblem(tooLong, 400);
  });
});

describe('deprecations', () => {
  it('lists deprecated versions of models and APIs with days left, severity, replacement and who still calls them', async () => {
    // Act
    const reply = await client.get('/v1/deprecations');
    const soon = await client.get('/v1/deprecations', { query: { within: '10d' } });

    // Assess
    expect(reply.status, reply.text).toBe(200);
    expect(reply.json.items).toEqual([
      expect.objectContaining({
        service: CHAT,
        kind: 'model',
        version: '1.0.0',
        daysLeft: 5,
        severity: 'critical',
        replacement: '2.0.0',
        reason: 'older',
        recentTraffic: { requests: 4, byClient: { batch: 1, web: 3 } },
      }),
      expect.objectContaining({ service: API, kind: 'api', version: '1.0.0', daysLeft: 20, severity: 'warning', recentTraffic: null }),
    ]);
    expect(soon.json.items.map((d: { service: string }) => d.service)).toEqual([CHAT]);
  });
});
