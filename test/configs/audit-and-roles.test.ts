import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  applyJsonPatch,
  type ConfigWorld,
  clientWithKey,
  configAudit,
  configPath,
  configSnapshot,
  createService,
  startConfigWorld,
  valuesOfSize,
  writeLayer,
} from '../helpers/config-fixtures.ts';
import { type ApiClient, type ApiResponse, expectNoServerErrors, expectProblem } from '../helpers/http-client.ts';

/** Issue 5, item 7 and the role checks: every configuration change is audited with its diff; roles gate writes. */

let world: ConfigWorld;
let admin: ApiClient;
let deployer: ApiClient;
let deployerKeyId: string;
const service = 'audited-svc';
const other = 'other-svc';

/** The audit record of each step, found by the request id the server gave the step. */
const steps: Record<string, { response: ApiResponse; record?: any }> = {};

async function step(label: string, method: string, path: string, body: unknown, expected = 200): Promise<ApiResponse> {
  const response = await deployer.request(method, path, body);
  expect(response.status, `${label}: ${response.text}`).toBe(expected);
  steps[label] = { response };
  return response;
}

const schemaV1 = { type: 'object', properties: { port: { type: 'integer' } } };
const schemaV2 = { type: 'object', properties: { port: { type: 'integer', minimum: 1 } }, required: ['port'] };
const baseV1 = { port: 80, log: { level: 'info' }, hosts: ['a', 'b'] };
const baseV2 = { port: 81, log: { level: 'debug', format: 'json' }, hosts: ['b'] };
const prod = { url: 'https://${var:HOST}' };

beforeAll(async () => {
  world = await startConfigWorld();
  admin = world.admin;
  await createService(admin, service);
  await createService(admin, other);
  const made = await clientWithKey(admin, 'audited-deployer', 'deployer');
  deployer = made.client;
  deployerKeyId = made.keyId;

  const schemaPath = `/v1/services/${service}/config-schema`;
  await step('schema v1', 'PUT', schemaPath, schemaV1);
  await step('schema v2', 'PUT', schemaPath, schemaV2);
  await step('base v1', 'PUT', configPath(service, '/base'), { values: baseV1, message: 'first' }, 201);
  await step('base v2', 'PUT', configPath(service, '/base'), { values: baseV2, message: 'second' });
  await step('variables', 'PUT', configPath(service, '/prod/variables'), { HOST: 'a.example' });
  await step('variables again', 'PUT', configPath(service, '/prod/variables'), { HOST: 'b.example', EXTRA: 'x' });
  await step('prod v1', 'PUT', configPath(service, '/prod'), { values: prod, extends: 'base' }, 201);
  await step('rollback', 'POST', configPath(service, '/base/rollback'), { toVersion: 1 });
  await step('import', 'POST', configPath(service, '/import'), {
    layers: { base: { values: baseV2 }, prod: { extends: 'base', values: prod }, qa: { extends: 'base', values: { port: 8 } } },
    variables: { prod: { HOST: 'c.example' } },
  });
  // changes that change nothing
  await step('same base', 'PUT', configPath(service, '/base'), { values: baseV2 });
  await step('same schema', 'PUT', schemaPath, schemaV2);
  await step('same variables', 'PUT', configPath(service, '/prod/variables'), { HOST: 'c.example' });

  const records = await configAudit(admin, service);
  for (const entry of Object.values(steps)) {
    entry.record = records.find((record) => record.requestId === entry.response.headers.get('apigw-requestid'));
  }
});

afterAll(async () => {
  if (admin) expectNoServerErrors(admin.log);
  await world?.runtime.close();
});

describe('the audit trail of configuration', () => {
  it.each([
    { label: 'schema v1', type: 'config.schema_updated', subject: `config/${service}/schema` },
    { label: 'schema v2', type: 'config.schema_updated', subject: `config/${service}/schema` },
    { label: 'base v1', type: 'config.updated', subject: `config/${service}/base` },
    { label: 'base v2', type: 'config.updated', subject: `config/${service}/base` },
    { label: 'variables', type: 'config.variables_updated', subject: `config/${service}/prod/variables` },
    { label: 'prod v1', type: 'config.updated', subject: `config/${service}/prod` },
    { label: 'rollback', type: 'config.rolled_back', subject: `config/${service}/base` },
    { label: 'import', type: 'config.imported', subject: `config/${service}` },
  ])('records $label as $type, by whom and in which request', ({ label, type, subject }) => {
    // Act
    const { record } = steps[label]!;

    // Assess
    expect(record, `no audit record for ${label}`).toBeDefined();
    expect(record).toMatchObject({ type, subject, service, actor: { keyId: deployerKeyId, name: 'audited-deployer' } });
  });

  it('records nothing for writes that change nothing', () => {
    // Assess
    expect(steps['same base']!.record).toBeUndefined();
    expect(steps['same schema']!.record).toBeUndefined();
    expect(steps['same variables']!.record).toBeUndefined();
  });

  it('keeps the diff of each schema change', () => {
    // Act
    const first = steps['schema v1']!.record;
    const second = steps['schema v2']!.record;

    // Assess
    expect(first.changes).toMatchObject({ before: null, after: { version: 1 } });
    expect(applyJsonPatch({}, first.changes.after.patch)).toEqual(schemaV1);
    expect(second.changes).toMatchObject({ before: { version: 1 }, after: { version: 2 } });
    expect(applyJsonPatch(schemaV1, second.changes.after.patch)).toEqual(schemaV2);
  });

  it('keeps the diff, versions, parent and message of each layer change', () => {
    // Act
    const first = steps['base v1']!.record;
    const second = steps['base v2']!.record;
    const child = steps['prod v1']!.record;

    // Assess
    expect(first.changes).toMatchObject({ before: null, after: { version: 1, extends: null, message: 'first', restoredFrom: null } });
    expect(applyJsonPatch({}, first.changes.after.patch)).toEqual(baseV1);
    expect(second.changes).toMatchObject({ before: { version: 1, extends: null }, after: { version: 2, message: 'second' } });
    expect(applyJsonPatch(baseV1, second.changes.after.patch)).toEqual(baseV2);
    expect(child.changes).toMatchObject({ before: null, after: { version: 1, extends: 'base' } });
  });

  it('keeps the diff of variables', () => {
    // Act
    const first = steps.variables!.record;
    const second = (steps['variables again'] as { record: any }).record;

    // Assess
    expect(first.changes).toMatchObject({ before: { rev: 0 }, after: { rev: 1 } });
    expect(applyJsonPatch({}, first.changes.after.patch)).toEqual({ HOST: 'a.example' });
    expect(applyJsonPatch({ HOST: 'a.example' }, second.changes.after.patch)).toEqual({ HOST: 'b.example', EXTRA: 'x' });
  });

  it('keeps the diff of a rollback and the version it restored', () => {
    // Act
    const { record } = steps.rollback!;

    // Assess
    expect(record.changes).toMatchObject({
      before: { version: 2 },
      after: { version: 3, restoredFrom: 1, message: 'rollback to version 1' },
    });
    expect(applyJsonPatch(baseV2, record.changes.after.patch)).toEqual(baseV1);
  });

  it('keeps what an import changed, each with its diff', () => {
    // Act
    const { record } = steps.import!;
    const changes = record.changes.after.changes as Array<{ kind: string; name: string; action: string; patch: any[] }>;
    const find = (kind: string, name: string) => changes.find((change) => change.kind === kind && change.name === name);

    // Assess
    expect(changes.map(({ kind, name, action }) => `${kind}:${name}:${action}`).sort()).toEqual([
      'layer:base:update',
      'layer:qa:create',
      'variables:prod:update',
    ]);
    expect(applyJsonPatch(baseV1, find('layer', 'base')!.patch)).toEqual(baseV2);
    expect(applyJsonPatch({}, find('layer', 'qa')!.patch)).toEqual({ port: 8 });
    expect(applyJsonPatch({ HOST: 'b.example', EXTRA: 'x' }, find('variables', 'prod')!.patch)).toEqual({ HOST: 'c.example' });
  });

  it('leaves a very large diff out of the record, saying so, and keeps the content in the version', async () => {
    // Prepare
    const big = { ...valuesOfSize(100 * 1024, 'k'), port: 5 };
    const response = await writeLayer(deployer, service, 'big', { values: big });

    // Act
    const [record] = await configAudit(admin, service, 'config.updated');

    // Assess
    expect(record.requestId).toBe(response.headers.get('apigw-requestid'));
    expect(record.changes.after.patch).toBeUndefined();
    expect(record.changes.after.patchOmitted).toMatch(/bytes/);
    expect((await admin.get(configPath(service, '/big/versions/1'))).json.values).toEqual(big);
  });

  it('leaves very large diffs out of an import record too, keeping the small ones', async () => {
    // Prepare
    const big = valuesOfSize(100 * 1024, 'i');
    const response = await deployer.post(configPath(service, '/import'), {
      layers: { 'big-import': { values: { ...big, port: 1 } }, 'small-import': { values: { port: 1 } } },
    });
    expect(response.status, response.text).toBe(200);

    // Act
    const [record] = await configAudit(admin, service, 'config.imported');

    // Assess
    expect(record.requestId).toBe(response.headers.get('apigw-requestid'));
    const changes = Object.fromEntries(record.changes.after.changes.map((change: { name: string }) => [change.name, change]));
    expect(changes['big-import']).toEqual({
      kind: 'layer',
      name: 'big-import',
      action: 'create',
      patchOmitted: expect.stringMatching(/bytes/),
    });
    expect(changes['small-import']).toEqual({
      kind: 'layer',
      name: 'small-import',
      action: 'create',
      patch: [{ op: 'add', path: '/port', value: 1 }],
    });
  });
});

describe('roles', () => {
  let viewer: ApiClient;
  let scopedDeployer: ApiClient;
  let scopedViewer: ApiClient;

  beforeAll(async () => {
    viewer = (await clientWithKey(admin, 'config-reader', 'viewer')).client;
    scopedDeployer = (await clientWithKey(admin, 'other-only-deployer', 'deployer', [other])).client;
    scopedViewer = (await clientWithKey(admin, 'other-only-viewer', 'viewer', [other])).client;
    await writeLayer(admin, other, 'base', { values: { port: 1 } });
  });

  const writes: Array<{ label: string; method: string; path: (name: string) => string; body: unknown; query?: Record<string, string> }> = [
    { label: 'write a layer', method: 'PUT', path: (name) => configPath(name, '/base'), body: { values: { port: 2 } } },
    { label: 'set the schema', method: 'PUT', path: (name) => `/v1/services/${name}/config-schema`, body: { type: 'object' } },
    { label: 'set variables', method: 'PUT', path: (name) => configPath(name, '/prod/variables'), body: { HOST: 'x' } },
    { label: 'roll back', method: 'POST', path: (name) => configPath(name, '/base/rollback'), body: { toVersion: 1 } },
    { label: 'import', method: 'POST', path: (name) => configPath(name, '/import'), body: { layers: { base: { values: { port: 3 } } } } },
    {
      label: 'dry-run an import',
      method: 'POST',
      path: (name) => configPath(name, '/import'),
      body: { layers: {} },
      query: { dryRun: 'true' },
    },
  ];

  const reads: Array<{ label: string; path: (name: string) => string; query?: Record<string, string> }> = [
    { label: 'fetch the resolved configuration', path: (name) => configPath(name, '/base') },
    { label: 'fetch the raw layer', path: (name) => configPath(name, '/base'), query: { raw: 'true' } },
    { label: 'list layers', path: (name) => configPath(name) },
    { label: 'list versions', path: (name) => configPath(name, '/base/versions') },
    { label: 'read a version', path: (name) => configPath(name, '/base/versions/1') },
    { label: 'diff', path: (name) => configPath(name, '/base/diff'), query: { from: '1' } },
    { label: 'export', path: (name) => configPath(name, '/export') },
    { label: 'read variables', path: (name) => configPath(name, '/prod/variables') },
  ];

  it.each(writes)('keeps a viewer from being able to $label: 403, nothing written', async ({ method, path, body, query }) => {
    // Prepare
    const before = await configSnapshot(admin, service);

    // Act
    const response = await viewer.request(method, path(service), body, { query });

    // Assess
    expectProblem(response, 403);
    expect(await configSnapshot(admin, service)).toEqual(before);
  });

  it.each(writes)(
    'keeps a deployer scoped to another service from being able to $label: 403, nothing written',
    async ({ method, path, body, query }) => {
      // Prepare
      const before = await configSnapshot(admin, service);

      // Act
      const response = await scopedDeployer.request(method, path(service), body, { query });

      // Assess
      expectProblem(response, 403);
      expect(await configSnapshot(admin, service)).toEqual(before);
    },
  );

  it.each(reads)('lets a viewer $label', async ({ path, query }) => {
    // Act
    const response = await viewer.get(path(service), { query });

    // Assess
    expect(response.status, response.text).toBe(200);
  });

  it.each(reads)('keeps a viewer scoped to another service from being able to $label: 403', async ({ path, query }) => {
    // Act
    const response = await scopedViewer.get(path(service), { query });

    // Assess
    expectProblem(response, 403);
  });

  it('lets a scoped deployer write the configuration of its own service', async () => {
    // Act
    const response = await scopedDeployer.request('PUT', configPath(other, '/base'), { values: { port: 2 } });

    // Assess
    expect(response.status, response.text).toBe(200);
  });

  it('answers 401 without a key', async () => {
    // Act
    const read = await admin.get(configPath(service, '/base'), { key: null });
    const write = await admin.request('PUT', configPath(service, '/base'), { values: {} }, { key: null });

    // Assess
    expectProblem(read, 401);
    expectProblem(write, 401);
  });
});
