import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EVENT_CATALOGUE } from '../../functions/kernel/events.ts';
import { type Runtime, startRuntime } from '../../local/runtime.ts';
import { type ApiClient, api, expectInvalid, expectNoServerErrors, expectProblem, readAll } from '../helpers/http-client.ts';

/** Journey step 6: the audit trail — history, search, export and the compliance report. */

let runtime: Runtime;
let admin: ApiClient;
let deployer: ApiClient;
let deployerKey: { id: string; name: string; key: string };
const secrets: string[] = [];
/** The request id the server gave each request that made a record, by what it did. */
const requestIds: Record<string, string> = {};

interface AuditRecord {
  id: string;
  type: string;
  at: string;
  actor: { keyId: string; name: string };
  requestId: string;
  service: string | null;
  subject: string;
  changes: { before: unknown; after: any };
  seq: number;
}

const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
const ULID = /^[0-9A-HJKMNP-TV-Z]{26}$/;
/** The catalogue decides which event types are critical; the report must list exactly those. */
const CRITICAL = new Set(
  Object.entries(EVENT_CATALOGUE)
    .filter(([, info]) => info.critical)
    .map(([type]) => type),
);

/** Newest first, as the API promises: by time, then by event id (ULIDs grow within a millisecond). */
const newestFirst = (a: AuditRecord, b: AuditRecord) => (a.at === b.at ? (a.id < b.id ? 1 : -1) : a.at < b.at ? 1 : -1);

async function step(label: string, client: ApiClient, method: string, path: string, body?: unknown, expected = 200) {
  const response = await client.request(method, path, body);
  expect(response.status, `${label}: ${response.text}`).toBe(expected);
  requestIds[label] = response.headers.get('apigw-requestid') as string;
  return response;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

let checkpoint: string;

beforeAll(async () => {
  runtime = await startRuntime({ memory: true, port: 0, reconcileEveryMs: 3_600_000 });
  admin = api(runtime);
  const key = await step('key created', admin, 'POST', '/v1/api-keys', { name: 'audit-deployer', role: 'deployer' }, 201);
  deployerKey = key.json;
  secrets.push(key.json.key);
  deployer = admin.as(key.json.key);

  await step('audit-a created', admin, 'POST', '/v1/services', { name: 'audit-a', kind: 'api', owner: 'a@example.com' }, 201);
  await step('audit-a updated', admin, 'PATCH', '/v1/services/audit-a', { owner: 'b@example.com' });
  await step('audit-a 1.0.0 registered', deployer, 'POST', '/v1/services/audit-a/versions', { version: '1.0.0' }, 201);
  await step('audit-a 1.0.0 changes', deployer, 'POST', '/v1/services/audit-a/versions/1.0.0/changes', {
    changes: [{ type: 'fix', description: 'x' }],
  });
  await step('audit-a 1.0.0 released', deployer, 'POST', '/v1/services/audit-a/versions/1.0.0/release');
  // a gap in time, so that from/to can split the trail at a known point
  await sleep(15);
  checkpoint = new Date().toISOString();
  await sleep(15);
  await step('audit-a 1.0.0 deprecated', deployer, 'POST', '/v1/services/audit-a/versions/1.0.0/deprecate', { reason: 'old' });
  await step('audit-a 1.0.0 retired', admin, 'POST', '/v1/services/audit-a/versions/1.0.0/retire');
  await step('audit-b created', admin, 'POST', '/v1/services', { name: 'audit-b', kind: 'model' }, 201);
  await step('audit-b 0.1.0 registered', deployer, 'POST', '/v1/services/audit-b/versions', { version: '0.1.0' }, 201);
  const revokable = await step('key2 created', admin, 'POST', '/v1/api-keys', { name: 'temporary', role: 'viewer' }, 201);
  secrets.push(revokable.json.key);
  await step('key2 revoked', admin, 'DELETE', `/v1/api-keys/${revokable.json.id}`, undefined, 204);
});

afterAll(async () => {
  await runtime?.close();
});

describe("a service's history", () => {
  it('lists that service’s events, newest first, each with the full record', async () => {
    const response = await admin.get('/v1/services/audit-a/history');
    expect(response.status).toBe(200);
    expect(response.json.nextCursor).toBeNull();
    const records: AuditRecord[] = response.json.items;
    expect(records.map((record) => record.type)).toEqual([
      'version.retired',
      'version.deprecated',
      'version.released',
      'version.changes_added',
      'version.registered',
      'service.updated',
      'service.created',
    ]);
    expect([...records].sort(newestFirst)).toEqual(records);
    for (const record of records) {
      expect(record.id).toMatch(ULID);
      expect(record.at).toMatch(ISO);
      expect(record.service).toBe('audit-a');
      expect(record.actor).toEqual({ keyId: expect.any(String), name: expect.any(String) });
      expect(record.requestId).toEqual(expect.any(String));
      expect(record.subject).toEqual(expect.any(String));
      expect(record.changes).toHaveProperty('before');
      expect(record.changes).toHaveProperty('after');
    }
  });

  it('names the actor (key id and name), the request id and the subject, and what changed', async () => {
    const records: AuditRecord[] = await readAll(admin, '/v1/services/audit-a/history');
    const byType = Object.fromEntries(records.map((record) => [record.type, record]));
    expect(byType['service.created']).toMatchObject({
      actor: { keyId: 'bootstrap', name: 'bootstrap-admin' },
      requestId: requestIds['audit-a created'],
      subject: 'service/audit-a',
      changes: { before: null, after: { name: 'audit-a', kind: 'api', owner: 'a@example.com' } },
    });
    expect(byType['service.updated']).toMatchObject({
      requestId: requestIds['audit-a updated'],
      changes: { before: { owner: 'a@example.com' }, after: { owner: 'b@example.com' } },
    });
    expect(byType['version.registered']).toMatchObject({
      actor: { keyId: deployerKey.id, name: 'audit-deployer' },
      requestId: requestIds['audit-a 1.0.0 registered'],
      subject: 'version/audit-a@1.0.0',
      changes: { before: null, after: { version: '1.0.0', status: 'draft' } },
    });
    expect(byType['version.released']).toMatchObject({
      actor: { keyId: deployerKey.id },
      changes: { before: { status: 'draft' }, after: { status: 'released' } },
    });
    expect(byType['version.deprecated']?.changes.after).toMatchObject({ status: 'deprecated', deprecation: { reason: 'old' } });
    expect(byType['version.retired']).toMatchObject({ actor: { keyId: 'bootstrap' }, requestId: requestIds['audit-a 1.0.0 retired'] });
  });

  it('pages with limit and cursor, and filters by type', async () => {
    const all: AuditRecord[] = await readAll(admin, '/v1/services/audit-a/history');
    const paged: AuditRecord[] = await readAll(admin, '/v1/services/audit-a/history', { limit: 2 });
    expect(paged).toEqual(all);
    const versions: AuditRecord[] = await readAll(admin, '/v1/services/audit-a/history', { type: 'version.*' });
    expect(versions.map((record) => record.type)).toEqual(
      all.filter((record) => record.type.startsWith('version.')).map((record) => record.type),
    );
    const created: AuditRecord[] = await readAll(admin, '/v1/services/audit-a/history', { type: 'service.created' });
    expect(created).toHaveLength(1);
  });

  it('answers 404 for an unknown service and 400 for a bad filter', async () => {
    expectProblem(await admin.get('/v1/services/no-such-api/history'), 404);
    expectInvalid(await admin.get('/v1/services/audit-a/history', { query: { type: 'Version.Released' } }), '/query/type');
    expectInvalid(await admin.get('/v1/services/audit-a/history', { query: { service: 'audit-b' } }), '/query/service');
  });
});

describe('searching the audit trail', () => {
  let everything: AuditRecord[];

  beforeAll(async () => {
    everything = await readAll(admin, '/v1/audit', { limit: 100 });
  });

  it('lists every record, newest first, API key events included for an unscoped admin', async () => {
    expect([...everything].sort(newestFirst)).toEqual(everything);
    const types = everything.map((record) => record.type);
    for (const type of [
      'apikey.created',
      'apikey.revoked',
      'service.created',
      'service.updated',
      'version.registered',
      'version.changes_added',
      'version.released',
      'version.deprecated',
      'version.retired',
    ]) {
      expect(types).toContain(type);
    }
    expect(new Set(everything.map((record) => record.id)).size).toBe(everything.length);
  });

  it('pages with limit and cursor to the same records, ending with nextCursor null', async () => {
    const pages: AuditRecord[][] = [];
    let cursor: string | undefined;
    do {
      const response = await admin.get('/v1/audit', { query: { limit: 3, cursor } });
      expect(response.status).toBe(200);
      expect(response.json.items.length).toBeLessThanOrEqual(3);
      pages.push(response.json.items);
      cursor = response.json.nextCursor ?? undefined;
    } while (cursor);
    expect(pages.flat()).toEqual(everything);
  });

  it('filters by service', async () => {
    const records: AuditRecord[] = await readAll(admin, '/v1/audit', { service: 'audit-b' });
    expect(records.map((record) => record.type)).toEqual(['version.registered', 'service.created']);
    expect(records).toEqual(everything.filter((record) => record.service === 'audit-b'));
    expect(await readAll(admin, '/v1/audit', { service: 'nothing-here' })).toEqual([]);
  });

  it('filters by actor', async () => {
    const records: AuditRecord[] = await readAll(admin, '/v1/audit', { actor: deployerKey.id, limit: 2 });
    expect(records.length).toBe(5);
    expect(records).toEqual(everything.filter((record) => record.actor.keyId === deployerKey.id));
    const bootstrap: AuditRecord[] = await readAll(admin, '/v1/audit', { actor: 'bootstrap', limit: 100 });
    expect(bootstrap).toEqual(everything.filter((record) => record.actor.keyId === 'bootstrap'));
  });

  it('filters by type, and by a family of types with .*', async () => {
    const released: AuditRecord[] = await readAll(admin, '/v1/audit', { type: 'version.released' });
    expect(released).toEqual(everything.filter((record) => record.type === 'version.released'));
    expect(released).toHaveLength(1);
    const family: AuditRecord[] = await readAll(admin, '/v1/audit', { type: 'version.*', limit: 2 });
    expect(family).toEqual(everything.filter((record) => record.type.startsWith('version.')));
    expect(family.length).toBe(6);
    const keys: AuditRecord[] = await readAll(admin, '/v1/audit', { type: 'apikey.*' });
    // the bootstrap key made at start-up, and the two made here
    expect(keys.map((record) => record.type).sort()).toEqual(['apikey.created', 'apikey.created', 'apikey.created', 'apikey.revoked']);
    expect(keys.at(-1)).toMatchObject({ type: 'apikey.created', subject: 'apikey/bootstrap', actor: { keyId: 'system' }, service: null });
    expect(await readAll(admin, '/v1/audit', { type: 'deployment.*' })).toEqual([]);
  });

  it('combines filters', async () => {
    const records: AuditRecord[] = await readAll(admin, '/v1/audit', { service: 'audit-a', actor: deployerKey.id, type: 'version.*' });
    expect(records.map((record) => record.type)).toEqual([
      'version.deprecated',
      'version.released',
      'version.changes_added',
      'version.registered',
    ]);
  });

  it('filters by time: from is inclusive, to is exclusive', async () => {
    const after: AuditRecord[] = await readAll(admin, '/v1/audit', { from: checkpoint });
    const before: AuditRecord[] = await readAll(admin, '/v1/audit', { to: checkpoint });
    expect(after).toEqual(everything.filter((record) => record.at >= checkpoint));
    expect(before).toEqual(everything.filter((record) => record.at < checkpoint));
    expect(after.length).toBeGreaterThan(0);
    expect(before.length).toBeGreaterThan(0);
    expect(after.length + before.length).toBe(everything.length);
    expect(after.map((record) => record.type)).toContain('version.deprecated');
    expect(before.map((record) => record.type)).toContain('version.released');

    // a record's own timestamp: included as from, excluded as to
    const pivot = everything[Math.floor(everything.length / 2)] as AuditRecord;
    const fromPivot: AuditRecord[] = await readAll(admin, '/v1/audit', { from: pivot.at });
    expect(fromPivot.map((record) => record.id)).toContain(pivot.id);
    expect(fromPivot).toEqual(everything.filter((record) => record.at >= pivot.at));
    const toPivot: AuditRecord[] = await readAll(admin, '/v1/audit', { to: pivot.at });
    expect(toPivot.map((record) => record.id)).not.toContain(pivot.id);
    expect(toPivot).toEqual(everything.filter((record) => record.at < pivot.at));

    const window: AuditRecord[] = await readAll(admin, '/v1/audit', {
      from: everything.at(-1)?.at as string,
      to: checkpoint,
      service: 'audit-a',
    });
    expect(window).toEqual(everything.filter((record) => record.service === 'audit-a' && record.at < checkpoint));

    // dates without a time, and windows with nothing in them
    expect(await readAll(admin, '/v1/audit', { from: '2000-01-01', limit: 100 })).toEqual(everything);
    expect(await readAll(admin, '/v1/audit', { to: '2000-01-01' })).toEqual([]);
    expect(await readAll(admin, '/v1/audit', { from: '2999-01-01T00:00:00Z' })).toEqual([]);
    expect(await readAll(admin, '/v1/audit', { from: checkpoint, to: checkpoint })).toEqual([]);
  });

  it('refuses bad filters with 400', async () => {
    expectInvalid(await admin.get('/v1/audit', { query: { from: 'yesterday' } }), '/query/from');
    expectInvalid(await admin.get('/v1/audit', { query: { to: '2024-13-40' } }), '/query/to');
    expectInvalid(await admin.get('/v1/audit', { query: { type: 'version.released.now' } }), '/query/type');
    expectInvalid(await admin.get('/v1/audit', { query: { service: 'Not A Slug' } }), '/query/service');
    expectInvalid(await admin.get('/v1/audit', { query: { subject: 'x' } }), '/query/subject');
    expectInvalid(await admin.get('/v1/audit', { query: { from: '2025-01-02', to: '2025-01-01' } }), '/query/to');
    expectProblem(await admin.get('/v1/audit', { query: { cursor: 'eyJQSyI6IngifQ' } }), 400);
  });

  it("refuses one filter's cursor under another", async () => {
    const page = await admin.get('/v1/audit', { query: { service: 'audit-a', limit: 1 } });
    expect(page.json.nextCursor).toEqual(expect.any(String));
    expectProblem(await admin.get('/v1/audit', { query: { service: 'audit-b', cursor: page.json.nextCursor } }), 400);
    expectProblem(await admin.get('/v1/audit', { query: { cursor: page.json.nextCursor } }), 400);
  });
});

describe('the export', () => {
  it('streams every record as NDJSON, oldest first', async () => {
    const everything: AuditRecord[] = await readAll(admin, '/v1/audit', { limit: 100 });
    const response = await admin.get('/v1/audit/export');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^application\/x-ndjson/);
    expect(response.headers.get('link')).toBeNull();
    expect(response.text.endsWith('\n')).toBe(true);
    const lines = response.text.slice(0, -1).split('\n');
    const records = lines.map((line) => JSON.parse(line) as AuditRecord);
    for (const line of lines) expect(line).toBe(JSON.stringify(JSON.parse(line)));
    expect(records).toEqual([...everything].reverse());
  });

  it('honours from and to', async () => {
    const everything: AuditRecord[] = (await readAll(admin, '/v1/audit', { limit: 100 })).reverse();
    const after = await admin.get('/v1/audit/export', { query: { from: checkpoint } });
    const parse = (text: string) =>
      text
        .split('\n')
        .filter(Boolean)
        .map((line) => JSON.parse(line) as AuditRecord);
    expect(parse(after.text)).toEqual(everything.filter((record) => record.at >= checkpoint));
    const before = await admin.get('/v1/audit/export', { query: { to: checkpoint } });
    expect(parse(before.text)).toEqual(everything.filter((record) => record.at < checkpoint));
    const empty = await admin.get('/v1/audit/export', { query: { from: '2999-01-01' } });
    expect(empty.status).toBe(200);
    expect(empty.text).toBe('');
  });

  it('refuses bad parameters with 400', async () => {
    expectInvalid(await admin.get('/v1/audit/export', { query: { from: 'soon' } }), '/query/from');
    expectInvalid(await admin.get('/v1/audit/export', { query: { service: 'audit-a' } }), '/query/service');
    expectInvalid(await admin.get('/v1/audit/export', { query: { from: '2025-01-02', to: '2025-01-01' } }), '/query/to');
    expectProblem(await admin.get('/v1/audit/export', { query: { cursor: 'garbage' } }), 400);
  });
});

describe('the compliance report', () => {
  it('counts per type, per actor and per service, and lists the critical events', async () => {
    const everything: AuditRecord[] = await readAll(admin, '/v1/audit', { limit: 100 });
    const response = await admin.get('/v1/audit/report');
    expect(response.status).toBe(200);
    const report = response.json;
    expect(report).toMatchObject({ from: null, to: null, total: everything.length, truncated: false });
    expect(report.generatedAt).toMatch(ISO);

    const byType: Record<string, number> = {};
    const byService: Record<string, number> = {};
    const byActor = new Map<string, { keyId: string; name: string; count: number }>();
    for (const record of everything) {
      byType[record.type] = (byType[record.type] ?? 0) + 1;
      if (record.service) byService[record.service] = (byService[record.service] ?? 0) + 1;
      const actor = byActor.get(record.actor.keyId) ?? { ...record.actor, count: 0 };
      actor.count++;
      byActor.set(record.actor.keyId, actor);
    }
    expect(report.byType).toEqual(byType);
    expect(report.byService).toEqual(byService);
    expect(report.byService).toEqual({ 'audit-a': 7, 'audit-b': 2 });
    expect([...report.byActor].sort((a, b) => a.keyId.localeCompare(b.keyId))).toEqual(
      [...byActor.values()].sort((a, b) => a.keyId.localeCompare(b.keyId)),
    );
    expect(report.byActor.find((actor: { keyId: string }) => actor.keyId === deployerKey.id)).toEqual({
      keyId: deployerKey.id,
      name: 'audit-deployer',
      count: 5,
    });
    const counts = report.byActor.map((actor: { count: number }) => actor.count);
    expect(counts).toEqual([...counts].sort((a, b) => b - a));

    const critical: AuditRecord[] = report.criticalEvents;
    expect(critical.map((record) => record.id).sort()).toEqual(
      everything
        .filter((record) => CRITICAL.has(record.type))
        .map((record) => record.id)
        .sort(),
    );
    expect(critical.map((record) => record.type)).toEqual(expect.arrayContaining(['apikey.created', 'apikey.revoked', 'version.retired']));
    expect(critical.find((record) => record.type === 'version.retired')).toMatchObject({
      subject: 'version/audit-a@1.0.0',
      requestId: requestIds['audit-a 1.0.0 retired'],
    });
  });

  it('covers only its window, and says which', async () => {
    const everything: AuditRecord[] = await readAll(admin, '/v1/audit', { limit: 100 });
    const response = await admin.get('/v1/audit/report', { query: { from: checkpoint } });
    expect(response.status).toBe(200);
    const inWindow = everything.filter((record) => record.at >= checkpoint);
    expect(response.json.from).toBe(checkpoint);
    expect(response.json.to).toBeNull();
    expect(response.json.total).toBe(inWindow.length);
    expect(response.json.byType['service.updated']).toBeUndefined();
    expect(response.json.byType['version.retired']).toBe(1);
    const dated = await admin.get('/v1/audit/report', { query: { from: '2000-01-01', to: '2000-01-02' } });
    expect(dated.json).toMatchObject({
      from: '2000-01-01T00:00:00.000Z',
      to: '2000-01-02T00:00:00.000Z',
      total: 0,
      byType: {},
      byService: {},
      byActor: [],
      criticalEvents: [],
    });
  });

  it('refuses bad parameters with 400', async () => {
    expectInvalid(await admin.get('/v1/audit/report', { query: { from: 'last week' } }), '/query/from');
    expectInvalid(await admin.get('/v1/audit/report', { query: { type: 'version.*' } }), '/query/type');
    expectInvalid(await admin.get('/v1/audit/report', { query: { from: '2025-01-02', to: '2025-01-01' } }), '/query/to');
  });
});

describe('what the trail records, and what it never does', () => {
  it('never contains an API key secret or its hash: not in the search, the history, the export or the report', async () => {
    expect(secrets.length).toBe(2);
    const texts = [
      (await admin.get('/v1/audit/export')).text,
      (await admin.get('/v1/audit/report')).text,
      (await admin.get('/v1/audit', { query: { limit: 100 } })).text,
      (await admin.get('/v1/audit', { query: { type: 'apikey.*', limit: 100 } })).text,
    ];
    expect(texts[0]).toContain('apikey.created');
    for (const secret of [...secrets, runtime.adminKey]) {
      const hash = createHash('sha256').update(secret).digest('hex');
      for (const text of texts) {
        expect(text.includes(secret)).toBe(false);
        expect(text.includes(hash)).toBe(false);
        // nor the secret's random part
        expect(text.includes(secret.slice(4))).toBe(false);
      }
    }
  });

  it('records nothing for requests that fail', async () => {
    const before: AuditRecord[] = await readAll(admin, '/v1/audit', { limit: 100 });
    expectProblem(await admin.post('/v1/services', { name: 'audit-a', kind: 'api' }), 409);
    expectProblem(await admin.post('/v1/services', { name: 'x', kind: 'api' }), 400);
    expectProblem(await admin.patch('/v1/services/audit-a', { owner: 'c@example.com' }, { headers: { 'if-match': '"0"' } }), 412);
    expectProblem(await admin.post('/v1/services/audit-a/versions', { version: '1.0.0' }), 409);
    expectProblem(await admin.post('/v1/services/audit-a/versions/1.0.0/release'), 409);
    expectProblem(await admin.post('/v1/services/audit-b/versions/0.1.0/changes', { changes: [] }), 400);
    expectProblem(await admin.as(null).post('/v1/services', { name: 'anon-api', kind: 'api' }), 401);
    expectProblem(await deployer.post('/v1/services', { name: 'dep-api', kind: 'api' }), 403);
    expectProblem(await admin.delete('/v1/api-keys/01ARZ3NDEKTSV4RRFFQ69G5FAV'), 404);
    const after: AuditRecord[] = await readAll(admin, '/v1/audit', { limit: 100 });
    expect(after).toEqual(before);
  });
});

it('answered no request with a server error, and every error as problem+json', () => {
  expect(admin.log.length).toBeGreaterThan(50);
  expectNoServerErrors(admin.log);
});
