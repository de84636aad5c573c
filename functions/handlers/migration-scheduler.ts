import type { Context, ScheduledEvent } from 'aws-lambda';
import { runDueMigrations } from '#api-contracts/migrations';
import { logger } from '#kernel/logger';
import { SYSTEM_PRINCIPAL } from '#kernel/roles';

/**
 * Scheduled (EventBridge, every minute; a timer locally): starts the scheduled migration plans
 * whose `startAt` has come, and completes running plans whose deployment succeeded or, manual,
 * whose old version has had no traffic for the policy's quiet window (issue 11 §8). It starts
 * deployments' workflows, so it may start executions of the state machine; nothing else but the table.
 */
export async function handler(event?: Partial<Pick<ScheduledEvent, 'time'>>, context?: Pick<Context, 'awsRequestId'>) {
  const scheduled = event?.time ? new Date(event.time) : undefined;
  const now = scheduled && !Number.isNaN(scheduled.getTime()) ? scheduled : new Date();
  const outcome = await runDueMigrations(now, {
    actor: { keyId: SYSTEM_PRINCIPAL.keyId, name: 'migration-scheduler' },
    requestId: context?.awsRequestId ?? `migration-scheduler-${now.toISOString()}`,
  });
  if (outcome.started.length > 0 || outcome.completed.length > 0) logger.info('migration plans', { ...outcome });
  if (outcome.failed.length > 0) logger.warn('migration plans not moved on', { failed: outcome.failed });
  return { started: outcome.started.length, completed: outcome.completed.length, failed: outcome.failed.length };
}
