import { createHash } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { handler as apiKeys } from '../../functions/handlers/api-keys.ts';
import { handler as authorizer } from '../../functions/handlers/authorizer.ts';
import { handler as services } from '../../functions/handlers/services.ts';
import { bootstrapAdmin, expectProblem, keyFor, send } from '../helpers/handler-client.ts';
import { useLocalStore } from '../helpers/local-store.ts';

useLocalStore();

const CREATE = 'POST /v1/api-keys';
const LIST = 'GET /v1/api-keys';
const REVOKE = 'DELETE /v1/api-keys/{id}';

let admin: string;

beforeAll(async () => {
  admin = await bootstrapAdmin();
});

async function listAll(key = admin) {
  const items: any[] = [];
  const texts: string[] = [];
  let cursor: string | undefined;
  do {
    const reply = await send(apiKeys, { routeKey: LIST, key, query: { limit: '2', ...(cursor ? { cursor } : {}) } });
    expect(reply.status, reply.text).toBe(200);
    items.push(...reply.body.items);
    texts.push(reply.text);
    cursor = reply.body.nextCursor ?? undefined;
  } while (cursor);
  return { items, text: texts.join('\n') };
}

describe('POST /v1/api-keys', () => {
  it('creates a key and shows its secret this once', async () => {
    // Act
    const reply = await send(apiKeys, { routeKey: CREATE, key: admin, body: { name: 'ci-pipeline', role: 'deployer' } });

    // Assess
    expect(reply.status, reply.text).toBe(201);
    expect(reply.headers['cache-control']).toBe('no-store');
    expect(reply.headers.location).toBe(`/v1/api-keys/${reply.body.id}`);
    expect(reply.body).toMatchObject({
      name: 'ci-pipeline',
      role: 'deployer',
      services: null,
      status: 'active',
      createdBy: { keyId: 'bootstrap', name: 'bootstrap-admin' },
      revokedAt: null,
      revokedBy: null,
    });
    expect(reply.body.key).toMatch(/^stw_[A-Za-z0-9_-]{43}$/);
    expect(reply.body.prefix).toBe(reply.body.key.slice(0, 8));
    expect(reply.body).not.toHaveProperty('hash');
  });

  it('makes a key that authenticates at once with its role', async () => {
    // Prepare
    const created = await send(apiKeys, { routeKey: CREATE, key: admin, body: { name: 'reader', role: 'viewer' } });

    // Act
    const decision = await authorizer({ headers: { authorization: `Bearer ${created.body.key}` } });

    // Assess
    expect(decision).toEqual({
      isAuthorized: true,
      context: { authenticated: 'true', keyId: created.body.id, name: 'reader', role: 'viewer', services: 'null' },
    });
  });

  it('limits a key to the services given, sorted and without repeats', async () => {
    // Act
    const reply = await send(apiKeys, {
      routeKey: CREATE,
      key: admin,
      body: { name: 'team-key', role: 'deployer', services: ['orders-api', 'billing-api', 'orders-api'] },
    });

    // Assess
    expect(reply.status).toBe(201);
    expect(reply.body.services).toEqual(['billing-api', 'orders-api']);
  });

  it.each([
    { body: { name: 'x', role: 'owner' }, pointer: '/body/role' },
    { body: { role: 'viewer' }, pointer: '/body/name' },
    { body: { name: 'x', role: 'viewer', services: ['Not Valid'] }, pointer: '/body/services/0' },
    { body: { name: 'x', role: 'viewer', services: [] }, pointer: '/body/services' },
    { body: { name: 'x', role: 'viewer', key: 'my-own-secret' }, pointer: '/body/key' },
  ])('refuses $body with a pointer at $pointer', async ({ body, pointer }) => {
    // Act
    const reply = await send(apiKeys, { routeKey: CREATE, key: admin, body });

    // Assess
    const problem = expectProblem(reply, 400);
    expect(problem.errors.map((error: { pointer: string }) => error.pointer)).toContain(pointer);
  });

  it.each([
    { who: 'a viewer', make: () => keyFor('viewer') },
    { who: 'a deployer', make: () => keyFor('deployer') },
    { who: 'an admin limited to services', make: () => keyFor('admin', ['payments-api']) },
  ])('refuses $who with 403', async ({ make }) => {
    // Prepare
    const { key } = await make();

    // Act
    const reply = await send(apiKeys, { routeKey: CREATE, key, body: { name: 'escalate', role: 'admin' } });

    // Assess
    expectProblem(reply, 403);
  });
});

describe('GET /v1/api-keys', () => {
  it('lists keys, oldest first, without ever showing a secret or its hash', async () => {
    // Prepare
    const created = await send(apiKeys, { routeKey: CREATE, key: admin, body: { name: 'listed', role: 'viewer' } });
    const secret = created.body.key as string;
    const hash = createHash('sha256').update(secret).digest('hex');

    // Act
    const { items, text } = await listAll();

    // Assess
    const listed = items.find((item) => item.id === created.body.id);
    expect(listed).toMatchObject({ name: 'listed', role: 'viewer', status: 'active', prefix: secret.slice(0, 8) });
    for (const item of items) {
      expect(item).not.toHaveProperty('key');
      expect(item).not.toHaveProperty('hash');
    }
    expect(text).not.toContain(secret);
    expect(text).not.toContain(hash);
    expect(text).not.toContain(admin);
    expect(items.map((item) => item.id)).toContain('bootstrap');
    expect(new Set(items.map((item) => item.id)).size).toBe(items.length);
  });

  it('refuses a deployer with 403', async () => {
    // Prepare
    const { key } = await keyFor('deployer');

    // Act
    const reply = await send(apiKeys, { routeKey: LIST, key });

    // Assess
    expectProblem(reply, 403);
  });
});

describe('DELETE /v1/api-keys/{id}', () => {
  it('revokes a key so that the authorizer no longer accepts it and its requests get 401', async () => {
    // Prepare
    const created = await send(apiKeys, { routeKey: CREATE, key: admin, body: { name: 'short-lived', role: 'admin' } });
    const secret = created.body.key as string;
    const before = await send(services, { routeKey: 'GET /v1/services', key: secret });

    // Act
    const reply = await send(apiKeys, { routeKey: REVOKE, pathParameters: { id: created.body.id }, key: admin });

    // Assess
    expect(before.status).toBe(200);
    expect(reply.status).toBe(204);
    expect(reply.text).toBe('');
    const decision = await authorizer({ headers: { authorization: `Bearer ${secret}` } });
    expect(decision.context).toEqual({ authenticated: 'false', reason: expect.stringMatching(/revoked/) });
    expectProblem(await send(services, { routeKey: 'GET /v1/services', key: secret }), 401);
    const { items } = await listAll();
    expect(items.find((item) => item.id === created.body.id)).toMatchObject({
      status: 'revoked',
      revokedAt: expect.any(String),
      revokedBy: { keyId: 'bootstrap', name: 'bootstrap-admin' },
    });
  });

  it('treats revoking a revoked key as done', async () => {
    // Prepare
    const { id } = await keyFor('viewer');
    await send(apiKeys, { routeKey: REVOKE, pathParameters: { id }, key: admin });

    // Act
    const again = await send(apiKeys, { routeKey: REVOKE, pathParameters: { id }, key: admin });

    // Assess
    expect(again.status).toBe(204);
  });

  it('answers 404 for a key that does not exist', async () => {
    // Act
    const reply = await send(apiKeys, { routeKey: REVOKE, pathParameters: { id: '01JDQ6Z5K2N3P4Q5R6S7T8V9W0' }, key: admin });

    // Assess
    expectProblem(reply, 404);
  });

  it('answers 400 for an id that cannot be a key id', async () => {
    // Act
    const reply = await send(apiKeys, { routeKey: REVOKE, pathParameters: { id: 'not-a-key!' }, key: admin });

    // Assess
    expect(expectProblem(reply, 400).errors[0].pointer).toBe('/path/id');
  });

  it('refuses a deployer with 403 and leaves the key working', async () => {
    // Prepare
    const target = await keyFor('viewer');
    const { key } = await keyFor('deployer');

    // Act
    const reply = await send(apiKeys, { routeKey: REVOKE, pathParameters: { id: target.id }, key });

    // Assess
    expectProblem(reply, 403);
    expect((await authorizer({ headers: { authorization: `Bearer ${target.key}` } })).context.authenticated).toBe('true');
  });
});
