import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { PutCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runDueChecks } from '../../functions/health-checks/runner.ts';
import { documentClient, tableName } from '../../functions/kernel/store/client.ts';
import { keys, timeSortKey } from '../../functions/kernel/store/keys.ts';
import { type Runtime, startRuntime } from '../../local/runtime.ts';
import { type ApiClient, api, expectInvalid, expectNoServerErrors, expectProblem, readAll } from '../helpers/http-client.ts';

/**
 * Issue 15 finding 2, end to end through the local runtime: a check's header may name a secret of
 * its service and environment, read only by the runner when it runs; a credential given as a value
 * is kept in the secret value store, never in the table, and every response, audit record and
 * export shows it as `***`; an admin may reveal it, and that is audited. A real local target
 * answers 200 only when it receives the real values.
 */

const SERVICE = 'headers-api';
const base = `/v1/services/${SERVICE}/health-checks`;
const TOKEN = 'Bearer tok-7f3a9c-very-secret';
const API_KEY = 'ak-5521-plain-but-secret';
const FROM_SECRET = 'sec-from-the-secret-store-91';
const SECRETS = [TOKEN, API_KEY, FROM_SECRET, 'tok-7f3a9c', 'ak-5521', 'sec-from-the-secret'];

let runtime: Runtime;
let client: ApiClient;
let target: { url: string; seen: IncomingHttpHeaders[]; close: () => Promise<void> };
const roles: Record<string, ApiClient> = {};

/** A target that answers 200 only when every header carries its real value, else 401. */
async function startTarget() {
  const seen: IncomingHttpHeaders[] = [];
  const server: Server = createServer((request, response) => {
    seen.push(request.headers);
    const ok =
      request.headers.authorization === TOKEN &&
      request.headers['x-api-key'] === API_KEY &&
      request.headers['x-from-secret'] === FROM_SECRET;
    response.writeHead(ok ? 200 : 401, { 'content-type': 'application/json' }).end(JSON.stringify({ status: ok ? 'UP' : 'DENIED' }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    seen,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

beforeAll(async () => {
  runtime = await startRuntime({ memory: true, port: 0, reconcileEveryMs: 3_600_000, tickSeconds: 3600 });
  client = api(runtime);
  target = await startTarget();
  expect((await client.post('/v1/services', { name: SERVICE, kind: 'api' })).status).toBe(201);
  expect((await client.post('/v1/services', { name: 'other-api', kind: 'api' })).status).toBe(201);
  const put = await client.request('PUT', `/v1/services/${SERVICE}/secrets/prod/checks-token`, { value: FROM_SECRET, type: 'api-key' });
  expect(put.status, put.text).toBe(201);
  for (const [name, body] of Object.entries({
    viewer: { role: 'viewer' },
    deployer: { role: 'deployer' },
    ownDeployer: { role: 'deployer', services: [SERVICE] },
    ownAdmin: { role: 'admin', services: [SERVICE] },
  })) {
    const created = await client.post('/v1/api-keys', { name, ...body });
    expect(created.status, created.text).toBe(201);
    roles[name] = client.as(created.json.key);
  }
});

afterAll(async () => {
  expectNoServerErrors(client.log);
  await target?.close();
  await runtime?.close();
});

const HEADERS = {
  Accept: 'application/json',
  Authorization: TOKEN,
  'X-Api-Key': API_KEY,
  'X-From-Secret': { secret: 'checks-token' },
};
const SHOWN = { Accept: 'application/json', Authorization: '***', 'X-Api-Key': '***', 'X-From-Secret': { secret: 'checks-token' } };

async function create(headers: Record<string, unknown> = HEADERS, as: ApiClient = client) {
  return as.post(base, {
    environment: 'prod',
    url: `${target.url}/health`,
    intervalSeconds: 3600,
    conditions: ['[STATUS] == 200', '[BODY].status == UP'],
    headers,
  });
}

function expectNoSecret(text: string, where: string) {
  for (const secret of SECRETS) expect(text.includes(secret), `${where} shows ${secret}`).toBe(false);
}

describe('credentials in check headers', () => {
  let id: string;

  it('are shown as *** on create, GET and list, to every role; references show as references', async () => {
    // Act
    const created = await create();
    id = created.json.id;

    // Assess
    expect(created.status, created.text).toBe(201);
    expect(created.json.headers).toEqual(SHOWN);
    expect(created.json).not.toHaveProperty('sealedHeaders');
    for (const as of [client, roles.viewer as ApiClient]) {
      const read = await as.get(`${base}/${id}`);
      expect(read.json.headers).toEqual(SHOWN);
      const listed = await as.get(base);
      expect(listed.json.items.find((check: { id: string }) => check.id === id).headers).toEqual(SHOWN);
      expectNoSecret(read.text + listed.text, 'a read');
    }
  });

  it('are sent for real by the runner, run now and on schedule', async () => {
    // Act
    const now = await client.post(`${base}/${id}/run`);
    await runDueChecks(new Date(Date.now() + 7_200_000));

    // Assess
    expect(now.json.result).toMatchObject({ ok: true, status: 200 });
    expect(target.seen.length).toBeGreaterThanOrEqual(2);
    for (const headers of target.seen.slice(-2)) {
      expect(headers).toMatchObject({
        authorization: TOKEN,
        'x-api-key': API_KEY,
        'x-from-secret': FROM_SECRET,
        accept: 'application/json',
      });
    }
    expectNoSecret(now.text, 'a run');
  });

  it('never reach the table, the audit trail (list, service history, export) or a result', async () => {
    // Act
    const audit = await readAll(client, '/v1/audit', { type: 'healthcheck.*' });
    const history = await readAll(client, `/v1/services/${SERVICE}/history`, { type: 'healthcheck.*' });
    const exported = await client.get('/v1/audit/export');
    const results = await client.get(`${base}/${id}/results`);
    const { Items } = await documentClient().send(new ScanCommand({ TableName: tableName() }));

    // Assess
    const created = history.find((event) => event.type === 'healthcheck.created');
    expect(created?.changes.after.headers).toEqual(SHOWN);
    expect(audit.some((event) => event.type === 'healthcheck.created')).toBe(true);
    expect(exported.status).toBe(200);
    expect(exported.text).toContain('"Authorization":"***"');
    expectNoSecret(JSON.stringify(audit), '/v1/audit');
    expectNoSecret(JSON.stringify(history), 'the service history');
    expectNoSecret(exported.text, 'the export');
    expectNoSecret(results.text, 'the results');
    expectNoSecret(JSON.stringify(Items), 'the table');
  });

  it('are revealed to an admin (of all services, or of this one) only, and each reveal is audited', async () => {
    // Act
    const revealed = await client.post(`${base}/${id}/headers/reveal`);
    const byOwnAdmin = await (roles.ownAdmin as ApiClient).post(`${base}/${id}/headers/reveal`);
    const byDeployer = await (roles.ownDeployer as ApiClient).post(`${base}/${id}/headers/reveal`);
    const byViewer = await (roles.viewer as ApiClient).post(`${base}/${id}/headers/reveal`);

    // Assess
    expect(revealed.status, revealed.text).toBe(200);
    expect(revealed.json).toMatchObject({ service: SERVICE, checkId: id, headers: { Authorization: TOKEN, 'X-Api-Key': API_KEY } });
    expect(revealed.headers.get('cache-control')).toBe('no-store');
    expect(byOwnAdmin.status).toBe(200);
    expectProblem(byDeployer, 403);
    expectProblem(byViewer, 403);
    const reveals = await readAll(client, `/v1/services/${SERVICE}/history`, { type: 'healthcheck.headers_revealed' });
    expect(reveals, JSON.stringify(reveals)).toHaveLength(2);
    expect(reveals[0], JSON.stringify(reveals[0])).toMatchObject({
      subject: `healthcheck/${SERVICE}/${id}`,
      changes: { after: { revealedHeaders: ['Authorization', 'X-Api-Key'] } },
    });
    expectNoSecret(JSON.stringify(reveals), 'the reveal records');
  });

  it('are kept when *** is sent back, and replaced when a new value is', async () => {
    // Prepare
    const read = await client.get(`${base}/${id}`);

    // Act: the view sent back as it was shown, with one plain header changed.
    const kept = await client.patch(`${base}/${id}`, { headers: { ...read.json.headers, Accept: '*/*' } });
    const stillOk = await client.post(`${base}/${id}/run`);
    const replaced = await client.patch(`${base}/${id}`, { headers: { ...read.json.headers, Authorization: 'Bearer another' } });
    const nowDenied = await client.post(`${base}/${id}/run`);

    // Assess
    expect(kept.status, kept.text).toBe(200);
    expect(kept.json.headers).toEqual({ ...SHOWN, Accept: '*/*' });
    expect(stillOk.json.result).toMatchObject({ ok: true, status: 200 });
    expect(replaced.json.headers.Authorization).toBe('***');
    expect(nowDenied.json.result).toMatchObject({ ok: false, status: 401 });
    expect((await client.post(`${base}/${id}/headers/reveal`)).json.headers.Authorization).toBe('Bearer another');
  });

  it('refuse *** for a header with no stored value, and a reference to a secret the service does not have there', async () => {
    expectInvalid(await create({ 'X-Api-Key': '***' }), '/body/headers/X-Api-Key');
    expectInvalid(await create({ Authorization: { secret: 'no-such-secret' } }), '/body/headers/Authorization');
    expectInvalid(await create({ Authorization: { secret: 'steward-router-signing-secret' } }), '/body/headers/Authorization/secret');
  });

  it('may send the service’s secrets, or credentials stored before to a new URL, only by whom may reveal them', async () => {
    // Act
    const unlimitedDeployer = roles.deployer as ApiClient;
    const refused = await create(HEADERS, unlimitedDeployer);
    const ownOnly = await create(HEADERS, roles.ownDeployer as ApiClient);
    const ownCredentials = await create({ Authorization: TOKEN }, unlimitedDeployer);
    const redirect = await unlimitedDeployer.patch(`${base}/${ownOnly.json.id}`, { url: 'http://127.0.0.1:9/elsewhere' });
    const harmless = await unlimitedDeployer.patch(`${base}/${ownOnly.json.id}`, { failureThreshold: 5 });

    // Assess
    expect(expectProblem(refused, 403).detail).toMatch(/secrets of headers-api/);
    expect(ownOnly.status, ownOnly.text).toBe(201);
    expect(ownCredentials.status, ownCredentials.text).toBe(201);
    expectProblem(redirect, 403);
    expect(harmless.status, harmless.text).toBe(200);
  });

  it('fail a run with reason secret, naming no value, when a named secret is gone', async () => {
    // Prepare
    const check = await create({ 'X-From-Secret': { secret: 'checks-token' }, Authorization: TOKEN, 'X-Api-Key': API_KEY });
    expect((await client.delete(`/v1/services/${SERVICE}/secrets/prod/checks-token`)).status).toBe(202);

    // Act
    const run = await client.post(`${base}/${check.json.id}/run`);

    // Assess
    expect(run.json.result).toMatchObject({ ok: false, status: 0, reason: 'secret' });
    expect(run.json.result.detail).toMatch(/checks-token/);
    expectNoSecret(run.text, 'the failed run');
  });
});

describe('a check stored before credentials were sealed', () => {
  it('shows its plain credential as *** in reads and its old audit records, and still sends it', async () => {
    // Prepare: the head and its creation event as the code before wrote them.
    const checkId = '01J00000000000000000000CHK';
    const at = new Date().toISOString();
    const head = {
      id: checkId,
      service: SERVICE,
      environment: 'prod',
      url: `${target.url}/legacy`,
      method: 'GET',
      headers: { Authorization: TOKEN, 'X-Api-Key': API_KEY, 'X-From-Secret': FROM_SECRET },
      body: null,
      timeoutMs: 1000,
      intervalSeconds: 3600,
      conditions: ['[STATUS] == 200'],
      failureThreshold: 3,
      successThreshold: 2,
      state: 'unknown',
      stateChangedAt: null,
      createdAt: at,
      updatedAt: at,
      rev: 1,
      deletedAt: null,
    };
    const put = (Item: Record<string, unknown>) => documentClient().send(new PutCommand({ TableName: tableName(), Item }));
    await put({ ...keys.healthCheck(checkId), ...keys.healthChecksIndex(SERVICE, checkId), entity: 'healthcheck', ...head, aggSeq: 1 });
    await put({
      ...keys.event(keys.healthCheckAggregate(checkId), 1),
      entity: 'event',
      eventId: '01J00000000000000000000EVT',
      at,
      aggregate: keys.healthCheckAggregate(checkId),
      seq: 1,
      type: 'healthcheck.created',
      actor: { keyId: 'system', name: 'legacy' },
      requestId: 'legacy',
      service: SERVICE,
      subject: `healthcheck/${SERVICE}/${checkId}`,
      changes: { before: null, after: { headers: head.headers } },
      effects: [],
      GSI1PK: keys.auditPartition,
      GSI1SK: timeSortKey(at, '01J00000000000000000000EVT'),
      GSI2PK: keys.serviceLogPartition(SERVICE),
      GSI2SK: timeSortKey(at, '01J00000000000000000000EVT'),
    });

    // Act
    const read = await client.get(`${base}/${checkId}`);
    const history = await readAll(client, `/v1/services/${SERVICE}/history`, { type: 'healthcheck.created' });
    const run = await client.post(`${base}/${checkId}/run`);

    // Assess
    expect(read.json.headers).toEqual({ Authorization: '***', 'X-Api-Key': '***', 'X-From-Secret': '***' });
    expect(history.find((event) => event.id === '01J00000000000000000000EVT')?.changes.after.headers).toEqual({
      Authorization: '***',
      'X-Api-Key': '***',
      'X-From-Secret': '***',
    });
    expectNoSecret(read.text + JSON.stringify(history), 'a legacy check');
    expect(run.json.result).toMatchObject({ ok: true, status: 200 });
  });
});
