import { logger } from '#kernel/logger';
import { reconcile } from '#kernel/store/event-log';
import { isKeyPartition } from '#kernel/store/keys';
import { publishStranded } from '#notifications/publisher';
import { recoverStuckDeployments } from '#deployments/recovery.commands';

/** The stream's publisher normally publishes within a second; an event older than this was missed. */
const STRANDED_AFTER_MS = 5 * 60_000;

/**
 * Scheduled: finishes projecting any event whose writer stopped between the commit and its
 * projections, starts (or fails) deployments whose workflow never started, then publishes events
 * of published types that never reached the notification topic.
 * API key events are the key reconciler's (`reconcile-api-keys.ts`): this function may not write key items.
 */
export async function handler(): Promise<{ projected: number; failed: number; stuckDeployments: number; published: number }> {
  const outcome = await reconcile({ aggregates: (aggregate) => !isKeyPartition(aggregate) });
  if (outcome.projected > 0 || outcome.failed > 0) logger.warn('reconciled unprojected events', outcome);
  const stuck = await recoverStuckDeployments();
  if (stuck.pending > 0) logger.warn('started or failed deployments whose workflow never started', stuck);
  const { published } = await publishStranded({ olderThanMs: STRANDED_AFTER_MS });
  if (published > 0) logger.warn('published events the stream publisher missed', { published });
  return { ...outcome, stuckDeployments: stuck.pending, published };
}
