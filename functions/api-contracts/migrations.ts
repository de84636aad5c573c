import { ConflictError, NotFoundError, ValidationError } from '#kernel/errors';
import type { CommandContext } from '#kernel/command-context';
import { executeCommand } from '#kernel/store/event-log';
import { keys } from '#kernel/store/keys';
import { startDeployment } from '#deployments/deployments.commands';
import { launch } from '#deployments/interventions.commands';
import { getDeployment, getEnvironment } from '#deployments/public';
import { monotonicFactory } from 'ulid';
import { compareStored, documentOfVersion, findVersion } from './compatibility.ts';
import { RETIRE_WINDOW_DAYS, versionConsumers } from './consumers.ts';
import { getMigration, headItem, type MigrationPlan, migrationItem, readHead } from './contracts.store.ts';
import { requireService } from './version-refs.ts';

/**
 * Migration plans (issue 11 §8): moving an environment's consumers from one version to another.
 * A plan lists what each consumer must change (one action per breaking change between the two
 * contracts) and who still calls the old version; starting it starts a real deployment
 * (`immediate`: all at once; `gradual`: linear), or, `manual`, no traffic action at all: it
 * completes when the old version has had no traffic for 7 days. `scheduled` plans carry their
 * `startAt` and may be started from then on. The plan links its deployment; its progress is read
 * from it.
 */

const nextId = monotonicFactory();
export const MIGRATION_STRATEGIES = ['immediate', 'gradual', 'scheduled', 'manual'] as const;
export type MigrationStrategy = (typeof MIGRATION_STRATEGIES)[number];

export interface NewMigration {
  from: string;
  to: string;
  environment: string;
  strategy: MigrationStrategy;
  startAt?: string;
  steps?: { percent: number; intervalMinutes: number };
}

async function releasedVersion(service: string, raw: string, pointer: string) {
  const version = await findVersion(service, raw);
  if (!version) throw new NotFoundError(`Service ${service} has no version ${raw}.`);
  if (pointer === '/body/to' && version.status !== 'released') {
    throw new ConflictError(`Version ${raw} is ${version.status}; a migration moves to a released version.`);
  }
  return version;
}

export async function planMigration(service: string, input: NewMigration, context: CommandContext): Promise<MigrationPlan> {
  await requireService(service);
  if (input.strategy === 'scheduled' && !input.startAt) {
    throw new ValidationError('A scheduled migration needs startAt.', [
      { pointer: '/body/startAt', message: 'is required with strategy scheduled' },
    ]);
  }
  if (input.from === input.to) throw new ConflictError('from and to are the same version.');
  const [from, to] = await Promise.all([
    releasedVersion(service, input.from, '/body/from'),
    releasedVersion(service, input.to, '/body/to'),
  ]);
  if (!(await getEnvironment(service, input.environment)))
    throw new NotFoundError(`Service ${service} has no environment ${input.environment}.`);
  const [fromDocument, toDocument] = await Promise.all([documentOfVersion(from), documentOfVersion(to)]);
  const report = fromDocument && toDocument ? await compareStored(fromDocument, toDocument) : undefined;
  const consumers = await versionConsumers(service, from.version, { days: RETIRE_WINDOW_DAYS });
  const now = new Date().toISOString();
  const plan: MigrationPlan = {
    id: nextId(),
    service,
    from: from.version,
    to: to.version,
    environment: input.environment,
    strategy: input.strategy,
    startAt: input.startAt ?? null,
    steps: input.steps ?? null,
    status: 'planned',
    consumerActions: (report?.changes ?? [])
      .filter((change) => change.level === 'error')
      .map((change) => ({
        change: change.id,
        operation: change.operation,
        pointer: change.pointer,
        action: `${change.text}: change the client before it moves to ${to.version}.`,
      })),
    contractCompared: report !== undefined,
    affectedConsumers: consumers.items.map(({ consumer, contact, lastSeenAt, requests }) => ({ consumer, contact, lastSeenAt, requests })),
    deploymentId: null,
    timeline: [
      { at: now, status: 'planned', note: `${input.strategy} migration from ${from.version} to ${to.version} in ${input.environment}` },
    ],
    createdAt: now,
    updatedAt: now,
  };
  return executeCommand<MigrationPlan>(keys.apiContractsAggregate(service), async () => {
    const { head, seq } = await readHead(service);
    return {
      expectedSeq: seq,
      event: {
        type: 'migration.planned',
        actor: context.actor,
        requestId: context.requestId,
        service,
        subject: `service/${service}/migrations/${plan.id}`,
        changes: { before: null, after: { from: plan.from, to: plan.to, environment: plan.environment, strategy: plan.strategy } },
        effects: [migrationItem(plan), headItem(head)],
      },
      result: () => plan,
    };
  });
}

async function requirePlan(service: string, id: string): Promise<MigrationPlan> {
  const plan = await getMigration(service, id);
  if (!plan) {
    await requireService(service);
    throw new NotFoundError(`Service ${service} has no migration plan ${id}.`);
  }
  return plan;
}

async function record(
  service: string,
  id: string,
  type: 'migration.started' | 'migration.completed' | 'migration.cancelled',
  change: (plan: MigrationPlan) => MigrationPlan,
  allowed: MigrationPlan['status'][],
  context: CommandContext,
): Promise<MigrationPlan> {
  return executeCommand<MigrationPlan>(keys.apiContractsAggregate(service), async () => {
    const [{ head, seq }, plan] = await Promise.all([readHead(service), requirePlan(service, id)]);
    if (!allowed.includes(plan.status)) {
      throw new ConflictError(
        `Migration plan ${id} is ${plan.status}; it can ${allowed.length ? `only be changed while ${allowed.join(' or ')}` : 'no longer change'}.`,
        {
          currentStatus: plan.status,
        },
      );
    }
    const next = change(plan);
    return {
      expectedSeq: seq,
      event: {
        type,
        actor: context.actor,
        requestId: context.requestId,
        service,
        subject: `service/${service}/migrations/${id}`,
        changes: { before: { status: plan.status }, after: { status: next.status, deploymentId: next.deploymentId } },
        effects: [migrationItem(next), headItem(head)],
      },
      result: () => next,
    };
  });
}

function withStatus(plan: MigrationPlan, status: MigrationPlan['status'], note: string, deploymentId = plan.deploymentId): MigrationPlan {
  const at = new Date().toISOString();
  return { ...plan, status, deploymentId, updatedAt: at, timeline: [...plan.timeline, { at, status, note }] };
}

/** POST .../migrations/{id}/start: the deployment its strategy calls for (none for manual), linked to the plan. */
export async function startMigration(service: string, id: string, context: CommandContext): Promise<MigrationPlan> {
  const plan = await requirePlan(service, id);
  if (plan.status !== 'planned')
    throw new ConflictError(`Migration plan ${id} is ${plan.status}; only a planned one starts.`, { currentStatus: plan.status });
  if (plan.strategy === 'scheduled' && plan.startAt && Date.parse(plan.startAt) > Date.now()) {
    throw new ConflictError(`Migration plan ${id} is scheduled for ${plan.startAt}; it cannot start before then.`, {
      startAt: plan.startAt,
    });
  }
  if (plan.strategy === 'manual') {
    return record(
      service,
      id,
      'migration.started',
      (current) => withStatus(current, 'in_progress', 'manual: waiting for the consumers of the old version to move'),
      ['planned'],
      context,
    );
  }
  const strategy =
    plan.strategy === 'gradual'
      ? { type: 'linear' as const, percent: plan.steps?.percent ?? 25, intervalMinutes: plan.steps?.intervalMinutes ?? 1 }
      : { type: 'all-at-once' as const };
  // As POST .../deployments does: commit the deployment, then start its workflow (a lost start is the reconciler's).
  const { deployment: accepted } = await startDeployment(
    service,
    { environment: plan.environment, version: plan.to, strategy, reason: `Migration plan ${id}: ${plan.from} → ${plan.to}` },
    context,
  );
  const deployment = await launch(accepted, context);
  return record(
    service,
    id,
    'migration.started',
    (current) => withStatus(current, 'in_progress', `deployment ${deployment.id} started (${strategy.type})`, deployment.id),
    ['planned'],
    context,
  );
}

export async function cancelMigration(service: string, id: string, context: CommandContext): Promise<MigrationPlan> {
  return record(
    service,
    id,
    'migration.cancelled',
    (plan) => withStatus(plan, 'cancelled', 'cancelled'),
    ['planned', 'in_progress'],
    context,
  );
}

/**
 * A plan as shown, with its progress: a linked deployment's status and weights; a plan in
 * progress is completed once its deployment succeeded, or (manual) once the old version has had
 * no traffic for 7 days, and that completion is recorded.
 */
export async function readMigration(service: string, id: string, context: CommandContext) {
  let plan = await requirePlan(service, id);
  let progress: Record<string, unknown> | null = null;
  if (plan.deploymentId) {
    const deployment = await getDeployment(service, plan.environment, plan.deploymentId);
    if (deployment) {
      progress = {
        deploymentId: deployment.id,
        deploymentStatus: deployment.status,
        weights: deployment.weights,
        finishedAt: deployment.finishedAt,
      };
      if (plan.status === 'in_progress' && deployment.status === 'succeeded') {
        plan = await complete(service, id, `deployment ${deployment.id} succeeded: ${plan.to} serves all traffic`, context);
      }
    }
  } else if (plan.status === 'in_progress' && plan.strategy === 'manual') {
    const { items } = await versionConsumers(service, plan.from, { days: RETIRE_WINDOW_DAYS });
    progress = { stillCalling: items.map(({ consumer, lastSeenAt }) => ({ consumer, lastSeenAt })) };
    if (items.length === 0) plan = await complete(service, id, `no traffic to ${plan.from} for ${RETIRE_WINDOW_DAYS} days`, context);
  }
  return { ...plan, progress };
}

async function complete(service: string, id: string, note: string, context: CommandContext): Promise<MigrationPlan> {
  try {
    return await record(service, id, 'migration.completed', (plan) => withStatus(plan, 'completed', note), ['in_progress'], context);
  } catch (error) {
    if (error instanceof ConflictError) return requirePlan(service, id); // completed (or cancelled) meanwhile
    throw error;
  }
}
