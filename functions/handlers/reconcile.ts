import { logger } from '#http/logger';
import { reconcile } from '#store/event-log';

/** Scheduled: finishes projecting any event whose writer stopped between the commit and its projections. */
export async function handler(): Promise<{ projected: number }> {
  const outcome = await reconcile();
  if (outcome.projected > 0) logger.warn('reconciled unprojected events', outcome);
  return outcome;
}
