import { SYSTEM_PRINCIPAL } from '#kernel/roles';
import { listActiveDeployments } from './environments.store.ts';
import { launch } from './interventions.commands.ts';

/**
 * A deployment still `pending` this long after it last changed has lost its start: the process
 * that accepted it stopped between committing it and starting its workflow (a started workflow
 * moves it on within seconds).
 */
export const STUCK_AFTER_MS = 60_000;

/**
 * Run by the reconciler: every deployment pending for longer than `stuckAfterMs` is started
 * (its execution is named by the deployment id, so one already running is left alone and none
 * runs twice), or failed with the reason when its workflow cannot start or has ended, which frees
 * its environment. Nobody has to cancel it by hand.
 */
export async function recoverStuckDeployments(
  options: { now?: Date; stuckAfterMs?: number } = {},
): Promise<{ pending: number; failed: number }> {
  const cutoff = new Date((options.now ?? new Date()).getTime() - (options.stuckAfterMs ?? STUCK_AFTER_MS)).toISOString();
  let pending = 0;
  let failed = 0;
  for (const deployment of await listActiveDeployments()) {
    if (deployment.status !== 'pending' || deployment.updatedAt > cutoff) continue;
    pending++;
    const context = { actor: { keyId: SYSTEM_PRINCIPAL.keyId, name: 'reconciler' }, requestId: `reconcile-${deployment.id}` };
    try {
      if ((await launch(deployment, context)).status === 'failed') failed++;
    } catch (error) {
      // The table refused the failure (a race with the workflow, say): the next run looks again.
      console.warn(
        JSON.stringify({ message: 'could not recover a pending deployment', deploymentId: deployment.id, error: String(error) }),
      );
    }
  }
  return { pending, failed };
}
