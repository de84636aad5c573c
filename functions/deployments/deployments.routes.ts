import { commandContext } from '#kernel/http/request-context';
import { launch, approveDeployment, cancelDeployment, promote, rollbackDeployment } from './interventions.commands.ts';
import { startDeployment } from './deployments.commands.ts';
import { putEnvironment } from './environments.commands.ts';
import { etagOf, headerMatches } from '#kernel/command-context';
import * as contracts from './deployments.contract.ts';
import { currentStepView, type Deployment, type Environment } from './deployment.domain.ts';
import { ForbiddenError, NotFoundError } from '#kernel/errors';
import { checkModelDeployment, recordDeployabilityOverride } from '#models/public';
import type { CommandContext } from '#kernel/command-context';
import { implement, type Operation, type OperationRequest } from '#kernel/http/operation';
import {
  findDeployment,
  getDeployment,
  getEnvironment,
  listDeploymentLog,
  listDeployments,
  listEnvironments,
} from './environments.store.ts';
import { getService } from '#services/public';

const LAST_DEPLOYMENTS_SHOWN = 5;

export function deploymentView(deployment: Deployment) {
  const {
    plan,
    baselineWeights,
    stepChecks: _checks,
    idempotencyKey: _key,
    currentStep: _step,
    stepStartedAt: _started,
    stepEndsAt: _ends,
    ...rest
  } = deployment;
  return {
    ...rest,
    currentStep: currentStepView(deployment),
    strategy: plan.strategy,
    preset: plan.preset,
    steps: plan.steps,
    previousWeights: baselineWeights,
  };
}

async function environmentView(environment: Environment) {
  const ids = [
    ...new Set(
      [environment.activeDeploymentId, ...environment.recentDeploymentIds.slice(0, LAST_DEPLOYMENTS_SHOWN)].filter(Boolean) as string[],
    ),
  ];
  const found = await Promise.all(ids.map((id) => getDeployment(environment.service, environment.name, id)));
  const byId = new Map(found.filter(Boolean).map((deployment) => [(deployment as Deployment).id, deployment as Deployment]));
  const active = environment.activeDeploymentId ? byId.get(environment.activeDeploymentId) : undefined;
  const { recentDeploymentIds: _recent, activeDeploymentId: _active, rev, ...rest } = environment;
  return {
    ...rest,
    activeDeployment: active ? deploymentView(active) : null,
    lastDeployments: environment.recentDeploymentIds
      .slice(0, LAST_DEPLOYMENTS_SHOWN)
      .map((id) => byId.get(id))
      .filter((deployment): deployment is Deployment => Boolean(deployment))
      .map(deploymentView),
    etag: etagOf(rev),
  };
}

function accepted(deployment: Deployment) {
  return {
    status: 202,
    body: deploymentView(deployment),
    headers: { location: `/v1/services/${deployment.service}/deployments/${deployment.id}` },
  };
}

function idempotencyKey(request: OperationRequest<unknown, unknown, unknown>): string | undefined {
  const key = request.headers['idempotency-key'];
  return key && key.length <= 255 ? key : undefined;
}

export const deploymentOperations: Operation[] = [
  implement(contracts.putEnvironment, async (request) => {
    const { environment, created, routerSigningSecret } = await putEnvironment(
      request.params.name,
      request.params.env,
      request.body ?? {},
      commandContext(request),
    );
    const view = await environmentView(environment);
    return {
      status: created ? 201 : 200,
      body: routerSigningSecret ? { ...view, routerSigningSecret } : view,
      headers: { etag: view.etag, ...(routerSigningSecret ? { 'cache-control': 'no-store' } : {}) },
    };
  }),

  implement(contracts.listEnvironments, async (request) => {
    if (!(await getService(request.params.name))) throw new NotFoundError(`There is no service named ${request.params.name}.`);
    const page = await listEnvironments(request.params.name, request.query);
    return { status: 200, body: { items: await Promise.all(page.items.map(environmentView)), nextCursor: page.nextCursor } };
  }),

  implement(contracts.getEnvironment, async (request) => {
    const stored = await getEnvironment(request.params.name, request.params.env);
    if (!stored) throw new NotFoundError(`Service ${request.params.name} has no environment ${request.params.env}.`);
    const view = await environmentView(stored.environment);
    return { status: 200, body: view, headers: { etag: view.etag } };
  }),

  implement(contracts.getRouting, async (request) => {
    const stored = await getEnvironment(request.params.name, request.params.env);
    if (!stored) throw new NotFoundError(`Service ${request.params.name} has no environment ${request.params.env}.`);
    const etag = etagOf(stored.environment.routingRevision);
    const ifNoneMatch = request.headers['if-none-match'];
    if (headerMatches(ifNoneMatch, etag)) return { status: 304, headers: { etag } };
    return { status: 200, body: { weights: stored.environment.weights, revision: stored.environment.routingRevision }, headers: { etag } };
  }),

  implement(contracts.promote, async (request) => {
    const { deployment } = await promote(request.params.name, request.params.env, request.body.version, {
      ...commandContext(request),
      idempotencyKey: idempotencyKey(request),
    });
    return accepted(deployment);
  }),

  implement(contracts.startDeployment, async (request) => {
    const context = { ...commandContext(request), idempotencyKey: idempotencyKey(request) };
    const override = (request.body as { override?: { reason: string } }).override;
    if (override && request.principal.role !== 'admin') {
      throw new ForbiddenError(
        `Only an admin may override a model's deployability; key "${request.principal.name}" has ${request.principal.role}.`,
      );
    }
    const { deployment, replayed } = await startDeployment(request.params.name, request.body as never, context);
    if (override && !replayed) await recordOverride(deployment, override.reason, context);
    // A retry of a start that never got its workflow going (the first request died after the commit) starts it now.
    return accepted(replayed && deployment.status !== 'pending' ? deployment : await launch(deployment, context));
  }),

  implement(contracts.listDeployments, async (request) => {
    const page = await listDeployments(request.params.name, request.query);
    return { status: 200, body: { items: page.items.map(deploymentView), nextCursor: page.nextCursor } };
  }),

  implement(contracts.getDeployment, async (request) => {
    const deployment = await findDeployment(request.params.name, request.params.id);
    if (!deployment) throw new NotFoundError(`Service ${request.params.name} has no deployment ${request.params.id}.`);
    return { status: 200, body: deploymentView(deployment) };
  }),

  implement(contracts.listDeploymentEvents, async (request) => {
    const deployment = await findDeployment(request.params.name, request.params.id);
    if (!deployment) throw new NotFoundError(`Service ${request.params.name} has no deployment ${request.params.id}.`);
    return { status: 200, body: await listDeploymentLog(deployment, request.query) };
  }),

  implement(contracts.approveDeployment, async (request) => ({
    status: 200,
    body: deploymentView(await approveDeployment(request.params.name, request.params.id, commandContext(request))),
  })),

  implement(contracts.cancelDeployment, async (request) => ({
    status: 200,
    body: deploymentView(await cancelDeployment(request.params.name, request.params.id, request.body?.reason, commandContext(request))),
  })),

  implement(contracts.rollbackDeployment, async (request) => ({
    status: 200,
    body: deploymentView(await rollbackDeployment(request.params.name, request.params.id, request.body?.reason, commandContext(request))),
  })),
];

/** An admin's override of a model's deployability, on the model's audit trail (issue 10); the deployment's own event carries it too. */
async function recordOverride(deployment: Deployment, reason: string, context: CommandContext): Promise<void> {
  const decision = await checkModelDeployment(deployment.service, deployment.version, deployment.environment);
  if (!decision || decision.approved) return;
  await recordDeployabilityOverride(
    deployment.service,
    { deploymentId: deployment.id, version: deployment.version, environment: deployment.environment, reason, reasons: decision.reasons },
    context,
  );
}
