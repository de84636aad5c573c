import { changeDeployment, startDeployment } from './deployments.commands.ts';
import type { CommandContext } from '#kernel/command-context';
import { orchestrator } from './orchestrator.ts';
import { TrafficDriverError } from './errors.ts';
import { restore } from './tasks.ts';
import { trafficDriverFor } from './drivers/index.ts';
import { type Deployment, isActive } from './deployment.domain.ts';
import { ConflictError, NotFoundError } from '#kernel/errors';
import { findDeployment, getEnvironment } from './environments.store.ts';

async function requireDeployment(service: string, id: string): Promise<Deployment> {
  const deployment = await findDeployment(service, id);
  if (!deployment) throw new NotFoundError(`Service ${service} has no deployment ${id}.`);
  return deployment;
}

/**
 * Starts the workflow of a deployment accepted but not yet under way: just after it is accepted,
 * again on an Idempotency-Key retry, or by the reconciler when the start never happened (the
 * process died between the commit and the start). The execution is named by the deployment id,
 * so a workflow already running is left alone and never started twice. A workflow that cannot
 * start, or that ended without moving the deployment on, fails the deployment with the reason,
 * which frees the environment.
 */
export async function launch(deployment: Deployment, context: CommandContext): Promise<Deployment> {
  let reason: string;
  try {
    const outcome = await (await orchestrator()).start(deployment);
    if (outcome !== 'ended') return deployment;
    reason = 'Its workflow ended without moving it on.';
  } catch (error) {
    reason = `The workflow could not start: ${(error as Error).message}`;
  }
  return changeDeployment(deployment.service, deployment.environment, deployment.id, context.actor, context.requestId, (current, env) =>
    !isActive(current.status)
      ? null
      : {
          type: 'deployment.failed',
          deployment: { ...current, status: 'failed', finishedAt: new Date().toISOString(), failureReason: reason },
          environment: env,
          log: { message: `${reason} Nothing was changed.`, weights: null, step: null, evidence: null },
        },
  );
}

export async function approveDeployment(service: string, id: string, context: CommandContext): Promise<Deployment> {
  const deployment = await requireDeployment(service, id);
  return changeDeployment(service, deployment.environment, id, context.actor, context.requestId, (current, env) => {
    // A deployment that requires approval may be approved as soon as it is accepted, before its
    // workflow has marked it awaiting approval: automation need not poll first.
    const waiting = current.status === 'awaiting_approval' || (current.status === 'pending' && current.requiresApproval);
    if (!waiting) {
      throw new ConflictError(`Deployment ${id} is ${current.status}; only a deployment awaiting approval can be approved.`, {
        currentStatus: current.status,
      });
    }
    if (current.approvalDeadline && new Date().toISOString() >= current.approvalDeadline) {
      throw new ConflictError(`The approval window of deployment ${id} closed at ${current.approvalDeadline}.`, {
        currentStatus: current.status,
      });
    }
    return {
      type: 'deployment.approved',
      deployment: { ...current, status: 'in_progress', approvedBy: context.actor, startedAt: new Date().toISOString() },
      environment: env,
      log: { message: `Approved by ${context.actor.name}.`, weights: null, step: null, evidence: null },
    };
  });
}

/** Stops the workflow, then restores the weights from before the deployment. */
export async function cancelDeployment(
  service: string,
  id: string,
  reason: string | undefined,
  context: CommandContext,
): Promise<Deployment> {
  const deployment = await requireDeployment(service, id);
  if (!isActive(deployment.status)) {
    throw new ConflictError(`Deployment ${id} is already ${deployment.status}.`, { currentStatus: deployment.status });
  }
  await (await orchestrator()).stop(deployment, `Cancelled by ${context.actor.name}`);
  const stored = await getEnvironment(service, deployment.environment);
  if (!stored) throw new NotFoundError(`Service ${service} has no environment ${deployment.environment}.`);
  const why = `Cancelled by ${context.actor.name}${reason ? `: ${reason}` : ''}.`;
  try {
    return await restore(deployment, stored.environment, 'deployment.cancelled', why, context.actor, context.requestId);
  } catch (error) {
    // The workflow is stopped: never leave the deployment active with nothing to finish it. Say
    // that the weights could not be put back, as the workflow's MarkFailed does, so someone steps in.
    const failure = `${why} Could not restore the previous weights: ${(error as Error).message}`;
    return changeDeployment(service, deployment.environment, id, context.actor, context.requestId, (current, env) =>
      !isActive(current.status)
        ? null
        : {
            type: 'deployment.failed',
            deployment: { ...current, status: 'failed', finishedAt: new Date().toISOString(), failureReason: failure },
            environment: env,
            log: { message: failure, weights: current.weights, step: current.currentStep, evidence: null },
          },
    );
  }
}

/** After success: put the previous version back at once. */
export async function rollbackDeployment(
  service: string,
  id: string,
  reason: string | undefined,
  context: CommandContext,
): Promise<Deployment> {
  const deployment = await requireDeployment(service, id);
  const stored = await getEnvironment(service, deployment.environment);
  if (!stored) throw new NotFoundError(`Service ${service} has no environment ${deployment.environment}.`);
  const environment = stored.environment;
  if (deployment.status !== 'succeeded') {
    throw new ConflictError(
      `Deployment ${id} is ${deployment.status}; only a succeeded deployment can be rolled back${isActive(deployment.status) ? ' (cancel a running one)' : ''}.`,
      { currentStatus: deployment.status },
    );
  }
  if (environment.activeVersion !== deployment.version || environment.activeDeploymentId) {
    throw new ConflictError(
      `Deployment ${id} is no longer what ${deployment.environment} runs; only the latest deployment can be rolled back.`,
    );
  }
  if (!deployment.fromVersion) throw new ConflictError(`Deployment ${id} replaced nothing, so there is no previous version to go back to.`);
  if (deployment.rollbackWindowEndsAt && new Date().toISOString() > deployment.rollbackWindowEndsAt) {
    throw new ConflictError(`The previous version was kept until ${deployment.rollbackWindowEndsAt}; deploy it again instead.`);
  }
  const weights = { [deployment.fromVersion]: 100 };
  try {
    await trafficDriverFor(environment.traffic).apply(
      { service, environment: environment.name, weights, revision: environment.routingRevision + 1, deploymentId: id },
      { environment, deployment },
    );
  } catch (error) {
    throw new TrafficDriverError(
      `${(error as Error).message} Nothing was rolled back: ${deployment.version} still serves ${deployment.environment}.`,
    );
  }
  const why = `Rolled back by ${context.actor.name}${reason ? `: ${reason}` : ''}.`;
  return changeDeployment(service, deployment.environment, id, context.actor, context.requestId, (current, env) => {
    if (current.status !== 'succeeded' || env.activeVersion !== current.version) return null;
    return {
      type: 'deployment.rolled_back',
      deployment: { ...current, status: 'rolled_back', weights, failureReason: why },
      environment: {
        ...env,
        activeVersion: current.fromVersion,
        previousVersion: current.version,
        weights,
        routingRevision: env.routingRevision + 1,
      },
      log: { message: `${why} ${current.fromVersion} serves all traffic again.`, weights, step: null, evidence: null },
    };
  });
}

/** The all-at-once shortcut: promote a version, demoting the one serving now. */
export async function promote(
  service: string,
  environment: string,
  version: string,
  context: CommandContext & { idempotencyKey?: string },
) {
  const { deployment, replayed } = await startDeployment(
    service,
    { environment, version, strategy: { type: 'all-at-once' }, reason: 'promote' },
    context,
  );
  return { deployment: replayed && deployment.status !== 'pending' ? deployment : await launch(deployment, context), replayed };
}
