import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Runtime, startRuntime } from '../../local/runtime.ts';
import {
  type DeploymentView,
  deploymentEvents,
  environment,
  finished,
  putEnvironment,
  routing,
  serviceWithVersions,
  startDeployment,
  waitForDeployment,
} from '../helpers/deployments.ts';
import { type ApiClient, api, expectInvalid, expectNoServerErrors, expectProblem, readAll } from '../helpers/http-client.ts';
import { startVersionService, startWeightedRouter } from '../helpers/weighted-router.ts';

/**
 * Deployments end to end with the `none` driver: Steward keeps the routing table and data planes
 * read it. Approval, cancel, rollback, promote, idempotent and racing starts, the rules on what
 * may deploy, the audit trail, and what a restart does to a deployment in flight.
 */

process.env.STEWARD_TIME_SCALE = '0.01';

/** 600 minutes of workflow time: 6 minutes at this scale, far longer than any test lets a bake last. */
const LONG_CANARY = { type: 'canary', percent: 10, bakeMinutes: 600 } as const;

let runtime: Runtime;
let client: ApiClient;
let services = 0;

const path = (service: string, rest = '') => `/v1/services/${service}${rest}`;

/** A service with these versions released, a `prod` environment with the none driver, and 1.0.0 serving all of it. */
async function serving(versions: string[] = ['1.0.0', '2.0.0'], env: Record<string, unknown> = {}): Promise<string> {
  const service = `store-${++services}`;
  await serviceWithVersions(client, service, versions);
  await putEnvironment(client, service, 'prod', { traffic: { driver: 'none' } });
  const promoted = await client.post(path(service, '/environments/prod/promote'), { version: '1.0.0' });
  expect(promoted.status, promoted.text).toBe(202);
  expect((await finished(client, service, promoted.json.id)).status).toBe('succeeded');
  if (Object.keys(env).length > 0) await putEnvironment(client, service, 'prod', env);
  return service;
}

/** A started deployment's id once it bakes its first step. */
async function bakingCanary(service: string, version = '2.0.0'): Promise<DeploymentView> {
  const started = await startDeployment(client, service, { environment: 'prod', version, strategy: LONG_CANARY });
  return waitForDeployment(
    client,
    service,
    started.id,
    (deployment) => deployment.status === 'in_progress' && deployment.currentStep.index === 0,
  );
}

async function cancel(service: string, id: string) {
  return client.post(path(service, `/deployments/${id}/cancel`));
}

describe('with one runtime', () => {
  beforeAll(async () => {
    runtime = await startRuntime({ memory: true, port: 0, reconcileEveryMs: 3_600_000 });
    client = api(runtime);
  });

  afterAll(async () => {
    expectNoServerErrors(client?.log ?? []);
    await runtime?.close();
  });

  describe('the routing table data planes read', () => {
    it('answers the weights with an ETag, 304 while they are unchanged, and the new weights after a deployment', async () => {
      // Prepare
      const service = `store-${++services}`;
      await serviceWithVersions(client, service, ['1.0.0']);
      await putEnvironment(client, service, 'prod');
      const empty = await client.get(path(service, '/environments/prod/routing'));
      const etag = empty.headers.get('etag') as string;

      // Act
      const unchanged = await client.get(path(service, '/environments/prod/routing'), { headers: { 'if-none-match': etag } });
      const weak = await client.get(path(service, '/environments/prod/routing'), { headers: { 'if-none-match': `W/${etag}` } });
      const promoted = await client.post(path(service, '/environments/prod/promote'), { version: '1.0.0' });
      await finished(client, service, promoted.json.id);
      const changed = await client.get(path(service, '/environments/prod/routing'), { headers: { 'if-none-match': etag } });
      const again = await client.get(path(service, '/environments/prod/routing'), {
        headers: { 'if-none-match': changed.headers.get('etag') as string },
      });

      // Assess
      expect(empty.status).toBe(200);
      expect(empty.json).toEqual({ weights: {}, revision: 0 });
      expect(etag).toBe('"0"');
      expect(unchanged.status).toBe(304);
      expect(unchanged.text).toBe('');
      expect(unchanged.headers.get('etag')).toBe(etag);
      expect(weak.status).toBe(304);
      expect(changed.status).toBe(200);
      expect(changed.json).toEqual({ weights: { '1.0.0': 100 }, revision: 1 });
      expect(changed.headers.get('etag')).toBe('"1"');
      expect(again.status).toBe(304);
    });

    it('answers 404 for an environment that does not exist', async () => {
      // Prepare
      const service = await serving(['1.0.0']);

      // Act
      const response = await client.get(path(service, '/environments/nowhere/routing'));

      // Assess
      expectProblem(response, 404);
    });
  });

  describe('approval', () => {
    it('waits for approval without touching the weights, then runs to 100% once approved', async () => {
      // Prepare
      const service = await serving(['1.0.0', '2.0.0'], { protection: { requiresApproval: true, approvalTimeoutMinutes: 600 } });
      const before = await routing(client, service, 'prod');
      const started = await startDeployment(client, service, {
        environment: 'prod',
        version: '2.0.0',
        strategy: { type: 'canary', percent: 20, bakeMinutes: 1 },
      });
      const waiting = await waitForDeployment(client, service, started.id, (deployment) => deployment.status === 'awaiting_approval');
      const whileWaiting = await routing(client, service, 'prod');

      // Act
      const approved = await client.post(path(service, `/deployments/${started.id}/approve`));
      const done = await finished(client, service, started.id);

      // Assess
      expect(waiting.requiresApproval).toBe(true);
      expect(waiting.approvalDeadline).not.toBeNull();
      expect(waiting.currentStep.index).toBe(-1);
      expect(whileWaiting).toEqual(before);
      expect(approved.status, approved.text).toBe(200);
      expect(approved.json.status).toBe('in_progress');
      expect(approved.json.approvedBy).toMatchObject({ keyId: expect.any(String) });
      expect(done.status).toBe('succeeded');
      expect((await routing(client, service, 'prod')).weights).toEqual({ '2.0.0': 100 });
      const types = (await deploymentEvents(client, service, started.id)).map((event) => event.type);
      expect(types.slice(0, 3)).toEqual(['deployment.started', 'deployment.awaiting_approval', 'deployment.approved']);
      expect(types.at(-1)).toBe('deployment.succeeded');
    });

    it('shows the step under way and when its bake ends (currentStep.endsAt), and no end once cancelled', async () => {
      // Prepare
      const service = await serving();

      // Act
      const baking = await bakingCanary(service);
      await cancel(service, baking.id);
      const cancelled = (await client.get(path(service, `/deployments/${baking.id}`))).json as DeploymentView;

      // Assess: a 600-minute bake, scaled by STEWARD_TIME_SCALE=0.01 here.
      const { startedAt, endsAt } = baking.currentStep;
      expect(baking.currentStep).toMatchObject({ index: 0, percent: 10, bakeSeconds: 36_000 });
      expect(Date.parse(endsAt as string) - Date.parse(startedAt as string)).toBeGreaterThan(0);
      expect(Date.parse(endsAt as string) - Date.parse(startedAt as string)).toBeLessThanOrEqual(36_000 * 1000);
      expect(cancelled.currentStep).toMatchObject({ index: 0, endsAt: null });
    });

    it('refuses to approve a deployment that is not awaiting approval: 409', async () => {
      // Prepare
      const service = await serving();
      const running = await bakingCanary(service);

      // Act
      const whileRunning = await client.post(path(service, `/deployments/${running.id}/approve`));
      await cancel(service, running.id);
      const whenCancelled = await client.post(path(service, `/deployments/${running.id}/approve`));

      // Assess
      expect(expectProblem(whileRunning, 409).currentStatus).toBe('in_progress');
      expect(expectProblem(whenCancelled, 409).currentStatus).toBe('cancelled');
    });

    it('cancels a deployment whose approval does not come within approvalTimeoutMinutes, with that reason, weights untouched', async () => {
      // Prepare
      const service = await serving(['1.0.0', '2.0.0'], { protection: { requiresApproval: true, approvalTimeoutMinutes: 1 } });
      const before = await routing(client, service, 'prod');

      // Act
      const started = await startDeployment(client, service, {
        environment: 'prod',
        version: '2.0.0',
        strategy: { type: 'canary', percent: 10, bakeMinutes: 1 },
      });
      const done = await finished(client, service, started.id);
      const lateApproval = await client.post(path(service, `/deployments/${started.id}/approve`));

      // Assess
      expect(done.status).toBe('cancelled');
      expect(done.failureReason).toMatch(/^Approval did not come within 1 minute/);
      expect(done.currentStep.index).toBe(-1);
      expect(done.weights).toEqual({ '1.0.0': 100 });
      expect(await routing(client, service, 'prod')).toEqual(before);
      expect(expectProblem(lateApproval, 409).currentStatus).toBe('cancelled');
      const types = (await deploymentEvents(client, service, started.id)).map((event) => event.type);
      expect(types).toEqual(['deployment.started', 'deployment.awaiting_approval', 'deployment.cancelled']);
      const env = await environment(client, service, 'prod');
      expect(env.activeDeployment).toBeNull();
    });

    it('cancels a deployment while it awaits approval, weights untouched', async () => {
      // Prepare
      const service = await serving(['1.0.0', '2.0.0'], { protection: { requiresApproval: true, approvalTimeoutMinutes: 600 } });
      const before = await routing(client, service, 'prod');
      const started = await startDeployment(client, service, { environment: 'prod', version: '2.0.0', strategy: LONG_CANARY });
      await waitForDeployment(client, service, started.id, (deployment) => deployment.status === 'awaiting_approval');

      // Act
      const cancelled = await cancel(service, started.id);

      // Assess
      expect(cancelled.status, cancelled.text).toBe(200);
      expect(cancelled.json.status).toBe('cancelled');
      expect(await routing(client, service, 'prod')).toEqual(before);
    });
  });

  describe('cancel', () => {
    it('restores the previous weights mid-bake, and the workflow does not move them again', async () => {
      // Prepare
      const service = await serving();
      const baking = await bakingCanary(service);
      const during = await routing(client, service, 'prod');

      // Act
      const cancelled = await client.post(path(service, `/deployments/${baking.id}/cancel`), { reason: 'wrong build' });
      await runtime.deployments.settle();
      const after = await routing(client, service, 'prod');

      // Assess
      expect(during.weights).toEqual({ '1.0.0': 90, '2.0.0': 10 });
      expect(cancelled.status, cancelled.text).toBe(200);
      expect(cancelled.json).toMatchObject({ status: 'cancelled', weights: { '1.0.0': 100 }, previousWeights: { '1.0.0': 100 } });
      expect(cancelled.json.failureReason).toMatch(/^Cancelled by .*: wrong build\.$/);
      expect(after.weights).toEqual({ '1.0.0': 100 });
      expect(after.revision).toBeGreaterThan(during.revision);
      expect((await environment(client, service, 'prod')).activeDeployment).toBeNull();
      expect((await client.get(path(service, `/deployments/${baking.id}`))).json.status).toBe('cancelled');
      const types = (await deploymentEvents(client, service, baking.id)).map((event) => event.type);
      expect(types.at(-1)).toBe('deployment.cancelled');
    });

    it('refuses to cancel a deployment that has finished: 409', async () => {
      // Prepare
      const service = await serving();
      const started = await startDeployment(client, service, { environment: 'prod', version: '2.0.0', strategy: { type: 'all-at-once' } });
      await finished(client, service, started.id);

      // Act
      const response = await cancel(service, started.id);

      // Assess
      expect(expectProblem(response, 409).currentStatus).toBe('succeeded');
      expect((await routing(client, service, 'prod')).weights).toEqual({ '2.0.0': 100 });
    });

    it('answers 404 for a deployment that does not exist', async () => {
      // Prepare
      const service = await serving(['1.0.0']);

      // Act
      const response = await cancel(service, '01ARZ3NDEKTSV4RRFFQ69G5FAV');

      // Assess
      expectProblem(response, 404);
    });
  });

  describe('manual rollback', () => {
    it('puts the previous version back at once after a success', async () => {
      // Prepare
      const service = await serving();
      const started = await startDeployment(client, service, {
        environment: 'prod',
        version: '2.0.0',
        strategy: { type: 'canary', percent: 50, bakeMinutes: 1 },
      });
      await finished(client, service, started.id);
      const before = await routing(client, service, 'prod');

      // Act
      const rolledBack = await client.post(path(service, `/deployments/${started.id}/rollback`), { reason: 'customers complain' });

      // Assess
      expect(before.weights).toEqual({ '2.0.0': 100 });
      expect(rolledBack.status, rolledBack.text).toBe(200);
      expect(rolledBack.json).toMatchObject({ status: 'rolled_back', weights: { '1.0.0': 100 } });
      expect(rolledBack.json.failureReason).toMatch(/customers complain/);
      expect(await routing(client, service, 'prod')).toEqual({ weights: { '1.0.0': 100 }, revision: before.revision + 1 });
      expect(await environment(client, service, 'prod')).toMatchObject({ activeVersion: '1.0.0', previousVersion: '2.0.0' });
      expect((await deploymentEvents(client, service, started.id)).at(-1)?.type).toBe('deployment.rolled_back');
    });

    it('refuses a second rollback, a deployment that replaced nothing, and one that is no longer the latest: 409', async () => {
      // Prepare
      const service = await serving(['1.0.0', '2.0.0', '3.0.0']);
      const first = (await client.get(path(service, '/deployments'), { query: { environment: 'prod' } })).json.items[0] as DeploymentView;
      const second = await startDeployment(client, service, { environment: 'prod', version: '2.0.0', strategy: { type: 'all-at-once' } });
      await finished(client, service, second.id);
      const third = await startDeployment(client, service, { environment: 'prod', version: '3.0.0', strategy: { type: 'all-at-once' } });
      await finished(client, service, third.id);

      // Act
      const notLatest = await client.post(path(service, `/deployments/${second.id}/rollback`));
      const replacedNothing = await client.post(path(service, `/deployments/${first.id}/rollback`));
      const latest = await client.post(path(service, `/deployments/${third.id}/rollback`));
      const twice = await client.post(path(service, `/deployments/${third.id}/rollback`));

      // Assess
      expect(first.fromVersion).toBeNull();
      expect(expectProblem(notLatest, 409).detail).toMatch(/latest/);
      expectProblem(replacedNothing, 409);
      expect(latest.status, latest.text).toBe(200);
      expect(expectProblem(twice, 409).currentStatus).toBe('rolled_back');
      expect((await routing(client, service, 'prod')).weights).toEqual({ '2.0.0': 100 });
    });

    it('refuses a deployment that failed its health gate: 409', async () => {
      // Prepare
      const unhealthy = await startVersionService('2.0.0', { healthy: false });
      const service = await serving();
      const started = await startDeployment(client, service, {
        environment: 'prod',
        version: '2.0.0',
        strategy: { type: 'canary', percent: 10, bakeMinutes: 1 },
        healthGate: { probe: { url: unhealthy.healthUrl }, failFast: true },
      });
      const done = await finished(client, service, started.id);
      await unhealthy.close();

      // Act
      const response = await client.post(path(service, `/deployments/${started.id}/rollback`));

      // Assess
      expect(done.status).toBe('rolled_back');
      expect(expectProblem(response, 409).currentStatus).toBe('rolled_back');
      expect((await routing(client, service, 'prod')).weights).toEqual({ '1.0.0': 100 });
    });

    it('refuses a running deployment, pointing at cancel: 409', async () => {
      // Prepare
      const service = await serving();
      const baking = await bakingCanary(service);

      // Act
      const response = await client.post(path(service, `/deployments/${baking.id}/rollback`));
      await cancel(service, baking.id);

      // Assess
      expect(expectProblem(response, 409).detail).toMatch(/cancel/);
    });

    it('refuses a blue-green rollback once the previous version is no longer kept', async () => {
      // Prepare
      const service = await serving();
      const started = await startDeployment(client, service, {
        environment: 'prod',
        version: '2.0.0',
        strategy: { type: 'blue-green', verifyMinutes: 0, keepPreviousMinutes: 0 },
      });
      const done = await finished(client, service, started.id);

      // Act
      const response = await client.post(path(service, `/deployments/${started.id}/rollback`));

      // Assess
      expect(done.status).toBe('succeeded');
      expect(done.rollbackWindowEndsAt).not.toBeNull();
      expect(expectProblem(response, 409).detail).toMatch(/kept until/);
    });

    it('rolls a blue-green deployment back within its rollback window', async () => {
      // Prepare
      const service = await serving();
      const started = await startDeployment(client, service, {
        environment: 'prod',
        version: '2.0.0',
        strategy: { type: 'blue-green', verifyMinutes: 0, keepPreviousMinutes: 600 },
      });
      await finished(client, service, started.id);

      // Act
      const response = await client.post(path(service, `/deployments/${started.id}/rollback`));

      // Assess
      expect(response.status, response.text).toBe(200);
      expect((await routing(client, service, 'prod')).weights).toEqual({ '1.0.0': 100 });
    });
  });

  describe('promote', () => {
    it('sends all traffic to the version at once and demotes the one serving to previous', async () => {
      // Prepare
      const service = await serving();

      // Act
      const promoted = await client.post(path(service, '/environments/prod/promote'), { version: '2.0.0' });
      const done = await finished(client, service, promoted.json.id);

      // Assess
      expect(promoted.status, promoted.text).toBe(202);
      expect(promoted.headers.get('location')).toBe(path(service, `/deployments/${promoted.json.id}`));
      expect(promoted.json).toMatchObject({
        strategy: 'all-at-once',
        version: '2.0.0',
        fromVersion: '1.0.0',
        steps: [{ percent: 100, bakeSeconds: 0 }],
      });
      expect(done.status).toBe('succeeded');
      expect(await environment(client, service, 'prod')).toMatchObject({
        activeVersion: '2.0.0',
        previousVersion: '1.0.0',
        weights: { '2.0.0': 100 },
      });
    });

    it('refuses the version that already serves everything, a draft, and an unknown environment', async () => {
      // Prepare
      const service = await serving(['1.0.0']);
      const draft = await client.post(path(service, '/versions'), { version: '1.1.0' });
      expect(draft.status).toBe(201);

      // Act
      const same = await client.post(path(service, '/environments/prod/promote'), { version: '1.0.0' });
      const drafted = await client.post(path(service, '/environments/prod/promote'), { version: '1.1.0' });
      const nowhere = await client.post(path(service, '/environments/nowhere/promote'), { version: '1.0.0' });

      // Assess
      expectProblem(same, 409);
      expect(expectProblem(drafted, 409).currentStatus).toBe('draft');
      expectProblem(nowhere, 404);
    });
  });

  describe('idempotent start', () => {
    it('answers the same deployment for the same Idempotency-Key, with one deployment.started event', async () => {
      // Prepare
      const service = await serving();
      const body = { environment: 'prod', version: '2.0.0', strategy: { type: 'canary', percent: 10, bakeMinutes: 1 } };
      const headers = { 'idempotency-key': 'release-2.0.0' };

      // Act
      const first = await client.post(path(service, '/deployments'), body, { headers });
      const second = await client.post(path(service, '/deployments'), body, { headers });
      await finished(client, service, first.json.id);
      const afterwards = await client.post(path(service, '/deployments'), body, { headers });

      // Assess
      expect([first.status, second.status, afterwards.status]).toEqual([202, 202, 202]);
      expect(second.json.id).toBe(first.json.id);
      expect(afterwards.json.id).toBe(first.json.id);
      expect(afterwards.json.status).toBe('succeeded');
      const started = await readAll(client, path(service, '/history'), { type: 'deployment.started' });
      expect(started.filter((record) => record.subject === `deployment/${first.json.id}`)).toHaveLength(1);
      expect(started).toHaveLength(2); // the promote of 1.0.0, and this one
      const all = await readAll(client, path(service, '/deployments'));
      expect(all.filter((deployment) => deployment.version === '2.0.0')).toHaveLength(1);
    });

    it('answers one deployment to concurrent requests with the same key', async () => {
      // Prepare
      const service = await serving();
      const body = { environment: 'prod', version: '2.0.0', strategy: LONG_CANARY };

      // Act
      const responses = await Promise.all(
        Array.from({ length: 5 }, () => client.post(path(service, '/deployments'), body, { headers: { 'idempotency-key': 'same-key' } })),
      );

      // Assess
      expect(responses.map((response) => response.status)).toEqual([202, 202, 202, 202, 202]);
      expect(new Set(responses.map((response) => response.json.id)).size).toBe(1);
      await cancel(service, responses[0]?.json.id);
    });

    it('refuses the same key with a different request: 409', async () => {
      // Prepare
      const service = await serving(['1.0.0', '2.0.0', '3.0.0']);
      const headers = { 'idempotency-key': 'key-1' };
      const first = await client.post(
        path(service, '/deployments'),
        { environment: 'prod', version: '2.0.0', strategy: LONG_CANARY },
        { headers },
      );

      // Act
      const other = await client.post(
        path(service, '/deployments'),
        { environment: 'prod', version: '3.0.0', strategy: LONG_CANARY },
        { headers },
      );

      // Assess
      expect(first.status).toBe(202);
      expect(expectProblem(other, 409).detail).toMatch(/Idempotency-Key/);
      await cancel(service, first.json.id);
    });
  });

  describe('one active deployment per environment', () => {
    it('refuses a second deployment while one is active, naming it: 409', async () => {
      // Prepare
      const service = await serving(['1.0.0', '2.0.0', '3.0.0']);
      const active = await bakingCanary(service);

      // Act
      const second = await client.post(path(service, '/deployments'), {
        environment: 'prod',
        version: '3.0.0',
        strategy: { type: 'all-at-once' },
      });
      await cancel(service, active.id);
      const afterCancel = await client.post(path(service, '/deployments'), {
        environment: 'prod',
        version: '3.0.0',
        strategy: { type: 'all-at-once' },
      });

      // Assess
      const problem = expectProblem(second, 409);
      expect(problem.activeDeploymentId).toBe(active.id);
      expect(problem.detail).toContain(active.id);
      expect(afterCancel.status, afterCancel.text).toBe(202);
      expect((await finished(client, service, afterCancel.json.id)).status).toBe('succeeded');
    });

    it('lets exactly one of ten racing starts run', async () => {
      // Prepare
      const service = await serving();
      const body = { environment: 'prod', version: '2.0.0', strategy: LONG_CANARY };

      // Act
      const responses = await Promise.all(Array.from({ length: 10 }, () => client.post(path(service, '/deployments'), body)));

      // Assess
      const statuses = responses.map((response) => response.status).sort();
      expect(statuses).toEqual([202, 409, 409, 409, 409, 409, 409, 409, 409, 409]);
      const winner = responses.find((response) => response.status === 202)?.json as DeploymentView;
      for (const loser of responses.filter((response) => response.status === 409)) expectProblem(loser, 409);
      const deployments = await readAll(client, path(service, '/deployments'), { environment: 'prod' });
      expect(deployments.filter((deployment) => deployment.version === '2.0.0').map((deployment) => deployment.id)).toEqual([winner.id]);
      expect((await environment(client, service, 'prod')).activeDeployment.id).toBe(winner.id);
      await cancel(service, winner.id);
    });
  });

  describe('what may deploy', () => {
    it('deploys only released versions: a draft never, a deprecated one with force, a retired one never', async () => {
      // Prepare
      const service = `store-${++services}`;
      await serviceWithVersions(client, service, [
        '1.0.0',
        { version: '1.1.0', status: 'draft' },
        { version: '1.2.0', status: 'deprecated' },
        { version: '1.3.0', status: 'retired' },
      ]);
      await putEnvironment(client, service, 'prod');
      const deploy = (version: string, extra: Record<string, unknown> = {}) =>
        client.post(path(service, '/deployments'), { environment: 'prod', version, strategy: { type: 'all-at-once' }, ...extra });

      // Act
      const draft = await deploy('1.1.0');
      const deprecated = await deploy('1.2.0');
      const retired = await deploy('1.3.0', { force: true });
      const unknown = await deploy('9.9.9');
      const forced = await deploy('1.2.0', { force: true });

      // Assess
      expect(expectProblem(draft, 409).currentStatus).toBe('draft');
      const deprecatedProblem = expectProblem(deprecated, 409);
      expect(deprecatedProblem.currentStatus).toBe('deprecated');
      expect(deprecatedProblem.detail).toMatch(/force/);
      expect(expectProblem(retired, 409).currentStatus).toBe('retired');
      expectProblem(unknown, 404);
      expect(forced.status, forced.text).toBe(202);
      expect((await finished(client, service, forced.json.id)).status).toBe('succeeded');
    });

    it('answers 404 for an unknown environment or service', async () => {
      // Prepare
      const service = await serving(['1.0.0', '2.0.0']);

      // Act
      const environmentMissing = await client.post(path(service, '/deployments'), {
        environment: 'staging',
        version: '2.0.0',
        strategy: { type: 'all-at-once' },
      });
      const serviceMissing = await client.post(path('no-such-service', '/deployments'), {
        environment: 'prod',
        version: '2.0.0',
        strategy: { type: 'all-at-once' },
      });

      // Assess
      expect(expectProblem(environmentMissing, 404).detail).toMatch(/staging/);
      expectProblem(serviceMissing, 404);
    });

    it('enforces the environment’s allowed strategies, presets included', async () => {
      // Prepare
      const service = await serving(['1.0.0', '2.0.0'], { protection: { allowedStrategies: ['canary'] } });

      // Act
      const allAtOnce = await client.post(path(service, '/deployments'), {
        environment: 'prod',
        version: '2.0.0',
        strategy: { type: 'all-at-once' },
      });
      const promoted = await client.post(path(service, '/environments/prod/promote'), { version: '2.0.0' });
      const linearPreset = await client.post(path(service, '/deployments'), {
        environment: 'prod',
        version: '2.0.0',
        strategy: { preset: 'Linear10PercentEvery1Minute' },
      });
      const canaryPreset = await client.post(path(service, '/deployments'), {
        environment: 'prod',
        version: '2.0.0',
        strategy: { preset: 'Canary10Percent30Minutes' },
      });

      // Assess
      expect(expectProblem(allAtOnce, 409).allowedStrategies).toEqual(['canary']);
      expectProblem(promoted, 409);
      expectProblem(linearPreset, 409);
      expect(canaryPreset.status, canaryPreset.text).toBe(202);
      expect(canaryPreset.json).toMatchObject({ strategy: 'canary', preset: 'Canary10Percent30Minutes' });
      await cancel(service, canaryPreset.json.id);
    });

    it('refuses bad strategies with 400 problems that point at the field', async () => {
      // Prepare
      const service = await serving();
      const deploy = (strategy: Record<string, unknown>) =>
        client.post(path(service, '/deployments'), { environment: 'prod', version: '2.0.0', strategy });

      // Act
      const responses = {
        percentOver: await deploy({ type: 'canary', percent: 150, bakeMinutes: 1 }),
        percentZero: await deploy({ type: 'canary', percent: 0, bakeMinutes: 1 }),
        fraction: await deploy({ type: 'linear', percent: 1.5, intervalMinutes: 1 }),
        notIncreasing: await deploy({
          type: 'canary',
          steps: [
            { percent: 50, bakeMinutes: 1 },
            { percent: 40, bakeMinutes: 1 },
          ],
        }),
        bake: await deploy({ type: 'canary', percent: 10, bakeMinutes: 100_000 }),
        interval: await deploy({ type: 'linear', percent: 10, intervalMinutes: 0 }),
        preset: await deploy({ preset: 'Canary99Percent1Minute' }),
        mixed: await deploy({ preset: 'AllAtOnce', type: 'canary' }),
      };

      // Assess
      expectInvalid(responses.percentOver, '/body/strategy/percent');
      expectInvalid(responses.percentZero, '/body/strategy/percent');
      expectInvalid(responses.fraction, '/body/strategy/percent');
      expectInvalid(responses.notIncreasing, '/body/strategy/steps/1/percent');
      expectInvalid(responses.bake, '/body/strategy/bakeMinutes');
      expectInvalid(responses.interval, '/body/strategy/intervalMinutes');
      expectInvalid(responses.preset, '/body/strategy/preset');
      expectInvalid(responses.mixed, '/body/strategy');
      expect((await environment(client, service, 'prod')).activeDeployment).toBeNull();
    });
  });

  describe('watching deployments', () => {
    it('lists deployments newest first, by environment and status, page by page; the environment shows the active one and the last ones', async () => {
      // Prepare
      const service = await serving(['1.0.0', '2.0.0', '3.0.0']);
      await putEnvironment(client, service, 'staging');
      const second = await startDeployment(client, service, { environment: 'prod', version: '2.0.0', strategy: { type: 'all-at-once' } });
      await finished(client, service, second.id);
      const staged = await startDeployment(client, service, {
        environment: 'staging',
        version: '3.0.0',
        strategy: { type: 'all-at-once' },
      });
      await finished(client, service, staged.id);
      const running = await bakingCanary(service, '3.0.0');

      // Act
      const all = await readAll(client, path(service, '/deployments'), { limit: 1 });
      const prod = await readAll(client, path(service, '/deployments'), { environment: 'prod', limit: 2 });
      const succeededInProd = await readAll(client, path(service, '/deployments'), { environment: 'prod', status: 'succeeded', limit: 1 });
      const env = await environment(client, service, 'prod');
      const environments = await readAll(client, path(service, '/environments'));
      await cancel(service, running.id);

      // Assess
      expect(all.map((deployment) => deployment.id)).toEqual([running.id, staged.id, second.id, all[3]?.id]);
      expect(all).toHaveLength(4);
      expect(prod.map((deployment) => deployment.environment)).toEqual(['prod', 'prod', 'prod']);
      expect(succeededInProd.map((deployment) => deployment.version)).toEqual(['2.0.0', '1.0.0']);
      expect(env.activeVersion).toBe('2.0.0');
      expect(env.previousVersion).toBe('1.0.0');
      expect(env.activeDeployment).toMatchObject({ id: running.id, status: 'in_progress', version: '3.0.0', currentStep: { index: 0 } });
      expect(env.lastDeployments.map((deployment: DeploymentView) => deployment.id)).toEqual(prod.map((deployment) => deployment.id));
      expect(environments.map((item) => item.name).sort()).toEqual(['prod', 'staging']);
      expect(environments.find((item) => item.name === 'staging')).toMatchObject({ activeVersion: '3.0.0', weights: { '3.0.0': 100 } });
    });

    it('lets viewers watch and deployers deploy, but only admins define environments', async () => {
      // Prepare
      const service = await serving();
      const keyFor = async (role: string) => {
        const created = await client.post('/v1/api-keys', { name: `${role}-${service}`, role });
        expect(created.status, created.text).toBe(201);
        return client.as(created.json.key);
      };
      const viewer = await keyFor('viewer');
      const deployer = await keyFor('deployer');

      // Act
      const viewerStarts = await viewer.post(path(service, '/deployments'), {
        environment: 'prod',
        version: '2.0.0',
        strategy: LONG_CANARY,
      });
      const viewerReads = await viewer.get(path(service, '/environments/prod/routing'));
      const deployerDefines = await deployer.request('PUT', path(service, '/environments/prod'), {
        protection: { requiresApproval: true },
      });
      const deployerStarts = await deployer.post(path(service, '/deployments'), {
        environment: 'prod',
        version: '2.0.0',
        strategy: LONG_CANARY,
      });
      const viewerCancels = await viewer.post(path(service, `/deployments/${deployerStarts.json.id}/cancel`));
      const deployerCancels = await deployer.post(path(service, `/deployments/${deployerStarts.json.id}/cancel`));

      // Assess
      expectProblem(viewerStarts, 403);
      expect(viewerReads.status).toBe(200);
      expectProblem(deployerDefines, 403);
      expect(deployerStarts.status, deployerStarts.text).toBe(202);
      expectProblem(viewerCancels, 403);
      expect(deployerCancels.json.status).toBe('cancelled');
    });
  });

  describe('the audit trail', () => {
    it('records every state change of a deployment as an event in the service history', async () => {
      // Prepare
      const service = await serving(['1.0.0', '2.0.0', '3.0.0'], { protection: { requiresApproval: true, approvalTimeoutMinutes: 600 } });
      const gated = await startDeployment(client, service, {
        environment: 'prod',
        version: '2.0.0',
        strategy: {
          type: 'canary',
          steps: [
            { percent: 10, bakeMinutes: 1 },
            { percent: 50, bakeMinutes: 1 },
          ],
        },
      });
      await waitForDeployment(client, service, gated.id, (deployment) => deployment.status === 'awaiting_approval');
      await client.post(path(service, `/deployments/${gated.id}/approve`));
      await finished(client, service, gated.id);
      await client.post(path(service, `/deployments/${gated.id}/rollback`));
      const cancelled = await startDeployment(client, service, { environment: 'prod', version: '3.0.0', strategy: LONG_CANARY });
      await waitForDeployment(client, service, cancelled.id, (deployment) => deployment.status === 'awaiting_approval');
      await cancel(service, cancelled.id);

      // Act
      const history = await readAll(client, path(service, '/history'), { type: 'deployment.*' });

      // Assess
      for (const id of [gated.id, cancelled.id]) {
        const logged = (await deploymentEvents(client, service, id)).map((event) => [event.seq, event.type]);
        const audited = history
          .filter((record) => record.subject === `deployment/${id}`)
          .sort((a, b) => a.seq - b.seq)
          .map((record) => [record.seq, record.type]);
        expect(audited).toEqual(logged);
      }
      const gatedTypes = new Set(history.filter((record) => record.subject === `deployment/${gated.id}`).map((record) => record.type));
      expect([...gatedTypes].sort()).toEqual(
        [
          'deployment.started',
          'deployment.awaiting_approval',
          'deployment.approved',
          'deployment.step_completed',
          'deployment.succeeded',
          'deployment.rolled_back',
        ].sort(),
      );
      expect(history.some((record) => record.subject === `deployment/${cancelled.id}` && record.type === 'deployment.cancelled')).toBe(
        true,
      );
      const workflowRecords = history.filter((record) => record.type === 'deployment.step_completed');
      expect(workflowRecords.every((record) => record.actor.name === 'deployment-workflow')).toBe(true);
      const approvedRecord = history.find((record) => record.type === 'deployment.approved');
      expect(approvedRecord.actor.keyId).not.toBe('system');
    });
  });
});

describe('restart reconciliation', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'steward-deployments-'));
  const goneDir = mkdtempSync(join(tmpdir(), 'steward-deployments-'));
  let restarted: Runtime | undefined;

  afterAll(async () => {
    await restarted?.close();
    rmSync(dataDir, { recursive: true, force: true });
    rmSync(goneDir, { recursive: true, force: true });
  });

  it('rolls back a deployment left in flight when the runtime stopped, restores the weights and says why', async () => {
    // Prepare
    const first = await startRuntime({ dataDir, port: 0, reconcileEveryMs: 3_600_000 });
    const before = api(first);
    await serviceWithVersions(before, 'restart-api', ['1.0.0', '2.0.0']);
    await putEnvironment(before, 'restart-api', 'prod');
    const promoted = await before.post('/v1/services/restart-api/environments/prod/promote', { version: '1.0.0' });
    await finished(before, 'restart-api', promoted.json.id);
    const started = await startDeployment(before, 'restart-api', { environment: 'prod', version: '2.0.0', strategy: LONG_CANARY });
    await waitForDeployment(
      before,
      'restart-api',
      started.id,
      (deployment) => deployment.status === 'in_progress' && deployment.currentStep.index === 0,
    );
    const during = await routing(before, 'restart-api', 'prod');
    await first.close();

    // Act
    restarted = await startRuntime({ dataDir, port: 0, reconcileEveryMs: 3_600_000 });
    const after = api(restarted);
    const deployment = (await after.get(`/v1/services/restart-api/deployments/${started.id}`)).json as DeploymentView;

    // Assess
    expect(during.weights).toEqual({ '1.0.0': 90, '2.0.0': 10 });
    expect(restarted.settledDeployments).toBe(1);
    expect(deployment.status).toBe('rolled_back');
    expect(deployment.failureReason).toMatch(/runtime stopped/);
    expect(deployment.weights).toEqual({ '1.0.0': 100 });
    const table = await routing(after, 'restart-api', 'prod');
    expect(table.weights).toEqual({ '1.0.0': 100 });
    expect(table.revision).toBeGreaterThan(during.revision);
    const env = await environment(after, 'restart-api', 'prod');
    expect(env).toMatchObject({ activeVersion: '1.0.0', activeDeployment: null });
    const events = await deploymentEvents(after, 'restart-api', started.id);
    expect(events.at(-1)).toMatchObject({ type: 'deployment.rolled_back', weights: { '1.0.0': 100 } });
    const history = await readAll(after, '/v1/services/restart-api/history', { type: 'deployment.rolled_back' });
    expect(history.map((record) => record.subject)).toEqual([`deployment/${started.id}`]);
    const next = await after.post('/v1/services/restart-api/deployments', {
      environment: 'prod',
      version: '2.0.0',
      strategy: { type: 'all-at-once' },
    });
    expect(next.status, next.text).toBe(202);
    expect((await finished(after, 'restart-api', next.json.id)).status).toBe('succeeded');
    expectNoServerErrors(before.log);
    expectNoServerErrors(after.log);
  });

  it('still starts when the router of a deployment left in flight is gone, and records the deployment as failed with why', async () => {
    // Prepare
    const v1 = await startVersionService('1.0.0');
    const v2 = await startVersionService('2.0.0');
    const router = await startWeightedRouter({ '1.0.0': v1.url, '2.0.0': v2.url });
    const first = await startRuntime({ dataDir: goneDir, port: 0, reconcileEveryMs: 3_600_000 });
    const before = api(first);
    await serviceWithVersions(before, 'gone-api', ['1.0.0', '2.0.0']);
    const defined = await putEnvironment(before, 'gone-api', 'prod', { traffic: { driver: 'http', url: router.weightsUrl } });
    router.setSecret(defined.json.routerSigningSecret);
    const promoted = await before.post('/v1/services/gone-api/environments/prod/promote', { version: '1.0.0' });
    await finished(before, 'gone-api', promoted.json.id);
    const started = await startDeployment(before, 'gone-api', { environment: 'prod', version: '2.0.0', strategy: LONG_CANARY });
    await waitForDeployment(
      before,
      'gone-api',
      started.id,
      (deployment) => deployment.status === 'in_progress' && deployment.currentStep.index === 0,
    );
    await first.close();
    await Promise.all([router.close(), v1.close(), v2.close()]);

    // Act
    const again = await startRuntime({ dataDir: goneDir, port: 0, reconcileEveryMs: 3_600_000 });
    try {
      const after = api(again);
      const deployment = (await after.get(`/v1/services/gone-api/deployments/${started.id}`)).json as DeploymentView;
      const env = await environment(after, 'gone-api', 'prod');

      // Assess
      expect(deployment.status).toBe('failed');
      expect(deployment.failureReason).toMatch(/runtime stopped/);
      expect(deployment.failureReason).toMatch(/could not be reached/);
      expect(env.activeDeployment).toBeNull();
      expect((await deploymentEvents(after, 'gone-api', started.id)).at(-1)?.type).toBe('deployment.failed');
      expectNoServerErrors(after.log);
    } finally {
      await again.close();
    }
  });
});
