import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type ConfigWorld,
  configPath,
  configSnapshot,
  createService,
  putLayer,
  resolved,
  startConfigWorld,
  writeLayer,
  writeSchema,
  writeVariables,
} from '../helpers/config-fixtures.ts';
import { type ApiClient, type ApiResponse, expectNoServerErrors, expectProblem } from '../helpers/http-client.ts';

/** Issue 5, items 2 and 3: the resolved fetch with ETag and 304, ?raw=true, and If-Match on writes. */

let world: ConfigWorld;
let admin: ApiClient;
const service = 'etag-svc';

async function fetchWith(ifNoneMatch: string, query: Record<string, string> = {}, environment = 'prod'): Promise<ApiResponse> {
  return admin.get(configPath(service, `/${environment}`), { headers: { 'if-none-match': ifNoneMatch }, query });
}

async function currentTag(environment = 'prod'): Promise<string> {
  return (await resolved(admin, service, environment)).headers.get('etag') as string;
}

function expectNotModified(response: ApiResponse, etag: string): void {
  expect(response.status, response.text).toBe(304);
  expect(response.text).toBe('');
  expect(response.headers.get('etag')).toBe(etag);
}

beforeAll(async () => {
  world = await startConfigWorld();
  admin = world.admin;
  await createService(admin, service);
  await writeLayer(admin, service, 'base', { values: { log: { level: 'info', format: 'json' }, hosts: ['a', 'b'] } });
  await writeLayer(admin, service, 'staging', { values: { log: { level: 'debug' } }, extends: 'base' });
  await writeVariables(admin, service, 'prod', { DB: 'db.prod' });
  await writeLayer(admin, service, 'prod', { values: { db: 'postgres://${var:DB}/main', hosts: ['p'] }, extends: 'staging' });
  await writeLayer(admin, service, 'dev', { values: { db: 'local' } });
});

afterAll(async () => {
  if (admin) expectNoServerErrors(admin.log);
  await world?.runtime.close();
});

describe('fetching the resolved configuration', () => {
  it('returns the merged chain with placeholders filled, and the ETag in header and body', async () => {
    // Act
    const response = await resolved(admin, service, 'prod');

    // Assess
    expect(response.json).toMatchObject({
      service,
      environment: 'prod',
      version: 1,
      layers: [
        { layer: 'base', version: 1 },
        { layer: 'staging', version: 1 },
        { layer: 'prod', version: 1 },
      ],
      variablesRev: 1,
      schemaVersion: null,
      values: { log: { level: 'debug', format: 'json' }, hosts: ['p'], db: 'postgres://db.prod/main' },
    });
    expect(response.headers.get('etag')).toMatch(/^"[^"]+"$/);
    expect(response.json.etag).toBe(response.headers.get('etag'));
  });

  it('answers 304 with no body to If-None-Match with the current tag', async () => {
    // Prepare
    const etag = await currentTag();

    // Act
    const response = await fetchWith(etag);

    // Assess
    expectNotModified(response, etag);
  });

  it.each([
    { form: 'a weak tag', header: (tag: string) => `W/${tag}` },
    { form: 'a list containing the tag', header: (tag: string) => `"stale", ${tag}` },
    { form: 'the wildcard', header: () => '*' },
  ])('answers 304 to $form', async ({ header }) => {
    // Prepare
    const etag = await currentTag();

    // Act
    const response = await fetchWith(header(etag));

    // Assess
    expectNotModified(response, etag);
  });

  it('returns the body to a tag that does not match', async () => {
    // Act
    const response = await fetchWith('"something-else"');

    // Assess
    expect(response.status).toBe(200);
    expect(response.json.values.db).toBe('postgres://db.prod/main');
  });

  it('answers 404 for an environment with no configuration, even with If-None-Match', async () => {
    // Act
    const response = await fetchWith('*', {}, 'qa');

    // Assess
    expectProblem(response, 404);
  });
});

describe('when the ETag changes', () => {
  it.each([
    {
      change: 'a change to base',
      act: () => writeLayer(admin, service, 'base', { values: { log: { level: 'info', format: 'text' }, hosts: ['a', 'b'] } }),
      expected: { log: { level: 'debug', format: 'text' } },
    },
    {
      change: 'a change to the parent layer',
      act: () => writeLayer(admin, service, 'staging', { values: { log: { level: 'trace' } }, extends: 'base' }),
      expected: { log: { level: 'trace', format: 'text' } },
    },
    {
      change: 'a change to the variables',
      act: () => writeVariables(admin, service, 'prod', { DB: 'db2.prod' }),
      expected: { db: 'postgres://db2.prod/main' },
    },
    {
      change: 'a change to the layer itself',
      act: () => writeLayer(admin, service, 'prod', { values: { db: 'postgres://${var:DB}/main', hosts: ['p', 'q'] }, extends: 'staging' }),
      expected: { hosts: ['p', 'q'] },
    },
    {
      change: 'a change of parent',
      act: () => writeLayer(admin, service, 'prod', { values: { db: 'postgres://${var:DB}/main', hosts: ['p', 'q'] }, extends: 'base' }),
      expected: { log: { level: 'info', format: 'text' } },
    },
  ])('changes after $change, and the old tag gets the new body', async ({ act, expected }) => {
    // Prepare
    const before = await currentTag();

    // Act
    await act();
    const response = await fetchWith(before);

    // Assess
    expect(response.status).toBe(200);
    expect(response.headers.get('etag')).not.toBe(before);
    expect(response.json.values).toMatchObject(expected);
    expectNotModified(await fetchWith(response.headers.get('etag') as string), response.headers.get('etag') as string);
  });

  it.each([
    { change: 'a change to another environment', act: () => writeLayer(admin, service, 'dev', { values: { db: 'elsewhere' } }) },
    { change: "a change to another environment's variables", act: () => writeVariables(admin, service, 'dev', { DB: 'x' }) },
    {
      change: 'a write that changes nothing',
      act: () => writeLayer(admin, service, 'base', { values: { log: { level: 'info', format: 'text' }, hosts: ['a', 'b'] } }),
    },
    { change: 'a new schema the configuration satisfies', act: () => writeSchema(admin, service, { type: 'object' }) },
  ])('stays the same after $change', async ({ act }) => {
    // Prepare
    const before = await currentTag();

    // Act
    await act();
    const response = await fetchWith(before);

    // Assess
    expectNotModified(response, before);
  });
});

describe('?raw=true', () => {
  it('returns the layer as written, unresolved, with the layer ETag', async () => {
    // Prepare
    const latest = (await admin.get(configPath(service, '/prod/versions'), { query: { limit: 1 } })).json.items[0];

    // Act
    const response = await admin.get(configPath(service, '/prod'), { query: { raw: 'true' } });

    // Assess
    expect(response.status).toBe(200);
    expect(response.json).toEqual(latest);
    expect(response.json.values.db).toBe('postgres://${var:DB}/main');
    expect(response.json.values.log).toBeUndefined();
    expect(response.headers.get('etag')).toBe(`"${latest.version}"`);
  });

  it('answers 304 to If-None-Match with the layer ETag', async () => {
    // Prepare
    const tag = (await admin.get(configPath(service, '/prod'), { query: { raw: 'true' } })).headers.get('etag') as string;

    // Act
    const response = await fetchWith(tag, { raw: 'true' });

    // Assess
    expectNotModified(response, tag);
  });

  it('does not take the resolved ETag for the layer ETag, nor the other way round', async () => {
    // Prepare
    const resolvedTag = await currentTag();
    const rawTag = (await admin.get(configPath(service, '/prod'), { query: { raw: 'true' } })).headers.get('etag') as string;

    // Act
    const raw = await fetchWith(resolvedTag, { raw: 'true' });
    const full = await fetchWith(rawTag);

    // Assess
    expect(raw.status).toBe(200);
    expect(full.status).toBe(200);
  });

  it('returns the resolved configuration with raw=false and refuses other values', async () => {
    // Act
    const full = await admin.get(configPath(service, '/prod'), { query: { raw: 'false' } });
    const odd = await admin.get(configPath(service, '/prod'), { query: { raw: 'yes' } });

    // Assess
    expect(full.json.values.log).toBeDefined();
    expectProblem(odd, 400);
  });
});

describe('If-Match on writes', () => {
  it('writes when If-Match carries the layer ETag', async () => {
    // Prepare
    const tag = (await admin.get(configPath(service, '/dev'), { query: { raw: 'true' } })).headers.get('etag') as string;

    // Act
    const response = await putLayer(admin, service, 'dev', { values: { db: 'matched' } }, { 'if-match': tag });

    // Assess
    expect(response.status, response.text).toBe(200);
    expect(response.headers.get('etag')).toBe(`"${Number(tag.replaceAll('"', '')) + 1}"`);
  });

  it.each([
    { form: 'a weak tag', header: (tag: string) => `W/${tag}` },
    { form: 'a list containing the tag', header: (tag: string) => `"0", ${tag}` },
    { form: 'the wildcard', header: () => '*' },
  ])('accepts $form', async ({ header }) => {
    // Prepare
    const tag = (await admin.get(configPath(service, '/dev'), { query: { raw: 'true' } })).headers.get('etag') as string;

    // Act
    const response = await putLayer(admin, service, 'dev', { values: { db: `matched ${header('x')}` } }, { 'if-match': header(tag) });

    // Assess
    expect(response.status, response.text).toBe(200);
  });

  it('refuses a stale tag with 412 and writes nothing', async () => {
    // Prepare
    const before = await configSnapshot(admin, service);

    // Act
    const response = await putLayer(admin, service, 'dev', { values: { db: 'lost update' } }, { 'if-match': '"1"' });

    // Assess
    const problem = expectProblem(response, 412);
    expect(problem.detail).toMatch(/changed/);
    expect(await configSnapshot(admin, service)).toEqual(before);
  });

  it('lets exactly one of two racing writers with the same tag win; the other gets 412', async () => {
    // Prepare
    const tag = (await admin.get(configPath(service, '/dev'), { query: { raw: 'true' } })).headers.get('etag') as string;
    const versionsBefore = (await admin.get(configPath(service, '/dev/versions'), { query: { limit: 100 } })).json.items.length;

    // Act
    const responses = await Promise.all(
      ['left', 'right', 'middle'].map((who) => putLayer(admin, service, 'dev', { values: { db: who } }, { 'if-match': tag })),
    );

    // Assess
    expect(responses.map((response) => response.status).sort()).toEqual([200, 412, 412]);
    const versionsAfter = (await admin.get(configPath(service, '/dev/versions'), { query: { limit: 100 } })).json.items;
    expect(versionsAfter).toHaveLength(versionsBefore + 1);
    const winner = responses.find((response) => response.status === 200) as ApiResponse;
    expect(versionsAfter[0].values).toEqual(winner.json.values);
  });

  it('refuses If-Match on a layer that does not exist yet with 412 and writes nothing', async () => {
    // Prepare
    const before = await configSnapshot(admin, service, ['qa']);

    // Act
    const response = await putLayer(admin, service, 'qa', { values: { a: 1 } }, { 'if-match': '*' });

    // Assess
    expectProblem(response, 412);
    expect(await configSnapshot(admin, service, ['qa'])).toEqual(before);
  });
});
