import { describe, expect, it } from 'vitest';
import { configureStore } from '../../functions/kernel/store/client.ts';
import { handler as fallback } from '../../functions/handlers/fallback.ts';
import { handler as reconcileHandler } from '../../functions/handlers/reconcile.ts';
import { handler as system } from '../../functions/handlers/system.ts';
import { apiEvent } from '../helpers/api-event.ts';
import { bootstrapAdmin, expectProblem, invoke, keyFor, send } from '../helpers/handler-client.ts';
import { TEST_TABLE, useLocalStore } from '../helpers/local-store.ts';

const store = useLocalStore();

describe('probes and documents (public)', () => {
  it('answers liveness without a key', async () => {
    // Act
    const reply = await invoke(system, apiEvent({ routeKey: 'GET /health' }));

    // Assess
    expect(reply.status).toBe(200);
    expect(reply.body).toEqual({ status: 'ok' });
    expect(reply.headers['cache-control']).toBe('no-store');
  });

  it('answers readiness when the table answers', async () => {
    // Act
    const reply = await invoke(system, apiEvent({ routeKey: 'GET /health/ready' }));

    // Assess
    expect(reply.status).toBe(200);
    expect(reply.body).toEqual({ status: 'ready', checks: { table: 'ok' } });
  });

  it('answers 503 for readiness when the table does not answer', async () => {
    // Prepare
    configureStore({ tableName: 'no-such-table', endpoint: store.endpoint });

    try {
      // Act
      const reply = await invoke(system, apiEvent({ routeKey: 'GET /health/ready' }));

      // Assess
      expect(reply.status).toBe(503);
      expect(reply.body).toEqual({ status: 'unavailable', checks: { table: 'failing' } });
    } finally {
      configureStore({ tableName: TEST_TABLE, endpoint: store.endpoint });
    }
  });

  it('serves the OpenAPI 3.1 document and the HTML reference', async () => {
    // Act
    const document = await invoke(system, apiEvent({ routeKey: 'GET /openapi.json' }));
    const docs = await invoke(system, apiEvent({ routeKey: 'GET /docs' }));

    // Assess
    expect(document.status).toBe(200);
    expect(document.body.openapi).toBe('3.1.0');
    expect(Object.keys(document.body.paths)).toContain('/v1/services/{name}/versions/{version}/release');
    expect(docs.status).toBe(200);
    expect(docs.headers['content-type']).toMatch(/^text\/html/);
    expect(docs.text).toContain('/docs/scalar.js');
    expect(docs.text).toContain('"url":"/openapi.json"');
  });
});

describe('GET /system/info', () => {
  it('tells a viewer the version, stage, region and uptime', async () => {
    // Prepare
    await bootstrapAdmin();
    const { key } = await keyFor('viewer');

    // Act
    const reply = await send(system, { routeKey: 'GET /system/info', key });

    // Assess
    expect(reply.status).toBe(200);
    expect(reply.body).toMatchObject({ name: 'steward', version: expect.any(String), stage: expect.any(String), runtime: 'local' });
    expect(reply.body.uptimeSeconds).toBeGreaterThanOrEqual(0);
  });

  it('answers 401 without a key', async () => {
    // Act
    const reply = await send(system, { routeKey: 'GET /system/info' });

    // Assess
    expectProblem(reply, 401);
  });
});

describe('the $default route', () => {
  it('answers a path no route has with 404', async () => {
    // Act
    const reply = await invoke(fallback, apiEvent({ routeKey: '$default', method: 'GET', path: '/v1/nothing-here' }));

    // Assess
    const problem = expectProblem(reply, 404);
    expect(problem.detail).toContain('/v1/nothing-here');
  });

  it('answers a known path with the wrong method with 405 and Allow', async () => {
    // Act
    const reply = await invoke(fallback, apiEvent({ routeKey: '$default', method: 'PUT', path: '/v1/services/payments-api' }));

    // Assess
    expectProblem(reply, 405);
    expect(reply.headers.allow).toBe('GET, PATCH');
  });

  it('answers an unknown lifecycle action with 404', async () => {
    // Act
    const reply = await invoke(
      fallback,
      apiEvent({ routeKey: '$default', method: 'POST', path: '/v1/services/x-api/versions/1.0.0/resurrect' }),
    );

    // Assess
    expectProblem(reply, 404);
  });
});

describe('the reconciler', () => {
  it('reports what it projected, started and published: nothing, when nothing was left behind', async () => {
    // Act
    const outcome = await reconcileHandler();

    // Assess
    expect(outcome).toEqual({ projected: 0, failed: 0, stuckDeployments: 0, published: 0 });
  });
});
