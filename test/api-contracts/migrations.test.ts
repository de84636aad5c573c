import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { handler as migrationScheduler } from '../../functions/handlers/migration-scheduler.ts';
import type { MetricSample } from '../../functions/metrics/metrics.domain.ts';
import { putSamples } from '../../functions/metrics/public.ts';
import { type Runtime, startRuntime } from '../../local/runtime.ts';
import { FINAL_STATUSES, finished, putEnvironment } from '../helpers/deployments.ts';
import { type ApiClient, api, expectNoServerErrors } from '../helpers/http-client.ts';

// Workflow waits (a linear step's interval) in hundredths: a minute is 0.6 s.
process.env.STEWARD_TIME_SCALE = '0.01';

/**
 * Issue 11 §8 end to end in the local runtime: plans of each strategy, with real deployments
 * through the workflow (immediate: all at once; gradual: linear to 100%), manual completing when
 * the old version's traffic has stopped (the scheduler finds it), scheduled refusing to start
 * before its time and started by the scheduler at it (once, however many runs race), cancel
 * stopping a running plan's deployment. The runtime's migration scheduler runs every 300 ms here.
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
  return until(id, (plan) => plan.status === 'completed');
}

/** Reads the plan until `done` says so (the limit only keeps a broken run from hanging). */
async function until(id: string, done: (plan: any) => boolean) {
  const giveUpAt = Date.now() + 40_000;
  for (;;) {
    const plan = await client.get(`/v1/services/${SERVICE}/migrations/${id}`);
    expect(plan.status, plan.text).toBe(200);
    if (done(plan.json) || Date.now() > giveUpAt) return plan.json;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** The audit records of a plan's events of one type. */
async function planEvents(id: string, type: string): Promise<Array<{ actor: { name: string }; subject: string }>> {
  const audit = await client.get(`/v1/audit?service=${SERVICE}&type=${type}&limit=100`);
  expect(audit.status, audit.text).toBe(200);
  return audit.json.items.filter((item: { subject: string }) => item.subject.endsWith(`/migrations/${id}`));
}

/** The environment's deployments a plan made (their reason names it). */
async function deploymentsOf(id: string): Promise<Array<{ id: string; status: string; reason: string }>> {
  const list = await client.get(`/v1/services/${SERVICE}/deployments?environment=prod&limit=100`);
  expect(list.status, list.text).toBe(200);
  return list.json.items.filter((item: { reason: string | null }) => item.reason?.includes(id));
}

/** Waits until no deployment runs in prod. */
async function settled() {
  const giveUpAt = Date.now() + 40_000;
  for (;;) {
    const list = await client.get(`/v1/services/${SERVICE}/deployments?environment=prod&limit=100`);
    const running = list.json.items.filter((item: { status: string }) => !(FINAL_STATUSES as readonly string[]).includes(item.status));
    if (running.length === 0 || Date.now() > giveUpAt) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

const hoursFromNow = (hours: number) => new Date(Date.now() + hours * 3_600_000).toISOString();

beforeAll(async () => {
  runtime = await startRuntime({ memory: true, port: 0, reconcileEveryMs: 3_600_000, migrationsEveryMs: 300 });
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
      progress: { quietDays: 7, stillCalling: [expect.objectContaining({ consumer: 'mobile-app' })] },
    });

    const quiet = await migrate({ from: '2.0.0', to: '3.0.0', environment: 'prod', strategy: 'manual' });
    const started = await client.post(`/v1/services/${SERVICE}/migrations/${quiet.id}/start`);
    expect(started.json).toMatchObject({ status: 'completed', deploymentId: null, progress: { stillCalling: [] } });
    const done = await client.get(`/v1/services/${SERVICE}/migrations/${quiet.id}`);
    expect(done.json.status).toBe('completed');
    expect(done.json.timeline.map((entry: { status: string }) => entry.status)).toEqual(['planned', 'in_progress', 'completed']);
  });

  it('manual: the scheduler completes it once the consumers have moved (no traffic for the policy’s quiet days)', async () => {
    // 4.0.0's last caller called 20 hours ago; the policy's quiet window is one day.
    await putSamples([
      {
        name: 'http.requests',
        type: 'counter',
        value: 4,
        labels: { service: SERVICE, version: '4.0.0', client: 'web' },
        timestamp: hoursFromNow(-20),
      },
    ] as MetricSample[]);
    const policy = await client.request('PUT', `/v1/services/${SERVICE}/version-policy`, { migrationQuietDays: 1 });
    expect(policy.status, policy.text).toBe(200);
    expect(policy.json.migrationQuietDays).toBe(1);
    try {
      const plan = await migrate({ from: '4.0.0', to: '3.0.0', environment: 'prod', strategy: 'manual' });
      const started = await client.post(`/v1/services/${SERVICE}/migrations/${plan.id}/start`);
      expect(started.json).toMatchObject({
        status: 'in_progress',
        progress: { quietDays: 1, stillCalling: [expect.objectContaining({ consumer: 'web' })] },
      });

      // The scheduler looks now: web still counts. Its next look at this plan is an hour later; half an hour on, nothing.
      await migrationScheduler({ time: new Date().toISOString() });
      await migrationScheduler({ time: hoursFromNow(0.5) });
      expect(await planEvents(plan.id, 'migration.completed')).toEqual([]);
      // Five hours on, web's last call is more than a day old: the scheduler completes the plan.
      const later = await migrationScheduler({ time: hoursFromNow(5) });
      expect(later.completed).toBeGreaterThanOrEqual(1);
      const completions = await planEvents(plan.id, 'migration.completed');
      expect(completions).toEqual([expect.objectContaining({ actor: expect.objectContaining({ name: 'migration-scheduler' }) })]);
      const done = await client.get(`/v1/services/${SERVICE}/migrations/${plan.id}`);
      expect(done.json.status).toBe('completed');
      expect(done.json.timeline.at(-1).note).toBe('no traffic to 4.0.0 for 1 days');
    } finally {
      await client.request('PUT', `/v1/services/${SERVICE}/version-policy`, { migrationQuietDays: 7 });
    }
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

  it('scheduled: the scheduler starts it at startAt, through a real deployment, and it completes', async () => {
    await settled();
    const startAt = new Date(Date.now() + 1_500).toISOString();
    const plan = await migrate({ from: '3.0.0', to: '4.0.0', environment: 'prod', strategy: 'scheduled', startAt });
    const running = await until(plan.id, (current) => current.status !== 'planned');
    expect(running.deploymentId).toEqual(expect.any(String));
    const started = running.timeline.find((entry: { status: string }) => entry.status === 'in_progress');
    expect(Date.parse(started.at)).toBeGreaterThanOrEqual(Date.parse(startAt));
    expect(started.note).toContain(`at ${startAt}`);
    expect(await planEvents(plan.id, 'migration.started')).toEqual([
      expect.objectContaining({ actor: expect.objectContaining({ name: 'migration-scheduler' }) }),
    ]);
    const done = await completed(plan.id);
    expect(done).toMatchObject({ status: 'completed', progress: { deploymentStatus: 'succeeded', weights: { '4.0.0': 100 } } });
    expect((await deploymentsOf(plan.id)).map((deployment) => deployment.id)).toEqual([running.deploymentId]);
  });

  it('scheduled: two scheduler runs racing start it once, with one deployment', async () => {
    await settled();
    const plan = await migrate({ from: '4.0.0', to: '3.0.0', environment: 'prod', strategy: 'scheduled', startAt: hoursFromNow(1) });
    // Both runs at a time past startAt (the runtime's own runs, at the real time, leave it alone).
    const time = hoursFromNow(1.5);
    const runs = await Promise.all([migrationScheduler({ time }), migrationScheduler({ time }), migrationScheduler({ time })]);
    expect(runs.map((run) => run.failed)).toEqual([0, 0, 0]);
    const deployments = await deploymentsOf(plan.id);
    expect(deployments).toHaveLength(1);
    expect(await planEvents(plan.id, 'migration.started')).toHaveLength(1);
    const done = await completed(plan.id);
    expect(done).toMatchObject({ status: 'completed', deploymentId: deployments[0]?.id });
    expect(done.timeline.map((entry: { status: string }) => entry.status)).toEqual(['planned', 'in_progress', 'completed']);
  });

  it('cancel: a running plan’s deployment is cancelled, and the weights from before it are back', async () => {
    await settled();
    // One step of 10% an hour (36 s at this time scale): still running when cancelled.
    const plan = await migrate({
      from: '3.0.0',
      to: '4.0.0',
      environment: 'prod',
      strategy: 'gradual',
      steps: { percent: 10, intervalMinutes: 60 },
    });
    const started = await client.post(`/v1/services/${SERVICE}/migrations/${plan.id}/start`);
    expect(started.status, started.text).toBe(200);
    const deploymentId = started.json.deploymentId as string;
    const cancelled = await client.post(`/v1/services/${SERVICE}/migrations/${plan.id}/cancel`);
    expect(cancelled.status, cancelled.text).toBe(200);
    expect(cancelled.json).toMatchObject({ status: 'cancelled', deploymentId });
    expect(cancelled.json.timeline.at(-1).note).toBe(`cancelled; deployment ${deploymentId} cancelled`);
    const deployment = await finished(client, SERVICE, deploymentId);
    expect(deployment).toMatchObject({
      status: 'cancelled',
      failureReason: expect.stringContaining(`Migration plan ${plan.id} was cancelled`),
    });
    const environment = await client.get(`/v1/services/${SERVICE}/environments/prod`);
    expect(environment.json).toMatchObject({ activeVersion: '3.0.0', activeDeployment: null, weights: { '3.0.0': 100 } });
    const shown = await client.get(`/v1/services/${SERVICE}/migrations/${plan.id}`);
    expect(shown.json).toMatchObject({ status: 'cancelled', progress: { deploymentStatus: 'cancelled' } });
  });

  it('cancel: a completed plan cannot be cancelled', async () => {
    await settled();
    const plan = await migrate({ from: '3.0.0', to: '4.0.0', environment: 'prod', strategy: 'immediate' });
    await client.post(`/v1/services/${SERVICE}/migrations/${plan.id}/start`);
    await completed(plan.id);
    const refused = await client.post(`/v1/services/${SERVICE}/migrations/${plan.id}/cancel`);
    expect(refused.status).toBe(409);
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
