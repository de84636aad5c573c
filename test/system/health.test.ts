import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configureHealthProbes } from '../../functions/system/health.probes.ts';
import { type Runtime, startRuntime } from '../../local/runtime.ts';
import { type ApiClient, api } from '../helpers/http-client.ts';

/** Steward's own health for load balancers and probes: live, ready, deep (issue 12 item 6). */

let runtime: Runtime;
let client: ApiClient;
let viewerKey: string;
let scopedAdminKey: string;

beforeAll(async () => {
  runtime = await startRuntime({ memory: true, port: 0, reconcileEveryMs: 3_600_000 });
  client = api(runtime);
  viewerKey = (await client.post('/v1/api-keys', { name: 'probe-viewer', role: 'viewer' })).json.key;
  scopedAdminKey = (await client.post('/v1/api-keys', { name: 'scoped-admin', role: 'admin', services: ['payments'] })).json.key;
});

afterAll(async () => {
  await runtime?.close();
});

describe('GET /health/live', () => {
  it('answers 200 without a key, and is never cached', async () => {
    const response = await client.get('/health/live', { key: null });
    expect(response.status).toBe(200);
    expect(response.json).toEqual({ status: 'ok' });
    expect(response.headers.get('cache-control')).toBe('no-store');
  });
});

describe('GET /health/ready', () => {
  it('answers 200 with the table reachable', async () => {
    const response = await client.get('/health/ready', { key: null });
    expect(response.status).toBe(200);
    expect(response.json).toEqual({ status: 'ready', checks: { table: 'ok' } });
  });
});

describe('GET /health/deep', () => {
  const allOk = { table: 'ok', stateMachine: 'ok', topic: 'ok', secrets: 'ok' };

  it('tells anyone the status of each dependency, without details', async () => {
    const response = await client.get('/health/deep', { key: null });
    expect(response.status).toBe(200);
    expect(response.json).toEqual({ status: 'ok', checks: allOk });
  });

  it('gives an unscoped admin what each check asked and how long it took', async () => {
    const response = await client.get('/health/deep');
    expect(response.status).toBe(200);
    expect(response.json.checks).toEqual(allOk);
    expect(response.json.details.table).toMatchObject({ status: 'ok', target: 'steward', latencyMs: expect.any(Number) });
    expect(response.json.details.secrets).toMatchObject({ status: 'ok', target: 'local secret store' });
    expect(response.json.details.stateMachine.target).toContain('deployment.asl.json');
  });

  it('keeps details from a viewer, a scoped admin and a bad key', async () => {
    for (const key of [viewerKey, scopedAdminKey, 'stw_not-a-key']) {
      const response = await client.get('/health/deep', { key });
      expect(response.status).toBe(200);
      expect(response.json).toEqual({ status: 'ok', checks: allOk });
    }
  });

  it('answers 503 degraded naming the failing dependency, with its error for an admin', async () => {
    configureHealthProbes({
      stateMachine: async () => 'local',
      topic: async () => {
        throw new Error('topic unreachable');
      },
    });
    try {
      const anonymous = await client.get('/health/deep', { key: null });
      expect(anonymous.status).toBe(503);
      expect(anonymous.json).toEqual({ status: 'degraded', checks: { ...allOk, topic: 'failing' } });
      const admin = await client.get('/health/deep');
      expect(admin.status).toBe(503);
      expect(admin.json.details.topic).toMatchObject({ status: 'failing', error: 'topic unreachable' });
    } finally {
      configureHealthProbes({ stateMachine: async () => 'local', topic: async () => 'local' });
    }
  });

  it('answers 503 when a dependency does not answer in time', async () => {
    configureHealthProbes({ stateMachine: () => new Promise<string>(() => undefined), topic: async () => 'local' });
    try {
      const admin = await client.get('/health/deep');
      expect(admin.status).toBe(503);
      expect(admin.json.details.stateMachine).toMatchObject({ status: 'failing', error: 'no answer within 3000 ms' });
    } finally {
      configureHealthProbes({ stateMachine: async () => 'local', topic: async () => 'local' });
    }
  });
});
