import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Runtime, startRuntime } from '../../local/runtime.ts';
import { type ApiClient, api, expectInvalid, expectNoServerErrors, expectProblem, readAll } from '../helpers/http-client.ts';

/** Journey steps 3–5: register versions, list them by SemVer precedence, move them through their lifecycle. */

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

async function createService(name: string) {
  const response = await client.post('/v1/services', { name, kind: 'api' });
  expect(response.status, response.text).toBe(201);
}

async function register(service: string, version: string, extra: Record<string, unknown> = {}) {
  const response = await client.post(`/v1/services/${service}/versions`, { version, ...extra });
  expect(response.status, `${version}: ${response.text}`).toBe(201);
  return response;
}

async function move(service: string, version: string, action: string, body?: unknown, headers?: Record<string, string>) {
  return client.post(`/v1/services/${service}/versions/${encodeURIComponent(version)}/${action}`, body, { headers });
}

const versionsOf = async (service: string, query: Record<string, string | number> = {}) =>
  (await readAll(client, `/v1/services/${service}/versions`, { limit: 100, ...query })).map((item) => item.version as string);

describe('registering a version', () => {
  beforeAll(async () => {
    await createService('orders-api');
  });

  it('answers 201 with a draft, its Location and ETag, and keeps the change log, artifact and metadata', async () => {
    const body = {
      version: '1.4.0',
      description: 'Refunds.',
      changes: [
        { type: 'additive', description: 'Adds refunds.', endpoints: ['POST /orders/{id}/refunds'] },
        { type: 'fix', description: 'Totals round half-even.' },
      ],
      artifact: { type: 'container-image', uri: '123456789012.dkr.ecr.eu-west-1.amazonaws.com/orders:1.4.0' },
      metadata: { commit: 'abc123', build: { number: 42, green: true }, owners: ['a', 'b'], ratio: 0.25 },
    };
    const response = await client.post('/v1/services/orders-api/versions', body);
    expect(response.status, response.text).toBe(201);
    expect(response.headers.get('location')).toBe('/v1/services/orders-api/versions/1.4.0');
    expect(response.headers.get('etag')).toBe(response.json.etag);
    expect(response.json).toMatchObject({
      service: 'orders-api',
      version: '1.4.0',
      status: 'draft',
      allowedActions: ['release'],
      description: 'Refunds.',
      changes: body.changes,
      artifact: body.artifact,
      metadata: body.metadata,
      releasedAt: null,
      deprecatedAt: null,
      retiredAt: null,
      deprecation: null,
    });
    expect(response.json.createdAt).toMatch(ISO);
    expect(response.json.updatedAt).toMatch(ISO);

    const fetched = await client.get('/v1/services/orders-api/versions/1.4.0');
    expect(fetched.status).toBe(200);
    expect(fetched.headers.get('etag')).toBe(response.json.etag);
    expect(fetched.json).toEqual(response.json);
  });

  it('defaults the optional fields', async () => {
    const response = await register('orders-api', '0.1.0');
    expect(response.json).toMatchObject({ description: null, changes: [], artifact: null, metadata: {} });
  });

  it.each([
    '1.2.0',
    '2.0.0-rc.1',
    '1.0.0+build.5',
    '0.0.0',
    '10.20.30',
    '1.0.0-alpha-a.b-c-somethinglong+build.1-aef.1-its-okay',
    '1.0.0-0.3.7',
    '1.0.0-x.7.z.92',
  ])('accepts the strict SemVer %s, and serves it at its Location', async (version) => {
    const response = await register('orders-api', version);
    expect(response.json.version).toBe(version);
    const location = response.headers.get('location') as string;
    expect(location).toBe(`/v1/services/orders-api/versions/${encodeURIComponent(version)}`);
    const fetched = await client.get(location);
    expect(fetched.status, fetched.text).toBe(200);
    expect(fetched.json.version).toBe(version);
  });

  it.each([
    ['latest', /three dot-separated numbers/],
    ['v1', /"v" prefix/],
    ['v1.2.3', /"v" prefix/],
    ['1.0', /three dot-separated numbers.*has 2/],
    ['2024-01-01', /three dot-separated numbers/],
    ['01.2.3', /leading zero/],
    ['1.02.3', /leading zero/],
    ['1.2.3-01', /leading zero/],
    ['1.2.3.4', /three dot-separated numbers.*has 4/],
    ['1.2.3-', /must not be empty/],
    ['1.2.3+', /must not be empty/],
    ['1.2.3-beta..1', /must not be empty/],
    ['1.2.3-bêta', /ASCII letters, digits and "-"/],
    ['1.2.3+build_7', /ASCII letters, digits and "-"/],
    ['1.2.3 ', /no spaces/],
    ['-1.2.3', /MAJOR.MINOR.PATCH/],
    ['1.x.3', /minor version "x" is not a non-negative integer/],
  ])('refuses %j with a problem that says why', async (version, why) => {
    const response = await client.post('/v1/services/orders-api/versions', { version });
    const error = expectInvalid(response, '/body/version');
    expect(error.message).toContain(JSON.stringify(version).slice(1, -1));
    expect(error.message).toMatch(why);
    expect(response.json.detail).toMatch(why);
  });

  it('refuses a missing, empty, non-string or over-long version', async () => {
    expectInvalid(await client.post('/v1/services/orders-api/versions', {}), '/body/version');
    expectInvalid(await client.post('/v1/services/orders-api/versions', { version: '' }), '/body/version');
    expectInvalid(await client.post('/v1/services/orders-api/versions', { version: 1.2 }), '/body/version');
    expectInvalid(await client.post('/v1/services/orders-api/versions', { version: `1.0.0-${'a'.repeat(200)}` }), '/body/version');
  });

  it('refuses invalid change log entries, pointing at each', async () => {
    expectInvalid(
      await client.post('/v1/services/orders-api/versions', { version: '5.0.0', changes: [{ type: 'feature', description: 'x' }] }),
      '/body/changes/0/type',
    );
    expectInvalid(
      await client.post('/v1/services/orders-api/versions', {
        version: '5.0.0',
        changes: [
          { type: 'fix', description: 'ok' },
          { type: 'fix', description: '' },
        ],
      }),
      '/body/changes/1/description',
    );
    expectInvalid(await client.post('/v1/services/orders-api/versions', { version: '5.0.0', changes: 'none' }), '/body/changes');
    expectInvalid(
      await client.post('/v1/services/orders-api/versions', { version: '5.0.0', artifact: { type: 'zip' } }),
      '/body/artifact/uri',
    );
    expectProblem(await client.get('/v1/services/orders-api/versions/5.0.0'), 404);
  });

  it('answers 409 to a duplicate, including one differing only in build metadata', async () => {
    await register('orders-api', '3.0.0');
    const same = expectProblem(await client.post('/v1/services/orders-api/versions', { version: '3.0.0' }), 409);
    expect(same.detail).toContain('3.0.0');

    const build = expectProblem(await client.post('/v1/services/orders-api/versions', { version: '3.0.0+build.7' }), 409);
    expect(build.existingVersion).toBe('3.0.0');
    expect(build.detail).toMatch(/build metadata/);

    await register('orders-api', '4.0.0-rc.1+sha.aaa');
    const otherBuild = expectProblem(await client.post('/v1/services/orders-api/versions', { version: '4.0.0-rc.1+sha.bbb' }), 409);
    expect(otherBuild.existingVersion).toBe('4.0.0-rc.1+sha.aaa');

    // the duplicates changed nothing
    expect((await client.get('/v1/services/orders-api/versions/3.0.0')).json.version).toBe('3.0.0');
    const registered = (await readAll(client, '/v1/services/orders-api/history', { type: 'version.registered', limit: 100 })).map(
      (r) => r.subject,
    );
    expect(registered.filter((subject) => subject.startsWith('version/orders-api@3.0.0'))).toEqual(['version/orders-api@3.0.0']);
  });

  it('finds a version by any spelling of equal precedence', async () => {
    // 1.0.0+build.5 was registered above; build metadata does not tell versions apart
    const fetched = await client.get('/v1/services/orders-api/versions/1.0.0');
    expect(fetched.status).toBe(200);
    expect(fetched.json.version).toBe('1.0.0+build.5');
  });

  it('answers 404 for a version of a service that does not exist, and for an unknown version', async () => {
    expectProblem(await client.post('/v1/services/ghost-api/versions', { version: '1.0.0' }), 404);
    expectProblem(await client.get('/v1/services/ghost-api/versions'), 404);
    expectProblem(await client.get('/v1/services/ghost-api/versions/1.0.0'), 404);
    const problem = expectProblem(await client.get('/v1/services/orders-api/versions/9.9.9'), 404);
    expect(problem.detail).toContain('9.9.9');
  });

  it('answers 400 for a version in the path that is not SemVer', async () => {
    expectInvalid(await client.get('/v1/services/orders-api/versions/latest'), '/path/version');
    expectInvalid(await client.post('/v1/services/orders-api/versions/v1/release'), '/path/version');
  });
});

describe('listing versions', () => {
  const expected = ['1.10.0', '1.0.1', '1.0.0', '1.0.0-beta', '1.0.0-alpha.1', '1.0.0-alpha'];

  beforeAll(async () => {
    await createService('ordering');
    for (const version of ['1.0.0', '1.0.0-alpha.1', '1.10.0', '1.0.0-alpha', '1.0.1', '1.0.0-beta']) await register('ordering', version);
  });

  it('lists newest first by SemVer precedence', async () => {
    const response = await client.get('/v1/services/ordering/versions');
    expect(response.status).toBe(200);
    expect(response.json.items.map((item: { version: string }) => item.version)).toEqual(expected);
    expect(response.json.nextCursor).toBeNull();
    for (const item of response.json.items) {
      expect(item).toMatchObject({ service: 'ordering', status: 'draft', changes: [], allowedActions: ['release'] });
      expect(item.createdAt).toMatch(ISO);
    }
  });

  it('keeps that order across pages', async () => {
    const pages: string[][] = [];
    let cursor: string | undefined;
    do {
      const response = await client.get('/v1/services/ordering/versions', { query: { limit: 4, cursor } });
      expect(response.status, response.text).toBe(200);
      pages.push(response.json.items.map((item: { version: string }) => item.version));
      cursor = response.json.nextCursor ?? undefined;
    } while (cursor);
    expect(pages).toEqual([expected.slice(0, 4), expected.slice(4)]);
  });

  it('orders numeric parts as numbers and pre-releases below their release', async () => {
    await createService('ordering-more');
    const shuffled = [
      '2.0.0-rc.10',
      '1.9.0',
      '2.0.0',
      '1.2.0',
      '2.0.0-rc.2',
      '10.0.0',
      '2.0.0-rc.1',
      '1.10.0',
      '2.0.0-rc.1.1',
      '2.0.0-RC.1',
    ];
    for (const version of shuffled) await register('ordering-more', version);
    expect(await versionsOf('ordering-more')).toEqual([
      '10.0.0',
      '2.0.0',
      '2.0.0-rc.10',
      '2.0.0-rc.2',
      '2.0.0-rc.1.1',
      '2.0.0-rc.1',
      '2.0.0-RC.1',
      '1.10.0',
      '1.9.0',
      '1.2.0',
    ]);
  });

  it('filters by status', async () => {
    expect((await move('ordering', '1.0.0', 'release')).status).toBe(200);
    expect((await move('ordering', '1.0.1', 'release')).status).toBe(200);
    expect((await move('ordering', '1.0.0-beta', 'release')).status).toBe(200);
    expect((await move('ordering', '1.0.0-beta', 'deprecate')).status).toBe(200);
    expect(await versionsOf('ordering', { status: 'released' })).toEqual(['1.0.1', '1.0.0']);
    expect(await versionsOf('ordering', { status: 'draft' })).toEqual(['1.10.0', '1.0.0-alpha.1', '1.0.0-alpha']);
    expect(await versionsOf('ordering', { status: 'deprecated' })).toEqual(['1.0.0-beta']);
    expect(await versionsOf('ordering', { status: 'retired' })).toEqual([]);
    // a filtered list pages too
    const first = await client.get('/v1/services/ordering/versions', { query: { status: 'draft', limit: 2 } });
    expect(first.json.items.map((item: { version: string }) => item.version)).toEqual(['1.10.0', '1.0.0-alpha.1']);
    const second = await client.get('/v1/services/ordering/versions', {
      query: { status: 'draft', limit: 2, cursor: first.json.nextCursor },
    });
    expect(second.json.items.map((item: { version: string }) => item.version)).toEqual(['1.0.0-alpha']);
    expect(second.json.nextCursor).toBeNull();
  });

  it('refuses an unknown status and unknown query parameters', async () => {
    expectInvalid(await client.get('/v1/services/ordering/versions', { query: { status: 'live' } }), '/query/status');
    expectInvalid(await client.get('/v1/services/ordering/versions', { query: { sort: 'asc' } }), '/query/sort');
  });

  it("refuses another list's cursor", async () => {
    const services = await client.get('/v1/services', { query: { limit: 1 } });
    expect(services.json.nextCursor).toEqual(expect.any(String));
    expectProblem(await client.get('/v1/services/ordering/versions', { query: { cursor: services.json.nextCursor } }), 400);
    const page = await client.get('/v1/services/ordering/versions', { query: { limit: 1 } });
    expectProblem(await client.get('/v1/services/ordering-more/versions', { query: { cursor: page.json.nextCursor } }), 400);
  });
});

describe('the version lifecycle', () => {
  const service = 'lifecycle-api';

  beforeAll(async () => {
    await createService(service);
    for (const version of ['1.0.0', '1.1.0', '2.0.0', '3.0.0'])
      await register(service, version, { changes: [{ type: 'fix', description: `in ${version}` }] });
  });

  it('releases a draft', async () => {
    const before = await client.get(`/v1/services/${service}/versions/1.0.0`);
    const response = await move(service, '1.0.0', 'release');
    expect(response.status, response.text).toBe(200);
    expect(response.json).toMatchObject({ version: '1.0.0', status: 'released', allowedActions: ['deprecate'] });
    expect(response.json.releasedAt).toMatch(ISO);
    expect(response.headers.get('etag')).toBe(response.json.etag);
    expect(response.json.etag).not.toBe(before.json.etag);
    expect((await client.get(`/v1/services/${service}/versions/1.0.0`)).json.status).toBe('released');
  });

  it('answers an illegal move with 409 naming the current status and the allowed actions', async () => {
    const again = expectProblem(await move(service, '1.0.0', 'release'), 409);
    expect(again).toMatchObject({ currentStatus: 'released', allowedActions: ['deprecate'] });
    expect(again.detail).toContain('released');
    expect(again.detail).toContain('deprecate');

    const retireDraft = expectProblem(await move(service, '2.0.0', 'retire'), 409);
    expect(retireDraft).toMatchObject({ currentStatus: 'draft', allowedActions: ['release'] });
    expect(retireDraft.detail).toContain('draft');

    const deprecateDraft = expectProblem(await move(service, '2.0.0', 'deprecate'), 409);
    expect(deprecateDraft).toMatchObject({ currentStatus: 'draft', allowedActions: ['release'] });

    const retireReleased = expectProblem(await move(service, '1.0.0', 'retire'), 409);
    expect(retireReleased).toMatchObject({ currentStatus: 'released', allowedActions: ['deprecate'] });

    // nothing moved
    expect((await client.get(`/v1/services/${service}/versions/2.0.0`)).json.status).toBe('draft');
    expect((await client.get(`/v1/services/${service}/versions/1.0.0`)).json.status).toBe('released');
  });

  it('requires the replacement of a deprecated version to be a released version of the service', async () => {
    const draft = expectProblem(await move(service, '1.0.0', 'deprecate', { replacement: '1.1.0' }), 409);
    expect(draft.detail).toMatch(/released/);
    expect(draft.detail).toMatch(/draft/);
    const unknown = expectProblem(await move(service, '1.0.0', 'deprecate', { replacement: '9.9.9' }), 409);
    expect(unknown.detail).toMatch(/not registered/);
    expectProblem(await move(service, '1.0.0', 'deprecate', { replacement: '1.0.0' }), 400);
    expectInvalid(await move(service, '1.0.0', 'deprecate', { replacement: 'latest' }), '/body/replacement');
    expect((await client.get(`/v1/services/${service}/versions/1.0.0`)).json.status).toBe('released');
  });

  it('validates the deprecation body', async () => {
    expectInvalid(await move(service, '1.0.0', 'deprecate', { sunsetAt: 'next tuesday' }), '/body/sunsetAt');
    expectInvalid(await move(service, '1.0.0', 'deprecate', { reason: 42 }), '/body/reason');
    expectInvalid(await move(service, '1.0.0', 'deprecate', { reason: 'x', because: 'y' }), '/body/because');
    expectInvalid(await move(service, '1.1.0', 'release', { reason: 'x' }), '/body/reason');
  });

  it('deprecates a released version with reason, sunset date and a released replacement, then retires it', async () => {
    expect((await move(service, '1.1.0', 'release', {})).status).toBe(200);
    const deprecated = await move(service, '1.0.0', 'deprecate', {
      reason: 'Superseded.',
      sunsetAt: '2030-01-01T00:00:00Z',
      replacement: '1.1.0',
    });
    expect(deprecated.status, deprecated.text).toBe(200);
    expect(deprecated.json).toMatchObject({
      status: 'deprecated',
      allowedActions: ['retire'],
      deprecation: { reason: 'Superseded.', sunsetAt: '2030-01-01T00:00:00Z', replacement: '1.1.0' },
    });
    expect(deprecated.json.deprecatedAt).toMatch(ISO);
    expect(deprecated.json.releasedAt).toMatch(ISO);

    const retired = await move(service, '1.0.0', 'retire');
    expect(retired.status, retired.text).toBe(200);
    expect(retired.json).toMatchObject({ status: 'retired', allowedActions: [] });
    expect(retired.json.retiredAt).toMatch(ISO);
    expect(retired.json.deprecation.replacement).toBe('1.1.0');

    for (const action of ['release', 'deprecate', 'retire']) {
      const problem = expectProblem(await move(service, '1.0.0', action), 409);
      expect(problem).toMatchObject({ currentStatus: 'retired', allowedActions: [] });
    }
  });

  it('deprecates without a body', async () => {
    expect((await move(service, '2.0.0', 'release')).status).toBe(200);
    const response = await move(service, '2.0.0', 'deprecate');
    expect(response.status, response.text).toBe(200);
    expect(response.json.deprecation).toEqual({ reason: null, sunsetAt: null, replacement: null });
  });

  it('honours If-Match on lifecycle moves', async () => {
    const current = await client.get(`/v1/services/${service}/versions/3.0.0`);
    const etag = current.headers.get('etag') as string;
    expectProblem(await move(service, '3.0.0', 'release', undefined, { 'if-match': '"999"' }), 412);
    expect((await client.get(`/v1/services/${service}/versions/3.0.0`)).json.status).toBe('draft');
    const released = await move(service, '3.0.0', 'release', undefined, { 'if-match': etag });
    expect(released.status, released.text).toBe(200);
    expectProblem(await move(service, '3.0.0', 'deprecate', undefined, { 'if-match': etag }), 412);
  });

  it('answers 404 for a move of an unknown version, and for an unknown action', async () => {
    expectProblem(await move(service, '7.7.7', 'release'), 404);
    expectProblem(await move('no-such-api', '1.0.0', 'release'), 404);
    expectProblem(await move(service, '1.1.0', 'publish'), 404);
  });

  it('records each move in the history with before and after', async () => {
    const records = await readAll(client, `/v1/services/${service}/history`, { type: 'version.*', limit: 100 });
    const ofOne = records.filter((record) => record.subject === `version/${service}@1.0.0`).map((record) => record.type);
    expect(ofOne).toEqual(['version.retired', 'version.deprecated', 'version.released', 'version.registered']);
    const released = records.find((record) => record.type === 'version.released' && record.subject === `version/${service}@1.0.0`);
    expect(released.changes.before.status).toBe('draft');
    expect(released.changes.after.status).toBe('released');
  });
});

describe('change log entries', () => {
  const service = 'changes-api';

  beforeAll(async () => {
    await createService(service);
    await register(service, '1.0.0', { changes: [{ type: 'breaking', description: 'Drops v0 routes.' }] });
  });

  it('can be added while the version is a draft', async () => {
    const response = await client.post(`/v1/services/${service}/versions/1.0.0/changes`, {
      changes: [{ type: 'additive', description: 'Adds search.', endpoints: ['GET /search'] }],
    });
    expect(response.status, response.text).toBe(200);
    expect(response.json.changes).toEqual([
      { type: 'breaking', description: 'Drops v0 routes.' },
      { type: 'additive', description: 'Adds search.', endpoints: ['GET /search'] },
    ]);
    expect(response.headers.get('etag')).toBe(response.json.etag);
    expect((await client.get(`/v1/services/${service}/versions/1.0.0`)).json.changes).toHaveLength(2);
  });

  it('honours If-Match', async () => {
    const stale = expectProblem(
      await client.post(
        `/v1/services/${service}/versions/1.0.0/changes`,
        { changes: [{ type: 'fix', description: 'x' }] },
        { headers: { 'if-match': '"1"' } },
      ),
      412,
    );
    expect(stale.detail).toMatch(/changed since/);
  });

  it('refuses an empty or invalid list', async () => {
    expectInvalid(await client.post(`/v1/services/${service}/versions/1.0.0/changes`, { changes: [] }), '/body/changes');
    expectInvalid(
      await client.post(`/v1/services/${service}/versions/1.0.0/changes`, { changes: [{ type: 'oops', description: 'x' }] }),
      '/body/changes/0/type',
    );
    expectInvalid(await client.post(`/v1/services/${service}/versions/1.0.0/changes`, {}), '/body/changes');
  });

  it('cannot be added once the version is released, with a 409 naming its status', async () => {
    expect((await move(service, '1.0.0', 'release')).status).toBe(200);
    const problem = expectProblem(
      await client.post(`/v1/services/${service}/versions/1.0.0/changes`, { changes: [{ type: 'fix', description: 'Late.' }] }),
      409,
    );
    expect(problem.currentStatus).toBe('released');
    expect(problem.detail).toMatch(/released/);
    expect(problem.detail).toMatch(/draft/);
    expect((await client.get(`/v1/services/${service}/versions/1.0.0`)).json.changes).toHaveLength(2);
  });

  it('answers 404 for an unknown version', async () => {
    expectProblem(
      await client.post(`/v1/services/${service}/versions/2.0.0/changes`, { changes: [{ type: 'fix', description: 'x' }] }),
      404,
    );
  });
});

it('answered no request with a server error, and every error as problem+json', () => {
  expect(client.log.length).toBeGreaterThan(100);
  expectNoServerErrors(client.log);
});
