import { ConflictError, NotFoundError, ValidationError } from '#kernel/errors';
import type { CommandContext } from '#kernel/command-context';
import { executeCommand } from '#kernel/store/event-log';
import { keys } from '#kernel/store/keys';
import { type Deployment, isActive } from '#deployments/deployment.domain';
import { startDeployment } from '#deployments/deployments.commands';
import { cancelDeployment, launch } from '#deployments/interventions.commands';
import { getDeployment, getEnvironment } from '#deployments/public';
import { monotonicFactory } from 'ulid';
import { compareStored, documentOfVersion, findVersion } from './compatibility.ts';
import { RETIRE_WINDOW_DAYS, versionConsumers } from './consumers.ts';
import {
  claimMigrationCheck,
  getMigration,
  headItem,
  listDueMigrations,
  type MigrationPlan,
  migrationItem,
  readHead,
} from './contracts.store.ts';
import { requireService } from './version-refs.ts';

/**
 * Migration plans (issue 11 §8): moving an environment's consumers from one version to another.
 * A plan lists what each consumer must change (one action per breaking change between the two
 * contracts) and who still calls the old version; starting it starts a real deployment
 * (`immediate`: all at once; `gradual`: linear), or, `manual`, no traffic action at all: it
 * completes when the old version has had no traffic for the policy's `migrationQuietDays` (7).
 * `scheduled` plans carry their `startAt`: the migration scheduler (`runDueMigrations`, every
 * minute) starts them then. The plan links its deployment; its progress is read from it, and
 * cancelling a running plan cancels its deployment.
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

/** The deployment a plan's start accepts is keyed by the plan: whoever starts it, however often, gets that one deployment. */
const deploymentKey = (id: string) => `migration-${id}`;

/**
 * POST .../migrations/{id}/start, and the scheduler at a scheduled plan's `startAt`: the
 * deployment its strategy calls for (none for manual), linked to the plan. Idempotent: two starts
 * at once (two scheduler runs, a person and the scheduler) accept one deployment, keyed by the
 * plan, and record one start; a start that finds the plan cancelled meanwhile cancels the
 * deployment it began.
 */
export async function startMigration(service: string, id: string, context: CommandContext, now = new Date()): Promise<MigrationPlan> {
  const plan = await requirePlan(service, id);
  if (plan.status !== 'planned')
    throw new ConflictError(`Migration plan ${id} is ${plan.status}; only a planned one starts.`, { currentStatus: plan.status });
  if (plan.strategy === 'scheduled' && plan.startAt && Date.parse(plan.startAt) > now.getTime()) {
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
  // As POST .../deployments does: commit the deployment, then start its workflow (a lost start is the
  // reconciler's, and the next start of the plan replays the same deployment).
  const { deployment: accepted, replayed } = await startDeployment(
    service,
    { environment: plan.environment, version: plan.to, strategy, reason: `Migration plan ${id}: ${plan.from} → ${plan.to}` },
    { ...context, idempotencyKey: deploymentKey(id) },
  );
  const deployment = replayed && accepted.status !== 'pending' ? accepted : await launch(accepted, context);
  const by = plan.strategy === 'scheduled' ? `at ${plan.startAt} ` : '';
  try {
    return await record(
      service,
      id,
      'migration.started',
      (current) => withStatus(current, 'in_progress', `deployment ${deployment.id} started ${by}(${strategy.type})`, deployment.id),
      ['planned'],
      context,
    );
  } catch (error) {
    if (!(error instanceof ConflictError)) throw error;
    const current = await requirePlan(service, id);
    // Another start of the same plan recorded it first, with the same deployment.
    if (current.status !== 'cancelled' && current.deploymentId === deployment.id) return current;
    if (current.status === 'cancelled') await stopDeployment(service, deployment.id, `Migration plan ${id} was cancelled.`, context);
    throw error;
  }
}

/** Cancels a deployment as POST .../deployments/{id}/cancel does; one that has ended meanwhile is left as it ended. */
async function stopDeployment(service: string, deploymentId: string, reason: string, context: CommandContext): Promise<void> {
  try {
    await cancelDeployment(service, deploymentId, reason, context);
  } catch (error) {
    if (!(error instanceof ConflictError)) throw error;
  }
}

/**
 * Cancels a planned or running plan. A running plan's deployment is cancelled first, as POST
 * .../deployments/{id}/cancel does (the workflow stopped, the weights from before it restored); a
 * plan whose deployment has already succeeded is completed, not cancelled (409).
 */
export async function cancelMigration(service: string, id: string, context: CommandContext): Promise<MigrationPlan> {
  const plan = await requirePlan(service, id);
  let note = 'cancelled';
  if (plan.status === 'in_progress' && plan.deploymentId) {
    const before = await getDeployment(service, plan.environment, plan.deploymentId);
    if (before && isActive(before.status)) {
      await stopDeployment(service, before.id, `Migration plan ${id} was cancelled.`, context);
      note = `cancelled; deployment ${before.id} cancelled`;
    }
    const after = await getDeployment(service, plan.environment, plan.deploymentId);
    if (after?.status === 'succeeded') {
      await complete(service, id, `deployment ${after.id} succeeded: ${plan.to} serves all traffic`, context);
      throw new ConflictError(`Migration plan ${id} is completed: its deployment ${after.id} succeeded before it could be cancelled.`, {
        currentStatus: 'completed',
      });
    }
  }
  return record(
    service,
    id,
    'migration.cancelled',
    (current) => withStatus(current, 'cancelled', note),
    ['planned', 'in_progress'],
    context,
  );
}

/**
 * A plan as shown, with its progress: a linked deployment's status and weights; a plan in
 * progress is completed once its deployment succeeded, or (manual) once the old version has had
 * no traffic for the policy's quiet window, and that completion is recorded.
 */
export async function readMigration(service: string, id: string, context: CommandContext, now = new Date()) {
  return progressOf(await requirePlan(service, id), context, now);
}

async function progressOf(plan: MigrationPlan, context: CommandContext, now: Date) {
  const { service, id } = plan;
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
    const quietDays = (await readHead(service)).head.policy.migrationQuietDays;
    const { items } = await versionConsumers(service, plan.from, { days: quietDays, now });
    progress = { quietDays, stillCalling: items.map(({ consumer, lastSeenAt }) => ({ consumer, lastSeenAt })) };
    if (items.length === 0) plan = await complete(service, id, `no traffic to ${plan.from} for ${quietDays} days`, context);
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

/** A manual plan's traffic is read at most this often by the scheduler (GET reads it whenever asked). */
export const MANUAL_CHECK_EVERY_MS = 3_600_000;
/** Plans the scheduler takes on in one run; the rest are due at the next. */
const PLANS_PER_RUN = 100;

export interface SchedulerOutcome {
  started: string[];
  completed: string[];
  failed: Array<{ plan: string; reason: string }>;
}

/**
 * The migration scheduler (every minute: EventBridge on AWS, a timer locally). It reads only the
 * plans in the MIGRATIONS index: it starts each scheduled plan whose `startAt` has come (once,
 * however many runs race: see startMigration), completes running plans whose deployment
 * succeeded, and checks manual plans' traffic (hourly, each check claimed by one run) to complete
 * those whose old version has gone quiet. A plan that cannot start now (another deployment runs in
 * its environment) is tried again at the next run.
 */
export async function runDueMigrations(now: Date, context: CommandContext): Promise<SchedulerOutcome> {
  const outcome: SchedulerOutcome = { started: [], completed: [], failed: [] };
  for (const { plan, dueKey } of await listDueMigrations(now, PLANS_PER_RUN)) {
    const name = `${plan.service}/${plan.id}`;
    try {
      if (plan.status === 'planned') {
        await startMigration(plan.service, plan.id, context, now);
        outcome.started.push(name);
        continue;
      }
      const later = new Date(now.getTime() + MANUAL_CHECK_EVERY_MS).toISOString();
      if (plan.strategy === 'manual' && !(await claimMigrationCheck(plan, dueKey, later))) continue;
      const { progress, ...after } = await progressOf(plan, context, now);
      if (after.status === 'completed') outcome.completed.push(name);
      // A deployment that ended without succeeding leaves the plan to a person: looked at hourly, not every minute.
      else if (plan.deploymentId && progress && !isActive(progress.deploymentStatus as Deployment['status'])) {
        await claimMigrationCheck(plan, dueKey, later);
      }
    } catch (error) {
      outcome.failed.push({ plan: name, reason: (error as Error).message });
    }
  }
  return outcome;
}
