import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Runtime, startRuntime } from '../../local/runtime.ts';
import { finished, putEnvironment } from '../helpers/deployments.ts';
import { type ApiClient, api, expectNoServerErrors } from '../helpers/http-client.ts';

// Workflow waits (a linear step's interval) in hundredths: a minute is 0.6 s.
process.env.STEWARD_TIME_SCALE = '0.01';

/**
 * Issue 11 §8 end to end in the local runtime: plans of each strategy, with real deployments
 * through the workflow (immediate: all at once; gradual: linear to 100%), manual completing when
 * the old version's traffic has stopped, scheduled refusing to start before its time, cancel.
 */

let runtime: Runtime;
let client: ApiClient;
const SERVICE = 'moving-api';
const ok = { description: 'ok' };
const doc = (paths: string[]) => ({
  openapi: '3.1.0',
  info: { title: 'M', version: '1' },
  paths: Object.fromEntries(paths.map((path) => [path, { get: { responses: { '200': ok } } }])),
});

async function migrate(body: Record<string, unknown>) {
  const response = await client.post(`/v1/services/${SERVICE}/migrations`, body);
  expect(response.status, response.text).toBe(201);
  return response.json;
}

/** Reads the plan until it is completed (the limit only keeps a broken run from hanging). */
async function completed(id: string) {
  const giveUpAt = Date.now() + 25_000;
  for (;;) {
    const plan = await client.get(`/v1/services/${SERVICE}/migrations/${id}`);
    expect(plan.status, plan.text).toBe(200);
    if (plan.json.status === 'completed' || Date.now() > giveUpAt) return plan.json;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

beforeAll(async () => {
  runtime = await startRuntime({ memory: true, port: 0, reconcileEveryMs: 3_600_000 });
  client = api(runtime);
  expect((await client.post('/v1/services', { name: SERVICE, kind: 'api' })).status).toBe(201);
  const documents: Record<string, string[]> = { '1.0.0': ['/a', '/b'], '2.0.0': ['/a'], '3.0.0': ['/a', '/c'], '4.0.0': ['/a', '/c'] };
  for (const [version, paths] of Object.entries(documents)) {
    expect((await client.post(`/v1/services/${SERVICE}/versions`, { version })).status).toBe(201);
    expect((await client.request('PUT', `/v1/services/${SERVICE}/versions/${version}/openapi`, doc(paths))).status).toBe(201);
    expect((await client.post(`/v1/services/${SERVICE}/versions/${version}/release`)).status).toBe(200);
  }
  await putEnvironment(client, SERVICE, 'prod', { traffic: { driver: 'none' } });
  const promoted = await client.post(`/v1/services/${SERVICE}/environments/prod/promote`, { version: '1.0.0' });
  expect((await finished(client, SERVICE, promoted.json.id)).status).toBe('succeeded');
  const traffic = await client.post('/v1/metrics', {
    samples: [{ name: 'http.requests', type: 'counter', value: 9, labels: { service: SERVICE, version: '1.0.0', client: 'mobile-app' } }],
  });
  expect(traffic.status, traffic.text).toBeLessThan(300);
});

afterAll(async () => {
  expectNoServerErrors(client.log);
  await runtime?.close();
});

describe('migration plans', () => {
  it('immediate: a plan with one action per breaking change and the consumers to move; started, an all-at-once deployment completes it', async () => {
    const plan = await migrate({ from: '1.0.0', to: '2.0.0', environment: 'prod', strategy: 'immediate' });
    expect(plan).toMatchObject({ status: 'planned', from: '1.0.0', to: '2.0.0', contractCompared: true, deploymentId: null });
    expect(plan.consumerActions).toEqual([
      expect.objectContaining({
        change: 'api-path-removed-without-deprecation',
        operation: 'GET /b',
        action: expect.stringContaining('2.0.0'),
      }),
    ]);
    expect(plan.affectedConsumers).toEqual([expect.objectContaining({ consumer: 'mobile-app', requests: 9 })]);

    const started = await client.post(`/v1/services/${SERVICE}/migrations/${plan.id}/start`);
    expect(started.status, started.text).toBe(200);
    expect(started.json.deploymentId).toEqual(expect.any(String));
    const deployment = await client.get(`/v1/services/${SERVICE}/deployments/${started.json.deploymentId}`);
    expect(deployment.json).toMatchObject({ version: '2.0.0', environment: 'prod' });

    const done = await completed(plan.id);
    expect(done).toMatchObject({ status: 'completed', progress: { deploymentStatus: 'succeeded', weights: { '2.0.0': 100 } } });
    expect(done.timeline.map((entry: { status: string }) => entry.status)).toEqual(['planned', 'in_progress', 'completed']);
    expect((await client.post(`/v1/services/${SERVICE}/migrations/${plan.id}/start`)).status).toBe(409);
  });

  it('gradual: a linear deployment that reaches 100% through its steps', async () => {
    const plan = await migrate({
      from: '2.0.0',
      to: '3.0.0',
      environment: 'prod',
      strategy: 'gradual',
      steps: { percent: 50, intervalMinutes: 1 },
    });
    expect(plan.consumerActions).toEqual([]);
    const started = await client.post(`/v1/services/${SERVICE}/migrations/${plan.id}/start`);
    expect(started.status, started.text).toBe(200);
    const deployment = await client.get(`/v1/services/${SERVICE}/deployments/${started.json.deploymentId}`);
    expect(deployment.json.steps.map((step: { percent: number }) => step.percent)).toEqual([50, 100]);
    const done = await completed(plan.id);
    expect(done).toMatchObject({ status: 'completed', progress: { deploymentStatus: 'succeeded', weights: { '3.0.0': 100 } } });
  });

  it('manual: no deployment; in progress while the old version has traffic, completed once it has none', async () => {
    const busy = await migrate({ from: '1.0.0', to: '3.0.0', environment: 'prod', strategy: 'manual' });
    await client.post(`/v1/services/${SERVICE}/migrations/${busy.id}/start`);
    const waiting = await client.get(`/v1/services/${SERVICE}/migrations/${busy.id}`);
    expect(waiting.json).toMatchObject({
      status: 'in_progress',
      deploymentId: null,
      progress: { stillCalling: [expect.objectContaining({ consumer: 'mobile-app' })] },
    });

    const quiet = await migrate({ from: '2.0.0', to: '3.0.0', environment: 'prod', strategy: 'manual' });
    const started = await client.post(`/v1/services/${SERVICE}/migrations/${quiet.id}/start`);
    expect(started.json).toMatchObject({ status: 'completed', deploymentId: null, progress: { stillCalling: [] } });
    const done = await client.get(`/v1/services/${SERVICE}/migrations/${quiet.id}`);
    expect(done.json.status).toBe('completed');
    expect(done.json.timeline.map((entry: { status: string }) => entry.status)).toEqual(['planned', 'in_progress', 'completed']);
  });

  it('scheduled: needs startAt and cannot start before it; cancel ends a plan', async () => {
    expect(
      (await client.post(`/v1/services/${SERVICE}/migrations`, { from: '3.0.0', to: '4.0.0', environment: 'prod', strategy: 'scheduled' }))
        .status,
    ).toBe(400);
    const later = new Date(Date.now() + 3_600_000).toISOString();
    const plan = await migrate({ from: '3.0.0', to: '4.0.0', environment: 'prod', strategy: 'scheduled', startAt: later });
    const early = await client.post(`/v1/services/${SERVICE}/migrations/${plan.id}/start`);
    expect(early.status).toBe(409);
    expect(early.json.detail).toContain(later);
    const cancelled = await client.post(`/v1/services/${SERVICE}/migrations/${plan.id}/cancel`);
    expect(cancelled.json).toMatchObject({ status: 'cancelled' });
    expect((await client.post(`/v1/services/${SERVICE}/migrations/${plan.id}/cancel`)).status).toBe(409);
  });

  it('bad plans: unknown versions or environment 404, a version that is not released 409, unknown plan 404', async () => {
    expect(
      (await client.post(`/v1/services/${SERVICE}/migrations`, { from: '1.0.0', to: '9.0.0', environment: 'prod', strategy: 'immediate' }))
        .status,
    ).toBe(404);
    expect(
      (await client.post(`/v1/services/${SERVICE}/migrations`, { from: '1.0.0', to: '2.0.0', environment: 'qa', strategy: 'immediate' }))
        .status,
    ).toBe(404);
    expect(
      (await client.post(`/v1/services/${SERVICE}/migrations`, { from: '1.0.0', to: '1.0.0', environment: 'prod', strategy: 'immediate' }))
        .status,
    ).toBe(409);
    expect((await client.get(`/v1/services/${SERVICE}/migrations/01JAAAAAAAAAAAAAAAAAAAAAAA`)).status).toBe(404);
  });
});
