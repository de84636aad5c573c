import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { configureOrchestrator } from '../../functions/deployments/orchestrator.ts';
import { recoverStuckDeployments } from '../../functions/deployments/recovery.commands.ts';
import type { DeploymentOrchestrator, StartOutcome } from '../../functions/deployments/workflow.ts';
import { type Runtime, startRuntime } from '../../local/runtime.ts';
import { installCrashSwitch, SimulatedCrash } from '../helpers/crash-switch.ts';
import { deploymentEvents, finished, getDeployment, putEnvironment, serviceWithVersions } from '../helpers/deployments.ts';
import { type ApiClient, api, readAll } from '../helpers/http-client.ts';

/**
 * Issue 15 finding 4: starting a deployment is two steps, the commit (the deployment, pending,
 * holding its environment) and the workflow's start. A process that dies between them used to
 * leave the deployment pending forever, and a retry with the same Idempotency-Key answered the
 * stuck one. Here the process "dies" right at StartExecution (every later table write fails too,
 * so not even the failure can be recorded); then a retry, or the reconciler a minute later,
 * starts the workflow under the same name (never twice), or fails the deployment with a reason.
 */

process.env.STEWARD_TIME_SCALE = '0.01';

let runtime: Runtime;
let client: ApiClient;
let crash: ReturnType<typeof installCrashSwitch>;
let services = 0;
/** What the orchestrator does at the next start: run it, die, refuse, or find an ended execution. */
let atStart: 'run' | 'die' | 'refuse' | 'ended' = 'run';
const MINUTE_LATER = () => new Date(Date.now() + 61_000);

beforeAll(async () => {
  runtime = await startRuntime({ memory: true, port: 0, reconcileEveryMs: 3_600_000, tickSeconds: 3600 });
  client = api(runtime);
  crash = installCrashSwitch();
  const real = runtime.deployments;
  const orchestrator: DeploymentOrchestrator = {
    async start(deployment): Promise<StartOutcome> {
      if (atStart === 'die') {
        crash.crashAfterWrites(0);
        throw new SimulatedCrash('the process died before StartExecution');
      }
      if (atStart === 'refuse') throw new Error('State Machine Does Not Exist');
      if (atStart === 'ended') return 'ended';
      return real.start(deployment);
    },
    stop: (deployment) => real.stop(deployment),
  };
  configureOrchestrator(orchestrator);
});
afterEach(() => {
  atStart = 'run';
  crash.revive();
});
afterAll(async () => {
  configureOrchestrator(runtime.deployments);
  await runtime?.close();
});

async function readyService(): Promise<string> {
  const service = `stuck-${++services}`;
  await serviceWithVersions(client, service, ['1.0.0', '2.0.0']);
  await putEnvironment(client, service, 'prod', { traffic: { driver: 'none' } });
  return service;
}

const BODY = { environment: 'prod', version: '2.0.0', strategy: { type: 'all-at-once' } };

/** POSTs a deployment from a process that dies between the commit and the workflow's start. */
async function startThatDies(service: string, headers: Record<string, string> = {}): Promise<string> {
  vi.spyOn(console, 'warn').mockImplementation(() => undefined);
  atStart = 'die';
  const response = await client.post(`/v1/services/${service}/deployments`, BODY, { headers });
  expect(response.status).toBe(500);
  atStart = 'run';
  crash.revive();
  const [stuck] = await readAll(client, `/v1/services/${service}/deployments`);
  expect(stuck).toMatchObject({ version: '2.0.0', status: 'pending' });
  return stuck.id as string;
}

describe('a deployment whose start died between the commit and StartExecution', () => {
  it('blocks its environment until it is recovered', async () => {
    // Prepare
    const service = await readyService();
    const stuck = await startThatDies(service);

    // Act
    const another = await client.post(`/v1/services/${service}/deployments`, BODY);

    // Assess
    expect(another.status).toBe(409);
    expect(another.json.activeDeploymentId).toBe(stuck);
  });

  it('is started by a retry with the same Idempotency-Key, and runs once', async () => {
    // Prepare
    const service = await readyService();
    const headers = { 'idempotency-key': `release-${service}` };
    const stuck = await startThatDies(service, headers);

    // Act
    const retry = await client.post(`/v1/services/${service}/deployments`, BODY, { headers });

    // Assess
    expect(retry.status, retry.text).toBe(202);
    expect(retry.json.id).toBe(stuck);
    expect((await finished(client, service, stuck)).status).toBe('succeeded');
    const types = (await deploymentEvents(client, service, stuck)).map((event) => event.type);
    expect(types).toEqual(['deployment.started', 'deployment.step_completed', 'deployment.succeeded']);
  });

  it('is left alone by the reconciler for its first minute, then started by it under the same name, never twice', async () => {
    // Prepare
    const service = await readyService();
    const stuck = await startThatDies(service);

    // Act: the reconciler runs now, then (twice at once) a minute later.
    const early = await recoverStuckDeployments();
    const later = await Promise.all([recoverStuckDeployments({ now: MINUTE_LATER() }), recoverStuckDeployments({ now: MINUTE_LATER() })]);

    // Assess
    expect(early.pending).toBe(0);
    expect((await getDeployment(client, service, stuck)).status).not.toBe('failed');
    expect(later.map((outcome) => outcome.failed)).toEqual([0, 0]);
    expect((await finished(client, service, stuck)).status).toBe('succeeded');
    const types = (await deploymentEvents(client, service, stuck)).map((event) => event.type);
    expect(types).toEqual(['deployment.started', 'deployment.step_completed', 'deployment.succeeded']);
    expect((await recoverStuckDeployments({ now: MINUTE_LATER() })).pending).toBe(0);
  });

  it('is failed by the reconciler with the reason when its workflow cannot start, which frees the environment', async () => {
    // Prepare
    const service = await readyService();
    const stuck = await startThatDies(service);
    atStart = 'refuse';

    // Act
    const outcome = await recoverStuckDeployments({ now: MINUTE_LATER() });

    // Assess
    expect(outcome).toMatchObject({ failed: 1 });
    const failed = await getDeployment(client, service, stuck);
    expect(failed).toMatchObject({ status: 'failed', failureReason: 'The workflow could not start: State Machine Does Not Exist' });
    const history = await readAll(client, `/v1/services/${service}/history`, { type: 'deployment.failed' });
    expect(history[0]).toMatchObject({ subject: `deployment/${stuck}`, actor: { name: 'reconciler' } });
    atStart = 'run';
    const next = await client.post(`/v1/services/${service}/deployments`, BODY);
    expect(next.status, next.text).toBe(202);
    expect((await finished(client, service, next.json.id)).status).toBe('succeeded');
  });

  it('is failed by the reconciler when an execution by its id has already ended', async () => {
    // Prepare
    const service = await readyService();
    const stuck = await startThatDies(service);
    atStart = 'ended';

    // Act
    await recoverStuckDeployments({ now: MINUTE_LATER() });

    // Assess
    expect(await getDeployment(client, service, stuck)).toMatchObject({
      status: 'failed',
      failureReason: 'Its workflow ended without moving it on.',
    });
  });
});
