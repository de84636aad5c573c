import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Runtime, startRuntime } from '../../local/runtime.ts';
import { type ApiClient, api, expectInvalid, expectNoServerErrors, expectProblem, readAll } from '../helpers/http-client.ts';

/** Journey step 7 and the 401/403 faults: API keys, roles, and keys scoped to services. */

let runtime: Runtime;
let admin: ApiClient;

interface CreatedKey {
  id: string;
  name: string;
  role: string;
  services: string[] | null;
  key: string;
}

const secrets: string[] = [];

async function createKey(name: string, role: string, services?: string[]): Promise<CreatedKey> {
  const response = await admin.post('/v1/api-keys', { name, role, ...(services ? { services } : {}) });
  expect(response.status, response.text).toBe(201);
  secrets.push(response.json.key);
  return response.json;
}

let viewer: ApiClient;
let deployer: ApiClient;
let otherAdmin: ApiClient;
let viewerKey: CreatedKey;
let deployerKey: CreatedKey;

beforeAll(async () => {
  runtime = await startRuntime({ memory: true, port: 0, reconcileEveryMs: 3_600_000 });
  admin = api(runtime);
  for (const name of ['svc-a', 'svc-b', 'svc-c']) {
    expect((await admin.post('/v1/services', { name, kind: 'api' })).status).toBe(201);
    expect((await admin.post(`/v1/services/${name}/versions`, { version: '1.0.0' })).status).toBe(201);
  }
  viewerKey = await createKey('reader', 'viewer');
  deployerKey = await createKey('ci-pipeline', 'deployer');
  viewer = admin.as(viewerKey.key);
  deployer = admin.as(deployerKey.key);
  otherAdmin = admin.as((await createKey('second-admin', 'admin')).key);
});

afterAll(async () => {
  await runtime?.close();
});

describe('creating and listing API keys', () => {
  it('returns the secret once, with the key id, name, role and services', async () => {
    const response = await admin.post('/v1/api-keys', { name: 'release-bot', role: 'deployer', services: ['svc-b', 'svc-a', 'svc-a'] });
    expect(response.status, response.text).toBe(201);
    secrets.push(response.json.key);
    expect(response.json).toMatchObject({
      name: 'release-bot',
      role: 'deployer',
      services: ['svc-a', 'svc-b'],
      status: 'active',
      revokedAt: null,
    });
    expect(response.json.id).toMatch(/^[0-9A-Z]{26}$/);
    expect(response.json.key).toMatch(/^stw_[A-Za-z0-9_-]{43}$/);
    expect(response.json.key.startsWith(response.json.prefix)).toBe(true);
    expect(response.json.createdBy).toEqual({ keyId: 'bootstrap', name: 'bootstrap-admin' });
    expect(response.headers.get('location')).toBe(`/v1/api-keys/${response.json.id}`);
    expect(response.headers.get('cache-control')).toBe('no-store');
    // and the new key works at once
    expect((await admin.as(response.json.key).get('/v1/services/svc-a')).status).toBe(200);
  });

  it('gives an unscoped key services null', async () => {
    expect(viewerKey.services).toBeNull();
    expect(deployerKey.services).toBeNull();
  });

  it('never lists a secret or its hash', async () => {
    const keys = await readAll(admin, '/v1/api-keys', { limit: 2 });
    const ids = keys.map((key) => key.id);
    expect(ids).toContain(viewerKey.id);
    expect(ids).toContain(deployerKey.id);
    expect(ids).toContain('bootstrap');
    expect(new Set(ids).size).toBe(ids.length);
    for (const key of keys) {
      expect(key).not.toHaveProperty('key');
      expect(key).not.toHaveProperty('hash');
      expect(key).not.toHaveProperty('secret');
    }
    const listed = await admin.get('/v1/api-keys', { query: { limit: 100 } });
    for (const secret of [...secrets, runtime.adminKey]) {
      expect(listed.text).not.toContain(secret);
      expect(listed.text).not.toContain(createHash('sha256').update(secret).digest('hex'));
    }
    const listedViewer = keys.find((key) => key.id === viewerKey.id);
    expect(listedViewer).toMatchObject({ name: 'reader', role: 'viewer', services: null, status: 'active' });
  });

  it('refuses invalid key requests', async () => {
    expectInvalid(await admin.post('/v1/api-keys', { name: 'x', role: 'owner' }), '/body/role');
    expectInvalid(await admin.post('/v1/api-keys', { role: 'viewer' }), '/body/name');
    expectInvalid(await admin.post('/v1/api-keys', { name: '', role: 'viewer' }), '/body/name');
    expectInvalid(await admin.post('/v1/api-keys', { name: 'x', role: 'viewer', services: [] }), '/body/services');
    expectInvalid(await admin.post('/v1/api-keys', { name: 'x', role: 'viewer', services: ['Not_A_Slug'] }), '/body/services/0');
    expectInvalid(await admin.post('/v1/api-keys', { name: 'x', role: 'viewer', key: 'stw_mine' }), '/body/key');
  });
});

describe('revoking an API key', () => {
  it('stops the key at once, shows it as revoked, and is idempotent', async () => {
    const created = await createKey('short-lived', 'deployer');
    const short = admin.as(created.key);
    expect((await short.get('/v1/services')).status).toBe(200);

    const revoked = await admin.delete(`/v1/api-keys/${created.id}`);
    expect(revoked.status).toBe(204);
    expect(revoked.text).toBe('');

    const problem = expectProblem(await short.get('/v1/services'), 401);
    expect(problem.detail).toMatch(/revoked|not valid/);
    expectProblem(await short.post('/v1/services/svc-a/versions', { version: '9.0.0' }), 401);

    const listed = (await readAll(admin, '/v1/api-keys', { limit: 100 })).find((key) => key.id === created.id);
    expect(listed).toMatchObject({ status: 'revoked', revokedBy: { keyId: 'bootstrap', name: 'bootstrap-admin' } });
    expect(listed.revokedAt).toEqual(expect.any(String));

    expect((await admin.delete(`/v1/api-keys/${created.id}`)).status).toBe(204);
    expectProblem(await short.get('/v1/services'), 401);
  });

  it('answers 404 for an unknown key and 400 for a malformed id', async () => {
    expectProblem(await admin.delete('/v1/api-keys/01ARZ3NDEKTSV4RRFFQ69G5FAV'), 404);
    expectInvalid(await admin.delete('/v1/api-keys/not-an-id'), '/path/id');
  });
});

describe('authentication', () => {
  const protectedRoutes: Array<[string, string, unknown?]> = [
    ['GET', '/v1/services'],
    ['POST', '/v1/services', { name: 'anon-api', kind: 'api' }],
    ['GET', '/v1/services/svc-a'],
    ['PATCH', '/v1/services/svc-a', { displayName: 'x' }],
    ['GET', '/v1/services/svc-a/versions'],
    ['POST', '/v1/services/svc-a/versions', { version: '2.0.0' }],
    ['GET', '/v1/services/svc-a/versions/1.0.0'],
    ['POST', '/v1/services/svc-a/versions/1.0.0/changes', { changes: [{ type: 'fix', description: 'x' }] }],
    ['POST', '/v1/services/svc-a/versions/1.0.0/release'],
    ['POST', '/v1/services/svc-a/versions/1.0.0/deprecate'],
    ['POST', '/v1/services/svc-a/versions/1.0.0/retire'],
    ['GET', '/v1/services/svc-a/history'],
    ['GET', '/v1/audit'],
    ['GET', '/v1/audit/export'],
    ['GET', '/v1/audit/report'],
    ['GET', '/v1/api-keys'],
    ['POST', '/v1/api-keys', { name: 'x', role: 'admin' }],
    ['DELETE', '/v1/api-keys/bootstrap'],
    ['GET', '/system/info'],
  ];

  it.each(protectedRoutes)(
    'answers %s %s with 401 without a key, with an unknown key and with a malformed header',
    async (method, path, body) => {
      expectProblem(await admin.request(method, path, body, { key: null }), 401);
      expectProblem(await admin.request(method, path, body, { key: 'stw_thisIsNotAKeyThatExists0000000000000000000' }), 401);
      expectProblem(
        await admin.request(method, path, body, {
          key: null,
          headers: { authorization: `Basic ${Buffer.from('a:b').toString('base64')}` },
        }),
        401,
      );
      expectProblem(await admin.request(method, path, body, { key: null, headers: { authorization: 'Bearer' } }), 401);
    },
  );

  it('answers 401 before reading the body', async () => {
    expectProblem(await admin.post('/v1/services', undefined, { key: null, raw: '{not json', contentType: 'application/json' }), 401);
    expectProblem(await admin.post('/v1/services', undefined, { key: null, raw: 'plain', contentType: 'text/plain' }), 401);
    expectProblem(
      await admin.post('/v1/services', undefined, {
        key: null,
        raw: JSON.stringify({ name: 'big-api', kind: 'api', description: 'x'.repeat(1_100_000) }),
        contentType: 'application/json',
      }),
      401,
    );
    expectProblem(await admin.post('/v1/services', { name: 'X', bogus: true }, { key: null }), 401);
    expectProblem(await admin.get('/v1/services/svc-a/versions/latest', { key: null }), 401);
  });

  it('nothing was changed by the refused requests', async () => {
    expectProblem(await admin.get('/v1/services/anon-api'), 404);
    expect((await admin.get('/v1/services/svc-a')).json.displayName).toBe('svc-a');
    expect((await admin.get('/v1/services/svc-a/versions/1.0.0')).json.status).toBe('draft');
  });
});

describe('roles', () => {
  it('lets a viewer read', async () => {
    for (const path of [
      '/v1/services',
      '/v1/services/svc-a',
      '/v1/services/svc-a/versions',
      '/v1/services/svc-a/versions/1.0.0',
      '/v1/services/svc-a/history',
      '/v1/audit',
      '/v1/audit/export',
      '/v1/audit/report',
      '/system/info',
    ]) {
      const response = await viewer.get(path);
      expect(response.status, `${path}: ${response.text}`).toBe(200);
    }
  });

  it('answers every write by a viewer with 403, before reading the body', async () => {
    const writes: Array<[string, string, unknown]> = [
      ['POST', '/v1/services', { name: 'viewer-api', kind: 'api' }],
      ['PATCH', '/v1/services/svc-a', { displayName: 'by viewer' }],
      ['POST', '/v1/services/svc-a/versions', { version: '2.0.0' }],
      ['POST', '/v1/services/svc-a/versions/1.0.0/changes', { changes: [{ type: 'fix', description: 'x' }] }],
      ['POST', '/v1/services/svc-a/versions/1.0.0/release', {}],
      ['POST', '/v1/services/svc-a/versions/1.0.0/deprecate', {}],
      ['POST', '/v1/services/svc-a/versions/1.0.0/retire', {}],
      ['POST', '/v1/api-keys', { name: 'x', role: 'admin' }],
      ['GET', '/v1/api-keys', undefined],
      ['DELETE', `/v1/api-keys/${deployerKey.id}`, undefined],
    ];
    for (const [method, path, body] of writes) {
      const problem = expectProblem(await viewer.request(method, path, body), 403);
      expect(problem.detail).toContain('viewer');
    }
    expectProblem(await viewer.post('/v1/services', undefined, { raw: '{broken', contentType: 'application/json' }), 403);
    expectProblem(await viewer.post('/v1/services', undefined, { raw: 'a'.repeat(1_100_000), contentType: 'application/json' }), 403);
    expectProblem(await viewer.post('/v1/services/svc-a/versions', { version: 'not-semver' }), 403);
    // nothing changed
    expectProblem(await admin.get('/v1/services/viewer-api'), 404);
    expect((await admin.get('/v1/services/svc-a/versions/1.0.0')).json.status).toBe('draft');
    expect((await admin.as(deployerKey.key).get('/v1/services')).status).toBe(200);
  });

  it('lets a deployer register and move versions and add changes, but not create or update services or manage keys', async () => {
    expect((await deployer.post('/v1/services/svc-b/versions', { version: '1.1.0' })).status).toBe(201);
    expect(
      (await deployer.post('/v1/services/svc-b/versions/1.1.0/changes', { changes: [{ type: 'fix', description: 'x' }] })).status,
    ).toBe(200);
    expect((await deployer.post('/v1/services/svc-b/versions/1.1.0/release')).status).toBe(200);
    expect((await deployer.post('/v1/services/svc-b/versions/1.1.0/deprecate', { reason: 'old' })).status).toBe(200);
    expect((await deployer.post('/v1/services/svc-b/versions/1.1.0/retire')).status).toBe(200);

    expectProblem(await deployer.post('/v1/services', { name: 'deployer-api', kind: 'api' }), 403);
    expectProblem(await deployer.patch('/v1/services/svc-b', { displayName: 'by deployer' }), 403);
    expectProblem(await deployer.post('/v1/api-keys', { name: 'x', role: 'viewer' }), 403);
    expectProblem(await deployer.get('/v1/api-keys'), 403);
    expectProblem(await deployer.delete(`/v1/api-keys/${viewerKey.id}`), 403);
    expectProblem(await admin.get('/v1/services/deployer-api'), 404);

    const history = await readAll(admin, '/v1/services/svc-b/history', { type: 'version.*' });
    expect(history.length).toBe(6);
    for (const record of history.slice(0, 5)) expect(record.actor).toEqual({ keyId: deployerKey.id, name: 'ci-pipeline' });
  });

  it('lets an admin do all of it', async () => {
    expect((await otherAdmin.post('/v1/services', { name: 'admin-api', kind: 'model' })).status).toBe(201);
    expect((await otherAdmin.patch('/v1/services/admin-api', { displayName: 'Admin API' })).status).toBe(200);
    expect((await otherAdmin.post('/v1/services/admin-api/versions', { version: '0.1.0' })).status).toBe(201);
    expect((await otherAdmin.post('/v1/services/admin-api/versions/0.1.0/release')).status).toBe(200);
    const key = await otherAdmin.post('/v1/api-keys', { name: 'made-by-second-admin', role: 'viewer' });
    expect(key.status).toBe(201);
    secrets.push(key.json.key);
    expect((await otherAdmin.get('/v1/api-keys')).status).toBe(200);
    expect((await otherAdmin.delete(`/v1/api-keys/${key.json.id}`)).status).toBe(204);
  });
});

describe('keys scoped to services', () => {
  let scopedViewer: ApiClient;
  let scopedDeployer: ApiClient;
  let scopedAdmin: ApiClient;
  let scopedAdminKey: CreatedKey;

  beforeAll(async () => {
    scopedViewer = admin.as((await createKey('svc-a-reader', 'viewer', ['svc-a'])).key);
    scopedDeployer = admin.as((await createKey('svc-a-ci', 'deployer', ['svc-a'])).key);
    scopedAdminKey = await createKey('svc-a-admin', 'admin', ['svc-a', 'svc-new']);
    scopedAdmin = admin.as(scopedAdminKey.key);
  });

  it('see only their services in the service list, across pages', async () => {
    const all = await readAll(admin, '/v1/services', { limit: 100 });
    expect(all.length).toBeGreaterThan(3);
    expect((await readAll(scopedViewer, '/v1/services')).map((service) => service.name)).toEqual(['svc-a']);
    expect((await readAll(scopedViewer, '/v1/services', { limit: 1 })).map((service) => service.name)).toEqual(['svc-a']);
  });

  it('get 403 on other services, whether they exist or not', async () => {
    expect((await scopedViewer.get('/v1/services/svc-a')).status).toBe(200);
    expect((await scopedViewer.get('/v1/services/svc-a/versions')).status).toBe(200);
    expect((await scopedViewer.get('/v1/services/svc-a/history')).status).toBe(200);
    for (const path of [
      '/v1/services/svc-b',
      '/v1/services/svc-b/versions',
      '/v1/services/svc-b/versions/1.0.0',
      '/v1/services/svc-b/history',
      '/v1/services/does-not-exist',
    ]) {
      expectProblem(await scopedViewer.get(path), 403);
    }
    expectProblem(await scopedViewer.get('/v1/audit', { query: { service: 'svc-b' } }), 403);
  });

  it('see only their services in the audit trail, its export and its report', async () => {
    const records = await readAll(scopedViewer, '/v1/audit', { limit: 100 });
    expect(records.length).toBeGreaterThan(0);
    for (const record of records) expect(record.service).toBe('svc-a');
    const exported = await scopedViewer.get('/v1/audit/export');
    expect(exported.status).toBe(200);
    const lines = exported.text
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(lines.length).toBe(records.length);
    for (const record of lines) expect(record.service).toBe('svc-a');
    const report = await scopedViewer.get('/v1/audit/report');
    expect(Object.keys(report.json.byService)).toEqual(['svc-a']);
    expect(report.json.total).toBe(records.length);
  });

  it('let a scoped deployer touch versions of its services only', async () => {
    expect((await scopedDeployer.post('/v1/services/svc-a/versions', { version: '1.5.0' })).status).toBe(201);
    expect((await scopedDeployer.post('/v1/services/svc-a/versions/1.5.0/release')).status).toBe(200);
    expectProblem(await scopedDeployer.post('/v1/services/svc-c/versions', { version: '1.5.0' }), 403);
    expectProblem(await scopedDeployer.post('/v1/services/svc-c/versions/1.0.0/release'), 403);
    expectProblem(await admin.get('/v1/services/svc-c/versions/1.5.0'), 404);
  });

  it('let a scoped admin manage its services but not API keys', async () => {
    expect((await scopedAdmin.patch('/v1/services/svc-a', { owner: 'team-a@example.com' })).status).toBe(200);
    expect((await scopedAdmin.post('/v1/services', { name: 'svc-new', kind: 'api' })).status).toBe(201);
    expectProblem(await scopedAdmin.post('/v1/services', { name: 'svc-elsewhere', kind: 'api' }), 403);
    expectProblem(await scopedAdmin.patch('/v1/services/svc-b', { owner: 'x@example.com' }), 403);

    expectProblem(await scopedAdmin.post('/v1/api-keys', { name: 'escalate', role: 'admin' }), 403);
    expectProblem(await scopedAdmin.post('/v1/api-keys', { name: 'narrow', role: 'viewer', services: ['svc-a'] }), 403);
    expectProblem(await scopedAdmin.get('/v1/api-keys'), 403);
    expectProblem(await scopedAdmin.delete(`/v1/api-keys/${viewerKey.id}`), 403);
    expectProblem(await scopedAdmin.delete(`/v1/api-keys/${scopedAdminKey.id}`), 403);

    expectProblem(await admin.get('/v1/services/svc-elsewhere'), 404);
    expect((await viewer.get('/v1/services')).status).toBe(200);
    const names = (await readAll(admin, '/v1/api-keys', { limit: 100 })).map((key) => key.name);
    expect(names).not.toContain('escalate');
    expect(names).not.toContain('narrow');
  });

  it('hide API key events from everyone but unscoped admins', async () => {
    expect((await readAll(admin, '/v1/audit', { type: 'apikey.*', limit: 100 })).length).toBeGreaterThan(0);
    expect(await readAll(viewer, '/v1/audit', { type: 'apikey.*', limit: 100 })).toEqual([]);
    expect(await readAll(scopedAdmin, '/v1/audit', { type: 'apikey.*', limit: 100 })).toEqual([]);
  });
});

it('answered no request with a server error, and every error as problem+json', () => {
  expect(admin.log.length).toBeGreaterThan(100);
  expectNoServerErrors(admin.log);
});
