import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { configureMailer } from '../../functions/notifications/mailer.ts';
import { settleNotifications } from '../../functions/notifications/local-topic.ts';
import { documentClient, tableName } from '../../functions/kernel/store/client.ts';
import { type Runtime, startRuntime } from '../../local/runtime.ts';
import { installCrashSwitch } from '../helpers/crash-switch.ts';
import { type ApiClient, type ApiResponse, api, expectProblem, readAll } from '../helpers/http-client.ts';

/**
 * Issue 15 finding 6: `Idempotency-Key` on every POST that creates something, through the local
 * runtime. The first response is kept and replayed to a retry with the same request; the same
 * key with another request is a 422; fifty concurrent duplicates create one thing; a refused
 * request gives the key back; a request whose outcome is unknown (it failed after its claim)
 * keeps the key from running twice. Responses that carry a secret shown once come back the same,
 * and the table holds them only sealed.
 */

let runtime: Runtime;
let client: ApiClient;
let crash: ReturnType<typeof installCrashSwitch>;
let counter = 0;
const unique = (prefix: string) => `${prefix}-${++counter}`;

beforeAll(async () => {
  runtime = await startRuntime({ memory: true, port: 0, reconcileEveryMs: 3_600_000, tickSeconds: 3600 });
  client = api(runtime);
  crash = installCrashSwitch();
  configureMailer({ outboxDir: `${process.env.TMPDIR ?? '/tmp'}/steward-idempotency-outbox` });
  await client.post('/v1/services', { name: 'idem-owner', kind: 'api' });
  // A service has one open incident at a time: each incident here is opened on a service of its own.
  for (let i = 0; i < 10; i++) await client.post('/v1/services', { name: `idem-incidents-${i}`, kind: 'api' });
});
let incidentServices = 0;
afterAll(async () => {
  crash.revive();
  await settleNotifications();
  await runtime?.close();
});

function post(path: string, body: unknown, key: string, as: ApiClient = client): Promise<ApiResponse> {
  return as.post(path, body, { headers: { 'idempotency-key': key } });
}

/** Each creating POST, a body for it, and how many of what it made exist now. */
const CREATES: Array<{ what: string; path: () => string; body: () => unknown; count: (body: unknown) => Promise<number> }> = [
  {
    what: 'a service',
    path: () => '/v1/services',
    body: () => ({ name: unique('idem-svc'), kind: 'api' }),
    count: async (body) => ((await client.get(`/v1/services/${(body as { name: string }).name}`)).status === 200 ? 1 : 0),
  },
  {
    what: 'a version',
    path: () => '/v1/services/idem-owner/versions',
    body: () => ({ version: `1.${++counter}.0` }),
    count: async (body) =>
      (await client.get(`/v1/services/idem-owner/versions/${(body as { version: string }).version}`)).status === 200 ? 1 : 0,
  },
  {
    what: 'an API key',
    path: () => '/v1/api-keys',
    body: () => ({ name: unique('idem-key'), role: 'viewer' }),
    count: async (body) => (await readAll(client, '/v1/api-keys')).filter((key) => key.name === (body as { name: string }).name).length,
  },
  {
    what: 'a webhook',
    path: () => '/v1/webhooks',
    body: () => ({ url: `http://127.0.0.1:9/${unique('hook')}`, events: ['incident.*'] }),
    count: async (body) => (await readAll(client, '/v1/webhooks')).filter((hook) => hook.url === (body as { url: string }).url).length,
  },
  {
    what: 'an email subscription',
    path: () => '/v1/subscriptions',
    body: () => ({ protocol: 'email', endpoint: `${unique('idem')}@example.com` }),
    count: async (body) =>
      (await readAll(client, '/v1/subscriptions')).filter((sub) => sub.endpoint === (body as { endpoint: string }).endpoint).length,
  },
  {
    what: 'a health check',
    path: () => '/v1/services/idem-owner/health-checks',
    body: () => ({
      environment: 'prod',
      url: `http://127.0.0.1:9/${unique('health')}`,
      intervalSeconds: 3600,
      conditions: ['[STATUS] == 200'],
    }),
    count: async (body) =>
      (await readAll(client, '/v1/services/idem-owner/health-checks')).filter((check) => check.url === (body as { url: string }).url)
        .length,
  },
  {
    what: 'an alert rule',
    path: () => '/v1/alert-rules',
    body: () => ({
      name: unique('idem-rule'),
      service: 'idem-owner',
      metric: 'http.latency_ms',
      agg: 'avg',
      window: '1m',
      op: '>',
      threshold: 500,
      for: '2m',
      severity: 'warning',
    }),
    count: async (body) =>
      (await readAll(client, '/v1/alert-rules')).filter((rule) => rule.name === (body as { name: string }).name).length,
  },
  {
    what: 'an incident',
    path: () => '/v1/incidents',
    body: () => ({ service: `idem-incidents-${incidentServices++}`, title: unique('idem-incident') }),
    count: async (body) =>
      (await readAll(client, '/v1/incidents')).filter((incident) => incident.title === (body as { title: string }).title).length,
  },
];

describe('a retry with the same Idempotency-Key and request', () => {
  for (const create of CREATES) {
    it(`answers the first response again and makes ${create.what} once`, async () => {
      // Prepare
      const body = create.body();
      const key = unique('retry');

      // Act
      const first = await post(create.path(), body, key);
      const retry = await post(create.path(), body, key);

      // Assess
      expect(first.status, first.text).toBe(201);
      expect(retry.status).toBe(201);
      expect(retry.json).toEqual(first.json);
      expect(retry.headers.get('location')).toBe(first.headers.get('location'));
      expect(retry.headers.get('idempotent-replayed')).toBe('true');
      expect(first.headers.get('idempotent-replayed')).toBeNull();
      expect(await create.count(body)).toBe(1);
    });
  }
});

describe('fifty concurrent requests with the same key', () => {
  for (const create of CREATES.filter(({ what }) => ['a service', 'a webhook', 'an incident'].includes(what))) {
    it(`make ${create.what} once, and each answer is that one or a 409 to retry`, async () => {
      // Prepare
      const body = create.body();
      const key = unique('concurrent');

      // Act
      const responses = await Promise.all(Array.from({ length: 50 }, () => post(create.path(), body, key)));

      // Assess
      const created = responses.filter((response) => response.status === 201);
      expect(created.length).toBeGreaterThan(0);
      expect(new Set(created.map((response) => response.headers.get('location'))).size).toBe(1);
      for (const other of responses.filter((response) => response.status !== 201)) expectProblem(other, 409);
      expect(await create.count(body)).toBe(1);
    });
  }
});

describe('the same key with another request', () => {
  it('is a 422 with a problem, on another body or another route, and changes nothing', async () => {
    // Prepare
    const key = unique('reused');
    const first = await post('/v1/services', { name: unique('idem-a'), kind: 'api' }, key);

    // Act
    const otherBody = await post('/v1/services', { name: unique('idem-b'), kind: 'api' }, key);
    const otherRoute = await post('/v1/incidents', { service: 'idem-owner', title: 'other' }, key);

    // Assess
    expect(first.status).toBe(201);
    for (const refused of [otherBody, otherRoute]) {
      expect(expectProblem(refused, 422).detail).toMatch(/Idempotency-Key was first used with another request \(createService/);
    }
    expect((await client.get(`/v1/services/idem-b-${counter - 1}`)).status).toBe(404);
  });

  it('is the same request when only the order of its fields differs', async () => {
    const key = unique('ordered');
    const name = unique('idem-ordered');
    const first = await post('/v1/services', { name, kind: 'api', tags: { a: '1', b: '2' } }, key);
    const retry = await post('/v1/services', { tags: { b: '2', a: '1' }, kind: 'api', name }, key);
    expect([first.status, retry.status]).toEqual([201, 201]);
    expect(retry.headers.get('idempotent-replayed')).toBe('true');
  });

  it('belongs to its API key: another caller with the same key is another request', async () => {
    // Prepare
    const other = await client.post('/v1/api-keys', { name: unique('other-admin'), role: 'admin' });
    const key = unique('shared');
    const body = { environment: 'prod', url: 'http://127.0.0.1:9/shared', intervalSeconds: 3600, conditions: ['[STATUS] == 200'] };

    // Act
    const mine = await post('/v1/services/idem-owner/health-checks', body, key);
    const theirs = await post('/v1/services/idem-owner/health-checks', body, key, client.as(other.json.key));

    // Assess
    expect([mine.status, theirs.status]).toEqual([201, 201]);
    expect(theirs.json.id).not.toBe(mine.json.id);
    expect(theirs.headers.get('idempotent-replayed')).toBeNull();
  });
});

describe('a first request that did not succeed', () => {
  it('gives the key back when it was refused, so the retry runs', async () => {
    // Prepare
    const name = unique('idem-later');
    const key = unique('refused');
    const refused = await post(`/v1/services/${name}/versions`, { version: '1.0.0' }, key);
    await client.post('/v1/services', { name, kind: 'api' });

    // Act
    const retry = await post(`/v1/services/${name}/versions`, { version: '1.0.0' }, key);

    // Assess
    expectProblem(refused, 404);
    expect(retry.status, retry.text).toBe(201);
    expect(retry.headers.get('idempotent-replayed')).toBeNull();
  });

  it('keeps the key when it failed after its claim (the outcome is unknown): a retry is a 409, never a second effect', async () => {
    // Prepare: the process fails at the check's event, after the claim (a server failure, 500).
    // Only writes to checks fail: webhook deliveries of earlier tests may still be writing.
    vi.spyOn(console, 'error').mockImplementation(() => undefined);
    const create = CREATES.find(({ what }) => what === 'a health check') as (typeof CREATES)[number];
    const body = create.body();
    const key = unique('unknown');
    crash.crashBeforeWritesTo('HCHK#');
    const failed = await post(create.path(), body, key);
    crash.revive();

    // Act
    const retry = await post(create.path(), body, key);

    // Assess
    expect(failed.status).toBe(500);
    expect(expectProblem(retry, 409).detail).toMatch(/still being answered|may have taken effect/);
    expect(await create.count(body)).toBe(0);
  });
});

describe('a response with a secret shown once', () => {
  it('comes back the same to the same caller, and the table keeps it only sealed', async () => {
    // Prepare
    const key = unique('secret');
    const body = { name: unique('idem-ci'), role: 'deployer' };

    // Act
    const first = await post('/v1/api-keys', body, key);
    const retry = await post('/v1/api-keys', body, key);

    // Assess
    expect(first.status).toBe(201);
    expect(retry.json.key).toBe(first.json.key);
    expect(retry.headers.get('cache-control')).toBe('no-store');
    const { Items } = await documentClient().send(new ScanCommand({ TableName: tableName() }));
    const everything = JSON.stringify(Items);
    expect(everything).toContain('IDEMPOTENCY#');
    expect(everything).not.toContain(first.json.key);
  });
});

describe('the OpenAPI document', () => {
  it('offers Idempotency-Key on every POST, the deployments (which keep their own) included', async () => {
    const contracts = (await client.get('/openapi.json')).json;
    const start = contracts.paths['/v1/services/{name}/deployments'].post;
    expect(start.parameters.map((parameter: { name: string }) => parameter.name)).toContain('Idempotency-Key');
    const create = contracts.paths['/v1/services'].post;
    expect(create.parameters.map((parameter: { name: string }) => parameter.name)).toContain('Idempotency-Key');
    expect(create.responses['422'].description).toMatch(/Idempotency-Key/);
  });
});
