import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { timeScale } from '#kernel/clock';
import type { ExecutionEventLogs } from '#local/deployment-executor';
import type { Runtime } from '#local/runtime';
import { type BenchApi, benchApi } from '../api.ts';
import { round, summarize } from '../stats.ts';
import type { BenchContext, Figures, Suite, SuiteResult } from '../suite.ts';

/**
 * Deployments (issue 3), run by the local runtime's workflow executor: the same
 * statemachines/deployment.asl.json and task functions as on AWS, with workflow time scaled by
 * STEWARD_TIME_SCALE (bench/run.ts sets 0.001: a 1-minute bake lasts 60 ms).
 *
 * - Step latency: the control plane's own time per step, from the end of a bake (the
 *   `bakeEndsAt` the ShiftTraffic task computed, read from the execution's event log) to the
 *   next weights recorded (the `at` of the next `deployment.step_completed` in
 *   GET .../deployments/{id}/events), with the `none` driver, over 10-step linear deployments.
 * - State transitions: states entered plus retries, counted from aws-local-stepfunctions'
 *   execution event log (LocalDeploymentExecutor.onExecution), priced at Step Functions
 *   Standard's $0.025 per 1,000 transitions.
 */

const SERVICE = 'bench-deploy';
const VERSIONS = ['1.0.0', '2.0.0'];
const LINEAR = { type: 'linear', percent: 10, intervalMinutes: 1 } as const;
const CANARY = { type: 'canary', percent: 10, bakeMinutes: 5 } as const;
/** Step Functions Standard: $0.025 per 1,000 state transitions (us-east-1, beyond the free tier). */
const USD_PER_TRANSITION = 0.025 / 1000;
/** Runs at scale 1: each linear run gives 9 step latencies and takes about 0.7 s at time scale 0.001. */
const LINEAR_RUNS = 12;
const CANARY_RUNS = 3;
/** A workflow that has not ended after this long is stuck: fail the bench rather than wait. */
const RUN_TIMEOUT_MS = 60_000;

const STEP_LATENCY_TARGET_MS = 200;
const CANARY_TRANSITIONS_TARGET = 50;

export const deploymentsSuite: Suite = {
  name: 'deployments',
  targets: [
    {
      figure: 'deployStepLatencyP99Ms',
      op: '<',
      value: STEP_LATENCY_TARGET_MS,
      description: 'control plane per step, bake end → next weights recorded (10-step linear, none driver), p99',
    },
    {
      figure: 'canaryTransitions',
      op: '<',
      value: CANARY_TRANSITIONS_TARGET,
      description: 'Step Functions state transitions of a 1-step canary (10%, 5 min bake, probe gate)',
    },
  ],
  run: runDeployments,
};

type ExecutionEvent = ExecutionEventLogs extends AsyncGenerator<infer Event> ? Event : never;
type StateEvent = Extract<ExecutionEvent, { state: unknown }>;

interface WorkflowStateSnapshot {
  bakeEndsAt?: string;
  waitUntil?: string;
  lastStep?: boolean;
}

interface DeploymentEvent {
  seq: number;
  at: string;
  type: string;
  step: number | null;
}

/** One deployment, run to its end: the API's view and the execution's event log. */
interface Run {
  deployment: { id: string; status: string; failureReason: string | null; steps: Array<{ percent: number; bakeSeconds: number }> };
  events: DeploymentEvent[];
  log: ExecutionEvent[];
  wallMs: number;
}

/** Where one step's latency went, in ms; the parts add up to `total`. */
interface StepTiming {
  total: number;
  /** The last Bake wait ended this long after bakeEndsAt (timer lateness). */
  timer: number;
  /** From that wait's end to EvaluateGate's end (the last check of the bake). */
  gate: number;
  /** GateDecision and NextStep: EvaluateGate's end to ShiftTraffic's start. */
  choices: number;
  /** ShiftTraffic, from its start to the weights recorded (load, driver, write). */
  shift: number;
}

function isStateEvent(event: ExecutionEvent): event is StateEvent {
  return 'state' in event;
}

/** States entered plus retries: what Step Functions Standard bills. */
export function transitionsOf(log: ExecutionEvent[]): number {
  return log.filter((event) => event.type === 'StateEntered' || event.type === 'StateRetried').length;
}

function statesEntered(log: ExecutionEvent[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const event of log) {
    if (event.type === 'StateEntered' && isStateEvent(event)) counts.set(event.state.name, (counts.get(event.state.name) ?? 0) + 1);
  }
  return counts;
}

/**
 * Gate checks that ran one round too many: the bake's last wait (until bakeEndsAt) woke a
 * millisecond early by the wall clock, so EvaluateGate saw the bake not yet over and went round
 * Bake → EvaluateGate → GateDecision once more (3 transitions).
 */
function extraRounds(log: ExecutionEvent[]): number {
  return log.filter((event) => {
    if (event.type !== 'StateExited' || !isStateEvent(event) || event.state.name !== 'EvaluateGate') return false;
    const input = event.state.input as WorkflowStateSnapshot;
    const output = event.state.output as WorkflowStateSnapshot & { verdict?: string };
    return input.waitUntil !== undefined && input.waitUntil === input.bakeEndsAt && output?.verdict === 'baking';
  }).length;
}

/**
 * For each step with a bake, from its bake's end to the next step's weights recorded. Step k's
 * bake end is the `bakeEndsAt` in the k-th ShiftTraffic's output; step k+1's weights are the
 * `deployment.step_completed` event with `step` k+1.
 */
export function stepTimings(run: Run): StepTiming[] {
  const { log, events } = run;
  const completed = new Map(
    events.filter((event) => event.type === 'deployment.step_completed').map((event) => [event.step, Date.parse(event.at)]),
  );
  const shiftExits: number[] = [];
  const shiftEntries: number[] = [];
  log.forEach((event, index) => {
    if (!isStateEvent(event) || event.state.name !== 'ShiftTraffic') return;
    if (event.type === 'StateExited') shiftExits.push(index);
    if (event.type === 'StateEntered') shiftEntries.push(index);
  });
  if (shiftExits.length !== run.deployment.steps.length) {
    throw new Error(`Deployment ${run.deployment.id}: ${shiftExits.length} ShiftTraffic exits for ${run.deployment.steps.length} steps.`);
  }
  const timings: StepTiming[] = [];
  for (let step = 0; step + 1 < shiftExits.length; step++) {
    const exit = log[shiftExits[step]!] as StateEvent;
    const bakeEndsAt = (exit.state.output as WorkflowStateSnapshot | undefined)?.bakeEndsAt;
    if (!bakeEndsAt) continue;
    const bakeEnd = Date.parse(bakeEndsAt);
    const applied = completed.get(step + 1);
    if (applied === undefined) throw new Error(`Deployment ${run.deployment.id} has no step_completed event for step ${step + 1}.`);
    // The next ShiftTraffic entry after this exit, and the last wait and gate check between them.
    const nextEntryIndex = shiftEntries.find((index) => index > shiftExits[step]!);
    if (nextEntryIndex === undefined) throw new Error(`Deployment ${run.deployment.id}: no ShiftTraffic after step ${step}.`);
    const between = log.slice(shiftExits[step]!, nextEntryIndex).filter(isStateEvent);
    const lastBakeExit = between.findLast((event) => event.type === 'StateExited' && event.state.name === 'Bake');
    const lastGateExit = between.findLast((event) => event.type === 'StateExited' && event.state.name === 'EvaluateGate');
    if (!lastBakeExit || !lastGateExit) throw new Error(`Deployment ${run.deployment.id}: step ${step} has no bake or gate check.`);
    const nextEntry = log[nextEntryIndex]!.timestamp;
    timings.push({
      total: applied - bakeEnd,
      timer: lastBakeExit.timestamp - bakeEnd,
      gate: lastGateExit.timestamp - lastBakeExit.timestamp,
      choices: nextEntry - lastGateExit.timestamp,
      shift: applied - nextEntry,
    });
  }
  return timings;
}

/** A local HTTP service that always answers 200: the canary's healthy new version. */
async function healthyService(): Promise<{ url: string; server: Server }> {
  const server = createServer((_, response) => {
    response.writeHead(200, { 'content-type': 'application/json' });
    response.end('{"status":"ok"}');
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/health`, server };
}

/** Reads a whole event log, until the execution ends. */
async function collect(eventLogs: ExecutionEventLogs): Promise<ExecutionEvent[]> {
  const events: ExecutionEvent[] = [];
  for await (const event of eventLogs) events.push(event);
  return events;
}

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not end within ${ms / 1000} s.`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

class Deployer {
  private readonly logs = new Map<string, Promise<ExecutionEvent[]>>();
  /** The version each environment serves now. */
  private readonly serving = new Map<string, string>();

  constructor(
    private readonly runtime: Runtime,
    private readonly api: BenchApi,
  ) {}

  attach(): void {
    this.runtime.deployments.onExecution = (id, eventLogs) => {
      this.logs.set(id, collect(eventLogs));
    };
  }

  detach(): void {
    this.runtime.deployments.onExecution = undefined;
  }

  async setUp(environments: Record<string, object>): Promise<void> {
    const { api } = this;
    await api.expect(201, 'POST', '/v1/services', { name: SERVICE, kind: 'api' });
    for (const version of VERSIONS) {
      await api.expect(201, 'POST', `/v1/services/${SERVICE}/versions`, { version, description: `Bench release ${version}.` });
      await api.expect(200, 'POST', `/v1/services/${SERVICE}/versions/${version}/release`);
    }
    for (const [name, body] of Object.entries(environments)) {
      await api.expect([200, 201], 'PUT', `/v1/services/${SERVICE}/environments/${name}`, body);
    }
  }

  /** Deploys the version the environment does not serve (the first deployment: the first version, all at once). */
  async deploy(environment: string, strategy: object, healthGate?: object): Promise<Run> {
    const current = this.serving.get(environment);
    const version = current === undefined ? VERSIONS[0]! : VERSIONS[(VERSIONS.indexOf(current) + 1) % VERSIONS.length]!;
    const started = performance.now();
    const accepted = await this.api.expect(202, 'POST', `/v1/services/${SERVICE}/deployments`, {
      environment,
      version,
      strategy,
      ...(healthGate ? { healthGate } : {}),
    });
    const id = accepted.json.id as string;
    const pending = this.logs.get(id);
    if (!pending) throw new Error(`No execution event log for deployment ${id}: is the executor hook attached?`);
    const log = await withTimeout(pending, RUN_TIMEOUT_MS, `Deployment ${id}`);
    const wallMs = performance.now() - started;
    this.logs.delete(id);
    const deployment = (await this.api.expect(200, 'GET', `/v1/services/${SERVICE}/deployments/${id}`)).json;
    if (deployment.status !== 'succeeded') throw new Error(`Deployment ${id} ended ${deployment.status}: ${deployment.failureReason}`);
    const events = (await this.api.expect(200, 'GET', `/v1/services/${SERVICE}/deployments/${id}/events?limit=100`)).json
      .items as DeploymentEvent[];
    this.serving.set(environment, version);
    return { deployment, events, log, wallMs };
  }
}

async function runDeployments(context: BenchContext): Promise<SuiteResult> {
  const { progress, settings } = context;
  const runtime = await context.runtime();
  const scale = timeScale();
  const api = benchApi(runtime);
  const probe = await healthyService();
  const deployer = new Deployer(runtime, api);
  deployer.attach();
  try {
    progress('deployments: service, two released versions, environments (none driver)');
    await deployer.setUp({
      linear: { traffic: { driver: 'none' } },
      canary: { traffic: { driver: 'none' } },
    });
    // Something must serve before traffic can shift step by step: promote the first version.
    const promotions = [await deployer.deploy('linear', { type: 'all-at-once' }), await deployer.deploy('canary', { type: 'all-at-once' })];

    const linearRuns: Run[] = [];
    const linearCount = Math.max(2, Math.round(LINEAR_RUNS * settings.scale));
    progress(`deployments: ${linearCount} linear deployments (10% every minute, time scale ${scale})`);
    for (let i = 0; i < linearCount; i++) linearRuns.push(await deployer.deploy('linear', LINEAR));

    const canaryRuns: Run[] = [];
    const canaryCount = Math.max(1, Math.round(CANARY_RUNS * settings.scale));
    progress(`deployments: ${canaryCount} canary deployments (10% for 5 minutes, probe gate against a local service)`);
    const gate = { probe: { url: probe.url, expectStatus: 200 } };
    for (let i = 0; i < canaryCount; i++) canaryRuns.push(await deployer.deploy('canary', CANARY, gate));

    return report({ scale, linearRuns, canaryRuns, promotions });
  } finally {
    deployer.detach();
    probe.server.closeAllConnections();
    await new Promise<void>((resolve) => probe.server.close(() => resolve()));
  }
}

function report(input: { scale: number; linearRuns: Run[]; canaryRuns: Run[]; promotions: Run[] }): SuiteResult {
  const { scale, linearRuns, canaryRuns, promotions } = input;
  const linearSteps = linearRuns.flatMap(stepTimings);
  const canarySteps = canaryRuns.flatMap(stepTimings);
  const latency = summarize(linearSteps.map((step) => step.total));
  const canaryLatency = summarize(canarySteps.map((step) => step.total));
  const part = (steps: StepTiming[], key: keyof StepTiming) => summarize(steps.map((step) => step[key]));

  const transitions = (runs: Run[]) => runs.map((run) => transitionsOf(run.log));
  const linearTransitions = Math.max(...transitions(linearRuns));
  const canaryTransitions = Math.max(...transitions(canaryRuns));
  const promoteTransitions = Math.max(...transitions(promotions));
  const usd = (count: number) => count * USD_PER_TRANSITION;

  const figures: Figures = {
    deployStepLatencyP50Ms: round(latency.p50Ms, 1),
    deployStepLatencyP99Ms: round(latency.p99Ms, 1),
    deployStepLatencyMaxMs: round(latency.maxMs, 1),
    canaryStepLatencyP50Ms: round(canaryLatency.p50Ms, 1),
    canaryTransitions,
    linearTransitions,
    allAtOnceTransitions: promoteTransitions,
    canaryCostUsd: round(usd(canaryTransitions), 6),
    linearCostUsd: round(usd(linearTransitions), 6),
    canaryCostPer1000Usd: round(usd(canaryTransitions) * 1000, 4),
    linearCostPer1000Usd: round(usd(linearTransitions) * 1000, 4),
  };

  const ms = (value: number) => value.toFixed(1);
  // Event timestamps are whole milliseconds.
  const wholeMs = (value: number) => value.toFixed(0);
  const breakdownRow = (label: string, steps: StepTiming[], key: keyof StepTiming) => {
    const summary = part(steps, key);
    return [label, wholeMs(summary.p50Ms), wholeMs(summary.p99Ms), wholeMs(summary.maxMs)];
  };
  const transitionRow = (label: string, runs: Run[]) => {
    const counts = transitions(runs);
    const states = statesEntered(runs[0]!.log);
    const max = Math.max(...counts);
    return [
      label,
      String(runs[0]!.deployment.steps.length),
      counts.length > 1 && Math.min(...counts) !== max ? `${Math.min(...counts)}–${max}` : String(max),
      usd(max).toFixed(6),
      (usd(max) * 1000).toFixed(2),
      [...states].map(([name, count]) => `${name} ${count}`).join(', '),
    ];
  };
  const nominalBakeMs = (run: Run) => run.deployment.steps.reduce((sum, step) => sum + step.bakeSeconds, 0) * 1000 * scale;
  const overhead = (runs: Run[]) => summarize(runs.map((run) => run.wallMs - nominalBakeMs(run))).p50Ms;
  const extra = [...linearRuns, ...canaryRuns].reduce((sum, run) => sum + extraRounds(run.log), 0);

  return {
    figures,
    tables: [
      {
        title: `Deployment step latency: bake end → next weights recorded (none driver; ${linearSteps.length} steps of ${linearRuns.length} 10-step linear deployments)`,
        rows: [
          ['part of a step', 'p50 ms', 'p99 ms', 'max ms'],
          breakdownRow('bake wait ended after bakeEndsAt (timer)', linearSteps, 'timer'),
          breakdownRow('EvaluateGate (bake over → next)', linearSteps, 'gate'),
          breakdownRow('GateDecision + NextStep (Choice states)', linearSteps, 'choices'),
          breakdownRow('ShiftTraffic until weights recorded', linearSteps, 'shift'),
          breakdownRow('total (deployStepLatency)', linearSteps, 'total'),
          breakdownRow(`canary, 10% → 100% (${canarySteps.length} steps, gate checks at bake end)`, canarySteps, 'total'),
        ],
        notes: [
          `Bake end: the bakeEndsAt the ShiftTraffic task computed (execution event log); weights recorded: the step's \`at\` in GET .../deployments/{id}/events.`,
          `Workflow time scaled by STEWARD_TIME_SCALE=${scale}: a 1-minute bake lasts ${60_000 * scale} ms; the control plane's own work is not scaled.`,
          `Wall time beyond the scaled bakes, per deployment (p50): linear ${ms(overhead(linearRuns))} ms over ${linearRuns[0]!.deployment.steps.length} steps, canary ${ms(overhead(canaryRuns))} ms.`,
          `Locally a Task is an in-process call on dynalite; on AWS each Task is a Lambda invocation and each transition a Step Functions hop (tens of ms more per step).`,
          ...(extra > 0
            ? [
                `${extra} bake(s) ended with one gate round too many: the last wait woke a millisecond before bakeEndsAt by the wall clock (3 more transitions each).`,
              ]
            : []),
        ],
      },
      {
        title: 'Step Functions state transitions per deployment (Standard: $0.025 per 1,000)',
        rows: [
          ['deployment', 'steps', 'transitions', 'USD each', 'USD per 1,000', 'states entered (one run)'],
          transitionRow(`canary 10% 5 min, probe gate (${canaryRuns.length} runs)`, canaryRuns),
          transitionRow(`linear 10% every 1 min, no gate (${linearRuns.length} runs)`, linearRuns),
          transitionRow('all at once (the promotions, 2 runs)', promotions),
        ],
        notes: [
          "Transitions: states entered plus retries, from aws-local-stepfunctions' execution event log (LocalDeploymentExecutor.onExecution); the figure is the most any run used.",
          'A bake gets at most 5 gate checks (MAX_CHECKS_PER_BAKE), 3 transitions each; at this time scale a check can outlast its 60 ms interval, so a run may get fewer: on AWS a 5-minute bake gets all 5.',
          'Lambda invocations of the Task states, CloudWatch Logs of the execution and the free tier (4,000 transitions a month) are not included.',
        ],
      },
    ],
  };
}
