import type { Context, ScheduledEvent } from 'aws-lambda';
import { raiseSecretNotices } from '#secrets/notices.commands';
import { SYSTEM_PRINCIPAL } from '#kernel/roles';
import { logger } from '#kernel/logger';

/**
 * Scheduled (EventBridge, hourly): raises `secret.expiring` for secrets within 14 days of
 * `expiresAt` (or past it) and `secret.rotation_due` for values older than `rotationDays`,
 * each once per value. `now` is the schedule's own time when it sends one, so a delayed or
 * retried invocation judges the moment it was scheduled for.
 */
export async function handler(event?: Partial<Pick<ScheduledEvent, 'time'>>, context?: Pick<Context, 'awsRequestId'>) {
  const scheduled = event?.time ? new Date(event.time) : undefined;
  const now = scheduled && !Number.isNaN(scheduled.getTime()) ? scheduled : new Date();
  const outcome = await raiseSecretNotices(now, {
    actor: { keyId: SYSTEM_PRINCIPAL.keyId, name: 'secret-expiry' },
    requestId: context?.awsRequestId ?? `secret-expiry-${now.toISOString()}`,
  });
  if (outcome.raised.length > 0) logger.info('secret notices raised', { checked: outcome.checked, raised: outcome.raised });
  return { checked: outcome.checked, raised: outcome.raised.length };
}
