import { changeDeployment, WORKFLOW_ACTOR } from './deployments.commands.ts';
import { after } from '#kernel/clock';
import { trafficDriverFor } from './drivers/index.ts';
import { DeploymentFinishedError } from './errors.ts';
import { checkGate, checksPerBake, gateHasChecks, stepPassed } from './health-gate.ts';
import type { TrafficDriver } from './traffic-driver.ts';
import {
  type CanaryJudgeConfig,
  type Deployment,
  type Environment,
  type GateCheck,
  isActive,
  workflowFailureReason,
} from './deployment.domain.ts';
import { type CanaryJudgement, judgeBake } from '#models/public';
import { deprecateReplaced } from '#models/promotion.commands';
import { weightsFor } from './plan.domain.ts';
import { getDeployment, getEnvironment } from './environments.store.ts';

/**
 * The deployment workflow's task steps. Each takes the workflow state and returns it, moved on;
 * each may run twice (Retry), so each checks the deployment's recorded state before acting.
 * statemachines/deployment.asl.json wires them; the Choice states read `approval` and `verdict`.
 */
export interface WorkflowState {
  deploymentId: string;
  service: string;
  environment: string;
  approval?: 'none' | 'required' | 'approved' | 'expired' | 'finished';
  verdict?: 'baking' | 'next' | 'failed';
  lastStep?: boolean;
  /** When the next Wait ends (ISO), scaled by STEWARD_TIME_SCALE locally. */
  waitUntil?: string;
  bakeEndsAt?: string;
  /** Set by a Catch: why a step failed. */
  error?: { Error?: string; Cause?: string };
}

/** How often a deployment waiting for approval looks again (seconds of workflow time). */
const APPROVAL_POLL_SECONDS = 30;

async function load(state: WorkflowState): Promise<{ deployment: Deployment; environment: Environment }> {
  const [deployment, stored] = await Promise.all([
    getDeployment(state.service, state.environment, state.deploymentId),
    getEnvironment(state.service, state.environment),
  ]);
  if (!deployment || !stored)
    throw new Error(`Deployment ${state.deploymentId} of ${state.service} in ${state.environment} does not exist.`);
  return { deployment, environment: stored.environment };
}

function change(state: WorkflowState, decide: Parameters<typeof changeDeployment>[5]) {
  return changeDeployment(state.service, state.environment, state.deploymentId, WORKFLOW_ACTOR, state.deploymentId, decide);
}

async function applyWeights(
  driver: TrafficDriver,
  environment: Environment,
  deployment: Deployment | null,
  weights: Record<string, number>,
  revision = environment.routingRevision + 1,
) {
  await driver.apply(
    { service: environment.service, environment: environment.name, weights, revision, deploymentId: deployment?.id ?? null },
    { environment, deployment },
  );
}

export async function prepare(state: WorkflowState): Promise<WorkflowState> {
  const { deployment, environment } = await load(state);
  if (!isActive(deployment.status)) return { ...state, approval: 'finished' };
  if (deployment.status === 'in_progress') return { ...state, approval: 'none' };
  if (!deployment.requiresApproval) return { ...state, approval: 'none' };
  const deadline = deployment.approvalDeadline ?? after(environment.protection.approvalTimeoutMinutes * 60);
  await change(state, (current, env) =>
    current.status !== 'pending'
      ? null
      : {
          type: 'deployment.awaiting_approval',
          deployment: { ...current, status: 'awaiting_approval', approvalDeadline: deadline },
          environment: env,
          log: { message: `Waiting for approval until ${deadline}.`, weights: null, step: null, evidence: null },
        },
  );
  return { ...state, approval: 'required', waitUntil: earliest(after(APPROVAL_POLL_SECONDS), deadline) };
}

function earliest(a: string, b: string): string {
  return a < b ? a : b;
}

export async function checkApproval(state: WorkflowState): Promise<WorkflowState> {
  const { deployment } = await load(state);
  if (!isActive(deployment.status)) return { ...state, approval: 'finished' };
  if (deployment.status !== 'awaiting_approval') return { ...state, approval: 'approved' };
  const deadline = deployment.approvalDeadline ?? new Date().toISOString();
  if (new Date().toISOString() >= deadline) return { ...state, approval: 'expired' };
  return { ...state, approval: 'required', waitUntil: earliest(after(APPROVAL_POLL_SECONDS), deadline) };
}

/** Applies the next step's weights through the environment's driver, then records them. */
export async function shiftTraffic(state: WorkflowState): Promise<WorkflowState> {
  const { deployment, environment } = await load(state);
  if (!isActive(deployment.status)) throw new DeploymentFinishedError(`Deployment ${deployment.id} is ${deployment.status}.`);
  const steps = deployment.plan.steps;
  // With nothing serving yet there is nothing to shift from: all traffic at once.
  const nothingActive = Object.keys(deployment.baselineWeights).length === 0;
  const index = nothingActive ? steps.length - 1 : deployment.currentStep + 1;
  const step = steps[index];
  if (!step) return { ...state, verdict: 'next', lastStep: true };
  const weights = weightsFor(step, deployment.version, deployment.baselineWeights);
  const driver = trafficDriverFor(environment.traffic);
  await applyWeights(driver, environment, deployment, weights);
  // The bake's end, recorded with the step (the deployment shows it as currentStep.endsAt) and waited for below.
  const bakeEndsAt = step.bakeSeconds > 0 ? after(step.bakeSeconds) : null;
  const recorded = await change(state, (current, env) => {
    if (!isActive(current.status) || current.currentStep >= index) return null;
    return {
      type: 'deployment.step_completed',
      deployment: {
        ...current,
        status: 'in_progress',
        startedAt: current.startedAt ?? new Date().toISOString(),
        currentStep: index,
        stepStartedAt: new Date().toISOString(),
        stepEndsAt: bakeEndsAt,
        weights,
        stepChecks: [],
        judgeExtensions: 0,
      },
      environment: { ...env, weights, routingRevision: env.routingRevision + 1 },
      log: {
        message: `Step ${index + 1} of ${steps.length}: ${deployment.version} at ${step.percent}%${nothingActive ? ' (no version was serving, so all traffic at once)' : ''}.`,
        weights,
        step: index,
        evidence: null,
      },
    };
  });
  if (!isActive(recorded.status)) {
    // Cancelled while we pushed weights: put back what the environment now records, under the
    // revision it records (restore reserved one above ours, so a router takes it over our step).
    const { environment: settled } = await load(state);
    await applyWeights(driver, settled, null, settled.weights, settled.routingRevision);
    throw new DeploymentFinishedError(`Deployment ${deployment.id} was ${recorded.status} during step ${index + 1}.`);
  }
  const lastStep = index === steps.length - 1;
  if (step.bakeSeconds <= 0 || bakeEndsAt === null) return { ...state, verdict: 'next', lastStep };
  // With nothing to check, one wait to the end of the bake: fewer state transitions, same result.
  const gate = deployment.healthGate;
  const hasChecks = gateHasChecks(gate);
  const checks = hasChecks ? checksPerBake(gate, step.bakeSeconds) : 1;
  return { ...state, verdict: 'baking', lastStep, bakeEndsAt, waitUntil: after(step.bakeSeconds / checks) };
}

/** One health check during a bake; the verdict says bake on, move on, or roll back. */
export async function evaluateGate(
  state: WorkflowState,
  check: (deployment: Deployment) => Promise<GateCheck> = (d) =>
    checkGate(d.healthGate, { service: d.service, environment: d.environment }),
): Promise<WorkflowState> {
  const { deployment } = await load(state);
  if (!isActive(deployment.status)) throw new DeploymentFinishedError(`Deployment ${deployment.id} is ${deployment.status}.`);
  const gate = deployment.healthGate;
  const bakeOver = new Date().toISOString() >= (state.bakeEndsAt ?? '');
  const hasChecks = gateHasChecks(gate);
  if (!hasChecks) return { ...state, verdict: bakeOver ? 'next' : 'baking', waitUntil: state.bakeEndsAt };
  const checked = await check(deployment);
  // A model's canary judge speaks at the bake's end (issue 10): continue, roll back, or bake longer.
  const judgement = bakeOver && gate?.judge ? await judgeStep(deployment, gate.judge) : null;
  const result: GateCheck = judgement ? { ...checked, judge: judgement } : checked;
  const checks = [...deployment.stepChecks, result];
  const step = deployment.plan.steps[deployment.currentStep];
  if (judgement?.action === 'extend') {
    const extendedTo = after(step?.bakeSeconds ?? 0);
    await change(state, (current, env) =>
      !isActive(current.status)
        ? null
        : {
            type: 'deployment.gate_evaluated',
            deployment: { ...current, stepChecks: checks, stepEndsAt: extendedTo, judgeExtensions: (current.judgeExtensions ?? 0) + 1 },
            environment: env,
            log: { message: `Canary judge: ${judgement.reason}`, weights: null, step: current.currentStep, evidence: result },
          },
    );
    const interval = (step?.bakeSeconds ?? 0) / checksPerBake(gate, step?.bakeSeconds ?? 0);
    return { ...state, verdict: 'baking', bakeEndsAt: extendedTo, waitUntil: earliest(after(interval), extendedTo) };
  }
  const judged = judgement?.action === 'rollback';
  const failed = judged || (!result.passed && gate?.failFast === true) || (bakeOver && !stepPassed(gate, checks));
  const verdict = failed ? 'failed' : bakeOver ? 'next' : 'baking';
  const percent = deployment.plan.steps[deployment.currentStep]?.percent ?? 0;
  await change(state, (current, env) =>
    !isActive(current.status)
      ? null
      : {
          type: 'deployment.gate_evaluated',
          deployment: {
            ...current,
            stepChecks: checks,
            failureReason: judged ? `Canary judge: ${judgement.reason}` : failed ? gateFailure(result, checks) : current.failureReason,
          },
          environment: env,
          log: {
            message: judgement
              ? `Canary judge at ${percent}%: ${judgement.reason}`
              : `Health gate ${result.passed ? 'passed' : 'failed'} at ${percent}%.`,
            weights: null,
            step: current.currentStep,
            evidence: result,
          },
        },
  );
  if (verdict !== 'baking') return { ...state, verdict };
  const interval = (step?.bakeSeconds ?? 0) / checksPerBake(gate, step?.bakeSeconds ?? 0);
  return { ...state, verdict, waitUntil: earliest(after(interval), state.bakeEndsAt ?? after(interval)) };
}

/**
 * The canary judge on the step that is baking: the deployment's version against the version that
 * served the most of the rest before it began, on their inferences since the step began. Null
 * with no baseline (nothing served before): there is nothing to compare with.
 */
async function judgeStep(deployment: Deployment, config: CanaryJudgeConfig): Promise<CanaryJudgement | null> {
  const baseline = Object.entries(deployment.baselineWeights)
    .filter(([version, weight]) => version !== deployment.version && weight > 0)
    .sort((a, b) => b[1] - a[1])[0]?.[0];
  if (!baseline) return null;
  return judgeBake({
    service: deployment.service,
    environment: deployment.environment,
    canary: deployment.version,
    baseline,
    fromMs: Date.parse(deployment.stepStartedAt ?? deployment.startedAt ?? deployment.createdAt),
    toMs: Date.now(),
    config,
    extensionsSoFar: deployment.judgeExtensions ?? 0,
  });
}

function gateFailure(result: GateCheck, checks: GateCheck[]): string {
  const ok = checks.reduce((sum, check) => sum + (check.probes?.ok ?? 0), 0);
  const total = checks.reduce((sum, check) => sum + (check.probes?.total ?? 0), 0);
  const parts = [];
  if (total > 0)
    parts.push(`${ok} of ${total} probes succeeded${result.probes?.failures.length ? ` (${result.probes.failures.join('; ')})` : ''}`);
  const firing = checks.flatMap((check) => check.alarms?.firing ?? []);
  if (firing.length > 0) parts.push(`alarms in ALARM: ${[...new Set(firing)].join(', ')}`);
  const unhealthy = new Map(checks.flatMap((check) => check.healthChecks?.unhealthy ?? []).map((found) => [found.id, found]));
  if (unhealthy.size > 0)
    parts.push(`health checks unhealthy: ${[...unhealthy.values()].map((found) => `${found.id} (${found.url})`).join(', ')}`);
  const open = new Map(checks.flatMap((check) => check.alerts?.open ?? []).map((found) => [found.id, found]));
  if (open.size > 0)
    parts.push(`alerts open: ${[...open.values()].map((found) => `${found.name} (${found.severity}, ${found.id})`).join(', ')}`);
  return `Health gate failed: ${parts.join('; ')}.`;
}

/** The version now serves all traffic: it becomes the environment's active version. */
export async function finish(state: WorkflowState): Promise<WorkflowState> {
  const finished = await change(state, (current, env) => {
    if (!isActive(current.status)) return null;
    const now = new Date();
    const keep = current.plan.keepPreviousSeconds;
    return {
      type: 'deployment.succeeded',
      deployment: {
        ...current,
        status: 'succeeded',
        finishedAt: now.toISOString(),
        weights: { [current.version]: 100 },
        rollbackWindowEndsAt: keep === null ? null : after(keep, now.getTime()),
      },
      environment: {
        ...env,
        activeVersion: current.version,
        previousVersion: current.fromVersion ?? env.previousVersion,
        weights: { [current.version]: 100 },
      },
      log: {
        message: `${current.version} serves all traffic.`,
        weights: { [current.version]: 100 },
        step: current.currentStep,
        evidence: null,
      },
    };
  });
  if (finished.status === 'succeeded') await demote(finished);
  return state;
}

/** A model promoted to production deprecates the version it replaced (issue 10); a failure here must not undo the promotion. */
async function demote(deployment: Deployment): Promise<void> {
  try {
    await deprecateReplaced(deployment.service, deployment.environment, deployment.version, deployment.fromVersion, {
      actor: WORKFLOW_ACTOR,
      requestId: deployment.id,
    });
  } catch (error) {
    console.warn(
      JSON.stringify({ message: 'could not deprecate the replaced version', deploymentId: deployment.id, error: String(error) }),
    );
  }
}

/** Restores the weights from before the deployment and records why: a failed gate, a failed step, or an approval that never came. */
export async function rollBack(state: WorkflowState): Promise<WorkflowState> {
  const { deployment, environment } = await load(state);
  if (!isActive(deployment.status)) return state;
  const cancelled = state.approval === 'expired';
  const reason = cancelled
    ? `Approval did not come within ${environment.protection.approvalTimeoutMinutes} minute${environment.protection.approvalTimeoutMinutes === 1 ? '' : 's'}.`
    : state.error
      ? workflowFailureReason(state.error)
      : (deployment.failureReason ?? 'The health gate failed.');
  await restore(deployment, environment, cancelled ? 'deployment.cancelled' : 'deployment.rolled_back', reason);
  return state;
}

/** Puts the baseline weights back through the driver and records the final status. */
export async function restore(
  deployment: Deployment,
  environment: Environment,
  type: 'deployment.cancelled' | 'deployment.rolled_back',
  reason: string,
  actor = WORKFLOW_ACTOR,
  requestId = deployment.id,
): Promise<Deployment> {
  const baseline = deployment.baselineWeights;
  // Unless it never got past approval, a step may be pushing weights it has not recorded yet, under
  // the revision after the recorded one: the baseline goes under the revision after that, so that a
  // router ignores the late step, and the step's own put-back reuses it (see shiftTraffic).
  const stepMayBeInFlight = deployment.status !== 'awaiting_approval';
  const revision = environment.routingRevision + (stepMayBeInFlight ? 2 : 1);
  if (JSON.stringify(environment.weights) !== JSON.stringify(baseline)) {
    await applyWeights(trafficDriverFor(environment.traffic), environment, deployment, baseline, revision);
  }
  return changeDeployment(deployment.service, deployment.environment, deployment.id, actor, requestId, (current, env) =>
    !isActive(current.status)
      ? null
      : {
          type,
          deployment: {
            ...current,
            status: type === 'deployment.cancelled' ? 'cancelled' : 'rolled_back',
            weights: baseline,
            finishedAt: new Date().toISOString(),
            failureReason: reason,
          },
          environment: {
            ...env,
            weights: baseline,
            routingRevision:
              stepMayBeInFlight || JSON.stringify(env.weights) !== JSON.stringify(baseline)
                ? Math.max(env.routingRevision + 1, revision)
                : env.routingRevision,
          },
          log: {
            message: `${type === 'deployment.cancelled' ? 'Cancelled' : 'Rolled back'}: ${reason} Weights restored.`,
            weights: baseline,
            step: current.currentStep,
            evidence: current.stepChecks.at(-1) ?? null,
          },
        },
  );
}

/** The rollback itself failed: say so, loudly, so that someone steps in. */
export async function markFailed(state: WorkflowState): Promise<WorkflowState> {
  const reason = `Could not restore the previous weights: ${workflowFailureReason(state.error)}`;
  await change(state, (current, env) =>
    !isActive(current.status)
      ? null
      : {
          type: 'deployment.failed',
          deployment: { ...current, status: 'failed', finishedAt: new Date().toISOString(), failureReason: reason },
          environment: env,
          log: { message: reason, weights: current.weights, step: current.currentStep, evidence: null },
        },
  );
  return state;
}

/** Task state name in the definition → the step it runs. */
export const TASKS = {
  Prepare: prepare,
  CheckApproval: checkApproval,
  ShiftTraffic: shiftTraffic,
  EvaluateGate: (state: WorkflowState) => evaluateGate(state),
  Finish: finish,
  RollBack: rollBack,
  MarkFailed: markFailed,
} as const;
export type TaskName = keyof typeof TASKS;
