import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Runtime } from '../../local/runtime.ts';
import { type ApiClient, api, expectNoServerErrors, expectProblem, readAll } from '../helpers/http-client.ts';
import { startTestRuntime } from '../helpers/runtime.ts';

/**
 * Who may reveal a value: admins (for all services, or limited to this one) and deployer keys
 * limited to services that include this one. Viewers never; deployer keys for every service
 * never; keys limited to other services never. Refusals are recorded nowhere and change nothing.
 */

let runtime: Runtime;
let admin: ApiClient;
const keys: Record<string, string> = {};
const keyIds: Record<string, string> = {};
const REVEAL = '/v1/services/roles-api/secrets/prod/TOKEN/reveal';

async function createKey(label: string, role: string, services?: string[]): Promise<void> {
  const response = await admin.post('/v1/api-keys', { name: label, role, ...(services ? { services } : {}) });
  expect(response.status, response.text).toBe(201);
  keys[label] = response.json.key;
  keyIds[label] = response.json.id;
}

beforeAll(async () => {
  runtime = await startTestRuntime();
  admin = api(runtime);
  for (const name of ['roles-api', 'other-api']) expect((await admin.post('/v1/services', { name, kind: 'api' })).status).toBe(201);
  expect((await admin.request('PUT', '/v1/services/roles-api/secrets/prod/TOKEN', { value: 'role-checked-value' })).status).toBe(201);
  await createKey('viewer', 'viewer');
  await createKey('scopedViewer', 'viewer', ['roles-api']);
  await createKey('deployer', 'deployer');
  await createKey('scopedDeployer', 'deployer', ['roles-api', 'other-api']);
  await createKey('otherDeployer', 'deployer', ['other-api']);
  await createKey('scopedAdmin', 'admin', ['roles-api']);
  await createKey('otherAdmin', 'admin', ['other-api']);
});

afterAll(async () => {
  expectNoServerErrors(admin.log);
  await runtime?.close();
});

describe('revealing a value', () => {
  const refused: Array<{ who: string; key: string; status: number }> = [
    { who: 'a viewer key', key: 'viewer', status: 403 },
    { who: 'a viewer key limited to the service', key: 'scopedViewer', status: 403 },
    { who: 'a deployer key for every service', key: 'deployer', status: 403 },
    { who: 'a deployer key limited to another service', key: 'otherDeployer', status: 403 },
    { who: 'an admin key limited to another service', key: 'otherAdmin', status: 403 },
  ];

  it.each(refused)('is refused to $who ($status)', async ({ key, status }) => {
    // Act
    const response = await admin.post(REVEAL, undefined, { key: keys[key] });

    // Assess
    expectProblem(response, status);
    expect(response.text).not.toContain('role-checked-value');
  });

  it('is refused without a key (401) and with an unknown key (401)', async () => {
    expectProblem(await admin.post(REVEAL, undefined, { key: null }), 401);
    expectProblem(await admin.post(REVEAL, undefined, { key: 'stw_not-a-real-key-at-all-0000000000000000000' }), 401);
  });

  it('says why a deployer key for every service is refused', async () => {
    // Act
    const problem = expectProblem(await admin.post(REVEAL, undefined, { key: keys.deployer }), 403);

    // Assess
    expect(problem.detail).toMatch(/deployer key limited to services that include roles-api/);
  });

  const allowed: Array<{ who: string; key: string | null }> = [
    { who: 'the unscoped admin key', key: null },
    { who: 'an admin key limited to the service', key: 'scopedAdmin' },
    { who: 'a deployer key limited to services including this one', key: 'scopedDeployer' },
  ];

  it.each(allowed)('is allowed to $who, and recorded with that key', async ({ key }) => {
    // Act
    const response = await admin.post(REVEAL, undefined, key ? { key: keys[key] } : {});

    // Assess
    expect(response.status, response.text).toBe(200);
    expect(response.json.value).toBe('role-checked-value');
    const [latest] = (await admin.get('/v1/services/roles-api/history', { query: { type: 'secret.revealed', limit: 1 } })).json.items;
    expect(latest.actor.keyId).toBe(key ? keyIds[key] : 'bootstrap');
  });

  it('recorded exactly one reveal per allowed request, and none for the refused ones', async () => {
    // Act
    const events = await readAll(admin, '/v1/services/roles-api/history', { type: 'secret.revealed' });

    // Assess
    expect(events).toHaveLength(allowed.length);
  });
});

describe('reading metadata and writing', () => {
  it('lets every key that sees the service read metadata, never the value', async () => {
    for (const key of [keys.viewer, keys.scopedViewer, keys.deployer, keys.scopedDeployer]) {
      const response = await admin.get('/v1/services/roles-api/secrets/prod/TOKEN', { key });
      expect(response.status).toBe(200);
      expect(response.text).not.toContain('role-checked-value');
    }
    expectProblem(await admin.get('/v1/services/roles-api/secrets', { key: keys.otherDeployer }), 403);
  });

  it('lets only admins store and delete', async () => {
    expectProblem(
      await admin.request('PUT', '/v1/services/roles-api/secrets/prod/TOKEN', { value: 'x' }, { key: keys.scopedDeployer }),
      403,
    );
    expectProblem(await admin.delete('/v1/services/roles-api/secrets/prod/TOKEN', { key: keys.scopedDeployer }), 403);
    expectProblem(await admin.request('PUT', '/v1/services/roles-api/secrets/prod/TOKEN', { value: 'x' }, { key: keys.otherAdmin }), 403);
    const scoped = await admin.request(
      'PUT',
      '/v1/services/roles-api/secrets/prod/SCOPED',
      { value: 'by-scoped-admin' },
      { key: keys.scopedAdmin },
    );
    expect(scoped.status).toBe(201);
  });
});
