import type { Context, ScheduledEvent } from 'aws-lambda';
import { logger } from '#kernel/logger';
import { SYSTEM_PRINCIPAL } from '#kernel/roles';
import { rollBackOnCriticalAlerts } from '#models/auto-rollback.commands';

/**
 * Scheduled (EventBridge, every minute): a model promoted to production within its policy's
 * `autoRollbackWindowMinutes` is rolled back when a critical alert of its service and environment
 * fires after the promotion. It pushes weights like a rollback through the API, so it has the
 * traffic drivers' permissions.
 */
export async function handler(event?: Partial<Pick<ScheduledEvent, 'time'>>, context?: Pick<Context, 'awsRequestId'>) {
  const scheduled = event?.time ? new Date(event.time) : undefined;
  const now = scheduled && !Number.isNaN(scheduled.getTime()) ? scheduled : new Date();
  const outcome = await rollBackOnCriticalAlerts(now, {
    actor: { keyId: SYSTEM_PRINCIPAL.keyId, name: 'model-auto-rollback' },
    requestId: context?.awsRequestId ?? `model-auto-rollback-${now.toISOString()}`,
  });
  if (outcome.rolledBack.length > 0) logger.warn('model promotions rolled back on critical alerts', { rolledBack: outcome.rolledBack });
  return { checked: outcome.checked, rolledBack: outcome.rolledBack.length };
}
