import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Runtime, startRuntime } from '../../local/runtime.ts';
import { deploymentEvents, finished, putEnvironment, routing, startDeployment, waitForDeployment } from '../helpers/deployments.ts';
import { type ApiClient, api, expectNoServerErrors, expectProblem } from '../helpers/http-client.ts';
import { lognormal, seededRandom } from './statistics/random.ts';

/**
 * Issue 10 end to end in the local runtime, over HTTP, with the deployment workflow running
 * locally: deployability and its 409 (and an admin's audited override), aliases, serving status
 * and production, and the statistical canary judge as a health gate: a worse canary is rolled
 * back by the judge, a better one promoted with the old version deprecated, a canary without data
 * is extended, never failed for lack of data alone.
 */

process.env.STEWARD_TIME_SCALE = '0.01';

let runtime: Runtime;
let client: ApiClient;
const random = seededRandom(7);
const DIGEST = `sha256:${'ef'.repeat(32)}`;
/** 10 minutes of workflow time: 6 seconds at this scale, time enough to report the bake's inferences. */
const CANARY = { type: 'canary', percent: 50, bakeMinutes: 10 } as const;
const JUDGE_GATE = { judge: { metrics: ['errorRate', 'latencyP95'], minSamples: 100 }, healthChecks: false, alerts: false };

const path = (service: string, rest = '') => `/v1/services/${service}${rest}`;

async function model(name: string, versions: string[]): Promise<void> {
  expect((await client.post('/v1/services', { name, kind: 'model' })).status).toBe(201);
  for (const version of versions) {
    const card = { artifactUri: `s3://m/${version}`, artifactDigest: DIGEST, capabilities: ['classification'] };
    expect((await client.post(path(name, '/versions'), { version, model: card })).status).toBe(201);
    expect((await client.post(path(name, `/versions/${version}/release`))).status).toBe(200);
  }
  await putEnvironment(client, name, 'staging', { traffic: { driver: 'none' } });
  await putEnvironment(client, name, 'prod', { traffic: { driver: 'none' } });
}

/** Reports `count` inferences of a version in an environment: errors at `errorRate`, lognormal latencies around `medianMs`. */
async function report(service: string, version: string, environment: string, count: number, errorRate: number, medianMs = 100) {
  const errorsEvery = errorRate > 0 ? Math.round(1 / errorRate) : 0;
  const records = Array.from({ length: count }, (_, i) => ({
    version,
    environment,
    success: errorsEvery === 0 || i % errorsEvery !== 0,
    latencyMs: lognormal(random, medianMs, 0.2),
    client: 'checkout',
  }));
  const reply = await client.post(path(service, '/inferences'), { records });
  expect(reply.json, reply.text).toEqual({ accepted: count, rejected: [] });
}

async function promote(service: string, version: string, body: Record<string, unknown> = {}) {
  return client.post(path(service, '/environments/prod/promote'), { version, ...body });
}

/** Reads until `done` holds (a few seconds at most), and returns what it read last. */
async function eventually<T>(read: () => Promise<T>, done: (value: T) => boolean): Promise<T> {
  let value = await read();
  for (let i = 0; i < 100 && !done(value); i++) {
    await new Promise((resolve) => setTimeout(resolve, 50));
    value = await read();
  }
  return value;
}

async function version(service: string, name: string) {
  return (await client.get(path(service, `/versions/${name}`))).json;
}

beforeAll(async () => {
  runtime = await startRuntime({ memory: true, port: 0, reconcileEveryMs: 3_600_000 });
  client = api(runtime);
});

afterAll(async () => {
  expectNoServerErrors(client?.log ?? []);
  await runtime?.close();
});

describe('deployability', () => {
  const SERVICE = 'gate-model';

  beforeAll(async () => {
    await model(SERVICE, ['1.0.0', '1.1.0', '1.2.0']);
    await report(SERVICE, '1.1.0', 'staging', 120, 0.2);
    await report(SERVICE, '1.2.0', 'staging', 120, 0);
    expect((await client.post(path(SERVICE, '/versions/1.2.0/deprecate'), { replacement: '1.1.0' })).status).toBe(200);
  });

  it('gives production the reasons a version may not go there', async () => {
    // Act
    const none = await client.get(path(SERVICE, '/versions/1.0.0/deployability'));
    const failing = await client.get(path(SERVICE, '/versions/1.1.0/deployability'), { query: { environment: 'prod' } });
    const deprecated = await client.get(path(SERVICE, '/versions/1.2.0/deployability'));
    const staging = await client.get(path(SERVICE, '/versions/1.0.0/deployability'), { query: { environment: 'staging' } });

    // Assess
    expect(none.json).toMatchObject({ approved: false, production: true, environment: 'prod', evaluations: [] });
    expect(none.json.reasons).toEqual([expect.stringContaining('No inferences of 1.0.0 were recorded outside prod')]);
    expect(failing.json.approved).toBe(false);
    expect(failing.json.reasons).toEqual([
      expect.stringMatching(/^The evaluation in staging fails: successRate 0\.8 \(>= 0\.95\), errorRate 0\.2/),
    ]);
    expect(deprecated.json).toMatchObject({ approved: false, replacement: '1.1.0' });
    expect(deprecated.json.reasons[0]).toBe('Version 1.2.0 is deprecated: deploy its replacement 1.1.0 instead.');
    expect(staging.json).toMatchObject({ approved: true, reasons: [], production: false });
  });

  it('answers 409 with the reasons when a deployment starts, and lets an admin override it, audited', async () => {
    // Prepare
    const deployerKey = await client.post('/v1/api-keys', { name: 'gate-deployer', role: 'deployer' });
    const deployer = client.as(deployerKey.json.key);

    // Act
    const refused = await promote(SERVICE, '1.1.0');
    const notAdmin = await deployer.post(path(SERVICE, '/environments/prod/promote'), { version: '1.1.0' });
    const overridden = await client.post(path(SERVICE, '/deployments'), {
      environment: 'prod',
      version: '1.1.0',
      strategy: { type: 'all-at-once' },
      override: { reason: 'hotfix for incident 42' },
    });
    const refusedByDeployer = await deployer.post(path(SERVICE, '/deployments'), {
      environment: 'prod',
      version: '1.1.0',
      strategy: { type: 'all-at-once' },
      override: { reason: 'mine' },
    });

    // Assess
    const problem = expectProblem(refused, 409);
    expect(problem.reasons).toEqual([expect.stringContaining('The evaluation in staging fails')]);
    expect(problem.detail).toContain('may not be deployed to prod');
    expectProblem(notAdmin, 409);
    expect(expectProblem(refusedByDeployer, 403).detail).toContain('Only an admin');
    expect(overridden.status, overridden.text).toBe(202);
    expect((await finished(client, SERVICE, overridden.json.id)).status).toBe('succeeded');
    const history = await client.get(path(SERVICE, '/history'), { query: { limit: 100 } });
    const override = history.json.items.find((e: { type: string }) => e.type === 'model.deployability_overridden');
    expect(override.changes.after).toMatchObject({ deploymentId: overridden.json.id, reason: 'hotfix for incident 42' });
    expect(override.changes.after.reasons).toEqual([expect.stringContaining('The evaluation in staging fails')]);
    const started = history.json.items.find(
      (e: { type: string; subject: string }) => e.type === 'deployment.started' && e.subject === `deployment/${overridden.json.id}`,
    );
    expect(started.changes.after.override).toMatchObject({ reason: 'hotfix for incident 42' });
  });
});

describe('aliases and production', () => {
  const SERVICE = 'alias-model';

  beforeAll(async () => {
    await model(SERVICE, ['1.0.0', '2.0.0']);
    await client.request('PUT', path(SERVICE, '/model-policy'), { enforcePerformanceThresholds: false });
    expect((await finished(client, SERVICE, (await promote(SERVICE, '1.0.0')).json.id)).status).toBe('succeeded');
  });

  it('points an alias at a version, resolves it, moves it (audited), and never at a retired version', async () => {
    // Act
    const set = await client.request('PUT', path(SERVICE, '/aliases/champion'), { version: '1.0.0' });
    const resolved = await client.get(path(SERVICE, '/versions/@champion'));
    const moved = await client.request('PUT', path(SERVICE, '/aliases/champion'), { version: '2.0.0' });
    const performance = await client.get(path(SERVICE, '/versions/@champion/performance'));
    const list = await client.get(path(SERVICE, '/aliases'));
    const bad = await client.request('PUT', path(SERVICE, '/aliases/Champion'), { version: '2.0.0' });
    const unknown = await client.get(path(SERVICE, '/versions/@nobody'));

    // Assess
    expect(set.status, set.text).toBe(200);
    expect(resolved.json.version).toBe('1.0.0');
    expect(moved.json).toMatchObject({ alias: 'champion', version: '2.0.0' });
    expect(performance.json.version).toBe('2.0.0');
    expect(list.json.items.map((a: { alias: string; version: string }) => [a.alias, a.version])).toEqual([['champion', '2.0.0']]);
    expectProblem(bad, 400);
    expectProblem(unknown, 404);
    const history = await client.get(path(SERVICE, '/history'), { query: { limit: 100 } });
    const moves = history.json.items
      .filter((e: { type: string }) => e.type === 'model.alias_set')
      .map((e: { changes: unknown }) => e.changes);
    expect(moves).toContainEqual({ before: { alias: 'champion', version: '1.0.0' }, after: { alias: 'champion', version: '2.0.0' } });

    await client.post(path(SERVICE, '/versions/1.0.0/deprecate'));
    await client.post(path(SERVICE, '/versions/1.0.0/retire'));
    expectProblem(await client.request('PUT', path(SERVICE, '/aliases/old'), { version: '1.0.0' }), 409);
    expect((await client.delete(path(SERVICE, '/aliases/champion'))).status).toBe(204);
    expectProblem(await client.get(path(SERVICE, '/versions/@champion')), 404);
  });

  it('shows the active version, a canary with its weight, and each version’s serving status', async () => {
    // Prepare
    const fresh = 'serving-model';
    await model(fresh, ['1.0.0', '1.1.0', '1.2.0', '1.3.0']);
    await client.request('PUT', path(fresh, '/model-policy'), { enforcePerformanceThresholds: false });
    expect((await finished(client, fresh, (await promote(fresh, '1.0.0')).json.id)).status).toBe('succeeded');
    const staged = await startDeployment(client, fresh, { environment: 'staging', version: '1.2.0', strategy: { type: 'all-at-once' } });
    await finished(client, fresh, staged.id);
    await client.post(path(fresh, '/versions/1.3.0/deprecate'));
    const canary = await startDeployment(client, fresh, {
      environment: 'prod',
      version: '1.1.0',
      strategy: { type: 'canary', percent: 10, bakeMinutes: 600 },
      healthGate: null,
    });
    await waitForDeployment(client, fresh, canary.id, (d) => d.status === 'in_progress' && d.currentStep.index === 0);

    // Act
    const production = await client.get(path(fresh, '/production'));

    // Assess
    expect(production.status, production.text).toBe(200);
    expect(production.json).toMatchObject({
      environment: 'prod',
      active: null,
      canary: { version: '1.1.0', weight: 10, deploymentId: canary.id },
      weights: { '1.0.0': 90, '1.1.0': 10 },
    });
    const statuses = Object.fromEntries(
      production.json.versions.map((v: { version: string; servingStatus: string }) => [v.version, v.servingStatus]),
    );
    expect(statuses).toEqual({ '1.0.0': 'canary', '1.1.0': 'canary', '1.2.0': 'testing', '1.3.0': 'deprecated' });
    expect((await client.get(path(fresh, '/versions/1.2.0'))).json.servingStatus).toBe('testing');
    const listed = await client.get(path(fresh, '/versions'));
    expect(
      Object.fromEntries(listed.json.items.map((v: { version: string; servingStatus: string }) => [v.version, v.servingStatus])),
    ).toEqual(statuses);
    await client.post(path(fresh, `/deployments/${canary.id}/cancel`));
    await finished(client, fresh, canary.id);
    const after = await client.get(path(fresh, '/production'));
    expect(after.json.active).toMatchObject({ version: '1.0.0', since: expect.any(String) });
    expect(after.json.versions.find((v: { version: string }) => v.version === '1.0.0').servingStatus).toBe('active');
    expect(after.json.versions.find((v: { version: string }) => v.version === '1.1.0').servingStatus).toBe('inactive');
  });
});

describe('the canary judge', () => {
  const SERVICE = 'judge-model';

  beforeAll(async () => {
    await model(SERVICE, ['1.0.0', '1.1.0', '1.2.0', '1.3.0']);
    for (const v of ['1.0.0', '1.1.0', '1.2.0', '1.3.0']) await report(SERVICE, v, 'staging', 100, 0);
    const first = await promote(SERVICE, '1.0.0');
    expect(first.status, first.text).toBe(202);
    expect((await finished(client, SERVICE, first.json.id)).status).toBe('succeeded');
  });

  async function bakingCanary(version: string, gate: Record<string, unknown> = JUDGE_GATE) {
    const started = await startDeployment(client, SERVICE, { environment: 'prod', version, strategy: CANARY, healthGate: gate });
    await waitForDeployment(client, SERVICE, started.id, (d) => d.status === 'in_progress' && d.currentStep.index === 0);
    return started;
  }

  it('rolls back a canary with a higher error rate, with the judgement per metric in the events', async () => {
    // Prepare
    const canary = await bakingCanary('1.1.0');

    // Act
    await Promise.all([report(SERVICE, '1.0.0', 'prod', 400, 0.01), report(SERVICE, '1.1.0', 'prod', 400, 0.25)]);
    const done = await finished(client, SERVICE, canary.id);

    // Assess
    expect(done.status).toBe('rolled_back');
    expect(done.failureReason).toMatch(
      /^Canary judge: The canary failed errorRate \(High: 25\.00% against [\d.]+% on the baseline, p < 0\.001\)/,
    );
    expect(await routing(client, SERVICE, 'prod')).toMatchObject({ weights: { '1.0.0': 100 } });
    const judged = (await deploymentEvents(client, SERVICE, canary.id)).filter(
      (e) => e.type === 'deployment.gate_evaluated' && e.evidence?.judge,
    );
    expect(judged).toHaveLength(1);
    const judge = judged[0]?.evidence.judge;
    expect(judge).toMatchObject({ outcome: 'fail', action: 'rollback', score: 50 });
    expect(judge.metrics.find((m: { metric: string }) => m.metric === 'errorRate')).toMatchObject({
      classification: 'High',
      canary: 0.25,
      samples: { baseline: 400, canary: 400 },
    });
    expect(judge.metrics.find((m: { metric: string }) => m.metric === 'latencyP95').classification).toBe('Pass');
    expect((await version(SERVICE, '1.0.0')).status).toBe('released');
  });

  it('promotes a better canary and deprecates the version it replaced, with a sunset and the replacement', async () => {
    // Prepare
    const canary = await bakingCanary('1.2.0');

    // Act
    await Promise.all([report(SERVICE, '1.0.0', 'prod', 400, 0.02), report(SERVICE, '1.2.0', 'prod', 400, 0.01, 90)]);
    const done = await finished(client, SERVICE, canary.id);

    // Assess
    expect(done.status, done.failureReason ?? '').toBe('succeeded');
    expect(await routing(client, SERVICE, 'prod')).toMatchObject({ weights: { '1.2.0': 100 } });
    const judge = (await deploymentEvents(client, SERVICE, canary.id)).find((e) => e.evidence?.judge)?.evidence.judge;
    expect(judge).toMatchObject({ outcome: 'pass', action: 'continue', score: 100 });
    // The Finish step deprecates the replaced version right after it records the success.
    const replaced = await eventually(
      () => version(SERVICE, '1.0.0'),
      (v) => v.status !== 'released',
    );
    expect(replaced).toMatchObject({ status: 'deprecated', deprecation: { replacement: '1.2.0', reason: 'Replaced by 1.2.0 in prod.' } });
    const graceDays = (Date.parse(replaced.deprecation.sunsetAt) - Date.now()) / 86_400_000;
    expect(graceDays).toBeGreaterThan(89.9);
    expect(graceDays).toBeLessThanOrEqual(90);
    const production = await client.get(path(SERVICE, '/production'));
    expect(production.json.active.version).toBe('1.2.0');
  });

  it('extends a bake without enough data, then does as configured: never a failure for lack of data alone', async () => {
    // Prepare: no inferences are reported for this canary in production.
    const gate = { ...JUDGE_GATE, judge: { ...JUDGE_GATE.judge, maxExtensions: 1, onInconclusive: 'continue' } };

    // Act
    const canary = await bakingCanary('1.3.0', gate);
    const done = await finished(client, SERVICE, canary.id, 40_000);

    // Assess
    expect(done.status, done.failureReason ?? '').toBe('succeeded');
    const judgements = (await deploymentEvents(client, SERVICE, canary.id))
      .filter((e) => e.type === 'deployment.gate_evaluated' && e.evidence?.judge)
      .map((e) => e.evidence.judge);
    expect(judgements.map((j) => [j.outcome, j.action, j.extensionsSoFar])).toEqual([
      ['inconclusive', 'extend', 0],
      ['inconclusive', 'continue', 1],
    ]);
    expect(judgements[0].reason).toMatch(/^Too few samples to judge \(baseline \d+, canary 0; 100 needed on each side\): extend the bake/);
  });
});
