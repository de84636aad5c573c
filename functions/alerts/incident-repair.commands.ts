import { joinIncidentIfCritical } from '#incidents/incidents.commands';
import { getAlert, listOpenCriticalAlerts } from './alerts.store.ts';
import type { Actor } from '#kernel/store/event-log';
import { joinedIncidentOf } from '#incidents/public';

/** The incident repair sweep: critical alerts left out of an incident by a crash join one. */

/**
 * The repair sweep for the second step after a critical alert fires. The alert is recorded on
 * its own aggregate first and joins its service's incident right after; a process that dies in
 * between leaves it open outside any incident. The alert evaluator runs this every tick: it
 * reads only the open critical alerts (a sparse index), and joins each one that has not joined
 * (`joinIncidentForAlert` is idempotent, so racing the normal second step is harmless).
 * Returns how many it joined; one failing never stops the others.
 */
export async function joinStrandedCriticalAlerts(actor: Actor, requestId: string): Promise<number> {
  let joined = 0;
  for (const candidate of await listOpenCriticalAlerts()) {
    if (await joinedIncidentOf(candidate.service, candidate.id)) continue;
    // The index only nominates: act on the alert as it is now.
    const current = await getAlert(candidate.id);
    if (!current || current.alert.status === 'resolved' || current.alert.severity !== 'critical') continue;
    const outcome = await joinIncidentIfCritical(current.alert, actor, requestId);
    if (outcome && outcome.outcome !== 'already') joined++;
  }
  return joined;
}
