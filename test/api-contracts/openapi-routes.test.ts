import yaml from 'js-yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Runtime, startRuntime } from '../../local/runtime.ts';
import { type ApiClient, api, expectNoServerErrors } from '../helpers/http-client.ts';

/**
 * Issue 11 §1–2 over real HTTP against the local runtime: a draft's OpenAPI document stored as
 * JSON or YAML, read back with its digest as ETag, frozen at release; bad documents refused with
 * every problem located; the compatibility report between stored versions and for two documents.
 */

let runtime: Runtime;
let client: ApiClient;
const SERVICE = 'pets-api';

const ok = { description: 'ok' };
const pet = {
  type: 'object',
  required: ['id'],
  properties: { id: { type: 'string' }, name: { type: 'string' }, owner: { $ref: '#/components/schemas/Owner' } },
};
function petsApi(version: string, changes: { dropName?: boolean; dropDelete?: boolean; addTag?: boolean } = {}) {
  const properties: Record<string, unknown> = { id: { type: 'string' } };
  if (!changes.dropName) properties.name = { type: 'string' };
  if (changes.addTag) properties.tag = { type: 'string' };
  return {
    openapi: '3.1.0',
    info: { title: 'Pets', version },
    paths: {
      '/pets/{id}': {
        parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }],
        get: {
          responses: { '200': { description: 'ok', content: { 'application/json': { schema: { $ref: '#/components/schemas/Pet' } } } } },
        },
        ...(changes.dropDelete ? {} : { delete: { responses: { '204': ok } } }),
      },
    },
    components: {
      schemas: {
        Pet: { ...pet, properties: { ...properties, owner: { $ref: '#/components/schemas/Owner' } } },
        // Recursive: an owner's pets are pets.
        Owner: { type: 'object', properties: { pets: { type: 'array', items: { $ref: '#/components/schemas/Pet' } } } },
      },
    },
  };
}

async function draft(version: string) {
  const response = await client.post(`/v1/services/${SERVICE}/versions`, { version });
  expect(response.status, response.text).toBe(201);
}

const put = (version: string, document: unknown, contentType = 'application/json', headers: Record<string, string> = {}) =>
  client.request('PUT', `/v1/services/${SERVICE}/versions/${version}/openapi`, undefined, {
    raw: typeof document === 'string' ? document : JSON.stringify(document),
    contentType,
    headers,
  });

beforeAll(async () => {
  runtime = await startRuntime({ memory: true, port: 0, reconcileEveryMs: 3_600_000 });
  client = api(runtime);
  expect((await client.post('/v1/services', { name: SERVICE, kind: 'api' })).status).toBe(201);
});

afterAll(async () => {
  expectNoServerErrors(client.log);
  await runtime?.close();
});

describe('PUT and GET .../versions/{v}/openapi', () => {
  it('stores a JSON document and returns it with its digest as ETag; the same document again is unchanged', async () => {
    await draft('1.0.0');
    const created = await put('1.0.0', petsApi('1.0.0'));
    expect(created.status, created.text).toBe(201);
    expect(created.json).toMatchObject({
      service: SERVICE,
      version: '1.0.0',
      openapi: '3.1.0',
      title: 'Pets',
      operationCount: 2,
      frozen: false,
    });
    expect(created.json.digest).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(created.headers.get('etag')).toBe(`"${created.json.digest}"`);

    const read = await client.get(`/v1/services/${SERVICE}/versions/1.0.0/openapi`);
    expect(read.status).toBe(200);
    expect(read.headers.get('content-type')).toBe('application/json');
    expect(read.headers.get('etag')).toBe(`"${created.json.digest}"`);
    expect(JSON.parse(read.text)).toEqual(petsApi('1.0.0'));

    const again = await put('1.0.0', petsApi('1.0.0'));
    expect(again.status).toBe(200);
    expect(again.json.digest).toBe(created.json.digest);

    const notModified = await client.get(`/v1/services/${SERVICE}/versions/1.0.0/openapi`, {
      headers: { 'if-none-match': `"${created.json.digest}"` },
    });
    expect(notModified.status).toBe(304);
  });

  it('takes YAML, with the same digest as the same document in JSON', async () => {
    await draft('1.0.1');
    const document = petsApi('1.0.0');
    const json = await put('1.0.1', document);
    const asYaml = await put('1.0.1', { ...document, info: { title: 'Pets', version: '1.0.1' } });
    const text = yaml.dump({ ...document, info: { title: 'Pets', version: '1.0.1' } });
    const yamlPut = await put('1.0.1', text, 'application/yaml');
    expect(yamlPut.status, yamlPut.text).toBe(200);
    expect(yamlPut.json.digest).toBe(asYaml.json.digest);
    expect(yamlPut.json.digest).not.toBe(json.json.digest);
  });

  it('refuses a stale If-Match with 412, and accepts the current digest', async () => {
    await draft('1.1.0');
    const first = await put('1.1.0', petsApi('1.1.0'));
    const second = await put('1.1.0', petsApi('1.1.0', { addTag: true }), 'application/json', {
      'if-match': first.headers.get('etag') as string,
    });
    expect(second.status, second.text).toBe(200);
    const stale = await put('1.1.0', petsApi('1.1.0', { dropName: true }), 'application/json', {
      'if-match': first.headers.get('etag') as string,
    });
    expect(stale.status).toBe(412);
    expect(stale.json.currentEtag).toBe(second.headers.get('etag'));
  });

  it('answers 400 listing what is wrong: not OpenAPI, Swagger 2.0, external $ref, a YAML alias bomb, bad YAML', async () => {
    await draft('1.2.0');
    const cases: Array<[unknown, string, RegExp]> = [
      [
        { openapi: '3.1.0', info: { title: 'x', version: '1' }, paths: { '/a': { get: { responses: { '200': { description: 1 } } } } } },
        'application/json',
        /description/,
      ],
      [{ swagger: '2.0', info: { title: 'x', version: '1' }, paths: {} }, 'application/json', /Swagger 2\.0/],
      [{ hello: 'world' }, 'application/json', /no openapi field/],
      [
        {
          openapi: '3.1.0',
          info: { title: 'x', version: '1' },
          paths: { '/a': { get: { responses: { '200': { $ref: 'https://example.com/r.yaml' } } } } },
        },
        'application/json',
        /\$ref/,
      ],
      [`openapi: 3.1.0\ninfo: [unclosed\n`, 'application/yaml', /YAML/],
    ];
    for (const [document, type, message] of cases) {
      const response = await put('1.2.0', document, type);
      expect(response.status, response.text).toBe(400);
      expect(response.headers.get('content-type')).toBe('application/problem+json');
      expect(response.json.errors.length).toBeGreaterThan(0);
      expect(JSON.stringify(response.json.errors)).toMatch(message);
      expect(response.json.errors[0].pointer).toMatch(/^\/body/);
    }
    const lines = ['openapi: 3.1.0', 'info: {title: x, version: "1"}', 'paths: {}', 'a: &a ["x","x","x","x","x","x","x","x","x"]'];
    for (let level = 0; level < 8; level++)
      lines.push(
        `${String.fromCharCode(98 + level)}: &${String.fromCharCode(98 + level)} [*${String.fromCharCode(97 + level)},*${String.fromCharCode(97 + level)},*${String.fromCharCode(97 + level)},*${String.fromCharCode(97 + level)},*${String.fromCharCode(97 + level)},*${String.fromCharCode(97 + level)},*${String.fromCharCode(97 + level)},*${String.fromCharCode(97 + level)},*${String.fromCharCode(97 + level)}]`,
      );
    const bomb = await put('1.2.0', lines.join('\n'), 'application/yaml');
    expect(bomb.status, bomb.text).toBe(400);
    expect(bomb.json.detail).toMatch(/aliases/);
  });

  it('answers 413 past 10 MB and 415 for other media types', async () => {
    const big = `{"openapi":"3.1.0","x":"${'a'.repeat(10 * 1024 * 1024)}"}`;
    const tooLarge = await put('1.2.0', big);
    expect(tooLarge.status).toBe(413);
    expect(tooLarge.json.detail).toMatch(/The request body is \d+ bytes/);
    const text = await put('1.2.0', 'openapi: 3.1.0', 'text/plain');
    expect(text.status).toBe(415);
  });

  it('a 1 MB+ document is taken (the route allows 10 MB, other routes 1 MB)', async () => {
    const document = petsApi('1.2.0') as Record<string, unknown>;
    (document.info as Record<string, unknown>).description = 'd'.repeat(2 * 1024 * 1024);
    const response = await put('1.2.0', document);
    expect(response.status, response.text).toBe(201);
    expect(response.json.size).toBeGreaterThan(2 * 1024 * 1024);
  });

  it('404 for an unknown version or a version without a document; 400 for a version that is not SemVer', async () => {
    expect((await client.get(`/v1/services/${SERVICE}/versions/9.9.9/openapi`)).status).toBe(404);
    await draft('3.0.0');
    const none = await client.get(`/v1/services/${SERVICE}/versions/3.0.0/openapi`);
    expect(none.status).toBe(404);
    expect(none.json.detail).toMatch(/no OpenAPI document/);
    expect((await client.get(`/v1/services/${SERVICE}/versions/v1/openapi`)).status).toBe(400);
    expect((await put('9.9.9', petsApi('9.9.9'))).status).toBe(404);
  });

  it('only a draft changes: after release the document is frozen (409)', async () => {
    await draft('0.9.0');
    expect((await put('0.9.0', petsApi('0.9.0'))).status).toBe(201);
    const released = await client.post(`/v1/services/${SERVICE}/versions/0.9.0/release`);
    expect(released.status, released.text).toBe(200);
    const refused = await put('0.9.0', petsApi('0.9.0', { addTag: true }));
    expect(refused.status).toBe(409);
    expect(refused.json.detail).toMatch(/frozen/);
    const read = await client.get(`/v1/services/${SERVICE}/versions/0.9.0/openapi`);
    expect(JSON.parse(read.text)).toEqual(petsApi('0.9.0'));
  });
});

describe('compatibility', () => {
  it('GET .../compatibility reports what the revision breaks, with rule ids, levels, operations and the required bump', async () => {
    await draft('2.0.0');
    expect((await put('2.0.0', petsApi('2.0.0', { dropName: true, dropDelete: true, addTag: true }))).status).toBe(201);
    const report = await client.get(`/v1/services/${SERVICE}/compatibility?base=1.0.0&revision=2.0.0`);
    expect(report.status, report.text).toBe(200);
    expect(report.json).toMatchObject({
      base: { version: '1.0.0' },
      revision: { version: '2.0.0' },
      compatible: false,
      requiredBump: 'major',
      bump: { step: 'major', satisfied: true },
      frozen: false,
    });
    const ids = report.json.changes.map((change: { id: string }) => change.id);
    expect(ids).toContain('api-removed-without-deprecation');
    expect(ids).toContain('response-optional-property-removed');
    expect(report.json.changes.find((change: { id: string }) => change.id === 'api-removed-without-deprecation')).toMatchObject({
      level: 'error',
      operation: 'DELETE /pets/{id}',
      path: '/pets/{id}',
    });
    expect(report.json.summary.error).toBe(report.json.changes.filter((change: { level: string }) => change.level === 'error').length);

    const minor = await client.get(`/v1/services/${SERVICE}/compatibility?base=1.0.0&revision=1.1.0`);
    expect(minor.json).toMatchObject({ compatible: true, requiredBump: 'minor', bump: { step: 'minor', satisfied: true } });
  });

  it('404 when a version has no document or does not exist; 400 without base', async () => {
    expect((await client.get(`/v1/services/${SERVICE}/compatibility?base=1.0.0&revision=3.0.0`)).status).toBe(404);
    expect((await client.get(`/v1/services/${SERVICE}/compatibility?base=1.0.0&revision=8.0.0`)).status).toBe(404);
    expect((await client.get(`/v1/services/${SERVICE}/compatibility?revision=2.0.0`)).status).toBe(400);
  });

  it('POST /v1/compatibility compares two documents sent in the body, storing nothing', async () => {
    const response = await client.post('/v1/compatibility', {
      base: petsApi('1.0.0'),
      revision: petsApi('1.1.0', { dropDelete: true }),
      baseVersion: '1.0.0',
      revisionVersion: '1.1.0',
    });
    expect(response.status, response.text).toBe(200);
    expect(response.json).toMatchObject({ compatible: false, requiredBump: 'major', bump: { step: 'minor', satisfied: false } });
    expect(response.json.changes).toEqual([
      expect.objectContaining({ id: 'api-removed-without-deprecation', level: 'error', operation: 'DELETE /pets/{id}' }),
    ]);
    const bad = await client.post('/v1/compatibility', { base: petsApi('1.0.0'), revision: { swagger: '2.0' } });
    expect(bad.status).toBe(400);
    expect(bad.json.errors[0].pointer).toMatch(/^\/body\/revision/);
    const half = await client.post('/v1/compatibility', { base: petsApi('1.0.0'), revision: petsApi('1.0.0'), baseVersion: '1.0.0' });
    expect(half.status).toBe(400);
    const text = await client.post('/v1/compatibility', { base: petsApi('1.0.0'), revision: yaml.dump(petsApi('1.0.0')) });
    expect(text.status).toBe(400);
    expect(text.json.errors[0].pointer).toBe('/body/revision');
  });
});

describe('version policy', () => {
  it('has defaults, takes a partial update with If-Match, and refuses unknown fields', async () => {
    const initial = await client.get(`/v1/services/${SERVICE}/version-policy`);
    expect(initial.json).toMatchObject({
      compatibility: 'enforce',
      supportedMajors: null,
      sunsetAfterDays: 90,
      autoDeprecateOnMajor: false,
      migrationQuietDays: 7,
    });
    const updated = await client.request(
      'PUT',
      `/v1/services/${SERVICE}/version-policy`,
      { compatibility: 'warn', supportedMajors: 2 },
      {
        headers: { 'if-match': initial.headers.get('etag') as string },
      },
    );
    expect(updated.status, updated.text).toBe(200);
    expect(updated.json).toMatchObject({ compatibility: 'warn', supportedMajors: 2, sunsetAfterDays: 90 });
    const stale = await client.request(
      'PUT',
      `/v1/services/${SERVICE}/version-policy`,
      { compatibility: 'off' },
      {
        headers: { 'if-match': initial.headers.get('etag') as string },
      },
    );
    expect(stale.status).toBe(412);
    expect((await client.request('PUT', `/v1/services/${SERVICE}/version-policy`, { strict: true })).status).toBe(400);
    expect((await client.request('PUT', `/v1/services/${SERVICE}/version-policy`, { migrationQuietDays: 0 })).status).toBe(400);
    expect((await client.request('PUT', `/v1/services/no-such-svc/version-policy`, {})).status).toBe(404);
    await client.request('PUT', `/v1/services/${SERVICE}/version-policy`, { compatibility: 'enforce', supportedMajors: null });
  });
});
