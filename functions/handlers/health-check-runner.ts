import type { Context, ScheduledEvent } from 'aws-lambda';
import { logger } from '#kernel/logger';
import { publishOperationalMetrics } from '#kernel/operational-metrics';
import { runDueChecks } from '#health-checks/runner';

/**
 * Scheduled (EventBridge, every minute; locally the runtime's tick): runs the health checks that
 * are due, at most STEWARD_HEALTH_CHECK_CONCURRENCY (default 30) at a time. `now` is the schedule's own time when it sends one.
 */
export async function handler(event?: Partial<Pick<ScheduledEvent, 'time'>>, context?: Pick<Context, 'awsRequestId'>) {
  const scheduled = event?.time ? new Date(event.time) : undefined;
  const now = scheduled && !Number.isNaN(scheduled.getTime()) ? scheduled : new Date();
  try {
    const outcome = await runDueChecks(now, { requestId: context?.awsRequestId ?? `health-check-runner-${now.toISOString()}` });
    if (outcome.ran > 0) logger.info('health checks run', outcome);
    return outcome;
  } finally {
    // HealthChecksRun / HealthChecksFailed, as EMF on Lambda.
    publishOperationalMetrics();
  }
}
