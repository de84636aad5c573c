import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resetRateLimitSettings } from '../../functions/kernel/http/middleware/rate-limit.ts';
import { rateClassOf, rateLimitSettings, takeToken } from '../../functions/kernel/rate-limit/policy.ts';
import { takeFromBucket } from '../../functions/kernel/store/token-buckets.ts';
import { type Runtime, startRuntime } from '../../local/runtime.ts';
import { type ApiClient, api } from '../helpers/http-client.ts';

/** Rate limits per principal (issue 12 item 5): a token bucket per key and route class in the table. */

describe('the bucket arithmetic', () => {
  it('starts full, takes one token a request, refills with time, never past the limit', () => {
    const first = takeToken(undefined, 60, 0);
    expect(first).toMatchObject({ allowed: true, remaining: 59, retryAfterSeconds: 0, resetSeconds: 1 });
    let state = first.next;
    for (let index = 0; index < 59; index++) state = takeToken(state, 60, 0).next;
    const spent = takeToken(state, 60, 0);
    expect(spent).toMatchObject({ allowed: false, remaining: 0, retryAfterSeconds: 1, resetSeconds: 60 });
    expect(takeToken(state, 60, 1_000).allowed).toBe(true); // one token a second
    expect(takeToken(state, 60, 3_600_000).remaining).toBe(59); // full, not more
  });

  it('classes: GET reads, other methods writes, telemetry ingestion its own', () => {
    expect(rateClassOf({ operationId: 'listServices', method: 'GET' })).toBe('reads');
    expect(rateClassOf({ operationId: 'startDeployment', method: 'POST' })).toBe('writes');
    expect(rateClassOf({ operationId: 'ingestMetrics', method: 'POST' })).toBe('ingest');
  });

  it('settings: off by default, on, or per-role overrides; nonsense refused', () => {
    expect(rateLimitSettings('').enabled).toBe(false);
    expect(rateLimitSettings('off').enabled).toBe(false);
    expect(rateLimitSettings('on').roles.viewer.reads).toBe(600);
    const custom = rateLimitSettings('{"viewer":{"reads":5}}');
    expect(custom).toMatchObject({ enabled: true, roles: { viewer: { reads: 5, writes: 60 }, admin: { reads: 1200 } } });
    expect(() => rateLimitSettings('{"viewer":{"reads":0}}')).toThrow(/positive integer/);
    expect(() => rateLimitSettings('sometimes')).toThrow();
  });
});

let runtime: Runtime;
let client: ApiClient;
const previous = process.env.STEWARD_RATE_LIMITS;

beforeAll(async () => {
  process.env.STEWARD_RATE_LIMITS = JSON.stringify({ viewer: { reads: 5 } });
  resetRateLimitSettings();
  runtime = await startRuntime({ memory: true, port: 0, reconcileEveryMs: 3_600_000 });
  client = api(runtime);
});

afterAll(async () => {
  if (previous === undefined) delete process.env.STEWARD_RATE_LIMITS;
  else process.env.STEWARD_RATE_LIMITS = previous;
  resetRateLimitSettings();
  await runtime?.close();
});

async function viewerKey(name: string, rateLimits?: Record<string, number>): Promise<string> {
  const created = await client.post('/v1/api-keys', { name, role: 'viewer', ...(rateLimits ? { rateLimits } : {}) });
  expect(created.status, created.text).toBe(201);
  return created.json.key;
}

describe('over HTTP', () => {
  it('a burst beyond the bucket gets 429 problem+json with Retry-After and the RateLimit headers; another key is unaffected', async () => {
    const key = await viewerKey('bursty');
    const other = await viewerKey('calm');
    for (let index = 0; index < 5; index++) {
      const response = await client.get('/v1/services', { key });
      expect(response.status).toBe(200);
      expect(response.headers.get('ratelimit-policy')).toBe('"reads";q=5;w=60');
      expect(response.headers.get('ratelimit')).toMatch(new RegExp(`^"reads";r=${4 - index};t=\\d+$`));
    }
    const refused = await client.get('/v1/services', { key });
    expect(refused.status).toBe(429);
    expect(refused.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(refused.json).toMatchObject({
      status: 429,
      title: 'Too many requests',
      detail: expect.stringContaining('5 reads requests a minute'),
    });
    // 5 a minute: a token every 12 s.
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThanOrEqual(11);
    expect(Number(refused.headers.get('retry-after'))).toBeLessThanOrEqual(12);
    expect(refused.headers.get('ratelimit-policy')).toBe('"reads";q=5;w=60');
    expect(refused.headers.get('ratelimit')).toMatch(/^"reads";r=0;t=(59|60)$/);

    const calm = await client.get('/v1/services', { key: other });
    expect(calm.status).toBe(200);
    expect(calm.headers.get('ratelimit')).toMatch(/^"reads";r=4;/);
  });

  it('a key may have its own limit; other classes and public routes are not charged', async () => {
    const key = await viewerKey('tight', { reads: 2 });
    expect(
      (await client.get('/v1/api-keys', { key: runtime.adminKey })).json.items.find((item: { name: string }) => item.name === 'tight')
        .rateLimits,
    ).toEqual({ reads: 2 });
    expect((await client.get('/v1/services', { key })).headers.get('ratelimit-policy')).toBe('"reads";q=2;w=60');
    expect((await client.get('/v1/services', { key })).status).toBe(200);
    expect((await client.get('/health/live', { key })).status).toBe(200);
    expect((await client.get('/v1/services', { key })).status).toBe(429);
    // Writes are another bucket (a viewer's write is then refused for its role, not its rate).
    const write = await client.post('/v1/services', { name: 'nope', kind: 'api' }, { key });
    expect(write.status).toBe(403);
    expect(write.headers.get('ratelimit-policy')).toBeNull(); // refused before the limiter
    expect(expectAdminHeaders(await client.post('/v1/services', { name: 'rl-ok', kind: 'api' }))).toBe('"writes";q=600;w=60');
  });

  it('refuses a bad rateLimits with 400', async () => {
    const response = await client.post('/v1/api-keys', { name: 'bad', role: 'viewer', rateLimits: { reads: 0 } });
    expect(response.status).toBe(400);
  });
});

function expectAdminHeaders(response: { status: number; headers: Headers }): string | null {
  expect(response.status).toBe(201);
  return response.headers.get('ratelimit-policy');
}

describe('across instances: concurrent takes from one bucket', () => {
  it('never spend the same token twice (conditional writes, no lost update)', async () => {
    const now = Date.now();
    const outcomes = await Promise.all(Array.from({ length: 25 }, () => takeFromBucket('race-key', 'writes', 10, () => now)));
    expect(outcomes.filter((outcome) => outcome.allowed)).toHaveLength(10);
    expect(outcomes.filter((outcome) => !outcome.allowed).every((outcome) => outcome.retryAfterSeconds === 6)).toBe(true);
  });
});
