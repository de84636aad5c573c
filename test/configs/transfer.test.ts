import { parse } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  applyJsonPatch,
  type ConfigWorld,
  configPath,
  configSnapshot,
  createService,
  resolved,
  startConfigWorld,
  valuesOfSize,
  writeLayer,
  writeSchema,
  writeVariables,
} from '../helpers/config-fixtures.ts';
import { type ApiClient, type ApiResponse, expectNoServerErrors, expectProblem } from '../helpers/http-client.ts';

/** Issue 5, item 5: export and import, JSON and YAML, dry runs, and all-or-nothing imports. */

let world: ConfigWorld;
let admin: ApiClient;
const source = 'source-svc';
const environments = ['dev', 'prod', 'staging'];
const layerNames = ['base', ...environments];

/** Values that are easy to get wrong in YAML: look-alike scalars, odd keys, nesting. */
const trickyBase = {
  port: 8080,
  template: 'https://${var:HOST}/api',
  strings: {
    yes: 'yes',
    no: 'no',
    nul: 'null',
    tilde: '~',
    num: '1.0',
    hex: '0x1F',
    octal: '0o17',
    date: '2026-11-23',
    time: '2026-11-23T09:30:00Z',
    empty: '',
    colon: 'a: b',
    hash: '#not a comment',
    multi: 'line 1\nline 2\n',
    indent: '  leading and trailing  ',
    quotes: `it's "quoted"`,
    unicode: 'ünïcødé ✓ 日本',
    star: '*alias',
    amp: '&anchor',
    brace: '{x: 1}',
    dash: '- item',
    placeholderLike: '${not a placeholder}',
  },
  numbers: { zero: 0, negative: -1.5, tiny: 1e-7, big: 12345678901, float: 0.1 },
  flags: [true, false, null],
  nested: {
    lists: [[1, 2], [], {}],
    'key with spaces': 1,
    'a.b': 2,
    'a/b': 3,
    '': 'empty key',
    '123': 'numeric key',
    true: 'bool key',
    null: 'null key',
  },
};

const schema = {
  type: 'object',
  properties: { port: { type: 'integer' }, owner: { type: 'string', format: 'email' } },
  required: ['port'],
};

async function exportOf(service: string, format: 'json' | 'yaml' = 'json'): Promise<ApiResponse> {
  const response = await admin.get(configPath(service, '/export'), { query: { format } });
  expect(response.status, response.text).toBe(200);
  return response;
}

async function importInto(
  service: string,
  document: unknown,
  options: { dryRun?: boolean; yaml?: string; contentType?: string } = {},
): Promise<ApiResponse> {
  const query = options.dryRun ? { dryRun: 'true' } : undefined;
  if (options.yaml !== undefined) {
    return admin.post(configPath(service, '/import'), undefined, {
      raw: options.yaml,
      contentType: options.contentType ?? 'application/yaml',
      query,
    });
  }
  return admin.post(configPath(service, '/import'), document, { query });
}

/** Everything a service's configuration resolves to, and what it is made of. */
async function everything(service: string): Promise<unknown> {
  const result: Record<string, unknown> = {};
  for (const environment of environments) {
    const document = (await resolved(admin, service, environment)).json;
    const variables = (await admin.get(configPath(service, `/${environment}/variables`))).json.variables;
    result[environment] = { values: document.values, layers: document.layers.map((entry: { layer: string }) => entry.layer), variables };
  }
  for (const layer of layerNames) {
    const raw = (await admin.get(configPath(service, `/${layer}`), { query: { raw: 'true' } })).json;
    result[`raw:${layer}`] = { values: raw.values, extends: raw.extends };
  }
  result.schema = (await admin.get(`/v1/services/${service}/config-schema`)).json.schema;
  return result;
}

function withoutStamp(document: Record<string, unknown>): Record<string, unknown> {
  const { service: _service, exportedAt: _exportedAt, ...rest } = document;
  return rest;
}

function actions(response: ApiResponse): string[] {
  return (response.json.changes as Array<{ kind: string; name: string; action: string }>)
    .map(({ kind, name, action }) => `${kind}:${name}:${action}`)
    .sort();
}

beforeAll(async () => {
  world = await startConfigWorld();
  admin = world.admin;
  for (const name of [source, 'copy-json', 'copy-yaml', 'dry-svc', 'atomic-svc', 'yaml-errors']) await createService(admin, name);
  await writeSchema(admin, source, schema);
  await writeLayer(admin, source, 'base', { values: { port: 1 } });
  await writeVariables(admin, source, 'staging', { HOST: 'staging.example' });
  await writeVariables(admin, source, 'prod', { HOST: 'prod.example', UNUSED: 'kept anyway' });
  await writeVariables(admin, source, 'dev', { HOST: 'localhost' });
  await writeLayer(admin, source, 'base', { values: trickyBase });
  await writeLayer(admin, source, 'staging', { values: { port: 8081, strings: { yes: 'no' } }, extends: 'base' });
  await writeLayer(admin, source, 'prod', {
    values: { replicas: ['a', 'b'], owner: 'ops@example.com', nested: { lists: [] } },
    extends: 'staging',
  });
  await writeLayer(admin, source, 'dev', { values: { port: 3000, template: 'dev-${var:HOST}' } });
});

afterAll(async () => {
  if (admin) expectNoServerErrors(admin.log);
  await world?.runtime.close();
});

describe('export', () => {
  it('gives every layer, the variables and the schema as JSON', async () => {
    // Act
    const response = await exportOf(source);

    // Assess
    expect(response.json).toEqual({
      format: 'steward-config/v1',
      service: source,
      exportedAt: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T/),
      schema,
      layers: {
        base: { values: trickyBase },
        dev: { values: { port: 3000, template: 'dev-${var:HOST}' } },
        prod: { extends: 'staging', values: { replicas: ['a', 'b'], owner: 'ops@example.com', nested: { lists: [] } } },
        staging: { extends: 'base', values: { port: 8081, strings: { yes: 'no' } } },
      },
      variables: {
        dev: { HOST: 'localhost' },
        prod: { HOST: 'prod.example', UNUSED: 'kept anyway' },
        staging: { HOST: 'staging.example' },
      },
    });
  });

  it('gives the same document as YAML', async () => {
    // Prepare
    const json = (await exportOf(source)).json;

    // Act
    const response = await exportOf(source, 'yaml');

    // Assess
    expect(response.headers.get('content-type')).toMatch(/^application\/yaml/);
    expect(withoutStamp(parse(response.text))).toEqual(withoutStamp(json));
  });

  it('answers 404 for a service that does not exist', async () => {
    // Act & Assess
    expectProblem(await admin.get(configPath('no-such-svc', '/export')), 404);
  });
});

describe('export → import round trip', () => {
  it('gives a second service the same resolved configuration for every environment, through JSON', async () => {
    // Prepare
    const document = (await exportOf(source)).json;

    // Act
    const response = await importInto('copy-json', document);

    // Assess
    expect(response.status, response.text).toBe(200);
    expect(response.json.dryRun).toBe(false);
    expect(await everything('copy-json')).toEqual(await everything(source));
    expect(withoutStamp((await exportOf('copy-json')).json)).toEqual(withoutStamp(document));
  });

  it('gives a second service the same resolved configuration for every environment, through YAML', async () => {
    // Prepare
    const yaml = (await exportOf(source, 'yaml')).text;

    // Act
    const response = await importInto('copy-yaml', undefined, { yaml, contentType: 'application/yaml; charset=utf-8' });

    // Assess
    expect(response.status, response.text).toBe(200);
    expect(await everything('copy-yaml')).toEqual(await everything(source));
    expect(withoutStamp((await exportOf('copy-yaml')).json)).toEqual(withoutStamp((await exportOf(source)).json));
  });

  it.each(['text/yaml', 'application/x-yaml'])('reads YAML sent as %s', async (contentType) => {
    // Prepare
    const yaml = (await exportOf(source, 'yaml')).text;

    // Act
    const response = await importInto('copy-yaml', undefined, { yaml, contentType, dryRun: true });

    // Assess
    expect(response.status, response.text).toBe(200);
  });

  it('changes nothing when the same document is imported again', async () => {
    // Prepare
    const document = (await exportOf(source)).json;
    const before = await configSnapshot(admin, 'copy-json');

    // Act
    const response = await importInto('copy-json', document);

    // Assess
    expect(response.status, response.text).toBe(200);
    expect(response.json.changes.every((change: { action: string }) => change.action === 'unchanged')).toBe(true);
    expect(await configSnapshot(admin, 'copy-json')).toEqual(before);
  });
});

describe('dry run', () => {
  it('reports a create for every layer, variable set and the schema of a new service, and writes nothing', async () => {
    // Prepare
    const document = (await exportOf(source)).json;
    const before = await configSnapshot(admin, 'dry-svc', layerNames);

    // Act
    const response = await importInto('dry-svc', document, { dryRun: true });

    // Assess
    expect(response.status, response.text).toBe(200);
    expect(response.json.dryRun).toBe(true);
    expect(actions(response)).toEqual([
      'layer:base:create',
      'layer:dev:create',
      'layer:prod:create',
      'layer:staging:create',
      'schema:schema:create',
      'variables:dev:create',
      'variables:prod:create',
      'variables:staging:create',
    ]);
    const base = response.json.changes.find((change: { name: string }) => change.name === 'base');
    expect(applyJsonPatch({}, base.patch)).toEqual(trickyBase);
    expect(await configSnapshot(admin, 'dry-svc', layerNames)).toEqual(before);
  });

  it('reports update, create and unchanged per layer against what the service has, and writes nothing', async () => {
    // Prepare
    const document = (await exportOf(source)).json;
    document.layers.prod.values = { replicas: ['c'], owner: 'ops@example.com' };
    document.layers.qa = { extends: 'base', values: { port: 9 } };
    document.variables.qa = { HOST: 'qa.example' };
    document.variables.dev = { HOST: 'dev.example' };
    const before = await configSnapshot(admin, 'copy-json', ['qa']);
    const currentProd = (await admin.get(configPath('copy-json', '/prod'), { query: { raw: 'true' } })).json.values;

    // Act
    const response = await importInto('copy-json', document, { dryRun: true });

    // Assess
    expect(response.status, response.text).toBe(200);
    expect(actions(response)).toEqual([
      'layer:base:unchanged',
      'layer:dev:unchanged',
      'layer:prod:update',
      'layer:qa:create',
      'layer:staging:unchanged',
      'schema:schema:unchanged',
      'variables:dev:update',
      'variables:prod:unchanged',
      'variables:qa:create',
      'variables:staging:unchanged',
    ]);
    const prod = response.json.changes.find((change: { kind: string; name: string }) => change.kind === 'layer' && change.name === 'prod');
    expect(applyJsonPatch(currentProd, prod.patch)).toEqual(document.layers.prod.values);
    expect(await configSnapshot(admin, 'copy-json', ['qa'])).toEqual(before);
  });

  it('refuses an invalid document in a dry run too', async () => {
    // Act
    const response = await importInto('dry-svc', { layers: { prod: { extends: 'nowhere', values: {} } } }, { dryRun: true });

    // Assess
    expectProblem(response, 400);
  });
});

describe('an import that is refused writes nothing', () => {
  const good = {
    schema,
    layers: { base: { values: { port: 1 } }, staging: { extends: 'base', values: { port: 2 } } },
    variables: { staging: { HOST: 'h' } },
  };

  async function refusedImport(
    document: unknown,
    status: number,
    options: { yaml?: string; contentType?: string } = {},
  ): Promise<Record<string, any>> {
    const before = await configSnapshot(admin, 'atomic-svc', [...layerNames, 'qa']);
    const response = await importInto('atomic-svc', document, options);
    const problem = expectProblem(response, status);
    expect(await configSnapshot(admin, 'atomic-svc', [...layerNames, 'qa'])).toEqual(before);
    return problem;
  }

  it.each([
    { label: 'extends a layer that does not exist', last: { extends: 'nowhere', values: {} }, pointer: '/body/layers/prod/extends' },
    { label: 'violates the schema', last: { extends: 'staging', values: { port: 'eighty', owner: 'nobody' } }, pointer: '/values/port' },
    {
      label: 'has a placeholder with no variable',
      last: { extends: 'staging', values: { url: '${var:MISSING}' } },
      pointer: '/values/url',
    },
    { label: 'extends itself', last: { extends: 'prod', values: {} }, pointer: '/body/layers/prod/extends' },
  ])('refuses a document whose last layer $label, writing none of the others', async ({ last, pointer }) => {
    // Act
    const problem = await refusedImport({ ...good, layers: { ...good.layers, prod: last } }, 400);

    // Assess
    expect(problem.errors.map((error: { pointer: string }) => error.pointer)).toContain(pointer);
  });

  it('refuses a cycle between layers of the document', async () => {
    // Act
    const problem = await refusedImport({ layers: { qa: { extends: 'dev', values: {} }, dev: { extends: 'qa', values: {} } } }, 400);

    // Assess
    expect(problem.errors[0].message).toMatch(/cycle/);
  });

  it.each([
    {
      label: 'a base that extends something',
      document: { layers: { base: { extends: 'staging', values: {} }, staging: { values: {} } } },
      pointer: '/body/layers/base/extends',
    },
    { label: 'a layer named export', document: { layers: { export: { values: {} } } }, pointer: '/body/layers/export' },
    { label: 'a layer named import', document: { layers: { ...good.layers, import: { values: {} } } }, pointer: '/body/layers/import' },
    {
      label: 'an invalid schema',
      document: { ...good, schema: { type: 'object', properties: { port: { type: 'int' } } } },
      pointer: '/body/schema/properties/port/type',
    },
    { label: 'variables for base', document: { ...good, variables: { base: { A: 'b' } } }, pointer: '/body/variables/base' },
    {
      label: 'a variable that is not a string',
      document: { ...good, variables: { staging: { HOST: 1 } } },
      pointer: '/body/variables/staging/HOST',
    },
    { label: 'an unknown field', document: { ...good, secrets: {} }, pointer: '/body/secrets' },
    {
      label: 'a number the table cannot keep',
      document: { ...good, layers: { ...good.layers, qa: { values: { huge: 2 ** 60 } } } },
      pointer: '/body/layers/qa/values/huge',
    },
    {
      label: 'a schema number the table cannot keep',
      document: { ...good, schema: { ...schema, maximum: 1e100 } },
      pointer: '/body/schema/maximum',
    },
    { label: 'another format', document: { ...good, format: 'steward-config/v9' }, pointer: '/body/format' },
  ])('refuses a document with $label', async ({ document, pointer }) => {
    // Act
    const problem = await refusedImport(document, 400);

    // Assess
    expect(problem.errors.map((error: { pointer: string }) => error.pointer)).toContain(pointer);
  });

  it('refuses a document with a layer over 256 KB with 413, as a write would', async () => {
    // Act
    const problem = await refusedImport({ layers: { base: { values: valuesOfSize(257 * 1024, 'k') } } }, 413);

    // Assess
    expect(problem.detail).toMatch(/256 KB/);
  });

  it('refuses a document with a schema over 64 KB with 413, as a schema write would', async () => {
    // Act & Assess
    await refusedImport({ ...good, schema: { ...schema, description: 'd'.repeat(65 * 1024) } }, 413);
  });

  it.each([
    { label: 'a stray closing brace', yaml: 'layers:\n  base:\n    values: {a: 1}}\n', line: 3, column: 19 },
    { label: 'a duplicate key', yaml: 'layers:\n  base:\n    values: {}\nlayers: {}\n', line: 4, column: 1 },
    { label: 'tabs for indentation', yaml: 'layers:\n\tbase: 1\n', line: 2, column: 1 },
  ])('refuses malformed YAML ($label), saying at which line and column', async ({ yaml, line, column }) => {
    // Act
    const problem = await refusedImport(undefined, 400, { yaml });

    // Assess
    expect(problem.errors).toEqual([
      { pointer: '/body', message: expect.stringContaining(`line ${line}, column ${column}`), line, column },
    ]);
    expect(problem.detail).toContain(`line ${line}, column ${column}`);
  });

  it.each([
    {
      label: 'an alias bomb',
      yaml: [
        'a: &a [x, x, x, x, x, x, x, x, x, x]',
        'b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]',
        'c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]',
        'layers: {base: {values: {c: [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]}}}',
      ].join('\n'),
    },
    { label: 'an alias to no anchor', yaml: 'layers:\n  base:\n    values: *nowhere\n' },
    { label: 'an alias that makes a cycle', yaml: 'layers:\n  base:\n    values: &loop {self: *loop}\n' },
  ])('refuses YAML with $label as a 400 problem', async ({ yaml }) => {
    // Act
    const problem = await refusedImport(undefined, 400, { yaml });

    // Assess
    expect(problem.errors).toEqual([{ pointer: '/body', message: expect.any(String) }]);
  });

  it('accepts YAML anchors and aliases used with measure', async () => {
    // Prepare
    const yaml = 'layers:\n  base:\n    values:\n      defaults: &defaults {timeout: 5, retries: 2}\n      payments: *defaults\n';

    // Act
    const response = await importInto('yaml-errors', undefined, { yaml, dryRun: true });

    // Assess
    expect(response.status, response.text).toBe(200);
    const base = response.json.changes.find((change: { name: string }) => change.name === 'base');
    expect(applyJsonPatch({}, base.patch)).toEqual({ defaults: { timeout: 5, retries: 2 }, payments: { timeout: 5, retries: 2 } });
  });

  it('refuses malformed JSON with 400 and an unknown content type with 415', async () => {
    // Act
    await refusedImport(undefined, 400, { yaml: '{"layers": ', contentType: 'application/json' });
    await refusedImport(undefined, 415, { yaml: 'layers: {}', contentType: 'text/plain' });
  });

  it('then accepts the good part on its own', async () => {
    // Act
    const response = await importInto('atomic-svc', good);

    // Assess
    expect(response.status, response.text).toBe(200);
    expect((await resolved(admin, 'atomic-svc', 'staging')).json.values).toEqual({ port: 2 });
  });
});
