import type { CommandContext } from '#kernel/command-context';
import { type Alert, alertSubject } from './alerts.domain.ts';
import { alertItem, getAlert } from './alerts.store.ts';
import { executeCommand, getHead } from '#kernel/store/event-log';

/** Acknowledging alerts: an event on whichever aggregate owns the alert. */

export type AcknowledgeOutcome = 'acknowledged' | 'already' | 'not_found';
export interface AcknowledgeResult {
  outcome: AcknowledgeOutcome;
  alert: Alert | null;
}

/**
 * Acknowledges an alert: an `alert.acknowledged` event on the aggregate that owns it. An open
 * alert becomes `acknowledged` (it still resolves when its condition clears); a resolved one
 * keeps its status and records who acknowledged it. `visible` hides alerts of services a scoped
 * key may not see (they are not found for it).
 */
export async function acknowledgeAlert(
  id: string,
  context: CommandContext,
  visible: (service: string) => boolean = () => true,
): Promise<AcknowledgeResult> {
  const found = await getAlert(id);
  if (!found || !visible(found.alert.service)) return { outcome: 'not_found', alert: null };
  const aggregate = found.aggregate;
  return executeCommand<AcknowledgeResult>(aggregate, async () => {
    const [current, head] = await Promise.all([getAlert(id), getHead(aggregate)]);
    if (!current || !head) return { unchanged: { outcome: 'not_found', alert: null } };
    if (current.alert.acknowledgedAt) return { unchanged: { outcome: 'already', alert: current.alert } };
    const at = new Date().toISOString();
    const next: Alert = {
      ...current.alert,
      status: current.alert.status === 'resolved' ? 'resolved' : 'acknowledged',
      acknowledgedAt: at,
      acknowledgedBy: context.actor,
    };
    return {
      expectedSeq: head.seq,
      event: {
        type: 'alert.acknowledged',
        actor: context.actor,
        requestId: context.requestId,
        service: next.service,
        subject: alertSubject(next.service, id),
        changes: { before: { status: current.alert.status }, after: { status: next.status, alertId: id } },
        effects: [alertItem(next, aggregate), head.item],
      },
      result: () => ({ outcome: 'acknowledged', alert: next }),
    };
  });
}
