import type { Context, ScheduledEvent } from 'aws-lambda';
import { logger } from '#kernel/logger';
import { evaluateRules } from '#alerts/evaluator';
import { publishOperationalMetrics } from '#kernel/operational-metrics';

/**
 * Scheduled (EventBridge, every minute; locally the runtime's tick): evaluates every alert rule
 * at the schedule's own time when it sends one.
 */
export async function handler(event?: Partial<Pick<ScheduledEvent, 'time'>>, context?: Pick<Context, 'awsRequestId'>) {
  const scheduled = event?.time ? new Date(event.time) : undefined;
  const now = scheduled && !Number.isNaN(scheduled.getTime()) ? scheduled : new Date();
  try {
    const outcome = await evaluateRules(now, { requestId: context?.awsRequestId ?? `alert-evaluator-${now.toISOString()}` });
    const moved = Object.values(outcome.transitions).reduce((total, count) => total + count, 0);
    if (moved > 0 || outcome.failed > 0 || outcome.repaired > 0) logger.info('alert rules evaluated', { ...outcome });
    return outcome;
  } finally {
    // AlertsFired, as EMF on Lambda.
    publishOperationalMetrics();
  }
}
