import { createHash } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { handler as apiKeys } from '../../functions/handlers/api-keys.ts';
import { handler as audit } from '../../functions/handlers/audit.ts';
import { handler as services } from '../../functions/handlers/services.ts';
import { handler as versions } from '../../functions/handlers/versions.ts';
import { bootstrapAdmin, expectProblem, keyFor, type Reply, send } from '../helpers/handler-client.ts';
import { useLocalStore } from '../helpers/local-store.ts';

useLocalStore();

const HISTORY = 'GET /v1/services/{name}/history';
const LIST = 'GET /v1/audit';
const EXPORT = 'GET /v1/audit/export';
const REPORT = 'GET /v1/audit/report';

interface AuditRecord {
  id: string;
  type: string;
  at: string;
  actor: { keyId: string; name: string };
  requestId: string;
  service: string | null;
  subject: string;
  changes: { before: any; after: any };
  seq: number;
}

let admin: string;
let deployer: { id: string; key: string };
let viewer: string;
let scopedViewer: string;
let minted: { id: string; key: string };
/** The request id of each mutation, by what it did. */
const requests: Record<string, string> = {};

function ok(reply: Reply, status = 200): Reply {
  expect(reply.status, reply.text).toBe(status);
  return reply;
}

/** Every record of a listing, following cursors. */
async function allRecords(key: string, query: Record<string, string> = {}): Promise<AuditRecord[]> {
  const records: AuditRecord[] = [];
  let cursor: string | undefined;
  do {
    const reply = ok(await send(audit, { routeKey: LIST, key, query: { limit: '100', ...query, ...(cursor ? { cursor } : {}) } }));
    records.push(...reply.body.items);
    cursor = reply.body.nextCursor ?? undefined;
  } while (cursor);
  return records;
}

async function history(service: string, query: Record<string, string> = {}, key = viewer): Promise<Reply> {
  return send(audit, { routeKey: HISTORY, pathParameters: { name: service }, key, query });
}

beforeAll(async () => {
  admin = await bootstrapAdmin();
  deployer = await keyFor('deployer', undefined, 'ci-pipeline');
  viewer = (await keyFor('viewer', undefined, 'dashboard')).key;
  scopedViewer = (await keyFor('viewer', ['alpha-api'], 'alpha-team')).key;

  const as = (key: string) => ({ key });
  requests.createAlpha = ok(
    await send(services, { routeKey: 'POST /v1/services', ...as(admin), body: { name: 'alpha-api', kind: 'api' } }),
    201,
  ).requestId;
  requests.createBeta = ok(
    await send(services, { routeKey: 'POST /v1/services', ...as(admin), body: { name: 'beta-api', kind: 'model' } }),
    201,
  ).requestId;
  requests.patchAlpha = ok(
    await send(services, {
      routeKey: 'PATCH /v1/services/{name}',
      pathParameters: { name: 'alpha-api' },
      ...as(admin),
      body: { displayName: 'Alpha' },
    }),
  ).requestId;
  const alpha = { name: 'alpha-api', version: '1.0.0' };
  requests.register = ok(
    await send(versions, {
      routeKey: 'POST /v1/services/{name}/versions',
      pathParameters: { name: 'alpha-api' },
      ...as(deployer.key),
      body: { version: '1.0.0' },
    }),
    201,
  ).requestId;
  for (const verb of ['release', 'deprecate', 'retire'] as const) {
    requests[verb] = ok(
      await send(versions, { routeKey: `POST /v1/services/{name}/versions/{version}/${verb}`, pathParameters: alpha, ...as(deployer.key) }),
    ).requestId;
  }
  ok(
    await send(versions, {
      routeKey: 'POST /v1/services/{name}/versions',
      pathParameters: { name: 'beta-api' },
      ...as(deployer.key),
      body: { version: '0.1.0' },
    }),
    201,
  );
  ok(
    await send(versions, {
      routeKey: 'POST /v1/services/{name}/versions/{version}/changes',
      pathParameters: { name: 'beta-api', version: '0.1.0' },
      ...as(deployer.key),
      body: { changes: [{ type: 'fix', description: 'Calibration' }] },
    }),
  );
  const created = ok(await send(apiKeys, { routeKey: 'POST /v1/api-keys', ...as(admin), body: { name: 'temp', role: 'viewer' } }), 201);
  minted = { id: created.body.id, key: created.body.key };
  requests.revoke = ok(
    await send(apiKeys, { routeKey: 'DELETE /v1/api-keys/{id}', pathParameters: { id: minted.id }, ...as(admin) }),
    204,
  ).requestId;
});

describe('GET /v1/services/{name}/history', () => {
  it("lists the service's events newest first, each with who, when, which request and what changed", async () => {
    // Act
    const reply = await history('alpha-api');

    // Assess
    expect(reply.status).toBe(200);
    const records: AuditRecord[] = reply.body.items;
    expect(records.map((record) => record.type)).toEqual([
      'version.retired',
      'version.deprecated',
      'version.released',
      'version.registered',
      'service.updated',
      'service.created',
    ]);
    // Each aggregate numbers its own events: the version's four, then the service's two.
    expect(records.map((record) => record.seq)).toEqual([4, 3, 2, 1, 2, 1]);
    for (const record of records) {
      expect(record.id).toMatch(/^[0-9A-HJKMNP-TV-Z]{26}$/);
      expect(new Date(record.at).toISOString()).toBe(record.at);
      expect(record.service).toBe('alpha-api');
    }
    const [retired, deprecated, released, registered, updated, created] = records as [
      AuditRecord,
      AuditRecord,
      AuditRecord,
      AuditRecord,
      AuditRecord,
      AuditRecord,
    ];
    expect(released).toMatchObject({
      actor: { keyId: deployer.id, name: 'ci-pipeline' },
      requestId: requests.release,
      subject: 'version/alpha-api@1.0.0',
      changes: { before: { status: 'draft', releasedAt: null }, after: { status: 'released' } },
    });
    expect(deprecated.requestId).toBe(requests.deprecate);
    expect(retired).toMatchObject({ requestId: requests.retire, changes: { after: { status: 'retired' } } });
    expect(registered).toMatchObject({
      requestId: requests.register,
      changes: { before: null, after: { version: '1.0.0', status: 'draft' } },
    });
    expect(updated).toMatchObject({
      actor: { keyId: 'bootstrap', name: 'bootstrap-admin' },
      requestId: requests.patchAlpha,
      changes: { before: { displayName: 'alpha-api' }, after: { displayName: 'Alpha' } },
    });
    expect(created).toMatchObject({ requestId: requests.createAlpha, subject: 'service/alpha-api', changes: { before: null } });
  });

  it('filters by event type and by family', async () => {
    // Act
    const exact = await history('alpha-api', { type: 'version.released' });
    const family = await history('alpha-api', { type: 'service.*' });

    // Assess
    expect(exact.body.items.map((record: AuditRecord) => record.type)).toEqual(['version.released']);
    expect(family.body.items.map((record: AuditRecord) => record.type)).toEqual(['service.updated', 'service.created']);
  });

  it('records nothing for a change that did not happen', async () => {
    // Prepare
    const before = (await history('alpha-api')).body.items.length;

    // Act
    const refused = await send(versions, {
      routeKey: 'POST /v1/services/{name}/versions/{version}/release',
      pathParameters: { name: 'alpha-api', version: '1.0.0' },
      key: deployer.key,
    });
    const unchanged = await send(services, {
      routeKey: 'PATCH /v1/services/{name}',
      pathParameters: { name: 'alpha-api' },
      key: admin,
      body: { displayName: 'Alpha' },
    });

    // Assess
    expectProblem(refused, 409);
    expect(unchanged.status).toBe(200);
    expect((await history('alpha-api')).body.items).toHaveLength(before);
  });

  it('answers 404 for a service that does not exist', async () => {
    // Act
    const reply = await history('missing-api');

    // Assess
    expectProblem(reply, 404);
  });

  it('refuses a key limited to other services with 403', async () => {
    // Act
    const reply = await history('beta-api', {}, scopedViewer);

    // Assess
    expectProblem(reply, 403);
  });
});

describe('GET /v1/audit', () => {
  it('pages through the whole trail newest first, each record once', async () => {
    // Prepare
    const everything = await allRecords(admin);

    // Act
    const paged: AuditRecord[] = [];
    let cursor: string | undefined;
    do {
      const reply = ok(await send(audit, { routeKey: LIST, key: admin, query: { limit: '4', ...(cursor ? { cursor } : {}) } }));
      expect(reply.body.items.length).toBeLessThanOrEqual(4);
      paged.push(...reply.body.items);
      cursor = reply.body.nextCursor ?? undefined;
    } while (cursor);

    // Assess
    expect(paged.map((record) => record.id)).toEqual(everything.map((record) => record.id));
    expect(new Set(paged.map((record) => record.id)).size).toBe(paged.length);
    const times = paged.map((record) => `${record.at}#${record.id}`);
    expect(times).toEqual([...times].sort().reverse());
  });

  it('filters by service', async () => {
    // Act
    const records = await allRecords(admin, { service: 'beta-api' });

    // Assess
    expect(records.map((record) => record.type)).toEqual(['version.changes_added', 'version.registered', 'service.created']);
    expect(records.every((record) => record.service === 'beta-api')).toBe(true);
  });

  it('filters by actor', async () => {
    // Act
    const records = await allRecords(admin, { actor: deployer.id });

    // Assess
    expect(records).toHaveLength(6);
    expect(records.every((record) => record.actor.keyId === deployer.id)).toBe(true);
  });

  it('filters by type, alone and with a service and an actor', async () => {
    // Act
    const revoked = await allRecords(admin, { type: 'apikey.revoked' });
    const registeredOnBeta = await allRecords(admin, { type: 'version.registered', service: 'beta-api' });
    const deployerVersions = await allRecords(admin, { type: 'version.*', actor: deployer.id, service: 'alpha-api' });

    // Assess
    expect(revoked).toHaveLength(1);
    expect(revoked[0]).toMatchObject({ subject: `apikey/${minted.id}`, requestId: requests.revoke, service: null });
    expect(registeredOnBeta).toHaveLength(1);
    expect(deployerVersions.map((record) => record.type)).toEqual([
      'version.retired',
      'version.deprecated',
      'version.released',
      'version.registered',
    ]);
  });

  it('filters by a time window: from inclusive, to exclusive', async () => {
    // Prepare
    const everything = await allRecords(admin);
    const middle = everything[Math.floor(everything.length / 2)] as AuditRecord;

    // Act
    const from = await allRecords(admin, { from: middle.at });
    const to = await allRecords(admin, { to: middle.at });
    const between = await allRecords(admin, { from: middle.at, to: '2999-01-01' });

    // Assess
    expect(from.map((record) => record.id)).toContain(middle.id);
    expect(to.map((record) => record.id)).not.toContain(middle.id);
    expect(from.every((record) => record.at >= middle.at)).toBe(true);
    expect(to.every((record) => record.at < middle.at)).toBe(true);
    expect(from.length + to.length).toBe(everything.length);
    expect(between.map((record) => record.id)).toEqual(from.map((record) => record.id));
  });

  it('shows events that belong to no service (API keys) to unscoped admins only', async () => {
    // Act
    const asAdmin = await allRecords(admin);
    const asViewer = await allRecords(viewer);

    // Assess
    expect(asAdmin.some((record) => record.type.startsWith('apikey.'))).toBe(true);
    expect(asViewer.some((record) => record.type.startsWith('apikey.'))).toBe(false);
    expect(asViewer).toHaveLength(asAdmin.filter((record) => record.service !== null).length);
  });

  it.each([LIST, EXPORT, REPORT])('answers a window that ends before it starts with a 400 on %s, not a 500', async (routeKey) => {
    // Act
    const reply = await send(audit, { routeKey, key: admin, query: { from: '2026-02-01', to: '2026-01-01' } });

    // Assess
    const problem = expectProblem(reply, 400);
    expect(problem.errors.map((error: { pointer: string }) => error.pointer)).toContain('/query/to');
  });

  it("shows a key limited to services only those services' events", async () => {
    // Act
    const records = await allRecords(scopedViewer);
    const byActor = await allRecords(scopedViewer, { actor: deployer.id });

    // Assess
    expect(records.length).toBeGreaterThan(0);
    expect(records.every((record) => record.service === 'alpha-api')).toBe(true);
    expect(byActor.every((record) => record.service === 'alpha-api')).toBe(true);
    expect(byActor).toHaveLength(4);
  });

  it("refuses a scoped key a filter on another service's events with 403", async () => {
    // Act
    const reply = await send(audit, { routeKey: LIST, key: scopedViewer, query: { service: 'beta-api' } });

    // Assess
    expectProblem(reply, 403);
  });

  it.each([
    { query: { type: 'Version Released' }, pointer: '/query/type' },
    { query: { from: 'yesterday' }, pointer: '/query/from' },
    { query: { to: '2026-13-45' }, pointer: '/query/to' },
    { query: { service: 'BAD' }, pointer: '/query/service' },
    { query: { severity: 'critical' }, pointer: '/query/severity' },
  ] as Array<{ query: Record<string, string>; pointer: string }>)(
    'refuses the filter $query with a pointer at $pointer',
    async ({ query, pointer }) => {
      // Act
      const reply = await send(audit, { routeKey: LIST, key: admin, query });

      // Assess
      const problem = expectProblem(reply, 400);
      expect(problem.errors.map((error: { pointer: string }) => error.pointer)).toContain(pointer);
    },
  );

  it('answers 401 without a key, and 401 for a revoked key', async () => {
    // Act
    const anonymous = await send(audit, { routeKey: LIST });
    const revoked = await send(audit, { routeKey: LIST, key: minted.key });

    // Assess
    expectProblem(anonymous, 401);
    expect(expectProblem(revoked, 401).detail).toMatch(/revoked/);
  });

  it('never reveals an API key secret or its hash', async () => {
    // Prepare
    const hash = createHash('sha256').update(minted.key).digest('hex');

    // Act
    const reply = await send(audit, { routeKey: LIST, key: admin, query: { limit: '100' } });

    // Assess
    expect(reply.text).not.toContain(minted.key);
    expect(reply.text).not.toContain(hash);
    expect(reply.text).not.toContain(admin);
  });
});

describe('GET /v1/audit/export', () => {
  it('streams the trail as NDJSON, oldest first, one record per line', async () => {
    // Prepare
    const everything = await allRecords(admin);
    const hash = createHash('sha256').update(minted.key).digest('hex');

    // Act
    const reply = await send(audit, { routeKey: EXPORT, key: admin });

    // Assess
    expect(reply.status).toBe(200);
    expect(reply.headers['content-type']).toBe('application/x-ndjson');
    expect(reply.text.endsWith('\n')).toBe(true);
    const lines = reply.text.trimEnd().split('\n');
    const records = lines.map((line) => JSON.parse(line) as AuditRecord);
    expect(records.map((record) => record.id)).toEqual(everything.map((record) => record.id).reverse());
    expect(reply.headers.link).toBeUndefined();
    expect(reply.text).not.toContain(minted.key);
    expect(reply.text).not.toContain(hash);
  });

  it('exports only the window asked for', async () => {
    // Prepare
    const everything = await allRecords(admin);
    const middle = everything[Math.floor(everything.length / 2)] as AuditRecord;

    // Act
    const reply = await send(audit, { routeKey: EXPORT, key: admin, query: { from: middle.at } });

    // Assess
    const records = reply.text
      .trimEnd()
      .split('\n')
      .map((line) => JSON.parse(line) as AuditRecord);
    expect(records.map((record) => record.id)).toEqual(
      everything
        .filter((record) => record.at >= middle.at)
        .map((record) => record.id)
        .reverse(),
    );
  });

  it('exports only what the key may see', async () => {
    // Act
    const reply = await send(audit, { routeKey: EXPORT, key: scopedViewer });

    // Assess
    const records = reply.text
      .trimEnd()
      .split('\n')
      .map((line) => JSON.parse(line) as AuditRecord);
    expect(records.length).toBeGreaterThan(0);
    expect(records.every((record) => record.service === 'alpha-api')).toBe(true);
  });

  it('refuses filters the export does not take', async () => {
    // Act
    const reply = await send(audit, { routeKey: EXPORT, key: admin, query: { limit: '5' } });

    // Assess
    expect(expectProblem(reply, 400).errors[0].pointer).toBe('/query/limit');
  });
});

describe('GET /v1/audit/report', () => {
  it('counts events per type, actor and service, and lists the critical ones', async () => {
    // Prepare
    const everything = await allRecords(admin);

    // Act
    const reply = await send(audit, { routeKey: REPORT, key: admin });

    // Assess
    expect(reply.status).toBe(200);
    const report = reply.body;
    expect(report.total).toBe(everything.length);
    expect(report.truncated).toBe(false);
    expect(report).toMatchObject({ from: null, to: null });
    expect(report.byType).toMatchObject({
      'service.created': 2,
      'service.updated': 1,
      'version.registered': 2,
      'version.released': 1,
      'version.deprecated': 1,
      'version.retired': 1,
      'version.changes_added': 1,
      'apikey.revoked': 1,
    });
    expect(Object.values(report.byType as Record<string, number>).reduce((a, b) => a + b, 0)).toBe(everything.length);
    expect(report.byService).toEqual({ 'alpha-api': 6, 'beta-api': 3 });
    expect(report.byActor).toContainEqual({ keyId: deployer.id, name: 'ci-pipeline', count: 6 });
    const counts = report.byActor.map((actor: { count: number }) => actor.count);
    expect(counts).toEqual([...counts].sort((a, b) => b - a));
    const criticalTypes = new Set(report.criticalEvents.map((record: AuditRecord) => record.type));
    expect([...criticalTypes].sort()).toEqual(['apikey.created', 'apikey.revoked', 'version.retired']);
    expect(report.criticalEvents.filter((record: AuditRecord) => record.type === 'apikey.created')).toHaveLength(
      report.byType['apikey.created'],
    );
  });

  it('reports on the window asked for, echoing it', async () => {
    // Prepare
    const everything = await allRecords(admin);
    const middle = everything[Math.floor(everything.length / 2)] as AuditRecord;

    // Act
    const reply = await send(audit, { routeKey: REPORT, key: admin, query: { from: middle.at, to: '2999-01-01T00:00:00Z' } });

    // Assess
    expect(reply.body.total).toBe(everything.filter((record) => record.at >= middle.at).length);
    expect(reply.body.from).toBe(middle.at);
    expect(reply.body.to).toBe('2999-01-01T00:00:00.000Z');
  });

  it('leaves out of a viewer report what the viewer may not see', async () => {
    // Act
    const reply = await send(audit, { routeKey: REPORT, key: viewer });

    // Assess
    expect(reply.status).toBe(200);
    expect(Object.keys(reply.body.byType).some((type) => type.startsWith('apikey.'))).toBe(false);
    expect(reply.body.criticalEvents.map((record: AuditRecord) => record.type)).toEqual(['version.retired']);
  });
});
