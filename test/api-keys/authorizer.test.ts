import { beforeAll, describe, expect, it } from 'vitest';
import { revokeApiKey } from '../../functions/api-keys/api-keys.commands.ts';
import { handler as authorizer } from '../../functions/handlers/authorizer.ts';
import { handler as services } from '../../functions/handlers/services.ts';
import { apiEvent } from '../helpers/api-event.ts';
import { authorize, bootstrapAdmin, expectProblem, invoke, keyFor } from '../helpers/handler-client.ts';
import { useLocalStore } from '../helpers/local-store.ts';

useLocalStore();

let admin: string;

beforeAll(async () => {
  admin = await bootstrapAdmin();
});

describe('the Lambda authorizer', () => {
  it('passes a valid key on as the principal, with its role and scope', async () => {
    // Prepare
    const scoped = await keyFor('deployer', ['payments-api'], 'payments-ci');

    // Act
    const decision = await authorizer({ headers: { authorization: `Bearer ${scoped.key}` } });

    // Assess
    expect(decision).toEqual({
      isAuthorized: true,
      context: { authenticated: 'true', keyId: scoped.id, name: 'payments-ci', role: 'deployer', services: '["payments-api"]' },
    });
  });

  it('passes the bootstrap admin key on as an unscoped admin', async () => {
    // Act
    const decision = await authorizer({ headers: { authorization: `Bearer ${admin}` } });

    // Assess
    expect(decision.context).toEqual({
      authenticated: 'true',
      keyId: 'bootstrap',
      name: 'bootstrap-admin',
      role: 'admin',
      services: 'null',
    });
  });

  it.each([
    { what: 'no Authorization header', headers: {} },
    { what: 'an empty bearer token', headers: { authorization: 'Bearer ' } },
    { what: 'another scheme', headers: { authorization: `Basic ${Buffer.from('admin:admin').toString('base64')}` } },
    { what: 'a token with spaces in it', headers: { authorization: 'Bearer two words' } },
  ])('lets the request through unauthenticated, asking for a bearer key, with $what', async ({ headers }) => {
    // Act
    const decision = await authorizer({ headers });

    // Assess
    expect(decision).toEqual({ isAuthorized: true, context: { authenticated: 'false', reason: expect.stringMatching(/Bearer/) } });
  });

  it('does not accept a key nobody issued', async () => {
    // Act
    const decision = await authorizer({ headers: { authorization: 'Bearer stw_made-up-key-made-up-key-made-up-key-made-up' } });

    // Assess
    expect(decision.context).toEqual({ authenticated: 'false', reason: expect.stringMatching(/not valid/) });
  });

  it('no longer accepts a key once it is revoked', async () => {
    // Prepare
    const { id, key } = await keyFor('viewer');
    await revokeApiKey(id, { actor: { keyId: 'bootstrap', name: 'bootstrap-admin' }, requestId: 'test' });

    // Act
    const decision = await authorizer({ headers: { authorization: `Bearer ${key}` } });

    // Assess
    expect(decision.context.authenticated).toBe('false');
  });

  it('reads the scheme without regard to case, and a capitalised header name', async () => {
    // Act
    const lower = await authorizer({ headers: { authorization: `bearer ${admin}` } });
    const capitalised = await authorizer({ headers: { Authorization: `Bearer ${admin}` } });

    // Assess
    expect(lower.context.authenticated).toBe('true');
    expect(capitalised.context.authenticated).toBe('true');
  });
});

describe('a route behind the authorizer', () => {
  it('serves the principal the authorizer put at requestContext.authorizer.lambda', async () => {
    // Prepare
    const viewer = await keyFor('viewer');
    const event = await authorize(apiEvent({ routeKey: 'GET /v1/services', headers: { authorization: `Bearer ${viewer.key}` } }));

    // Act
    const reply = await invoke(services, event);

    // Assess
    expect((event.requestContext as any).authorizer.lambda).toMatchObject({ authenticated: 'true', keyId: viewer.id, role: 'viewer' });
    expect(reply.status).toBe(200);
  });

  it("answers 401 with the authorizer's reason", async () => {
    // Prepare
    const event = await authorize(apiEvent({ routeKey: 'GET /v1/services', headers: { authorization: 'Bearer nobody-issued-this-key' } }));

    // Act
    const reply = await invoke(services, event);

    // Assess
    expect(expectProblem(reply, 401).detail).toMatch(/not valid/);
  });

  it('answers 401 when no authorizer context reached it at all', async () => {
    // Prepare
    const event = apiEvent({ routeKey: 'GET /v1/services' });

    // Act
    const reply = await invoke(services, event);

    // Assess
    expectProblem(reply, 401);
  });

  it("answers 403 when the authorizer's role is below the route's", async () => {
    // Prepare
    const event = apiEvent({
      routeKey: 'POST /v1/services',
      body: { name: 'viewer-made-api', kind: 'api' },
      principal: { keyId: 'v1', name: 'read-only', role: 'viewer', services: null },
    });

    // Act
    const reply = await invoke(services, event);

    // Assess
    const problem = expectProblem(reply, 403);
    expect(problem.detail).toContain('read-only');
    expect(problem.requestId).toBe(event.requestContext.requestId);
    expect(problem.instance).toBe('/v1/services');
  });
});
