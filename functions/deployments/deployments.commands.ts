import { createHash } from 'node:crypto';
import { ulid } from 'ulid';
import type { CommandContext } from '#kernel/command-context';
import { canonicalJson } from '#configs/config.domain';
import { type Deployment, type Environment, type HealthGate, isActive, lambdaVersionNumber } from './deployment.domain.ts';
import { planFor, type Strategy } from './plan.domain.ts';
import { ConflictError, NotFoundError, ValidationError } from '#kernel/errors';
import type { EventType } from '#kernel/events';
import { parseSemVer, precedenceKey } from '#services/semver.domain';
import { type Actor, executeCommand, type Item } from '#kernel/store/event-log';
import {
  type DeploymentLogEntry,
  deploymentItem,
  deploymentLogItem,
  environmentItem,
  getDeployment,
  getEnvironment,
  getIdempotencyRecord,
  idempotencyItem,
} from './environments.store.ts';
import { keys } from '#kernel/store/keys';
import { getVersion } from '#services/public';
import { checkModelDeployment } from '#models/public';

/** The actor recorded for what the deployment workflow does on its own. */
export const WORKFLOW_ACTOR: Actor = { keyId: 'system', name: 'deployment-workflow' };
const RECENT_DEPLOYMENTS = 10;

export interface StartDeployment {
  environment: string;
  version: string;
  strategy: Strategy;
  healthGate?: HealthGate | null;
  reason?: string;
  force?: boolean;
  /** An admin's override of a model's deployability check (issue 10). */
  override?: { reason: string };
}

export interface DeploymentChange {
  type: EventType;
  deployment: Deployment;
  environment: Environment;
  log: Omit<DeploymentLogEntry, 'seq' | 'at' | 'type'>;
}

function requestHash(input: StartDeployment): string {
  return createHash('sha256').update(canonicalJson(input)).digest('hex');
}

/**
 * Accepts a deployment: only released versions (deprecated with `force`, retired never), one
 * active deployment per service and environment, the environment's allowed strategies. With an
 * Idempotency-Key, a repeated request returns the first deployment instead of starting another.
 */
export async function startDeployment(
  service: string,
  input: StartDeployment,
  context: CommandContext & { idempotencyKey?: string },
): Promise<{ deployment: Deployment; replayed: boolean }> {
  const plan = planFor(input.strategy);
  const semver = parseSemVer(input.version);
  if (!semver.ok) {
    throw new ValidationError(`"${input.version}" is not a valid semantic version: ${semver.reason}.`, [
      { pointer: '/body/version', message: semver.reason },
    ]);
  }
  const hash = requestHash(input);
  return executeCommand<{ deployment: Deployment; replayed: boolean }>(keys.environmentAggregate(service, input.environment), async () => {
    if (context.idempotencyKey) {
      const previous = await getIdempotencyRecord(service, input.environment, context.idempotencyKey);
      if (previous) {
        if (previous.requestHash !== hash) {
          throw new ConflictError('This Idempotency-Key was used with a different request; use a new key for a new deployment.');
        }
        const deployment = await getDeployment(service, input.environment, previous.deploymentId);
        if (deployment) return { unchanged: { deployment, replayed: true } };
      }
    }
    const stored = await getEnvironment(service, input.environment);
    if (!stored)
      throw new NotFoundError(
        `Service ${service} has no environment ${input.environment}; define it with PUT /v1/services/${service}/environments/${input.environment}.`,
      );
    const environment = stored.environment;
    if (environment.activeDeploymentId) {
      throw new ConflictError(
        `Deployment ${environment.activeDeploymentId} is still active in ${input.environment}; wait for it, or cancel it.`,
        {
          activeDeploymentId: environment.activeDeploymentId,
        },
      );
    }
    const version = await getVersion(service, precedenceKey(semver.value));
    if (!version) throw new NotFoundError(`Service ${service} has no version ${input.version}.`);
    if (version.status === 'draft')
      throw new ConflictError(`Version ${version.version} is a draft; release it before deploying it.`, { currentStatus: 'draft' });
    if (version.status === 'retired')
      throw new ConflictError(`Version ${version.version} is retired and can never be deployed.`, { currentStatus: 'retired' });
    if (version.status === 'deprecated' && !input.force) {
      throw new ConflictError(`Version ${version.version} is deprecated; send "force": true to deploy it anyway.`, {
        currentStatus: 'deprecated',
      });
    }
    if (environment.traffic.driver === 'lambda-alias' && !lambdaVersionNumber(version.artifact)) {
      // Refused now rather than found by the workflow's first step, after the 202.
      throw new ConflictError(
        `Environment ${input.environment} shifts a Lambda alias, and version ${version.version} names no Lambda version: register versions for it with "artifact": {"type": "lambda-version", "uri": "<version number or ARN>"}.`,
        { artifact: version.artifact },
      );
    }
    // A model version must be deployable by its policy (issue 10), unless an admin overrides it.
    const decision = await checkModelDeployment(service, version.version, input.environment, { force: input.force });
    const overridden = decision && !decision.approved ? decision.reasons : null;
    if (overridden && !input.override) {
      throw new ConflictError(
        `Version ${version.version} of ${service} may not be deployed to ${input.environment}: ${overridden.join(' ')}`,
        {
          reasons: overridden,
          replacement: decision?.replacement ?? null,
        },
      );
    }
    const allowed = environment.protection.allowedStrategies;
    if (allowed && !allowed.includes(plan.strategy)) {
      throw new ConflictError(`Environment ${input.environment} allows only ${allowed.join(', ')} deployments.`, {
        allowedStrategies: allowed,
      });
    }
    if (environment.activeVersion === version.version && environment.weights[version.version] === 100) {
      throw new ConflictError(`Version ${version.version} already serves all of ${input.environment}.`);
    }

    const now = new Date().toISOString();
    const deployment: Deployment = {
      id: ulid(),
      service,
      environment: input.environment,
      version: version.version,
      fromVersion: environment.activeVersion,
      plan,
      healthGate: input.healthGate === undefined ? environment.healthGate : input.healthGate,
      reason: input.reason ?? null,
      status: 'pending',
      currentStep: -1,
      weights: { ...environment.weights },
      baselineWeights: { ...environment.weights },
      requiresApproval: environment.protection.requiresApproval,
      approvalDeadline: null,
      approvedBy: null,
      createdBy: context.actor,
      createdAt: now,
      startedAt: null,
      updatedAt: now,
      finishedAt: null,
      failureReason: null,
      stepChecks: [],
      rollbackWindowEndsAt: null,
      idempotencyKey: context.idempotencyKey ?? null,
    };
    const nextEnvironment: Environment = {
      ...environment,
      activeDeploymentId: deployment.id,
      recentDeploymentIds: [deployment.id, ...environment.recentDeploymentIds].slice(0, RECENT_DEPLOYMENTS),
    };
    const seq = stored.seq + 1;
    const effects: Item[] = [
      deploymentItem(deployment),
      deploymentLogItem(deployment, {
        seq,
        at: now,
        type: 'deployment.started',
        message: `Deploying ${deployment.version} with ${plan.preset ?? plan.strategy} (${plan.steps.map((step) => `${step.percent}%`).join(' → ')}).`,
        weights: null,
        step: null,
        evidence: null,
      }),
    ];
    if (context.idempotencyKey) effects.push(idempotencyItem(service, input.environment, context.idempotencyKey, deployment.id, hash));
    effects.push(environmentItem(nextEnvironment));
    return {
      expectedSeq: stored.seq,
      event: {
        type: 'deployment.started',
        actor: context.actor,
        requestId: context.requestId,
        service,
        subject: `deployment/${deployment.id}`,
        changes: {
          before: null,
          after: {
            id: deployment.id,
            environment: deployment.environment,
            version: deployment.version,
            fromVersion: deployment.fromVersion,
            plan,
            ...(overridden && input.override ? { override: { reason: input.override.reason, reasons: overridden } } : {}),
          },
        },
        effects,
      },
      result: () => ({ deployment, replayed: false }),
    };
  });
}

/**
 * Moves a deployment on, as one event in its environment's aggregate: the deployment, a line of
 * its log and the environment head change together. `change` sees the current state and returns
 * what to record, or null when there is nothing to do (so every workflow step can be retried).
 */
export async function changeDeployment(
  service: string,
  environmentName: string,
  id: string,
  actor: Actor,
  requestId: string,
  change: (deployment: Deployment, environment: Environment) => DeploymentChange | null,
): Promise<Deployment> {
  return executeCommand<Deployment>(keys.environmentAggregate(service, environmentName), async () => {
    const stored = await getEnvironment(service, environmentName);
    const deployment = await getDeployment(service, environmentName, id);
    if (!stored || !deployment) throw new NotFoundError(`Service ${service} has no deployment ${id} in ${environmentName}.`);
    const decided = change(deployment, stored.environment);
    if (!decided) return { unchanged: deployment };
    const now = new Date().toISOString();
    const seq = stored.seq + 1;
    const next: Deployment = { ...decided.deployment, updatedAt: now };
    const environment: Environment = {
      ...decided.environment,
      activeDeploymentId: isActive(next.status)
        ? next.id
        : decided.environment.activeDeploymentId === next.id
          ? null
          : decided.environment.activeDeploymentId,
    };
    return {
      expectedSeq: stored.seq,
      event: {
        type: decided.type,
        actor,
        requestId,
        service,
        subject: `deployment/${id}`,
        changes: {
          before: { status: deployment.status, step: deployment.currentStep, weights: deployment.weights },
          after: {
            status: next.status,
            step: next.currentStep,
            weights: next.weights,
            message: decided.log.message,
            evidence: decided.log.evidence ?? null,
          },
        },
        effects: [
          deploymentItem(next),
          deploymentLogItem(next, { ...decided.log, seq, at: now, type: decided.type }),
          environmentItem(environment),
        ],
      },
      result: () => next,
    };
  });
}

export async function requireDeployment(service: string, id: string, environment?: string): Promise<Deployment> {
  if (environment) {
    const found = await getDeployment(service, environment, id);
    if (found) return found;
  }
  throw new NotFoundError(`Service ${service} has no deployment ${id}.`);
}
