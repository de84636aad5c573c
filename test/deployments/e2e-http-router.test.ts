import { afterAll, beforeAll, describe, it } from 'vitest';
import { Webhook } from 'standardwebhooks';
import type { Runtime } from '../../local/runtime.ts';
import { startRuntime } from '../../local/runtime.ts';
import {
  deploymentEvents,
  environment,
  finished,
  putEnvironment,
  routing,
  serviceWithVersions,
  sharesOf,
  startDeployment,
  waitForDeployment,
} from '../helpers/deployments.ts';
import { type ApiClient, api, expectNoServerErrors, expectProblem } from '../helpers/http-client.ts';
import { startVersionService, startWeightedRouter, type VersionService, type WeightedRouter } from '../helpers/weighted-router.ts';

/**
 * Deployments end to end through the `http` traffic driver: two real versions of a service on
 * 127.0.0.1 behind a weighted router that accepts only Steward's signed weight changes. Each test
 * has its own service, versions and router, so the tests run side by side.
 */

process.env.STEWARD_TIME_SCALE = '0.01';

let runtime: Runtime;
let client: ApiClient;
const cleanups: Array<() => Promise<void>> = [];

beforeAll(async () => {
  runtime = await startRuntime({ memory: true, port: 0, reconcileEveryMs: 3_600_000 });
  client = api(runtime);
});

afterAll(async () => {
  expectNoServerErrors(client?.log ?? []);
  await runtime?.close();
  await Promise.all(cleanups.map((cleanup) => cleanup()));
});

interface Fleet {
  service: string;
  v1: VersionService;
  v2: VersionService;
  router: WeightedRouter;
  secret: string;
  /** A health gate probing the new version (2.0.0). */
  gate: { probe: { url: string; intervalSeconds: number } };
}

let fleets = 0;

/** A service with 1.0.0 and 2.0.0 released, its prod environment behind a router, and 1.0.0 serving everything. */
async function fleet(expect: any, options: { v2Healthy?: boolean } = {}): Promise<Fleet> {
  const service = `shop-${++fleets}`;
  const v1 = await startVersionService('1.0.0');
  const v2 = await startVersionService('2.0.0', { healthy: options.v2Healthy ?? true });
  const router = await startWeightedRouter({ '1.0.0': v1.url, '2.0.0': v2.url });
  cleanups.push(v1.close, v2.close, router.close);
  await serviceWithVersions(client, service, ['1.0.0', '2.0.0']);
  const defined = await putEnvironment(client, service, 'prod', { traffic: { driver: 'http', url: router.weightsUrl } });
  expect(defined.status).toBe(201);
  const secret = defined.json.routerSigningSecret as string;
  expect(secret).toMatch(/^whsec_[A-Za-z0-9+/=]+$/);
  router.setSecret(secret);
  const promoted = await client.post(`/v1/services/${service}/environments/prod/promote`, { version: '1.0.0' });
  expect(promoted.status, promoted.text).toBe(202);
  expect((await finished(client, service, promoted.json.id)).status).toBe('succeeded');
  expect(router.weights).toEqual({ '1.0.0': 100 });
  return { service, v1, v2, router, secret, gate: { probe: { url: v2.healthUrl, intervalSeconds: 5 } } };
}

/** Polls until `done` holds (a stuck workflow fails the test at its time limit). */
async function until(done: () => boolean): Promise<void> {
  while (!done()) await new Promise((resolve) => setTimeout(resolve, 20));
}

/** The new version's share in every change the router applied after 1.0.0 was promoted. */
const routerShares = (router: WeightedRouter) => router.applied.slice(1).map((change) => change.weights['2.0.0'] ?? 0);

describe.concurrent('every strategy reaches 100% when the new version is healthy', () => {
  const strategies: Array<{ name: string; strategy: Record<string, unknown>; shares: number[]; bakes: boolean }> = [
    { name: 'all-at-once', strategy: { type: 'all-at-once' }, shares: [100], bakes: false },
    { name: 'blue-green', strategy: { type: 'blue-green', verifyMinutes: 1, keepPreviousMinutes: 30 }, shares: [0, 100], bakes: true },
    { name: 'a one-step canary', strategy: { type: 'canary', percent: 10, bakeMinutes: 1 }, shares: [10, 100], bakes: true },
    {
      name: 'a multi-step canary',
      strategy: {
        type: 'canary',
        steps: [
          { percent: 10, bakeMinutes: 1 },
          { percent: 50, bakeMinutes: 1 },
        ],
      },
      shares: [10, 50, 100],
      bakes: true,
    },
    { name: 'linear', strategy: { type: 'linear', percent: 25, intervalMinutes: 1 }, shares: [25, 50, 75, 100], bakes: true },
    { name: 'the Canary10Percent5Minutes preset', strategy: { preset: 'Canary10Percent5Minutes' }, shares: [10, 100], bakes: true },
  ];

  it.for(strategies)(
    '$name: every step reaches the router, then 2.0.0 takes all traffic',
    async ({ strategy, shares, bakes }, { expect }) => {
      // Prepare
      const { service, v2, router, gate } = await fleet(expect);

      // Act
      const started = await startDeployment(client, service, { environment: 'prod', version: '2.0.0', strategy, healthGate: gate });
      const done = await finished(client, service, started.id);

      // Assess
      expect(started.status).toBe('pending');
      expect(done.status, done.failureReason ?? '').toBe('succeeded');
      expect(done.failureReason).toBeNull();
      expect(done.weights).toEqual({ '2.0.0': 100 });
      expect(routerShares(router)).toEqual(shares);
      expect(router.weights).toEqual({ '2.0.0': 100 });
      expect(router.rejected).toBe(0);
      expect(await router.sample(10)).toEqual({ '2.0.0': 10 });
      expect((await routing(client, service, 'prod')).weights).toEqual({ '2.0.0': 100 });
      const env = await environment(client, service, 'prod');
      expect(env).toMatchObject({ activeVersion: '2.0.0', previousVersion: '1.0.0', weights: { '2.0.0': 100 }, activeDeployment: null });
      expect(env.lastDeployments[0].id).toBe(started.id);
      const events = await deploymentEvents(client, service, started.id);
      expect(sharesOf(events, '2.0.0')).toEqual(shares);
      expect(events[0]?.type).toBe('deployment.started');
      expect(events.at(-1)?.type).toBe('deployment.succeeded');
      const gateResults = events.filter((event) => event.type === 'deployment.gate_evaluated');
      if (bakes) {
        expect(v2.healthChecks).toBeGreaterThan(0);
        expect(gateResults.length).toBeGreaterThan(0);
        expect(
          gateResults.every((event) => event.evidence.passed === true && event.evidence.probes.ok === event.evidence.probes.total),
        ).toBe(true);
      } else {
        expect(gateResults).toEqual([]);
      }
    },
  );
});

describe.concurrent('the router follows the weights', () => {
  it('splits traffic by the canary weights during a bake, and cancel puts 1.0.0 back everywhere', async ({ expect }) => {
    // Prepare
    const { service, router, gate } = await fleet(expect);
    const started = await startDeployment(client, service, {
      environment: 'prod',
      version: '2.0.0',
      strategy: { type: 'canary', percent: 10, bakeMinutes: 600 },
      healthGate: gate,
    });
    await waitForDeployment(
      client,
      service,
      started.id,
      (deployment) => deployment.status === 'in_progress' && deployment.currentStep.index === 0,
    );

    // Act
    const during = await router.sample(100);
    const cancelled = await client.post(`/v1/services/${service}/deployments/${started.id}/cancel`, { reason: 'seen enough' });

    // Assess
    expect(during).toEqual({ '1.0.0': 90, '2.0.0': 10 });
    expect(cancelled.status, cancelled.text).toBe(200);
    expect(cancelled.json.status).toBe('cancelled');
    expect(cancelled.json.failureReason).toMatch(/seen enough/);
    expect(router.weights).toEqual({ '1.0.0': 100 });
    expect(await router.sample(10)).toEqual({ '1.0.0': 10 });
    expect((await routing(client, service, 'prod')).weights).toEqual({ '1.0.0': 100 });
  });

  it('cancel while a step is on its way to the router: the router ends on the weights Steward records', async ({ expect }) => {
    // Prepare
    const { service, router, gate } = await fleet(expect);
    let release: (behaviour: 'ok') => void = () => undefined;
    let arrived: () => void = () => undefined;
    const arrival = new Promise<void>((resolve) => {
      arrived = resolve;
    });
    router.behave((change) => {
      if (change.weights['2.0.0'] !== 10) return 'ok';
      arrived();
      return new Promise((resolve) => {
        release = resolve;
      });
    });
    const attemptsBefore = router.attempts;
    const started = await startDeployment(client, service, {
      environment: 'prod',
      version: '2.0.0',
      strategy: { type: 'canary', percent: 10, bakeMinutes: 600 },
      healthGate: gate,
    });
    await arrival;

    // Act
    const cancelled = await client.post(`/v1/services/${service}/deployments/${started.id}/cancel`);
    release('ok');
    await until(() => router.attempts >= attemptsBefore + 2);
    await runtime.deployments.settle();

    // Assess
    expect(cancelled.status, cancelled.text).toBe(200);
    expect(cancelled.json.status).toBe('cancelled');
    const table = await routing(client, service, 'prod');
    expect(table.weights).toEqual({ '1.0.0': 100 });
    expect(router.weights).toEqual({ '1.0.0': 100 });
    expect(router.revision).toBe(table.revision);
  });

  it('refuses weight changes that are unsigned, signed with another secret, or altered after signing', async ({ expect }) => {
    // Prepare
    const { router, secret } = await fleet(expect);
    const payload = JSON.stringify({
      type: 'routing.weights',
      timestamp: new Date().toISOString(),
      data: { weights: { '2.0.0': 100 }, revision: 999 },
    });
    const sign = (key: string, body: string) => {
      const id = 'msg_forged';
      const at = new Date();
      return {
        'webhook-id': id,
        'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
        'webhook-signature': new Webhook(key).sign(id, at, body),
      };
    };
    const otherSecret = `whsec_${Buffer.from('another secret, not the one Steward holds').toString('base64')}`;
    const rejectedBefore = router.rejected;

    // Act
    const unsigned = await fetch(router.weightsUrl, { method: 'POST', body: payload });
    const forged = await fetch(router.weightsUrl, { method: 'POST', body: payload, headers: sign(otherSecret, payload) });
    const altered = await fetch(router.weightsUrl, {
      method: 'POST',
      body: payload.replace('"2.0.0":100', '"2.0.0":99'),
      headers: sign(secret, payload),
    });
    const genuine = await fetch(router.weightsUrl, { method: 'POST', body: payload, headers: sign(secret, payload) });

    // Assess
    expect([unsigned.status, forged.status, altered.status]).toEqual([401, 401, 401]);
    expect(router.rejected - rejectedBefore).toBe(3);
    expect(genuine.status).toBe(204);
    expect(router.weights).toEqual({ '2.0.0': 100 });
  });

  it('shows the router signing secret once, when the http driver is chosen', async ({ expect }) => {
    // Prepare
    const { service } = await fleet(expect);

    // Act
    const changed = await putEnvironment(client, service, 'prod', { protection: { approvalTimeoutMinutes: 30 } });
    const fetched = await environment(client, service, 'prod');

    // Assess
    expect(changed.status).toBe(200);
    expect(changed.json.routerSigningSecret).toBeUndefined();
    expect(fetched.routerSigningSecret).toBeUndefined();
    expect(JSON.stringify(fetched)).not.toMatch(/whsec_/);
  });
});

describe.concurrent('an unhealthy canary rolls back', () => {
  it('restores the weights in the router and in Steward, and records why with the gate evidence', async ({ expect }) => {
    // Prepare
    const { service, v2, router, gate } = await fleet(expect, { v2Healthy: false });

    // Act
    const started = await startDeployment(client, service, {
      environment: 'prod',
      version: '2.0.0',
      strategy: { type: 'canary', percent: 10, bakeMinutes: 1 },
      healthGate: gate,
      reason: 'ship 2.0.0',
    });
    const done = await finished(client, service, started.id);

    // Assess
    expect(done.status).toBe('rolled_back');
    expect(done.weights).toEqual({ '1.0.0': 100 });
    expect(done.failureReason).toMatch(/^Health gate failed: 0 of \d+ probes succeeded \(status 500, expected 200\)\.$/);
    expect(v2.healthChecks).toBeGreaterThan(0);
    expect(routerShares(router)).toEqual([10, 0]);
    expect(router.weights).toEqual({ '1.0.0': 100 });
    expect(await router.sample(10)).toEqual({ '1.0.0': 10 });
    expect((await routing(client, service, 'prod')).weights).toEqual({ '1.0.0': 100 });
    const env = await environment(client, service, 'prod');
    expect(env).toMatchObject({ activeVersion: '1.0.0', weights: { '1.0.0': 100 }, activeDeployment: null });

    const events = await deploymentEvents(client, service, started.id);
    const seqs = events.map((event) => event.seq);
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
    expect(events.map((event) => event.type)).toEqual([
      'deployment.started',
      'deployment.step_completed',
      ...events.slice(2, -1).map(() => 'deployment.gate_evaluated'),
      'deployment.rolled_back',
    ]);
    const gateResults = events.filter((event) => event.type === 'deployment.gate_evaluated');
    expect(gateResults.length).toBeGreaterThan(0);
    for (const result of gateResults) {
      expect(result.evidence).toMatchObject({ passed: false, probes: { ok: 0, failures: ['status 500, expected 200'] }, alarms: null });
    }
    const rolledBack = events.at(-1);
    expect(rolledBack?.weights).toEqual({ '1.0.0': 100 });
    expect(rolledBack?.message).toContain(done.failureReason as string);
    expect(rolledBack?.evidence).toMatchObject({ passed: false });
  });

  it('with failFast, rolls back at the first failed check of a multi-step canary', async ({ expect }) => {
    // Prepare
    const { service, router, gate } = await fleet(expect, { v2Healthy: false });

    // Act
    const started = await startDeployment(client, service, {
      environment: 'prod',
      version: '2.0.0',
      strategy: {
        type: 'canary',
        steps: [
          { percent: 10, bakeMinutes: 10 },
          { percent: 50, bakeMinutes: 10 },
        ],
      },
      healthGate: { ...gate, failFast: true },
    });
    const done = await finished(client, service, started.id);

    // Assess
    expect(done.status).toBe('rolled_back');
    expect(done.currentStep.index).toBe(0);
    const events = await deploymentEvents(client, service, started.id);
    expect(events.filter((event) => event.type === 'deployment.gate_evaluated')).toHaveLength(1);
    expect(router.weights).toEqual({ '1.0.0': 100 });
  });
});

describe.concurrent('a router that fails', () => {
  it('answering 500: the step is retried, then the deployment rolls back and says why', async ({ expect }) => {
    // Prepare
    const { service, router, gate } = await fleet(expect);
    const revisionBefore = (await routing(client, service, 'prod')).revision;
    router.behave(() => 500);
    const attemptsBefore = router.attempts;

    // Act
    const started = await startDeployment(client, service, {
      environment: 'prod',
      version: '2.0.0',
      strategy: { type: 'canary', percent: 10, bakeMinutes: 1 },
      healthGate: gate,
    });
    const done = await finished(client, service, started.id);

    // Assess
    expect(router.attempts - attemptsBefore).toBe(3);
    expect(done.status).toBe('rolled_back');
    expect(done.failureReason).not.toMatch(/TransientError|Error:/);
    expect(done.failureReason).toContain(`The router ${router.url} answered 500.`);
    expect(done.weights).toEqual({ '1.0.0': 100 });
    expect(router.weights).toEqual({ '1.0.0': 100 });
    const table = await routing(client, service, 'prod');
    expect(table.weights).toEqual({ '1.0.0': 100 });
    expect(table.revision).toBeGreaterThanOrEqual(revisionBefore);
    const events = await deploymentEvents(client, service, started.id);
    expect(events.map((event) => event.type)).toEqual(['deployment.started', 'deployment.rolled_back']);
    expect(events[1]?.message).toContain('answered 500');
  });

  it('answering 500 at a later step: the rollback puts the previous weights back in the router once it answers again', async ({
    expect,
  }) => {
    // Prepare
    const { service, router, gate } = await fleet(expect);
    let failures = 0;
    router.behave((change) => (change.weights['2.0.0'] === 50 && failures++ < 3 ? 500 : 'ok'));

    // Act
    const started = await startDeployment(client, service, {
      environment: 'prod',
      version: '2.0.0',
      strategy: {
        type: 'canary',
        steps: [
          { percent: 10, bakeMinutes: 1 },
          { percent: 50, bakeMinutes: 1 },
        ],
      },
      healthGate: gate,
    });
    const done = await finished(client, service, started.id);

    // Assess
    expect(failures).toBe(3);
    expect(done.status).toBe('rolled_back');
    expect(done.failureReason).toContain('answered 500');
    expect(routerShares(router)).toEqual([10, 0]);
    expect(router.weights).toEqual({ '1.0.0': 100 });
    expect((await routing(client, service, 'prod')).weights).toEqual({ '1.0.0': 100 });
  });

  it('answering 500 once: the retried step goes through and the deployment succeeds', async ({ expect }) => {
    // Prepare
    const { service, router } = await fleet(expect);
    let failures = 0;
    router.behave(() => (failures++ < 1 ? 500 : 'ok'));
    const attemptsBefore = router.attempts;

    // Act
    const started = await startDeployment(client, service, { environment: 'prod', version: '2.0.0', strategy: { type: 'all-at-once' } });
    const done = await finished(client, service, started.id);

    // Assess
    expect(done.status).toBe('succeeded');
    expect(router.attempts - attemptsBefore).toBe(2);
    expect(router.weights).toEqual({ '2.0.0': 100 });
  });

  it('that hangs: each attempt times out, the step is retried, then the deployment rolls back and says why', async ({ expect }) => {
    // Prepare
    const { service, router } = await fleet(expect);
    router.behave(() => 'hang');
    const attemptsBefore = router.attempts;

    // Act
    const started = await startDeployment(client, service, {
      environment: 'prod',
      version: '2.0.0',
      strategy: { type: 'canary', percent: 10, bakeMinutes: 1 },
    });
    const done = await finished(client, service, started.id, 50_000);

    // Assess
    expect(router.attempts - attemptsBefore).toBe(3);
    expect(done.status).toBe('rolled_back');
    expect(done.failureReason).toContain(`The router ${router.url} could not be reached`);
    expect(done.failureReason).toMatch(/within \d+ ms/);
    expect(router.weights).toEqual({ '1.0.0': 100 });
    expect((await routing(client, service, 'prod')).weights).toEqual({ '1.0.0': 100 });
  }, 60_000);

  it('that Steward may not call (not loopback locally): fails at once without retrying, nothing changed', async ({ expect }) => {
    // Prepare
    const service = `shop-refused-${++fleets}`;
    await serviceWithVersions(client, service, ['1.0.0']);
    await putEnvironment(client, service, 'prod', { traffic: { driver: 'http', url: 'http://169.254.169.254/weights' } });

    // Act
    const promoted = await client.post(`/v1/services/${service}/environments/prod/promote`, { version: '1.0.0' });
    const done = await finished(client, service, promoted.json.id);

    // Assess
    expect(promoted.status).toBe(202);
    expect(done.status).toBe('rolled_back');
    expect(done.failureReason).toMatch(/is refused/);
    expect(done.failureReason).not.toMatch(/TransientError/);
    expect((await routing(client, service, 'prod')).weights).toEqual({});
  });

  it('during a manual rollback: a 502 problem that names the router, and the deployment stays as it was', async ({ expect }) => {
    // Prepare
    const { service, router } = await fleet(expect);
    const started = await startDeployment(client, service, { environment: 'prod', version: '2.0.0', strategy: { type: 'all-at-once' } });
    expect((await finished(client, service, started.id)).status).toBe('succeeded');
    router.behave(() => 500);

    // Act (with a client of its own: this 502 is the point, not a server error to report)
    const refused = await api(runtime).post(`/v1/services/${service}/deployments/${started.id}/rollback`);
    router.behave(() => 'ok');
    const retried = await client.post(`/v1/services/${service}/deployments/${started.id}/rollback`);

    // Assess
    const problem = expectProblem(refused, 502);
    expect(problem.detail).toContain(`The router ${router.url} answered 500.`);
    expect(retried.status, retried.text).toBe(200);
    expect(retried.json.status).toBe('rolled_back');
    expect(router.weights).toEqual({ '1.0.0': 100 });
  });

  it('during a cancel: the deployment is not left running, it ends failed and says why, and the environment is free again', async ({
    expect,
  }) => {
    // Prepare
    const { service, router } = await fleet(expect);
    const started = await startDeployment(client, service, {
      environment: 'prod',
      version: '2.0.0',
      strategy: { type: 'canary', percent: 10, bakeMinutes: 600 },
    });
    await waitForDeployment(
      client,
      service,
      started.id,
      (deployment) => deployment.status === 'in_progress' && deployment.currentStep.index === 0,
    );
    router.behave(() => 500);

    // Act
    const cancelled = await client.post(`/v1/services/${service}/deployments/${started.id}/cancel`);
    const after = await client.get(`/v1/services/${service}/deployments/${started.id}`);
    router.behave(() => 'ok');
    const next = await client.post(`/v1/services/${service}/environments/prod/promote`, { version: '1.0.0' });

    // Assess
    expect(cancelled.status, cancelled.text).toBe(200);
    expect(after.json.status).toBe('failed');
    expect(after.json.failureReason).toMatch(/Cancelled by .*could not restore the previous weights.*answered 500/i);
    expect((await environment(client, service, 'prod')).activeDeployment?.id ?? null).not.toBe(started.id);
    expect(next.status, next.text).toBe(202);
    expect((await finished(client, service, next.json.id)).status).toBe('succeeded');
    expect(router.weights).toEqual({ '1.0.0': 100 });
  });
});
