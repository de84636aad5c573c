import { beforeAll, describe, expect, it } from 'vitest';
import { handler as services } from '../../functions/handlers/services.ts';
import { handler as versions } from '../../functions/handlers/versions.ts';
import { bootstrapAdmin, expectProblem, keyFor, type Reply, send } from '../helpers/handler-client.ts';
import { useLocalStore } from '../helpers/local-store.ts';

useLocalStore();

const REGISTER = 'POST /v1/services/{name}/versions';
const LIST = 'GET /v1/services/{name}/versions';
const GET = 'GET /v1/services/{name}/versions/{version}';
const CHANGES = 'POST /v1/services/{name}/versions/{version}/changes';
const action = (name: 'release' | 'deprecate' | 'retire') => `POST /v1/services/{name}/versions/{version}/${name}`;

let admin: string;
let deployer: string;
let viewer: string;
let serviceCounter = 0;

beforeAll(async () => {
  admin = await bootstrapAdmin();
  deployer = (await keyFor('deployer')).key;
  viewer = (await keyFor('viewer')).key;
});

/** A new service for one test. */
async function aService(): Promise<string> {
  const name = `svc-${++serviceCounter}-api`;
  const reply = await send(services, { routeKey: 'POST /v1/services', key: admin, body: { name, kind: 'api' } });
  expect(reply.status, reply.text).toBe(201);
  return name;
}

async function register(service: string, version: string, extra: Record<string, unknown> = {}): Promise<Reply> {
  return send(versions, { routeKey: REGISTER, pathParameters: { name: service }, key: deployer, body: { version, ...extra } });
}

async function move(
  service: string,
  version: string,
  verb: 'release' | 'deprecate' | 'retire',
  body?: unknown,
  headers?: Record<string, string>,
) {
  return send(versions, { routeKey: action(verb), pathParameters: { name: service, version }, key: deployer, body, headers });
}

async function getService(service: string) {
  return (await send(services, { routeKey: 'GET /v1/services/{name}', pathParameters: { name: service }, key: viewer })).body;
}

describe('POST /v1/services/{name}/versions', () => {
  it('registers a draft with its change log and answers 201 with Location and ETag', async () => {
    // Prepare
    const service = await aService();
    const changes = [
      { type: 'breaking', description: 'Removed GET /v1/charges', endpoints: ['GET /v1/charges'] },
      { type: 'fix', description: 'Rounding' },
    ];

    // Act
    const reply = await register(service, '2.0.0-rc.1+build.5', {
      description: 'Second major',
      changes,
      artifact: { type: 'container-image', uri: 'registry.example.com/payments:2.0.0-rc.1' },
      metadata: { commit: 'abc123' },
    });

    // Assess
    expect(reply.status, reply.text).toBe(201);
    expect(reply.headers.location).toBe(`/v1/services/${service}/versions/2.0.0-rc.1%2Bbuild.5`);
    expect(reply.headers.etag).toBe('"1"');
    expect(reply.body).toMatchObject({
      service,
      version: '2.0.0-rc.1+build.5',
      status: 'draft',
      allowedActions: ['release'],
      description: 'Second major',
      changes,
      artifact: { type: 'container-image', uri: 'registry.example.com/payments:2.0.0-rc.1' },
      metadata: { commit: 'abc123' },
      releasedAt: null,
      deprecatedAt: null,
      retiredAt: null,
      deprecation: null,
    });
    expect(await getService(service)).toMatchObject({ versionCount: 1, status: 'draft', versionCounts: { draft: 1 } });
  });

  it.each([
    { version: 'latest', why: /three dot-separated numbers/ },
    { version: 'v1', why: /"v" prefix/ },
    { version: '1.0', why: /three dot-separated numbers/ },
    { version: '2024-01-01', why: /three dot-separated numbers/ },
    { version: '01.2.3', why: /leading zero/ },
    { version: '1.2.3-01', why: /leading zero/ },
  ])('refuses $version with a problem that says why', async ({ version, why }) => {
    // Prepare
    const service = await aService();

    // Act
    const reply = await register(service, version);

    // Assess
    const problem = expectProblem(reply, 400);
    expect(problem.errors).toEqual([{ pointer: '/body/version', message: expect.stringMatching(why) }]);
    expect(problem.detail).toMatch(why);
    expect(problem.detail).toContain(version);
  });

  it('refuses a version registered before with 409', async () => {
    // Prepare
    const service = await aService();
    await register(service, '1.0.0');

    // Act
    const reply = await register(service, '1.0.0');

    // Assess
    const problem = expectProblem(reply, 409);
    expect(problem.existingVersion).toBe('1.0.0');
  });

  it('treats versions that differ only in build metadata as the same version', async () => {
    // Prepare
    const service = await aService();
    await register(service, '1.0.0+build.5');

    // Act
    const reply = await register(service, '1.0.0+build.6');

    // Assess
    const problem = expectProblem(reply, 409);
    expect(problem.existingVersion).toBe('1.0.0+build.5');
    expect(problem.detail).toMatch(/build metadata/);
  });

  it('answers 404 for a service that does not exist', async () => {
    // Act
    const reply = await register('missing-api', '1.0.0');

    // Assess
    expectProblem(reply, 404);
  });

  it('points at each invalid change log entry', async () => {
    // Prepare
    const service = await aService();

    // Act
    const reply = await register(service, '1.0.0', {
      changes: [
        { type: 'fix', description: 'ok' },
        { type: 'cosmetic', description: '' },
      ],
    });

    // Assess
    const problem = expectProblem(reply, 400);
    expect(problem.errors.map((error: { pointer: string }) => error.pointer).sort()).toEqual([
      '/body/changes/1/description',
      '/body/changes/1/type',
    ]);
  });

  it('answers a body without a version with a pointer at it', async () => {
    // Prepare
    const service = await aService();

    // Act
    const reply = await send(versions, { routeKey: REGISTER, pathParameters: { name: service }, key: deployer, body: {} });

    // Assess
    const problem = expectProblem(reply, 400);
    expect(problem.errors.map((error: { pointer: string }) => error.pointer)).toEqual(['/body/version']);
  });

  it('refuses a viewer with 403', async () => {
    // Prepare
    const service = await aService();

    // Act
    const reply = await send(versions, { routeKey: REGISTER, pathParameters: { name: service }, key: viewer, body: { version: '1.0.0' } });

    // Assess
    const problem = expectProblem(reply, 403);
    expect(problem.detail).toContain('deployer');
  });

  it('refuses a deployer limited to another service with 403, and lets it work on its own', async () => {
    // Prepare
    const mine = await aService();
    const theirs = await aService();
    const scoped = (await keyFor('deployer', [mine])).key;

    // Act
    const refused = await send(versions, { routeKey: REGISTER, pathParameters: { name: theirs }, key: scoped, body: { version: '1.0.0' } });
    const allowed = await send(versions, { routeKey: REGISTER, pathParameters: { name: mine }, key: scoped, body: { version: '1.0.0' } });

    // Assess
    expectProblem(refused, 403);
    expect(allowed.status).toBe(201);
  });

  it('answers 401 to a request with no key', async () => {
    // Act
    const reply = await send(versions, { routeKey: REGISTER, pathParameters: { name: 'any-api' }, body: { version: '1.0.0' } });

    // Assess
    expectProblem(reply, 401);
  });
});

describe('GET /v1/services/{name}/versions', () => {
  const ascending = [
    '1.0.0-alpha',
    '1.0.0-alpha.1',
    '1.0.0-beta',
    '1.0.0-beta.2',
    '1.0.0-beta.11',
    '1.0.0',
    '1.0.1',
    '1.2.0',
    '1.10.0',
    '2.0.0-rc.1',
  ];
  let service: string;

  beforeAll(async () => {
    service = await aService();
    const shuffled = [
      '1.10.0',
      '1.0.0-beta.11',
      '1.0.0',
      '2.0.0-rc.1',
      '1.0.0-alpha',
      '1.2.0',
      '1.0.1',
      '1.0.0-beta.2',
      '1.0.0-alpha.1',
      '1.0.0-beta',
    ];
    for (const version of shuffled) expect((await register(service, version)).status).toBe(201);
    for (const version of ['1.0.0', '1.2.0', '1.10.0']) expect((await move(service, version, 'release')).status).toBe(200);
  });

  it('lists versions newest first by SemVer precedence', async () => {
    // Act
    const reply = await send(versions, { routeKey: LIST, pathParameters: { name: service }, key: viewer, query: { limit: '100' } });

    // Assess
    expect(reply.status).toBe(200);
    expect(reply.body.items.map((item: { version: string }) => item.version)).toEqual([...ascending].reverse());
    expect(reply.body.nextCursor).toBeNull();
  });

  it('pages through the same order with cursors', async () => {
    // Act
    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const reply = await send(versions, {
        routeKey: LIST,
        pathParameters: { name: service },
        key: viewer,
        query: { limit: '3', ...(cursor ? { cursor } : {}) },
      });
      expect(reply.status, reply.text).toBe(200);
      seen.push(...reply.body.items.map((item: { version: string }) => item.version));
      cursor = reply.body.nextCursor ?? undefined;
    } while (cursor);

    // Assess
    expect(seen).toEqual([...ascending].reverse());
  });

  it('filters by status', async () => {
    // Act
    const released = await send(versions, {
      routeKey: LIST,
      pathParameters: { name: service },
      key: viewer,
      query: { status: 'released' },
    });
    const retired = await send(versions, { routeKey: LIST, pathParameters: { name: service }, key: viewer, query: { status: 'retired' } });

    // Assess
    expect(released.body.items.map((item: { version: string }) => item.version)).toEqual(['1.10.0', '1.2.0', '1.0.0']);
    expect(released.body.items.every((item: { status: string }) => item.status === 'released')).toBe(true);
    expect(retired.body.items).toEqual([]);
  });

  it('pages through a status filter with full pages', async () => {
    // Act
    const first = await send(versions, {
      routeKey: LIST,
      pathParameters: { name: service },
      key: viewer,
      query: { status: 'draft', limit: '4' },
    });
    const second = await send(versions, {
      routeKey: LIST,
      pathParameters: { name: service },
      key: viewer,
      query: { status: 'draft', limit: '4', cursor: first.body.nextCursor },
    });

    // Assess
    expect(first.body.items.map((item: { version: string }) => item.version)).toEqual([
      '2.0.0-rc.1',
      '1.0.1',
      '1.0.0-beta.11',
      '1.0.0-beta.2',
    ]);
    expect(second.body.items.map((item: { version: string }) => item.version)).toEqual(['1.0.0-beta', '1.0.0-alpha.1', '1.0.0-alpha']);
    expect(second.body.nextCursor).toBeNull();
  });

  it('keeps the latest released version on the service', async () => {
    // Act
    const body = await getService(service);

    // Assess
    expect(body).toMatchObject({ latestReleased: '1.10.0', status: 'active', versionCount: 10, versionCounts: { draft: 7, released: 3 } });
  });

  it('refuses an unknown status with a pointer at it', async () => {
    // Act
    const reply = await send(versions, { routeKey: LIST, pathParameters: { name: service }, key: viewer, query: { status: 'shipped' } });

    // Assess
    const problem = expectProblem(reply, 400);
    expect(problem.errors[0].pointer).toBe('/query/status');
  });

  it('answers 404 for a service that does not exist', async () => {
    // Act
    const reply = await send(versions, { routeKey: LIST, pathParameters: { name: 'missing-api' }, key: viewer });

    // Assess
    expectProblem(reply, 404);
  });
});

describe('GET /v1/services/{name}/versions/{version}', () => {
  it('returns one version with its status, change log, timestamps and ETag', async () => {
    // Prepare
    const service = await aService();
    await register(service, '1.4.0', { changes: [{ type: 'additive', description: 'Refunds' }] });

    // Act
    const reply = await send(versions, { routeKey: GET, pathParameters: { name: service, version: '1.4.0' }, key: viewer });

    // Assess
    expect(reply.status).toBe(200);
    expect(reply.headers.etag).toBe('"1"');
    expect(reply.body).toMatchObject({ version: '1.4.0', status: 'draft', changes: [{ type: 'additive', description: 'Refunds' }] });
    expect(Date.parse(reply.body.createdAt)).not.toBeNaN();
  });

  it('answers 404 for a version not registered', async () => {
    // Prepare
    const service = await aService();

    // Act
    const reply = await send(versions, { routeKey: GET, pathParameters: { name: service, version: '9.9.9' }, key: viewer });

    // Assess
    expectProblem(reply, 404);
  });

  it('answers 400 pointing at the path for a version that is not SemVer', async () => {
    // Prepare
    const service = await aService();

    // Act
    const reply = await send(versions, { routeKey: GET, pathParameters: { name: service, version: 'latest' }, key: viewer });

    // Assess
    const problem = expectProblem(reply, 400);
    expect(problem.errors[0].pointer).toBe('/path/version');
  });
});

describe('lifecycle actions', () => {
  it('moves a version draft → released → deprecated → retired, stamping each step', async () => {
    // Prepare
    const service = await aService();
    await register(service, '1.0.0');
    await register(service, '2.0.0');
    expect((await move(service, '2.0.0', 'release')).status).toBe(200);

    // Act
    const released = await move(service, '1.0.0', 'release');
    const deprecated = await move(service, '1.0.0', 'deprecate', {
      reason: 'Use 2.x',
      sunsetAt: '2027-01-01T00:00:00.000Z',
      replacement: '2.0.0',
    });
    const retired = await move(service, '1.0.0', 'retire');

    // Assess
    expect(released.body).toMatchObject({ status: 'released', allowedActions: ['deprecate'], etag: '"2"' });
    expect(deprecated.body).toMatchObject({
      status: 'deprecated',
      allowedActions: ['retire'],
      deprecation: { reason: 'Use 2.x', sunsetAt: '2027-01-01T00:00:00.000Z', replacement: '2.0.0' },
    });
    expect(retired.body).toMatchObject({ status: 'retired', allowedActions: [] });
    for (const field of ['releasedAt', 'deprecatedAt', 'retiredAt']) expect(Date.parse(retired.body[field])).not.toBeNaN();
    expect(await getService(service)).toMatchObject({
      versionCounts: { draft: 0, released: 1, deprecated: 0, retired: 1 },
      latestReleased: '2.0.0',
    });
  });

  it.each([
    { from: 'draft', steps: [], verb: 'deprecate', allowed: ['release'] },
    { from: 'draft', steps: [], verb: 'retire', allowed: ['release'] },
    { from: 'released', steps: ['release'], verb: 'release', allowed: ['deprecate'] },
    { from: 'released', steps: ['release'], verb: 'retire', allowed: ['deprecate'] },
    { from: 'deprecated', steps: ['release', 'deprecate'], verb: 'release', allowed: ['retire'] },
    { from: 'retired', steps: ['release', 'deprecate', 'retire'], verb: 'deprecate', allowed: [] },
  ] as const)(
    'refuses to $verb a $from version with 409 naming its status and the allowed actions',
    async ({ from, steps, verb, allowed }) => {
      // Prepare
      const service = await aService();
      await register(service, '1.0.0');
      for (const step of steps) expect((await move(service, '1.0.0', step)).status).toBe(200);

      // Act
      const reply = await move(service, '1.0.0', verb);

      // Assess
      const problem = expectProblem(reply, 409);
      expect(problem.currentStatus).toBe(from);
      expect(problem.allowedActions).toEqual(allowed);
      expect(problem.detail).toContain(from);
      const read = await send(versions, { routeKey: GET, pathParameters: { name: service, version: '1.0.0' }, key: viewer });
      expect(read.body.status).toBe(from);
    },
  );

  it('refuses a stale If-Match with 412', async () => {
    // Prepare
    const service = await aService();
    await register(service, '1.0.0');
    await move(service, '1.0.0', 'release');

    // Act
    const reply = await move(service, '1.0.0', 'deprecate', {}, { 'if-match': '"1"' });

    // Assess
    const problem = expectProblem(reply, 412);
    expect(problem.currentEtag).toBe('"2"');
  });

  it('moves the latest released version down when the latest one is deprecated', async () => {
    // Prepare
    const service = await aService();
    for (const version of ['1.0.0', '1.1.0', '1.2.0']) {
      await register(service, version);
      await move(service, version, 'release');
    }

    // Act
    await move(service, '1.2.0', 'deprecate');
    const afterOne = await getService(service);
    await move(service, '1.1.0', 'deprecate');
    await move(service, '1.0.0', 'deprecate');
    const afterAll = await getService(service);

    // Assess
    expect(afterOne).toMatchObject({ latestReleased: '1.1.0', status: 'active' });
    expect(afterAll).toMatchObject({ latestReleased: null, status: 'deprecated' });
  });

  it('keeps a higher latest release when an older version is released', async () => {
    // Prepare
    const service = await aService();
    await register(service, '2.0.0');
    await register(service, '1.5.0');
    await move(service, '2.0.0', 'release');

    // Act
    await move(service, '1.5.0', 'release');

    // Assess
    expect(await getService(service)).toMatchObject({ latestReleased: '2.0.0' });
  });

  it('refuses a replacement that is not a released version of the service', async () => {
    // Prepare
    const service = await aService();
    await register(service, '1.0.0');
    await move(service, '1.0.0', 'release');
    await register(service, '2.0.0');

    // Act
    const draftReplacement = await move(service, '1.0.0', 'deprecate', { replacement: '2.0.0' });
    const missingReplacement = await move(service, '1.0.0', 'deprecate', { replacement: '3.0.0' });
    const invalidReplacement = await move(service, '1.0.0', 'deprecate', { replacement: 'v2' });

    // Assess
    expect(expectProblem(draftReplacement, 409).detail).toContain('draft');
    expect(expectProblem(missingReplacement, 409).detail).toContain('not registered');
    expect(expectProblem(invalidReplacement, 400).errors[0].pointer).toBe('/body/replacement');
  });

  it('refuses fields a lifecycle action does not take', async () => {
    // Prepare
    const service = await aService();
    await register(service, '1.0.0');

    // Act
    const reply = await move(service, '1.0.0', 'release', { force: true });

    // Assess
    const problem = expectProblem(reply, 400);
    expect(problem.errors[0].pointer).toBe('/body/force');
  });

  it('refuses a viewer with 403', async () => {
    // Prepare
    const service = await aService();
    await register(service, '1.0.0');

    // Act
    const reply = await send(versions, { routeKey: action('release'), pathParameters: { name: service, version: '1.0.0' }, key: viewer });

    // Assess
    expectProblem(reply, 403);
  });

  it('answers 404 for a version not registered', async () => {
    // Prepare
    const service = await aService();

    // Act
    const reply = await move(service, '1.0.0', 'release');

    // Assess
    expectProblem(reply, 404);
  });
});

describe('POST /v1/services/{name}/versions/{version}/changes', () => {
  const fix = { type: 'fix', description: 'Timeouts' };
  const more = { type: 'additive', description: 'Webhooks', endpoints: ['POST /v1/webhooks'] };

  it('adds entries to a draft', async () => {
    // Prepare
    const service = await aService();
    await register(service, '1.0.0', { changes: [fix] });

    // Act
    const reply = await send(versions, {
      routeKey: CHANGES,
      pathParameters: { name: service, version: '1.0.0' },
      key: deployer,
      body: { changes: [more] },
    });

    // Assess
    expect(reply.status, reply.text).toBe(200);
    expect(reply.body.changes).toEqual([fix, more]);
    expect(reply.headers.etag).toBe('"2"');
  });

  it.each([
    { status: 'released', steps: ['release'] },
    { status: 'deprecated', steps: ['release', 'deprecate'] },
  ] as const)('refuses entries once the version is $status', async ({ status, steps }) => {
    // Prepare
    const service = await aService();
    await register(service, '1.0.0', { changes: [fix] });
    for (const step of steps) await move(service, '1.0.0', step);

    // Act
    const reply = await send(versions, {
      routeKey: CHANGES,
      pathParameters: { name: service, version: '1.0.0' },
      key: deployer,
      body: { changes: [more] },
    });

    // Assess
    const problem = expectProblem(reply, 409);
    expect(problem.currentStatus).toBe(status);
    const read = await send(versions, { routeKey: GET, pathParameters: { name: service, version: '1.0.0' }, key: viewer });
    expect(read.body.changes).toEqual([fix]);
  });

  it('refuses an empty list of entries', async () => {
    // Prepare
    const service = await aService();
    await register(service, '1.0.0');

    // Act
    const reply = await send(versions, {
      routeKey: CHANGES,
      pathParameters: { name: service, version: '1.0.0' },
      key: deployer,
      body: { changes: [] },
    });

    // Assess
    const problem = expectProblem(reply, 400);
    expect(problem.errors[0].pointer).toBe('/body/changes');
  });

  it('refuses a stale If-Match with 412', async () => {
    // Prepare
    const service = await aService();
    await register(service, '1.0.0');
    await send(versions, {
      routeKey: CHANGES,
      pathParameters: { name: service, version: '1.0.0' },
      key: deployer,
      body: { changes: [fix] },
    });

    // Act
    const reply = await send(versions, {
      routeKey: CHANGES,
      pathParameters: { name: service, version: '1.0.0' },
      key: deployer,
      headers: { 'if-match': '"1"' },
      body: { changes: [more] },
    });

    // Assess
    expectProblem(reply, 412);
  });
});
