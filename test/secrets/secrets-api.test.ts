import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Runtime } from '../../local/runtime.ts';
import { type ApiClient, api, expectInvalid, expectNoServerErrors, expectProblem, readAll } from '../helpers/http-client.ts';
import { startTestRuntime } from '../helpers/runtime.ts';

/**
 * Issue 5, item 6, end to end through the local runtime (in-memory value store): store, list,
 * read metadata, reveal, delete and restore; the metadata never carries the value; every bad
 * input is a clear 4xx problem and writes nothing.
 */

let runtime: Runtime;
let client: ApiClient;
const SERVICE = 'vault-api';
const base = `/v1/services/${SERVICE}/secrets`;

beforeAll(async () => {
  runtime = await startTestRuntime();
  client = api(runtime);
  expect((await client.post('/v1/services', { name: SERVICE, kind: 'api' })).status).toBe(201);
});

afterAll(async () => {
  expectNoServerErrors(client.log);
  await runtime?.close();
});

const put = (path: string, body: unknown, headers: Record<string, string> = {}) =>
  client.request('PUT', `${base}/${path}`, body, { headers });

async function secretEvents(subject?: string): Promise<Array<{ type: string; subject: string; changes: any; actor: any }>> {
  const items = await readAll(client, `/v1/services/${SERVICE}/history`, { type: 'secret.*' });
  return subject ? items.filter((event) => event.subject === subject) : items;
}

describe('storing a secret', () => {
  it('creates it with 201, a Location, an ETag and metadata only', async () => {
    // Act
    const response = await put('prod/DB_PASSWORD', {
      value: 'correct-horse-battery-staple',
      type: 'password',
      description: 'Primary database',
      expiresAt: '2031-01-01T00:00:00+01:00',
      rotationDays: 90,
    });

    // Assess
    expect(response.status, response.text).toBe(201);
    expect(response.headers.get('location')).toBe(`${base}/prod/DB_PASSWORD`);
    expect(response.headers.get('etag')).toBe('"1"');
    expect(response.json).toMatchObject({
      service: SERVICE,
      environment: 'prod',
      name: 'DB_PASSWORD',
      type: 'password',
      description: 'Primary database',
      version: 1,
      status: 'active',
      expiresAt: '2030-12-31T23:00:00.000Z',
      rotationDays: 90,
      lastRevealedAt: null,
      deletionDate: null,
      etag: '"1"',
    });
    expect(response.json.rotationDueAt).toBe(new Date(Date.parse(response.json.updatedAt) + 90 * 86_400_000).toISOString());
    expect(response.text).not.toContain('correct-horse-battery-staple');
    expect(response.json).not.toHaveProperty('value');
  });

  it('writes a new version with 200; fields left out keep their setting, null clears one', async () => {
    // Prepare
    await put('prod/ROTATING', { value: 'first-value', type: 'api-key', description: 'Partner key', rotationDays: 30 });

    // Act
    const second = await put('prod/ROTATING', { value: 'second-value' });
    const third = await put(
      'prod/ROTATING',
      { value: 'third-value', description: null },
      { 'if-match': second.headers.get('etag') as string },
    );

    // Assess
    expect(second.status).toBe(200);
    expect(second.json).toMatchObject({ version: 2, type: 'api-key', description: 'Partner key', rotationDays: 30 });
    expect(third.status).toBe(200);
    expect(third.json).toMatchObject({ version: 3, type: 'api-key', description: null, rotationDays: 30, etag: '"3"' });
    const types = (await secretEvents(`secret/${SERVICE}/prod/ROTATING`)).map((event) => event.type);
    expect(types).toEqual(['secret.updated', 'secret.updated', 'secret.created']);
  });

  it('records metadata changes in the audit trail, never the value', async () => {
    // Prepare
    await put('staging/AUDITED', { value: 'audited-value-1', rotationDays: 7 });
    await put('staging/AUDITED', { value: 'audited-value-2', rotationDays: 14 });

    // Act
    const [updated, created] = await secretEvents(`secret/${SERVICE}/staging/AUDITED`);

    // Assess
    expect(created?.type).toBe('secret.created');
    expect(created?.changes.before).toBeNull();
    expect(created?.changes.after).toMatchObject({ version: 1, rotationDays: 7, valueChanged: true });
    expect(updated?.changes.before).toMatchObject({ version: 1, rotationDays: 7 });
    expect(updated?.changes.after).toMatchObject({ version: 2, rotationDays: 14, valueChanged: true });
    expect(updated?.actor.keyId).toBe('bootstrap');
    expect(JSON.stringify([updated, created])).not.toMatch(/audited-value/);
  });
});

describe('reading metadata', () => {
  it('shows one secret with its ETag, and 404 for a name never stored', async () => {
    // Prepare
    await put('prod/READ_ME', { value: 'read-me-value' });

    // Act
    const found = await client.get(`${base}/prod/READ_ME`);
    const missing = await client.get(`${base}/prod/NEVER_STORED`);

    // Assess
    expect(found.status).toBe(200);
    expect(found.headers.get('etag')).toBe('"1"');
    expect(found.json).toMatchObject({ name: 'READ_ME', version: 1, type: 'generic' });
    expect(found.text).not.toContain('read-me-value');
    expectProblem(missing, 404);
  });

  it('lists by environment then name, in pages, and filters by environment', async () => {
    // Prepare
    for (const name of ['LIST_C', 'LIST_A', 'LIST_B']) await put(`listing/${name}`, { value: `v-${name}` });
    await put('listing-eu/LIST_A', { value: 'v-eu' });

    // Act
    const page = await client.get(base, { query: { environment: 'listing', limit: 2 } });
    const all = await readAll(client, base, { environment: 'listing', limit: 2 });
    const everything = await readAll(client, base, { limit: 3 });

    // Assess
    expect(page.json.items).toHaveLength(2);
    expect(page.json.nextCursor).toEqual(expect.any(String));
    expect(all.map((secret) => secret.name)).toEqual(['LIST_A', 'LIST_B', 'LIST_C']);
    const listed = everything.map((secret) => [secret.environment, secret.name] as [string, string]);
    const byEnvironmentThenName = (a: [string, string], b: [string, string]) =>
      a[0] === b[0] ? (a[1] < b[1] ? -1 : 1) : a[0] < b[0] ? -1 : 1;
    expect(listed).toEqual([...listed].sort(byEnvironmentThenName));
    expect(listed).toContainEqual(['listing-eu', 'LIST_A']);
    expect(JSON.stringify(everything)).not.toContain('v-LIST');
  });

  it('answers 404 for the secrets of an unknown service', async () => {
    expectProblem(await client.get('/v1/services/no-such-service/secrets'), 404);
    expectProblem(await client.get('/v1/services/no-such-service/secrets/prod/X'), 404);
  });
});

describe('revealing', () => {
  it('returns the current value, not cacheable, and records who and when', async () => {
    // Prepare
    await put('prod/REVEAL_ME', { value: 'first-reveal-value' });
    await put('prod/REVEAL_ME', { value: 'second-reveal-value' });

    // Act
    const response = await client.post(`${base}/prod/REVEAL_ME/reveal`);

    // Assess
    expect(response.status).toBe(200);
    expect(response.headers.get('cache-control')).toBe('no-store');
    expect(response.json).toMatchObject({
      service: SERVICE,
      environment: 'prod',
      name: 'REVEAL_ME',
      version: 2,
      value: 'second-reveal-value',
    });
    const metadata = await client.get(`${base}/prod/REVEAL_ME`);
    expect(metadata.json.lastRevealedAt).toBe(response.json.revealedAt);
    expect(metadata.json.lastRevealedBy).toEqual({ keyId: 'bootstrap', name: 'bootstrap-admin' });
    expect(metadata.headers.get('etag')).toBe('"2"');
    const [revealed] = await secretEvents(`secret/${SERVICE}/prod/REVEAL_ME`);
    expect(revealed).toMatchObject({
      type: 'secret.revealed',
      actor: { keyId: 'bootstrap', name: 'bootstrap-admin' },
      changes: { after: { version: 2, lastRevealedAt: response.json.revealedAt } },
    });
  });

  it('accepts an empty JSON body and refuses any other', async () => {
    // Prepare
    await put('prod/REVEAL_BODY', { value: 'body-value' });

    // Act
    const empty = await client.post(`${base}/prod/REVEAL_BODY/reveal`, {});
    const extra = await client.post(`${base}/prod/REVEAL_BODY/reveal`, { version: 1 });

    // Assess
    expect(empty.status).toBe(200);
    expectInvalid(extra, '/body/version');
  });

  it('answers 404 for a secret that does not exist, with no audit record', async () => {
    // Act
    const response = await client.post(`${base}/prod/NOT_THERE/reveal`);

    // Assess
    expectProblem(response, 404);
    expect(await secretEvents(`secret/${SERVICE}/prod/NOT_THERE`)).toEqual([]);
  });
});

describe('deleting', () => {
  it('schedules deletion with a 30-day recovery window by default and answers 202 with the date', async () => {
    // Prepare
    await put('prod/DELETE_ME', { value: 'delete-me-value' });
    const before = Date.now();

    // Act
    const response = await client.delete(`${base}/prod/DELETE_ME`);

    // Assess
    expect(response.status).toBe(202);
    expect(response.json.status).toBe('scheduled_deletion');
    const days = (Date.parse(response.json.deletionDate) - before) / 86_400_000;
    expect(days).toBeGreaterThanOrEqual(30);
    expect(days).toBeLessThan(30.01);
    const [event] = await secretEvents(`secret/${SERVICE}/prod/DELETE_ME`);
    expect(event).toMatchObject({
      type: 'secret.deletion_scheduled',
      changes: { after: { status: 'scheduled_deletion', deletionDate: response.json.deletionDate, recoveryDays: 30 } },
    });
  });

  it('takes a recovery window of 7 to 30 days, refusing others with nothing written', async () => {
    // Prepare
    await put('prod/DELETE_WINDOW', { value: 'window-value' });

    // Act
    const tooShort = await client.delete(`${base}/prod/DELETE_WINDOW`, { query: { recoveryDays: 6 } });
    const tooLong = await client.delete(`${base}/prod/DELETE_WINDOW`, { query: { recoveryDays: 31 } });
    const notNumber = await client.delete(`${base}/prod/DELETE_WINDOW`, { query: { recoveryDays: 'soon' } });
    const seven = await client.delete(`${base}/prod/DELETE_WINDOW`, { query: { recoveryDays: 7 } });

    // Assess
    expectInvalid(tooShort, '/query/recoveryDays');
    expectInvalid(tooLong, '/query/recoveryDays');
    expectInvalid(notNumber, '/query/recoveryDays');
    expect(seven.status).toBe(202);
    const days = (Date.parse(seven.json.deletionDate) - Date.now()) / 86_400_000;
    expect(Math.round(days)).toBe(7);
    const types = (await secretEvents(`secret/${SERVICE}/prod/DELETE_WINDOW`)).map((event) => event.type);
    expect(types).toEqual(['secret.deletion_scheduled', 'secret.created']);
  });

  it('refuses reveals while scheduled (409), changes nothing when deleted again, and a PUT restores it', async () => {
    // Prepare
    await put('prod/RESTORE_ME', { value: 'old-restore-value' });
    const deleted = await client.delete(`${base}/prod/RESTORE_ME`);

    // Act
    const reveal = await client.post(`${base}/prod/RESTORE_ME/reveal`);
    const again = await client.delete(`${base}/prod/RESTORE_ME`);
    const listed = await readAll(client, base, { environment: 'prod' });
    const restored = await put('prod/RESTORE_ME', { value: 'new-restore-value' });
    const revealed = await client.post(`${base}/prod/RESTORE_ME/reveal`);

    // Assess
    expect(expectProblem(reveal, 409).deletionDate).toBe(deleted.json.deletionDate);
    expect(again.status).toBe(202);
    expect(again.json.deletionDate).toBe(deleted.json.deletionDate);
    expect(listed.find((secret) => secret.name === 'RESTORE_ME')?.status).toBe('scheduled_deletion');
    expect(restored.status).toBe(200);
    expect(restored.json).toMatchObject({ version: 2, status: 'active', deletionDate: null });
    expect(revealed.json.value).toBe('new-restore-value');
    const types = (await secretEvents(`secret/${SERVICE}/prod/RESTORE_ME`)).map((event) => event.type);
    expect(types).toEqual(['secret.revealed', 'secret.updated', 'secret.deletion_scheduled', 'secret.created']);
  });

  it('answers 404 for a secret that does not exist', async () => {
    expectProblem(await client.delete(`${base}/prod/NEVER_THERE`), 404);
  });
});

describe('optimistic concurrency', () => {
  it('refuses a stale If-Match with 412 and keeps the value', async () => {
    // Prepare
    await put('prod/GUARDED', { value: 'guarded-1' });
    await put('prod/GUARDED', { value: 'guarded-2' });

    // Act
    const stale = await put('prod/GUARDED', { value: 'guarded-3' }, { 'if-match': '"1"' });
    const staleDelete = await client.delete(`${base}/prod/GUARDED`, { headers: { 'if-match': '"1"' } });
    const absent = await put('prod/NOT_YET', { value: 'nothing' }, { 'if-match': '*' });

    // Assess
    expect(expectProblem(stale, 412).currentEtag).toBe('"2"');
    expectProblem(staleDelete, 412);
    expectProblem(absent, 412);
    expect((await client.post(`${base}/prod/GUARDED/reveal`)).json).toMatchObject({ version: 2, value: 'guarded-2' });
    expectProblem(await client.get(`${base}/prod/NOT_YET`), 404);
  });
});

describe('bad input', () => {
  const cases: Array<{ what: string; path: string; body: unknown; pointer: string }> = [
    { what: 'a name with a slash-like character', path: 'prod/bad$name', body: { value: 'x' }, pointer: '/path/secretName' },
    { what: 'a name of only dots', path: 'prod/...', body: { value: 'x' }, pointer: '/path/secretName' },
    { what: 'a name over 128 characters', path: `prod/${'n'.repeat(129)}`, body: { value: 'x' }, pointer: '/path/secretName' },
    { what: 'an environment in capitals', path: 'PROD/NAME', body: { value: 'x' }, pointer: '/path/env' },
    { what: 'a missing value', path: 'prod/NAME', body: { type: 'password' }, pointer: '/body/value' },
    { what: 'an empty value', path: 'prod/NAME', body: { value: '' }, pointer: '/body/value' },
    { what: 'a value that is not a string', path: 'prod/NAME', body: { value: 42 }, pointer: '/body/value' },
    { what: 'a lone surrogate in the value', path: 'prod/NAME', body: { value: 'a\ud800b' }, pointer: '/body/value' },
    { what: 'an unknown type', path: 'prod/NAME', body: { value: 'x', type: 'ssh-key' }, pointer: '/body/type' },
    {
      what: 'an expiry that is not a timestamp',
      path: 'prod/NAME',
      body: { value: 'x', expiresAt: 'next tuesday' },
      pointer: '/body/expiresAt',
    },
    { what: 'a rotation of zero days', path: 'prod/NAME', body: { value: 'x', rotationDays: 0 }, pointer: '/body/rotationDays' },
    { what: 'a fractional rotation', path: 'prod/NAME', body: { value: 'x', rotationDays: 1.5 }, pointer: '/body/rotationDays' },
    { what: 'an unknown field', path: 'prod/NAME', body: { value: 'x', owner: 'me' }, pointer: '/body/owner' },
    {
      what: 'a description over 1000 characters',
      path: 'prod/NAME',
      body: { value: 'x', description: 'd'.repeat(1001) },
      pointer: '/body/description',
    },
  ];

  it.each(cases)('refuses $what with 400 at $pointer', async ({ path, body, pointer }) => {
    expectInvalid(await put(path, body), pointer);
  });

  it('refuses a value over 64 KB with 413, and takes one of exactly 64 KB', async () => {
    // Act
    const tooLarge = await put('prod/LARGE', { value: 'é'.repeat(32_769) });
    const largest = await put('prod/LARGEST', { value: 'x'.repeat(65_536) });

    // Assess
    expect(expectProblem(tooLarge, 413).detail).toMatch(/65536 bytes/);
    expect(largest.status).toBe(201);
    expect((await client.post(`${base}/prod/LARGEST/reveal`)).json.value).toHaveLength(65_536);
  });

  it('refuses a secret for an unknown service with 404', async () => {
    expectProblem(await client.request('PUT', '/v1/services/no-such-service/secrets/prod/X', { value: 'x' }), 404);
  });

  it('wrote nothing for any refused request', async () => {
    // Act
    const listed = await readAll(client, base, { environment: 'prod' });
    const events = await secretEvents();

    // Assess
    expect(listed.map((secret) => secret.name)).not.toContain('NAME');
    expect(listed.map((secret) => secret.name)).not.toContain('LARGE');
    expect(events.map((event) => event.subject)).not.toContain(`secret/${SERVICE}/prod/NAME`);
    expect(events.map((event) => event.subject)).not.toContain(`secret/${SERVICE}/prod/LARGE`);
  });
});

describe('the API description', () => {
  it('documents every secrets route in /openapi.json', async () => {
    // Act
    const document = (await client.get('/openapi.json', { key: null })).json;

    // Assess
    expect(Object.keys(document.paths['/v1/services/{name}/secrets/{env}/{secretName}'])).toEqual(
      expect.arrayContaining(['put', 'get', 'delete']),
    );
    expect(document.paths['/v1/services/{name}/secrets/{env}/{secretName}/reveal'].post.operationId).toBe('revealSecret');
    expect(document.paths['/v1/services/{name}/secrets'].get.operationId).toBe('listSecrets');
  });
});
