import { logger } from '#kernel/logger';
import { reconcile } from '#kernel/store/event-log';
import { isKeyPartition } from '#kernel/store/keys';

/**
 * Scheduled on AWS: finishes the projections of API key events (a key created, revoked or
 * rotated whose writer stopped before its items were written). Only this function, the api-keys
 * function and the bootstrap function may write key items (docs/deploy.md), so the reconciler
 * leaves these to it; it projects nothing else, so a forged event elsewhere cannot make it write a key.
 */
export async function handler(): Promise<{ projected: number; failed: number }> {
  const outcome = await reconcile({ aggregates: isKeyPartition });
  if (outcome.projected > 0 || outcome.failed > 0) logger.warn('reconciled API key events', outcome);
  return outcome;
}
