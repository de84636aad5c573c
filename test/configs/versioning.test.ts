import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  applyJsonPatch,
  type ConfigWorld,
  clientWithKey,
  configAudit,
  configPath,
  configSnapshot,
  createService,
  putLayer,
  resolved,
  startConfigWorld,
  writeLayer,
  writeVariables,
} from '../helpers/config-fixtures.ts';
import { type ApiClient, expectNoServerErrors, expectProblem, readAll } from '../helpers/http-client.ts';

/** Issue 5, items 2 and 4: immutable numbered versions per layer, diff as JSON Patch, rollback. */

let world: ConfigWorld;
let admin: ApiClient;
let deployer: ApiClient;
let deployerKey: { keyId: string; keyName: string };

const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

beforeAll(async () => {
  world = await startConfigWorld();
  admin = world.admin;
  const made = await clientWithKey(admin, 'config-writer', 'deployer');
  deployer = made.client;
  deployerKey = made;
  for (const name of ['history-svc', 'diff-svc', 'rollback-svc']) await createService(admin, name);
});

afterAll(async () => {
  if (admin) expectNoServerErrors(admin.log);
  await world?.runtime.close();
});

describe('versions of a layer', () => {
  const service = 'history-svc';
  const written: any[] = [];

  beforeAll(async () => {
    for (const [i, values] of [{ level: 'info' }, { level: 'debug' }, { level: 'warn', extra: [1] }].entries()) {
      const before = new Date().toISOString();
      const response = await writeLayer(deployer, service, 'base', { values, message: `change ${i + 1}` });
      written.push({ response, before, after: new Date().toISOString() });
    }
    written.push({ response: await writeLayer(deployer, service, 'prod', { values: { level: 'error' }, extends: 'base' }) });
  });

  it('numbers versions from 1 in each layer separately', () => {
    // Assess
    expect(written.map(({ response }) => [response.json.layer, response.json.version])).toEqual([
      ['base', 1],
      ['base', 2],
      ['base', 3],
      ['prod', 1],
    ]);
  });

  it('answers 201 for the first version of a layer and 200 for later ones, with the layer ETag', () => {
    // Assess
    expect(written.map(({ response }) => response.status)).toEqual([201, 200, 200, 201]);
    for (const { response } of written) {
      expect(response.headers.get('etag')).toBe(`"${response.json.version}"`);
      expect(response.json.etag).toBe(`"${response.json.version}"`);
    }
  });

  it('records who wrote each version, when, and why', () => {
    // Assess
    for (const [i, { response, before, after }] of written.slice(0, 3).entries()) {
      expect(response.json.author).toEqual({ keyId: deployerKey.keyId, name: deployerKey.keyName });
      expect(response.json.createdAt).toMatch(ISO);
      expect(response.json.createdAt >= before && response.json.createdAt <= after).toBe(true);
      expect(response.json.message).toBe(`change ${i + 1}`);
      expect(response.json.restoredFrom).toBeNull();
    }
    expect(written[3].response.json.message).toBeNull();
  });

  it('lists versions newest first, page by page', async () => {
    // Act
    const versions = await readAll(admin, configPath(service, '/base/versions'), { limit: 2 });

    // Assess
    expect(versions.map((version) => version.version)).toEqual([3, 2, 1]);
    expect(versions.map((version) => version.layer)).toEqual(['base', 'base', 'base']);
  });

  it('does not mix in the versions of a layer whose name starts the same', async () => {
    // Prepare
    await writeLayer(admin, service, 'prod-eu', { values: { level: 'x' }, extends: 'prod' });

    // Act
    const versions = await readAll(admin, configPath(service, '/prod/versions'));

    // Assess
    expect(versions.map((version) => [version.layer, version.version])).toEqual([['prod', 1]]);
  });

  it('keeps every version exactly as it was written', async () => {
    // Act
    const stored = await Promise.all(
      written.slice(0, 3).map(({ response }) => admin.get(configPath(service, `/base/versions/${response.json.version}`))),
    );

    // Assess
    expect(stored.map((response) => response.json)).toEqual(written.slice(0, 3).map(({ response }) => response.json));
    expect(stored.map((response) => response.json.etag)).toEqual(['"1"', '"2"', '"3"']);
  });

  it('makes no new version when the same content is written again', async () => {
    // Prepare
    const auditBefore = await configAudit(admin, service);

    // Act
    const again = await putLayer(deployer, service, 'base', { values: { level: 'warn', extra: [1] } });

    // Assess
    expect(again.status).toBe(200);
    expect(again.json.version).toBe(3);
    expect(await configAudit(admin, service)).toEqual(auditBefore);
  });

  it('answers 404 for a version that does not exist and 400 for one that is not a number', async () => {
    // Act
    const missing = await admin.get(configPath(service, '/base/versions/4'));
    const zero = await admin.get(configPath(service, '/base/versions/0'));
    const word = await admin.get(configPath(service, '/base/versions/latest'));
    const noLayer = await admin.get(configPath(service, '/qa/versions/1'));

    // Assess
    expectProblem(missing, 404);
    expectProblem(zero, 400);
    expectProblem(word, 400);
    expectProblem(noLayer, 404);
  });
});

describe('diff between versions', () => {
  const service = 'diff-svc';
  const versions = [
    {
      name: 'orders',
      db: { host: 'db-1', pool: { min: 1, max: 5 }, replicas: ['r1', 'r2', 'r3'] },
      flags: { beta: true, legacy: false },
      'path/with~odd': { keep: 1 },
      routes: [
        { path: '/a', weight: 50 },
        { path: '/b', weight: 50 },
      ],
      retired: 'yes',
      shape: { nested: true },
    },
    {
      name: 'orders',
      db: { host: 'db-2', pool: { max: 20 }, replicas: ['r3'] },
      flags: { beta: false, legacy: false, newer: null },
      'path/with~odd': { keep: 2, more: [] },
      routes: [{ path: '/a', weight: 100 }],
      shape: ['now', 'an', 'array'],
      added: { deep: { deeper: [1, { x: 'y' }] } },
    },
    { name: 'renamed', db: { host: 'db-2' } },
  ];
  const patchOf = async (from: number, to?: number) => {
    const response = await admin.get(configPath(service, '/prod/diff'), { query: { from, to } });
    expect(response.status, response.text).toBe(200);
    return response.json;
  };

  beforeAll(async () => {
    for (const values of versions) await writeLayer(admin, service, 'prod', { values });
  });

  it.each([
    { from: 1, to: 2 },
    { from: 2, to: 3 },
    { from: 1, to: 3 },
    { from: 3, to: 1 },
    { from: 2, to: 1 },
    { from: 2, to: 2 },
  ])('gives an RFC 6902 patch that turns version $from into version $to', async ({ from, to }) => {
    // Act
    const diff = await patchOf(from, to);

    // Assess
    expect(diff).toMatchObject({ layer: 'prod', from, to, extends: { from: null, to: null } });
    expect(applyJsonPatch(versions[from - 1], diff.patch)).toEqual(versions[to - 1]);
  });

  it('compares with the latest version when to is left out', async () => {
    // Act
    const diff = await patchOf(1);

    // Assess
    expect(diff.to).toBe(3);
    expect(applyJsonPatch(versions[0], diff.patch)).toEqual(versions[2]);
  });

  it('gives an empty patch between a version and itself', async () => {
    // Act
    const diff = await patchOf(2, 2);

    // Assess
    expect(diff.patch).toEqual([]);
  });

  it('shows a change of parent beside the patch', async () => {
    // Prepare
    await writeLayer(admin, service, 'base', { values: {} });
    await writeLayer(admin, service, 'prod', { values: versions[2]!, extends: 'base' });

    // Act
    const diff = await patchOf(3, 4);

    // Assess
    expect(diff.extends).toEqual({ from: null, to: 'base' });
    expect(diff.patch).toEqual([]);
  });

  it('answers 404 for a version that does not exist and 400 without from', async () => {
    // Act
    const missing = await admin.get(configPath(service, '/prod/diff'), { query: { from: 1, to: 99 } });
    const noFrom = await admin.get(configPath(service, '/prod/diff'));

    // Assess
    expectProblem(missing, 404);
    expectProblem(noFrom, 400);
  });
});

describe('rollback', () => {
  const service = 'rollback-svc';

  beforeAll(async () => {
    await writeLayer(admin, service, 'base', { values: { region: 'eu' } });
    await writeLayer(admin, service, 'staging', { values: { region: 'us' } });
    await writeVariables(admin, service, 'prod', { HOST: 'h1', PORT: '1' });
    await writeLayer(admin, service, 'prod', {
      values: { url: '${var:HOST}:${var:PORT}', replicas: 2 },
      extends: 'base',
      message: 'first',
    });
    await writeLayer(admin, service, 'prod', {
      values: { url: '${var:HOST}', replicas: 5, canary: true },
      extends: 'staging',
      message: 'second',
    });
  });

  it('makes a new version with the old content and parent, rewriting nothing', async () => {
    // Prepare
    const historyBefore = await readAll(admin, configPath(service, '/prod/versions'));
    const resolvedBefore = await resolved(admin, service, 'prod');

    // Act
    const response = await deployer.post(configPath(service, '/prod/rollback'), { toVersion: 1 });

    // Assess
    expect(response.status, response.text).toBe(200);
    expect(response.json).toMatchObject({
      layer: 'prod',
      version: 3,
      extends: 'base',
      values: { url: '${var:HOST}:${var:PORT}', replicas: 2 },
      restoredFrom: 1,
      message: 'rollback to version 1',
      author: { keyId: deployerKey.keyId },
    });
    expect(response.headers.get('etag')).toBe('"3"');
    const historyAfter = await readAll(admin, configPath(service, '/prod/versions'));
    expect(historyAfter.slice(1)).toEqual(historyBefore);
    const resolvedAfter = await resolved(admin, service, 'prod');
    expect(resolvedAfter.json.values).toEqual({ region: 'eu', url: 'h1:1', replicas: 2 });
    expect(resolvedAfter.json.layers).toEqual([
      { layer: 'base', version: 1 },
      { layer: 'prod', version: 3 },
    ]);
    expect(resolvedAfter.headers.get('etag')).not.toBe(resolvedBefore.headers.get('etag'));
  });

  it('records config.rolled_back with the version restored and the patch', async () => {
    // Act
    const [record] = await configAudit(admin, service, 'config.rolled_back');

    // Assess
    expect(record).toMatchObject({
      type: 'config.rolled_back',
      subject: `config/${service}/prod`,
      actor: { keyId: deployerKey.keyId },
      changes: { before: { version: 2, extends: 'staging' }, after: { version: 3, extends: 'base', restoredFrom: 1 } },
    });
    expect(applyJsonPatch({ url: '${var:HOST}', replicas: 5, canary: true }, record.changes.after.patch)).toEqual({
      url: '${var:HOST}:${var:PORT}',
      replicas: 2,
    });
  });

  it('records nothing when rolling back to the content the layer has now, and answers the current version', async () => {
    // Prepare
    const before = await configAudit(admin, service, 'config.rolled_back');

    // Act
    const toSame = await admin.post(configPath(service, '/prod/rollback'), { toVersion: 3 });
    const toEqualContent = await admin.post(configPath(service, '/prod/rollback'), { toVersion: 1 });

    // Assess
    for (const response of [toSame, toEqualContent]) {
      expect(response.status, response.text).toBe(200);
      expect(response.json).toMatchObject({ version: 3, restoredFrom: 1 });
      expect(response.headers.get('etag')).toBe('"3"');
    }
    expect(await configAudit(admin, service, 'config.rolled_back')).toHaveLength(before.length);
  });

  it('refuses a rollback whose content no longer resolves, writing nothing', async () => {
    // Prepare
    await writeLayer(admin, service, 'prod', { values: { url: 'fixed' }, extends: 'base' });
    await writeVariables(admin, service, 'prod', { HOST: 'h2' });
    const before = await configSnapshot(admin, service);

    // Act
    const response = await admin.post(configPath(service, '/prod/rollback'), { toVersion: 1 });

    // Assess
    const problem = expectProblem(response, 400);
    expect(problem.errors).toEqual([{ pointer: '/values/url', message: expect.stringContaining('PORT') }]);
    expect(await configSnapshot(admin, service)).toEqual(before);
  });

  it('refuses a rollback whose old parent would now make a cycle, writing nothing', async () => {
    // Prepare
    await writeLayer(admin, service, 'loop-a', { values: {}, extends: 'staging' });
    await writeLayer(admin, service, 'loop-a', { values: {}, extends: 'base' });
    await writeLayer(admin, service, 'staging', { values: { region: 'us' }, extends: 'loop-a' });
    const before = await configSnapshot(admin, service);

    // Act
    const response = await admin.post(configPath(service, '/loop-a/rollback'), { toVersion: 1 });

    // Assess
    const problem = expectProblem(response, 400);
    expect(problem.errors).toEqual([{ pointer: '/body/extends', message: expect.stringMatching(/cycle/) }]);
    expect(await configSnapshot(admin, service)).toEqual(before);
  });

  it('answers 404 for a version that does not exist, writing nothing', async () => {
    // Prepare
    const before = await configSnapshot(admin, service);

    // Act
    const response = await admin.post(configPath(service, '/prod/rollback'), { toVersion: 42 });
    const invalid = await admin.post(configPath(service, '/prod/rollback'), { toVersion: 0 });

    // Assess
    expectProblem(response, 404);
    expectProblem(invalid, 400);
    expect(await configSnapshot(admin, service)).toEqual(before);
  });

  it('honours If-Match: a stale tag gets 412 and nothing is written', async () => {
    // Prepare
    const before = await configSnapshot(admin, service);

    // Act
    const stale = await admin.post(configPath(service, '/prod/rollback'), { toVersion: 2 }, { headers: { 'if-match': '"1"' } });

    // Assess
    expectProblem(stale, 412);
    expect(await configSnapshot(admin, service)).toEqual(before);
  });
});
