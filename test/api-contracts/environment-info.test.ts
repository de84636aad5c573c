import { afterAll, beforeAll, expect, it } from 'vitest';
import { type Runtime, startRuntime } from '../../local/runtime.ts';
import { finished, putEnvironment } from '../helpers/deployments.ts';
import { type ApiClient, api, expectNoServerErrors } from '../helpers/http-client.ts';

/**
 * Issue 11 §10 against the local runtime, with real deployments through the workflow: an
 * environment's versions and weights, its latest deployment, since when the active version is
 * active, and what the active version breaks for clients of the one before it.
 */

let runtime: Runtime;
let client: ApiClient;
const SERVICE = 'info-api';
const ok = { description: 'ok' };
const v1 = {
  openapi: '3.1.0',
  info: { title: 'I', version: '1' },
  paths: { '/a': { get: { responses: { '200': ok } } }, '/b': { get: { responses: { '200': ok } } } },
};
const v2 = { openapi: '3.1.0', info: { title: 'I', version: '2' }, paths: { '/a': { get: { responses: { '200': ok } } } } };

beforeAll(async () => {
  runtime = await startRuntime({ memory: true, port: 0, reconcileEveryMs: 3_600_000 });
  client = api(runtime);
  expect((await client.post('/v1/services', { name: SERVICE, kind: 'api' })).status).toBe(201);
  for (const [version, document] of [
    ['1.0.0', v1],
    ['2.0.0', v2],
  ] as const) {
    expect((await client.post(`/v1/services/${SERVICE}/versions`, { version })).status).toBe(201);
    expect((await client.request('PUT', `/v1/services/${SERVICE}/versions/${version}/openapi`, document)).status).toBe(201);
    expect((await client.post(`/v1/services/${SERVICE}/versions/${version}/release`)).status).toBe(200);
  }
  await putEnvironment(client, SERVICE, 'prod', { traffic: { driver: 'none' } });
});

afterAll(async () => {
  expectNoServerErrors(client.log);
  await runtime?.close();
});

it('an environment with nothing deployed: no versions, no deployment, no breaking changes', async () => {
  const info = await client.get(`/v1/services/${SERVICE}/environments/prod/info`);
  expect(info.status, info.text).toBe(200);
  expect(info.json).toEqual({
    service: SERVICE,
    environment: 'prod',
    activeVersion: null,
    previousVersion: null,
    versions: [],
    deployment: null,
    activeSince: null,
    breakingChanges: null,
  });
  expect((await client.get(`/v1/services/${SERVICE}/environments/qa/info`)).status).toBe(404);
  expect((await client.get('/v1/services/no-such-svc/environments/prod/info')).status).toBe(404);
});

it('after 1.0.0 and then 2.0.0 are deployed: 2.0.0 at 100%, since its deployment finished, and what it breaks of 1.0.0', async () => {
  for (const version of ['1.0.0', '2.0.0']) {
    const promoted = await client.post(`/v1/services/${SERVICE}/environments/prod/promote`, { version });
    expect(promoted.status, promoted.text).toBe(202);
    expect((await finished(client, SERVICE, promoted.json.id)).status).toBe('succeeded');
  }
  const info = await client.get(`/v1/services/${SERVICE}/environments/prod/info`);
  expect(info.status, info.text).toBe(200);
  expect(info.json).toMatchObject({
    activeVersion: '2.0.0',
    previousVersion: '1.0.0',
    versions: [{ version: '2.0.0', weight: 100 }],
    deployment: { version: '2.0.0', fromVersion: '1.0.0', status: 'succeeded' },
    breakingChanges: { base: '1.0.0', revision: '2.0.0', requiredBump: 'major', summary: { error: 1 } },
  });
  expect(info.json.activeSince).toBe(info.json.deployment.finishedAt);
  expect(info.json.breakingChanges.changes).toEqual([
    expect.objectContaining({ id: 'api-path-removed-without-deprecation', operation: 'GET /b', level: 'error' }),
  ]);
});
