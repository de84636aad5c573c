import { logger } from '#kernel/logger';
import { reconcile } from '#kernel/store/event-log';
import { publishStranded } from '#notifications/publisher';

/** The stream's publisher normally publishes within a second; an event older than this was missed. */
const STRANDED_AFTER_MS = 5 * 60_000;

/**
 * Scheduled: finishes projecting any event whose writer stopped between the commit and its
 * projections, then publishes events of published types that never reached the notification topic.
 */
export async function handler(): Promise<{ projected: number; published: number }> {
  const outcome = await reconcile();
  if (outcome.projected > 0) logger.warn('reconciled unprojected events', outcome);
  const { published } = await publishStranded({ olderThanMs: STRANDED_AFTER_MS });
  if (published > 0) logger.warn('published events the stream publisher missed', { published });
  return { ...outcome, published };
}
