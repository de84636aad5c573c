import { beforeAll, describe, expect, it } from 'vitest';
import { handler as services } from '../../functions/handlers/services.ts';
import { handler as versions } from '../../functions/handlers/versions.ts';
import { bootstrapAdmin, expectProblem, keyFor, send } from '../helpers/handler-client.ts';
import { useLocalStore } from '../helpers/local-store.ts';

useLocalStore();

const CREATE = 'POST /v1/services';
const LIST = 'GET /v1/services';
const GET = 'GET /v1/services/{name}';
const PATCH = 'PATCH /v1/services/{name}';

let admin: string;
let viewer: string;
let deployer: string;

beforeAll(async () => {
  admin = await bootstrapAdmin();
  viewer = (await keyFor('viewer')).key;
  deployer = (await keyFor('deployer')).key;
});

async function createService(name: string, extra: Record<string, unknown> = {}) {
  const reply = await send(services, { routeKey: CREATE, key: admin, body: { name, kind: 'api', ...extra } });
  expect(reply.status, reply.text).toBe(201);
  return reply;
}

describe('POST /v1/services', () => {
  it('registers a service and answers 201 with its Location and ETag', async () => {
    // Act
    const reply = await send(services, {
      routeKey: CREATE,
      key: admin,
      body: { name: 'payments-api', displayName: 'Payments', kind: 'api', owner: 'team-payments', tags: { tier: '1' } },
    });

    // Assess
    expect(reply.status).toBe(201);
    expect(reply.headers.location).toBe('/v1/services/payments-api');
    expect(reply.headers.etag).toBe('"1"');
    expect(reply.headers['content-type']).toBe('application/json');
    expect(reply.body).toMatchObject({
      name: 'payments-api',
      displayName: 'Payments',
      description: null,
      kind: 'api',
      owner: 'team-payments',
      tags: { tier: '1' },
      status: 'new',
      versionCount: 0,
      latestReleased: null,
      etag: '"1"',
    });
    expect(reply.body.createdAt).toBe(reply.body.updatedAt);
  });

  it('refuses a second service with the same name with 409', async () => {
    // Prepare
    await createService('dupe-api');

    // Act
    const reply = await send(services, { routeKey: CREATE, key: admin, body: { name: 'dupe-api', kind: 'model' } });

    // Assess
    const problem = expectProblem(reply, 409);
    expect(problem.detail).toContain('dupe-api');
  });

  it('reports every invalid field with a JSON pointer', async () => {
    // Act
    const reply = await send(services, {
      routeKey: CREATE,
      key: admin,
      body: { name: 'Not A Slug', kind: 'database', tags: { tier: 1 }, colour: 'blue' },
    });

    // Assess
    const problem = expectProblem(reply, 400);
    const pointers = problem.errors.map((error: { pointer: string }) => error.pointer);
    expect(pointers).toEqual(expect.arrayContaining(['/body/name', '/body/kind', '/body/tags/tier', '/body/colour']));
    for (const error of problem.errors) expect(error.message).toEqual(expect.any(String));
  });

  it.each([
    { name: 'ab', why: 'too short' },
    { name: 'a'.repeat(64), why: 'too long' },
    { name: '-payments', why: 'starting with a dash' },
    { name: 'payments_api', why: 'with an underscore' },
  ])('refuses the name $name ($why)', async ({ name }) => {
    // Act
    const reply = await send(services, { routeKey: CREATE, key: admin, body: { name, kind: 'api' } });

    // Assess
    const problem = expectProblem(reply, 400);
    expect(problem.errors.map((error: { pointer: string }) => error.pointer)).toContain('/body/name');
  });

  it('answers malformed JSON with a 400, not a 500', async () => {
    // Act
    const reply = await send(services, { routeKey: CREATE, key: admin, body: '{"name": "broken-api",' });

    // Assess
    const problem = expectProblem(reply, 400);
    expect(problem.title).toBe('Malformed JSON');
  });

  it('refuses a body that is not JSON with 415', async () => {
    // Act
    const reply = await send(services, {
      routeKey: CREATE,
      key: admin,
      body: 'name=form-api',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });

    // Assess
    expectProblem(reply, 415);
  });

  it('refuses a body over 1 MB with 413', async () => {
    // Act
    const reply = await send(services, {
      routeKey: CREATE,
      key: admin,
      body: { name: 'big-api', kind: 'api', description: 'x'.repeat(1024 * 1024) },
    });

    // Assess
    expectProblem(reply, 413);
  });

  it('answers 401 without a key, before looking at the body', async () => {
    // Act
    const reply = await send(services, { routeKey: CREATE, body: '{not json' });

    // Assess
    const problem = expectProblem(reply, 401);
    expect(problem.detail).toMatch(/Bearer/);
  });

  it.each([
    { role: 'viewer', key: () => viewer },
    { role: 'deployer', key: () => deployer },
  ])('answers 403 to a $role key', async ({ role, key }) => {
    // Act
    const reply = await send(services, { routeKey: CREATE, key: key(), body: { name: `by-${role}`, kind: 'api' } });

    // Assess
    const problem = expectProblem(reply, 403);
    expect(problem.detail).toContain('admin');
  });

  it('refuses an admin key limited to other services', async () => {
    // Prepare
    const scopedAdmin = (await keyFor('admin', ['payments-api'])).key;

    // Act
    const reply = await send(services, { routeKey: CREATE, key: scopedAdmin, body: { name: 'elsewhere-api', kind: 'api' } });

    // Assess
    expectProblem(reply, 403);
  });
});

describe('GET /v1/services/{name}', () => {
  it('returns the service with its ETag', async () => {
    // Prepare
    await createService('get-me-api', { description: 'For reading' });

    // Act
    const reply = await send(services, { routeKey: GET, pathParameters: { name: 'get-me-api' }, key: viewer });

    // Assess
    expect(reply.status).toBe(200);
    expect(reply.headers.etag).toBe('"1"');
    expect(reply.body).toMatchObject({ name: 'get-me-api', description: 'For reading', etag: '"1"' });
  });

  it('answers 404 for a service that does not exist', async () => {
    // Act
    const reply = await send(services, { routeKey: GET, pathParameters: { name: 'nowhere-api' }, key: viewer });

    // Assess
    expectProblem(reply, 404);
  });

  it('answers 400 with the path pointer for a name that cannot be a service', async () => {
    // Act
    const reply = await send(services, { routeKey: GET, pathParameters: { name: 'NO' }, key: viewer });

    // Assess
    const problem = expectProblem(reply, 400);
    expect(problem.errors[0].pointer).toBe('/path/name');
  });

  it('refuses a key limited to other services with 403', async () => {
    // Prepare
    await createService('hidden-api');
    const scoped = (await keyFor('viewer', ['get-me-api'])).key;

    // Act
    const reply = await send(services, { routeKey: GET, pathParameters: { name: 'hidden-api' }, key: scoped });

    // Assess
    expectProblem(reply, 403);
  });
});

describe('GET /v1/services', () => {
  it('lists services in name order, a page at a time, with version counts, latest release and status', async () => {
    // Prepare
    await createService('list-a-api');
    await createService('list-b-api');
    await send(versions, {
      routeKey: 'POST /v1/services/{name}/versions',
      pathParameters: { name: 'list-a-api' },
      key: deployer,
      body: { version: '1.0.0' },
    });
    await send(versions, {
      routeKey: 'POST /v1/services/{name}/versions/{version}/release',
      pathParameters: { name: 'list-a-api', version: '1.0.0' },
      key: deployer,
    });

    // Act
    const names: string[] = [];
    const seen: Record<string, any> = {};
    let cursor: string | undefined;
    let pages = 0;
    do {
      const reply = await send(services, { routeKey: LIST, key: viewer, query: { limit: '2', ...(cursor ? { cursor } : {}) } });
      expect(reply.status, reply.text).toBe(200);
      expect(reply.body.items.length).toBeLessThanOrEqual(2);
      for (const item of reply.body.items) {
        names.push(item.name);
        seen[item.name] = item;
      }
      cursor = reply.body.nextCursor ?? undefined;
      pages++;
    } while (cursor);

    // Assess
    expect(pages).toBeGreaterThan(1);
    expect(names).toEqual([...names].sort());
    expect(new Set(names).size).toBe(names.length);
    expect(names).toEqual(expect.arrayContaining(['list-a-api', 'list-b-api']));
    expect(seen['list-a-api']).toMatchObject({ versionCount: 1, latestReleased: '1.0.0', status: 'active' });
    expect(seen['list-b-api']).toMatchObject({ versionCount: 0, latestReleased: null, status: 'new' });
  });

  it('shows a key limited to services only those', async () => {
    // Prepare
    await createService('scope-one-api');
    await createService('scope-two-api');
    const scoped = (await keyFor('viewer', ['scope-two-api'])).key;

    // Act
    const reply = await send(services, { routeKey: LIST, key: scoped, query: { limit: '100' } });

    // Assess
    expect(reply.status).toBe(200);
    expect(reply.body.items.map((item: { name: string }) => item.name)).toEqual(['scope-two-api']);
  });

  it('answers a tampered cursor with 400', async () => {
    // Prepare
    const cursor = Buffer.from(JSON.stringify({ PK: 'APIKEY#x', SK: 'APIKEY', GSI1PK: 'APIKEYS', GSI1SK: 'x' })).toString('base64url');

    // Act
    const reply = await send(services, { routeKey: LIST, key: viewer, query: { cursor } });

    // Assess
    expectProblem(reply, 400);
  });

  it.each([
    { query: { limit: '0' }, pointer: '/query/limit' },
    { query: { limit: '101' }, pointer: '/query/limit' },
    { query: { limit: 'ten' }, pointer: '/query/limit' },
    { query: { sort: 'name' }, pointer: '/query/sort' },
  ] as Array<{ query: Record<string, string>; pointer: string }>)(
    'refuses the query $query with a pointer at $pointer',
    async ({ query, pointer }) => {
      // Act
      const reply = await send(services, { routeKey: LIST, key: viewer, query });

      // Assess
      const problem = expectProblem(reply, 400);
      expect(problem.errors.map((error: { pointer: string }) => error.pointer)).toContain(pointer);
    },
  );
});

describe('PATCH /v1/services/{name}', () => {
  it('updates the fields sent when If-Match holds the current ETag, and moves the ETag on', async () => {
    // Prepare
    const created = await createService('patch-api', { owner: 'team-a' });

    // Act
    const reply = await send(services, {
      routeKey: PATCH,
      pathParameters: { name: 'patch-api' },
      key: admin,
      headers: { 'if-match': created.headers.etag as string },
      body: { displayName: 'Patched', owner: null },
    });

    // Assess
    expect(reply.status, reply.text).toBe(200);
    expect(reply.headers.etag).toBe('"2"');
    expect(reply.body).toMatchObject({ displayName: 'Patched', owner: null, kind: 'api', etag: '"2"' });
    const read = await send(services, { routeKey: GET, pathParameters: { name: 'patch-api' }, key: viewer });
    expect(read.body).toMatchObject({ displayName: 'Patched', owner: null, etag: '"2"' });
  });

  it('refuses a stale If-Match with 412 and leaves the service as it was', async () => {
    // Prepare
    await createService('stale-api');
    await send(services, { routeKey: PATCH, pathParameters: { name: 'stale-api' }, key: admin, body: { displayName: 'First' } });

    // Act
    const reply = await send(services, {
      routeKey: PATCH,
      pathParameters: { name: 'stale-api' },
      key: admin,
      headers: { 'if-match': '"1"' },
      body: { displayName: 'Second' },
    });

    // Assess
    const problem = expectProblem(reply, 412);
    expect(problem.currentEtag).toBe('"2"');
    const read = await send(services, { routeKey: GET, pathParameters: { name: 'stale-api' }, key: viewer });
    expect(read.body.displayName).toBe('First');
  });

  it('accepts If-Match: * and weak tags of the current revision', async () => {
    // Prepare
    await createService('weak-api');

    // Act
    const star = await send(services, {
      routeKey: PATCH,
      pathParameters: { name: 'weak-api' },
      key: admin,
      headers: { 'if-match': '*' },
      body: { description: 'one' },
    });
    const weak = await send(services, {
      routeKey: PATCH,
      pathParameters: { name: 'weak-api' },
      key: admin,
      headers: { 'if-match': 'W/"2"' },
      body: { description: 'two' },
    });

    // Assess
    expect(star.status, star.text).toBe(200);
    expect(weak.status, weak.text).toBe(200);
    expect(weak.body).toMatchObject({ description: 'two', etag: '"3"' });
  });

  it('keeps the ETag when nothing differs', async () => {
    // Prepare
    await createService('same-api', { displayName: 'Same' });

    // Act
    const reply = await send(services, {
      routeKey: PATCH,
      pathParameters: { name: 'same-api' },
      key: admin,
      headers: { 'if-match': '"1"' },
      body: { displayName: 'Same' },
    });

    // Assess
    expect(reply.status).toBe(200);
    expect(reply.headers.etag).toBe('"1"');
  });

  it('refuses fields it does not know and a name change', async () => {
    // Prepare
    await createService('strict-api');

    // Act
    const reply = await send(services, {
      routeKey: PATCH,
      pathParameters: { name: 'strict-api' },
      key: admin,
      body: { name: 'renamed-api', colour: 'blue' },
    });

    // Assess
    const problem = expectProblem(reply, 400);
    expect(problem.errors.map((error: { pointer: string }) => error.pointer).sort()).toEqual(['/body/colour', '/body/name']);
  });

  it('answers 404 for a service that does not exist', async () => {
    // Act
    const reply = await send(services, {
      routeKey: PATCH,
      pathParameters: { name: 'ghost-api' },
      key: admin,
      body: { displayName: 'Boo' },
    });

    // Assess
    expectProblem(reply, 404);
  });

  it('refuses a deployer with 403', async () => {
    // Prepare
    await createService('guarded-api');

    // Act
    const reply = await send(services, {
      routeKey: PATCH,
      pathParameters: { name: 'guarded-api' },
      key: deployer,
      body: { displayName: 'Mine' },
    });

    // Assess
    expectProblem(reply, 403);
  });
});
