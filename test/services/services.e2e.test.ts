import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Runtime, startRuntime } from '../../local/runtime.ts';
import { type ApiClient, api, expectInvalid, expectNoServerErrors, expectProblem, readAll } from '../helpers/http-client.ts';

/** Journey steps 1–2: create, list, get and update services over real HTTP. */

let runtime: Runtime;
let client: ApiClient;

beforeAll(async () => {
  runtime = await startRuntime({ memory: true, port: 0, reconcileEveryMs: 3_600_000 });
  client = api(runtime);
});

afterAll(async () => {
  await runtime?.close();
});

const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;

async function createService(name: string, extra: Record<string, unknown> = {}) {
  const response = await client.post('/v1/services', { name, kind: 'api', ...extra });
  expect(response.status, response.text).toBe(201);
  return response;
}

async function history(name: string) {
  return readAll(client, `/v1/services/${name}/history`, { limit: 100 });
}

describe('creating a service', () => {
  it('answers 201 with the service, its Location and its ETag', async () => {
    const response = await client.post('/v1/services', {
      name: 'payments-api',
      displayName: 'Payments API',
      description: 'Takes money.',
      kind: 'api',
      owner: 'team-payments@example.com',
      tags: { team: 'payments', tier: '1' },
    });
    expect(response.status, response.text).toBe(201);
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    expect(response.headers.get('location')).toBe('/v1/services/payments-api');
    const etag = response.headers.get('etag');
    expect(etag).toMatch(/^"[^"]+"$/);
    expect(response.json).toMatchObject({
      name: 'payments-api',
      displayName: 'Payments API',
      description: 'Takes money.',
      kind: 'api',
      owner: 'team-payments@example.com',
      tags: { team: 'payments', tier: '1' },
      status: 'new',
      versionCount: 0,
      latestReleased: null,
      etag,
    });
    expect(response.json.createdAt).toMatch(ISO);
    expect(response.json.updatedAt).toBe(response.json.createdAt);

    const fetched = await client.get(response.headers.get('location') as string);
    expect(fetched.status).toBe(200);
    expect(fetched.headers.get('etag')).toBe(etag);
    expect(fetched.json).toEqual(response.json);
  });

  it('fills in defaults for the optional fields, and takes kind "model"', async () => {
    const response = await client.post('/v1/services', { name: 'fraud-model', kind: 'model' });
    expect(response.status, response.text).toBe(201);
    expect(response.json).toMatchObject({
      name: 'fraud-model',
      displayName: 'fraud-model',
      description: null,
      kind: 'model',
      owner: null,
      tags: {},
      status: 'new',
      versionCount: 0,
      latestReleased: null,
    });
  });

  it.each(['abc', 'a-b', '123', 'web-2-api', 'a'.repeat(63)])('accepts the slug %s', async (name) => {
    await createService(name);
    expect((await client.get(`/v1/services/${name}`)).status).toBe(200);
  });

  it.each([
    ['too short', 'ab'],
    ['too long', 'a'.repeat(64)],
    ['upper case', 'Payments'],
    ['leading dash', '-abc'],
    ['trailing dash', 'abc-'],
    ['underscore', 'a_b_c'],
    ['space', 'a b c'],
    ['dot', 'a.b.c'],
    ['accented letter', 'café-api'],
    ['empty', ''],
  ])('refuses a name that is not a slug (%s) with a problem pointing at /body/name', async (_why, name) => {
    const response = await client.post('/v1/services', { name, kind: 'api' });
    const error = expectInvalid(response, '/body/name');
    expect(error.message.length).toBeGreaterThan(0);
  });

  it('refuses a name that is not a string, a missing kind and an unknown kind', async () => {
    expectInvalid(await client.post('/v1/services', { name: 12345, kind: 'api' }), '/body/name');
    expectInvalid(await client.post('/v1/services', { name: 'no-kind' }), '/body/kind');
    expectInvalid(await client.post('/v1/services', { name: 'bad-kind', kind: 'lambda' }), '/body/kind');
    // none of them was created
    expectProblem(await client.get('/v1/services/no-kind'), 404);
    expectProblem(await client.get('/v1/services/bad-kind'), 404);
  });

  it('reports every invalid field at once', async () => {
    const response = await client.post('/v1/services', { name: 'X', kind: 'thing', owner: '', colour: 'blue' });
    const problem = expectProblem(response, 400);
    const pointers = [...new Set((problem.errors as Array<{ pointer: string }>).map((error) => error.pointer))].sort();
    expect(pointers).toEqual(['/body/colour', '/body/kind', '/body/name', '/body/owner']);
  });

  it('answers a second service of the same name with 409, and keeps the first', async () => {
    await createService('dup-check', { displayName: 'First' });
    const second = await client.post('/v1/services', { name: 'dup-check', kind: 'model', displayName: 'Second' });
    const problem = expectProblem(second, 409);
    expect(problem.detail).toContain('dup-check');
    const fetched = await client.get('/v1/services/dup-check');
    expect(fetched.json).toMatchObject({ displayName: 'First', kind: 'api' });
    expect((await history('dup-check')).filter((record) => record.type === 'service.created')).toHaveLength(1);
  });

  it('answers 404 for a service that does not exist', async () => {
    const problem = expectProblem(await client.get('/v1/services/no-such-service'), 404);
    expect(problem.detail).toContain('no-such-service');
  });
});

describe('listing services', () => {
  const names = Array.from({ length: 7 }, (_, i) => `list-${String(i).padStart(2, '0')}`);

  beforeAll(async () => {
    // Created out of order: the list is in name order regardless.
    for (const name of [...names].reverse()) await createService(name);
  });

  it('returns { items, nextCursor } with the default page', async () => {
    const response = await client.get('/v1/services');
    expect(response.status).toBe(200);
    expect(Array.isArray(response.json.items)).toBe(true);
    expect(response.json).toHaveProperty('nextCursor');
    for (const item of response.json.items) {
      expect(item).toEqual(
        expect.objectContaining({
          name: expect.any(String),
          status: expect.any(String),
          versionCount: expect.any(Number),
          etag: expect.any(String),
        }),
      );
      expect(item).toHaveProperty('latestReleased');
    }
  });

  it('pages through every service in name order with limit and cursor, ending with nextCursor null', async () => {
    const everything = await readAll(client, '/v1/services', { limit: 100 });
    const seen: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    for (;;) {
      const response = await client.get('/v1/services', { query: { limit: 3, cursor } });
      expect(response.status, response.text).toBe(200);
      expect(response.json.items.length).toBeLessThanOrEqual(3);
      expect(response.json.items.length, 'no empty trailing page').toBeGreaterThan(0);
      seen.push(...response.json.items.map((item: { name: string }) => item.name));
      pages++;
      if (response.json.nextCursor === null) break;
      expect(typeof response.json.nextCursor).toBe('string');
      cursor = response.json.nextCursor;
    }
    expect(seen).toEqual(everything.map((item) => item.name));
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen).toEqual([...seen].sort());
    expect(pages).toBe(Math.ceil(seen.length / 3));
    for (const name of names) expect(seen).toContain(name);
  });

  it('gives nextCursor null when the page holds exactly the rest', async () => {
    const total = (await readAll(client, '/v1/services', { limit: 100 })).length;
    const response = await client.get('/v1/services', { query: { limit: total } });
    expect(response.json.items).toHaveLength(total);
    expect(response.json.nextCursor).toBeNull();
  });

  it('refuses limits outside 1–100 and cursors it did not hand out', async () => {
    expectInvalid(await client.get('/v1/services', { query: { limit: 0 } }), '/query/limit');
    expectInvalid(await client.get('/v1/services', { query: { limit: 101 } }), '/query/limit');
    expectInvalid(await client.get('/v1/services', { query: { limit: 'ten' } }), '/query/limit');
    expectProblem(await client.get('/v1/services', { query: { cursor: 'not-a-cursor' } }), 400);
  });
});

describe("a service's status, version count and latest released version", () => {
  const name = 'status-api';
  const inList = async () => (await readAll(client, '/v1/services', { limit: 100 })).find((item) => item.name === name);
  const move = async (version: string, action: string, body?: unknown) => {
    const response = await client.post(`/v1/services/${name}/versions/${version}/${action}`, body);
    expect(response.status, response.text).toBe(200);
  };

  it('follows the versions through their lifecycle, in get and in list', async () => {
    await createService(name);
    expect(await inList()).toMatchObject({ status: 'new', versionCount: 0, latestReleased: null });

    for (const version of ['1.0.0', '1.1.0', '2.0.0-rc.1']) {
      expect((await client.post(`/v1/services/${name}/versions`, { version })).status).toBe(201);
    }
    expect((await client.get(`/v1/services/${name}`)).json).toMatchObject({
      status: 'draft',
      versionCount: 3,
      versionCounts: { draft: 3, released: 0, deprecated: 0, retired: 0 },
      latestReleased: null,
    });

    await move('1.1.0', 'release');
    expect(await inList()).toMatchObject({ status: 'active', versionCount: 3, latestReleased: '1.1.0' });
    await move('1.0.0', 'release');
    expect((await client.get(`/v1/services/${name}`)).json).toMatchObject({ status: 'active', latestReleased: '1.1.0' });
    await move('2.0.0-rc.1', 'release');
    expect((await client.get(`/v1/services/${name}`)).json).toMatchObject({
      latestReleased: '2.0.0-rc.1',
      versionCounts: { draft: 0, released: 3, deprecated: 0, retired: 0 },
    });

    // the latest leaves "released": the next one down takes its place
    await move('2.0.0-rc.1', 'deprecate');
    expect(await inList()).toMatchObject({ status: 'active', latestReleased: '1.1.0' });
    await move('1.1.0', 'deprecate');
    await move('1.0.0', 'deprecate');
    expect((await client.get(`/v1/services/${name}`)).json).toMatchObject({
      status: 'deprecated',
      versionCount: 3,
      versionCounts: { draft: 0, released: 0, deprecated: 3, retired: 0 },
      latestReleased: null,
    });
    for (const version of ['1.0.0', '1.1.0', '2.0.0-rc.1']) await move(version, 'retire');
    expect(await inList()).toMatchObject({ status: 'retired', versionCount: 3, latestReleased: null });
  });
});

describe('updating a service', () => {
  const name = 'patch-api';

  beforeAll(async () => {
    await createService(name, { displayName: 'Patch API', description: 'Before.', owner: 'a@example.com', tags: { tier: '2' } });
  });

  it('applies a PATCH sent with the current ETag in If-Match, and answers the new ETag', async () => {
    const before = await client.get(`/v1/services/${name}`);
    const etag = before.headers.get('etag') as string;
    const response = await client.patch(
      `/v1/services/${name}`,
      { displayName: 'Patched API', tags: { tier: '1' } },
      { headers: { 'if-match': etag } },
    );
    expect(response.status, response.text).toBe(200);
    expect(response.json).toMatchObject({
      displayName: 'Patched API',
      tags: { tier: '1' },
      description: 'Before.',
      owner: 'a@example.com',
      kind: 'api',
    });
    const newEtag = response.headers.get('etag');
    expect(newEtag).toBe(response.json.etag);
    expect(newEtag).not.toBe(etag);
    expect(response.json.updatedAt >= before.json.updatedAt).toBe(true);
    expect(response.json.createdAt).toBe(before.json.createdAt);
    const fetched = await client.get(`/v1/services/${name}`);
    expect(fetched.headers.get('etag')).toBe(newEtag);
    expect(fetched.json.displayName).toBe('Patched API');

    const [latest] = await history(name);
    expect(latest).toMatchObject({
      type: 'service.updated',
      changes: { before: { displayName: 'Patch API', tags: { tier: '2' } }, after: { displayName: 'Patched API', tags: { tier: '1' } } },
    });
  });

  it('answers 412 to a stale If-Match, and changes nothing', async () => {
    const current = await client.get(`/v1/services/${name}`);
    const etag = current.headers.get('etag') as string;
    const fresh = await client.patch(`/v1/services/${name}`, { owner: 'b@example.com' }, { headers: { 'if-match': etag } });
    expect(fresh.status).toBe(200);
    const recordsBefore = (await history(name)).length;

    const stale = await client.patch(`/v1/services/${name}`, { owner: 'c@example.com' }, { headers: { 'if-match': etag } });
    const problem = expectProblem(stale, 412);
    expect(problem.detail).toContain(fresh.json.etag);
    expect((await client.get(`/v1/services/${name}`)).json.owner).toBe('b@example.com');
    expect(await history(name)).toHaveLength(recordsBefore);

    expectProblem(await client.patch(`/v1/services/${name}`, { owner: 'c@example.com' }, { headers: { 'if-match': '"not-a-tag"' } }), 412);
  });

  it('accepts If-Match: * and a list that holds the current tag, and a PATCH without If-Match', async () => {
    expect((await client.patch(`/v1/services/${name}`, { description: 'Star.' }, { headers: { 'if-match': '*' } })).status).toBe(200);
    const etag = (await client.get(`/v1/services/${name}`)).headers.get('etag') as string;
    expect(
      (await client.patch(`/v1/services/${name}`, { description: 'Listed.' }, { headers: { 'if-match': `"x", ${etag}` } })).status,
    ).toBe(200);
    const unconditional = await client.patch(`/v1/services/${name}`, { description: 'Unconditional.' });
    expect(unconditional.status).toBe(200);
    expect(unconditional.json.description).toBe('Unconditional.');
  });

  it('clears optional fields with null', async () => {
    const response = await client.patch(`/v1/services/${name}`, { description: null, owner: null });
    expect(response.status, response.text).toBe(200);
    expect(response.json).toMatchObject({ description: null, owner: null });
  });

  it('records nothing, and keeps the ETag, when the PATCH changes nothing', async () => {
    const current = await client.get(`/v1/services/${name}`);
    const recordsBefore = await history(name);
    const response = await client.patch(
      `/v1/services/${name}`,
      { displayName: current.json.displayName, kind: current.json.kind, tags: current.json.tags },
      { headers: { 'if-match': current.headers.get('etag') as string } },
    );
    expect(response.status, response.text).toBe(200);
    expect(response.headers.get('etag')).toBe(current.headers.get('etag'));
    expect(response.json).toEqual(current.json);
    expect((await client.patch(`/v1/services/${name}`, {})).status).toBe(200);
    const recordsAfter = await history(name);
    expect(recordsAfter.map((record) => record.id)).toEqual(recordsBefore.map((record) => record.id));
  });

  it('refuses to rename a service or set unknown fields', async () => {
    expectInvalid(await client.patch(`/v1/services/${name}`, { name: 'renamed' }), '/body/name');
    expectInvalid(await client.patch(`/v1/services/${name}`, { versionCount: 9 }), '/body/versionCount');
    expectInvalid(await client.patch(`/v1/services/${name}`, { kind: 'lambda' }), '/body/kind');
    expectInvalid(await client.patch(`/v1/services/${name}`, { displayName: '' }), '/body/displayName');
  });

  it('answers 404 for a PATCH to a service that does not exist', async () => {
    expectProblem(await client.patch('/v1/services/never-made', { displayName: 'x' }), 404);
    expectProblem(await client.patch('/v1/services/never-made', { displayName: 'x' }, { headers: { 'if-match': '"1"' } }), 404);
  });
});

it('answered no request with a server error, and every error as problem+json', () => {
  expect(client.log.length).toBeGreaterThan(50);
  expectNoServerErrors(client.log);
});
