import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type ConfigWorld,
  configPath,
  configSnapshot,
  createService,
  jsonSize,
  putLayer,
  resolved,
  startConfigWorld,
  valuesOfSize,
  writeLayer,
  writeSchema,
  writeVariables,
} from '../helpers/config-fixtures.ts';
import { type ApiClient, type ApiResponse, expectNoServerErrors, expectProblem } from '../helpers/http-client.ts';

/**
 * Issue 5, "Bad input and faults": every refused change is a 4xx problem that says what is
 * wrong, with a pointer, and leaves versions, variables, schema and audit trail as they were.
 */

let world: ConfigWorld;
let admin: ApiClient;
const service = 'bad-svc';
const bigService = 'big-svc';
const KB = 1024;

const schema = {
  type: 'object',
  properties: {
    port: { type: 'integer', minimum: 1, maximum: 65535 },
    mode: { enum: ['blue', 'green'] },
    owner: { type: 'string', format: 'email' },
    docs: { type: 'string', format: 'uri' },
    since: { type: 'string', format: 'date-time' },
    replicas: { type: 'integer', minimum: 1 },
    db: { type: 'string' },
  },
  required: ['port', 'mode'],
};

/** Runs `act` and asserts that it was refused with `status` and that nothing was written. */
async function refused(
  act: () => Promise<ApiResponse>,
  status: number,
  extraLayers: string[] = [],
  target = service,
): Promise<Record<string, any>> {
  const before = await configSnapshot(admin, target, extraLayers);
  const response = await act();
  const problem = expectProblem(response, status);
  expect(await configSnapshot(admin, target, extraLayers)).toEqual(before);
  return problem;
}

function pointers(problem: Record<string, any>): string[] {
  return (problem.errors as Array<{ pointer: string }>).map((error) => error.pointer).sort();
}

beforeAll(async () => {
  world = await startConfigWorld();
  admin = world.admin;
  await createService(admin, service);
  await createService(admin, bigService);
  await writeSchema(admin, service, schema);
  await writeLayer(admin, service, 'base', { values: { port: 8080, mode: 'blue', owner: 'team@example.com' } });
  await writeVariables(admin, service, 'prod', { DB: 'db.prod', USER: 'app' });
  await writeLayer(admin, service, 'prod', { values: { replicas: 3, db: 'postgres://${var:USER}@${var:DB}' }, extends: 'base' });
  await writeLayer(admin, service, 'chain-a', { values: {}, extends: 'base' });
  await writeLayer(admin, service, 'chain-b', { values: {}, extends: 'chain-a' });
});

afterAll(async () => {
  if (admin) expectNoServerErrors(admin.log);
  await world?.runtime.close();
});

describe('schema violations', () => {
  it('refuses values that violate the schema with every violation as a pointer and message', async () => {
    // Act
    const problem = await refused(
      () =>
        putLayer(admin, service, 'prod', {
          values: { port: 0, mode: 'red', owner: 'nobody', docs: 'not a uri', since: 'yesterday', replicas: 'many' },
          extends: 'base',
        }),
      400,
    );

    // Assess
    expect(pointers(problem)).toEqual([
      '/values/docs',
      '/values/mode',
      '/values/owner',
      '/values/port',
      '/values/replicas',
      '/values/since',
    ]);
    const messages = Object.fromEntries(
      (problem.errors as Array<{ pointer: string; message: string }>).map((error) => [error.pointer, error.message]),
    );
    expect(messages['/values/port']).toMatch(/must be >= 1.*prod/);
    expect(messages['/values/owner']).toMatch(/format "email"/);
    expect(messages['/values/docs']).toMatch(/format "uri"/);
    expect(messages['/values/since']).toMatch(/format "date-time"/);
    expect(problem.detail).toContain('/values/port');
  });

  it('refuses a change to base that breaks an environment built on it', async () => {
    // Act
    const problem = await refused(() => putLayer(admin, service, 'base', { values: { port: 8080 } }), 400);

    // Assess
    expect(problem.errors).toEqual(
      expect.arrayContaining([
        { pointer: '/values', message: expect.stringMatching(/required property 'mode'.*prod/) },
        { pointer: '/values', message: expect.stringMatching(/required property 'mode'.*chain-b/) },
      ]),
    );
  });

  it('refuses a variable value that makes the resolved configuration violate the schema', async () => {
    // Prepare
    await writeVariables(admin, service, 'typed', { OWNER: 'a@example.com' });
    await writeLayer(admin, service, 'typed', { values: { port: 1, mode: 'blue', owner: '${var:OWNER}' } });

    // Act
    const problem = await refused(() => admin.request('PUT', configPath(service, '/typed/variables'), { OWNER: 'not-an-email' }), 400);

    // Assess
    expect(problem.errors).toEqual([{ pointer: '/values/owner', message: expect.stringMatching(/format "email"/) }]);
  });
});

describe('schemas', () => {
  it('refuses an invalid schema with pointers into it', async () => {
    // Act
    const problem = await refused(
      () =>
        admin.request('PUT', `/v1/services/${service}/config-schema`, {
          type: 'object',
          properties: { port: { type: 'int' }, mode: { minLength: 'x' } },
        }),
      400,
    );

    // Assess
    expect(pointers(problem)).toEqual(expect.arrayContaining(['/body/properties/port/type', '/body/properties/mode/minLength']));
  });

  it.each([
    { label: 'names draft-07', body: { $schema: 'http://json-schema.org/draft-07/schema#', type: 'object' }, pointer: '/body/$schema' },
    { label: 'refers to nothing', body: { properties: { a: { $ref: '#/$defs/none' } } }, pointer: '/body' },
    { label: 'is an array', body: [{ type: 'object' }], pointer: '/body' },
  ])('refuses a schema that $label', async ({ body, pointer }) => {
    // Act
    const problem = await refused(() => admin.request('PUT', `/v1/services/${service}/config-schema`, body), 400);

    // Assess
    expect(pointers(problem)).toContain(pointer);
  });

  it('refuses a schema that the current configuration violates, with every violation', async () => {
    // Act
    const problem = await refused(
      () =>
        admin.request('PUT', `/v1/services/${service}/config-schema`, {
          ...schema,
          properties: { ...schema.properties, port: { type: 'integer', maximum: 1000 } },
          required: ['port', 'mode', 'region'],
        }),
      400,
    );

    // Assess
    expect(problem.errors).toEqual(
      expect.arrayContaining([
        { pointer: '/values/port', message: expect.stringMatching(/<= 1000.*prod/) },
        { pointer: '/values', message: expect.stringMatching(/region.*prod/) },
      ]),
    );
  });
});

describe('extends', () => {
  it('refuses an extends that names no layer', async () => {
    // Act
    const problem = await refused(() => putLayer(admin, service, 'qa', { values: {}, extends: 'staging' }), 400, ['qa']);

    // Assess
    expect(problem.errors).toEqual([{ pointer: '/body/extends', message: expect.stringContaining('staging') }]);
  });

  it('refuses a cycle: a extends b when b extends a', async () => {
    // Act
    const problem = await refused(() => putLayer(admin, service, 'chain-a', { values: {}, extends: 'chain-b' }), 400);

    // Assess
    expect(problem.errors).toEqual([{ pointer: '/body/extends', message: expect.stringMatching(/cycle: chain-a → chain-b → chain-a/) }]);
  });

  it('refuses a layer that extends itself', async () => {
    // Act
    const problem = await refused(() => putLayer(admin, service, 'solo', { values: {}, extends: 'solo' }), 400, ['solo']);

    // Assess
    expect(problem.errors).toEqual([{ pointer: '/body/extends', message: expect.stringMatching(/cycle/) }]);
  });

  it('refuses a base layer that extends anything', async () => {
    // Act
    const problem = await refused(() => putLayer(admin, service, 'base', { values: { port: 1, mode: 'blue' }, extends: 'prod' }), 400);

    // Assess
    expect(problem.errors).toEqual([{ pointer: '/body/extends', message: expect.any(String) }]);
  });
});

describe('placeholders', () => {
  it('refuses a placeholder with no variable, pointing at it', async () => {
    // Act
    const problem = await refused(
      () =>
        putLayer(admin, service, 'prod', {
          values: { replicas: 3, db: 'postgres://${var:USER}:${var:PASSWORD}@${var:DB}' },
          extends: 'base',
        }),
      400,
    );

    // Assess
    expect(problem.errors).toEqual([{ pointer: '/values/db', message: expect.stringMatching(/\$\{var:PASSWORD\}.*prod/) }]);
  });

  it('refuses variables that drop one a placeholder still uses', async () => {
    // Act
    const problem = await refused(() => admin.request('PUT', configPath(service, '/prod/variables'), { DB: 'db.prod' }), 400);

    // Assess
    expect(problem.errors).toEqual([{ pointer: '/values/db', message: expect.stringContaining('USER') }]);
  });

  it('refuses a base change that brings a placeholder some environment cannot fill', async () => {
    // Act
    const problem = await refused(
      () => putLayer(admin, service, 'base', { values: { port: 8080, mode: 'blue', owner: '${var:OWNER}' } }),
      400,
    );

    // Assess
    expect(pointers(problem)).toContain('/values/owner');
    expect(problem.detail).toMatch(/prod/);
  });
});

describe('names and shapes', () => {
  it.each(['export', 'import'])('refuses %s as a layer name', async (name) => {
    // Act
    const problem = await refused(() => putLayer(admin, service, name, { values: { port: 1, mode: 'blue' } }), 400);

    // Assess
    expect(problem.errors).toEqual([{ pointer: '/path/env', message: expect.stringContaining(name) }]);
  });

  it.each(['export', 'import'])('refuses %s as a parent', async (name) => {
    // Act
    const problem = await refused(() => putLayer(admin, service, 'qa', { values: {}, extends: name }), 400, ['qa']);

    // Assess
    expect(pointers(problem)).toEqual(['/body/extends']);
  });

  it.each(['export', 'import'])('refuses variables for %s', async (name) => {
    // Act & Assess
    await refused(() => admin.request('PUT', configPath(service, `/${name}/variables`), { A: 'b' }), 400);
  });

  it('refuses variables for base, which is no environment', async () => {
    // Act
    const problem = await refused(() => admin.request('PUT', configPath(service, '/base/variables'), { A: 'b' }), 400);

    // Assess
    expect(pointers(problem)).toEqual(['/path/env']);
  });

  it.each([
    { label: 'values that are not an object', body: { values: [1, 2] }, pointer: '/body/values' },
    { label: 'no values', body: { extends: 'base' }, pointer: '/body/values' },
    { label: 'an unknown field', body: { values: {}, extend: 'base' }, pointer: '/body/extend' },
    { label: 'an environment name with capitals', body: { values: {}, extends: 'Prod' }, pointer: '/body/extends' },
  ])('refuses a layer with $label', async ({ body, pointer }) => {
    // Act
    const problem = await refused(() => admin.request('PUT', configPath(service, '/qa'), body), 400, ['qa']);

    // Assess
    expect(pointers(problem)).toContain(pointer);
  });

  it.each([
    { label: 'a number value', body: { A: 1 }, pointer: '/body/A' },
    { label: 'a name with a dash', body: { 'A-B': 'x' }, pointer: '/body/A-B' },
    { label: 'an array', body: ['A'], pointer: '/body' },
  ])('refuses variables with $label', async ({ body, pointer }) => {
    // Act
    const problem = await refused(() => admin.request('PUT', configPath(service, '/prod/variables'), body), 400);

    // Assess
    expect(pointers(problem)).toContain(pointer);
  });

  it('refuses numbers the table cannot keep with 400 and their pointers, not a 500', async () => {
    // Act
    const problem = await refused(
      () => putLayer(admin, service, 'qa', { values: { port: 1, mode: 'blue', limits: { bytes: 1e20, epsilon: 1e-200 } } }),
      400,
      ['qa'],
    );

    // Assess
    expect(pointers(problem)).toEqual(['/body/values/limits/bytes', '/body/values/limits/epsilon']);
  });

  it('refuses a schema with a number the table cannot keep', async () => {
    // Act
    const problem = await refused(
      () =>
        admin.request('PUT', `/v1/services/${service}/config-schema`, {
          ...schema,
          properties: { ...schema.properties, big: { maximum: 1e300 } },
        }),
      400,
    );

    // Assess
    expect(pointers(problem)).toEqual(['/body/properties/big/maximum']);
  });

  it('refuses a body that is not JSON', async () => {
    // Act & Assess
    await refused(
      () => admin.request('PUT', configPath(service, '/prod'), undefined, { raw: '{"values": {', contentType: 'application/json' }),
      400,
    );
  });

  it('answers 404 for a service that does not exist', async () => {
    // Act
    const response = await putLayer(admin, 'no-such-svc', 'base', { values: {} });

    // Assess
    expectProblem(response, 404);
  });
});

describe('size limits', () => {
  it('refuses a layer over 256 KB with 413', async () => {
    // Prepare
    const values = valuesOfSize(257 * KB, 'k');

    // Act
    const problem = await refused(() => putLayer(admin, bigService, 'base', { values }), 413, ['base'], bigService);

    // Assess
    expect(problem.detail).toMatch(/256 KB/);
  });

  it('accepts a layer just under 256 KB', async () => {
    // Prepare
    const values = valuesOfSize(250 * KB, 'k');

    // Act
    const response = await putLayer(admin, bigService, 'solo', { values });

    // Assess
    expect(response.status, response.text.slice(0, 300)).toBe(201);
    expect((await resolved(admin, bigService, 'solo')).json.values).toEqual(values);
  });

  it('refuses with 413 a resolved configuration over 256 KB made of two layers under it', async () => {
    // Prepare
    await writeLayer(admin, bigService, 'base', { values: valuesOfSize(150 * KB, 'b') });
    const values = valuesOfSize(150 * KB, 'p');
    expect(jsonSize(values)).toBeLessThan(256 * KB);

    // Act
    const problem = await refused(() => putLayer(admin, bigService, 'prod', { values, extends: 'base' }), 413, ['prod'], bigService);

    // Assess
    expect(problem.detail).toMatch(/prod/);
  });

  it('refuses with 413 a base that grows an environment built on it past 256 KB', async () => {
    // Prepare
    await writeLayer(admin, bigService, 'base', { values: { small: true } });
    await writeLayer(admin, bigService, 'prod', { values: valuesOfSize(150 * KB, 'p'), extends: 'base' });

    // Act
    const problem = await refused(() => putLayer(admin, bigService, 'base', { values: valuesOfSize(150 * KB, 'b') }), 413, [], bigService);

    // Assess
    expect(problem.detail).toMatch(/prod/);
  });
});
