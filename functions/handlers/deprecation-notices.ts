import type { Context, ScheduledEvent } from 'aws-lambda';
import { logger } from '#kernel/logger';
import { SYSTEM_PRINCIPAL } from '#kernel/roles';
import { runDeprecationNotices } from '#models/sunset.commands';

/**
 * Scheduled (EventBridge, daily): a `version.sunset_approaching` notice for each deprecated version
 * once per threshold it crosses, and the retirement of a model's versions past their sunset that
 * served nothing in 24 hours when its policy enables it. `now` is the schedule's own time.
 */
export async function handler(event?: Partial<Pick<ScheduledEvent, 'time'>>, context?: Pick<Context, 'awsRequestId'>) {
  const scheduled = event?.time ? new Date(event.time) : undefined;
  const now = scheduled && !Number.isNaN(scheduled.getTime()) ? scheduled : new Date();
  const outcome = await runDeprecationNotices(now, {
    actor: { keyId: SYSTEM_PRINCIPAL.keyId, name: 'deprecation-notices' },
    requestId: context?.awsRequestId ?? `deprecation-notices-${now.toISOString()}`,
  });
  if (outcome.noticed.length > 0 || outcome.retired.length > 0) logger.info('deprecation notices', { ...outcome });
  return { checked: outcome.checked, noticed: outcome.noticed.length, retired: outcome.retired.length };
}
