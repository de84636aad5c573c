import { parseDurationSeconds } from '#kernel/duration';
import { ulid } from 'ulid';
import { joinIncidentIfCritical } from '#incidents/incidents.commands';
import {
  type Alert,
  alertRuleSubject,
  alertSubject,
  firingAlert,
  pendingAlert,
  ruleSummary,
  step,
  type Transition,
} from './alerts.domain.ts';
import type { Labels } from '#metrics/metrics.domain';
import { alertItem, alertRuleItem, getAlert, getAlertRule, getSeries, seriesItem } from './alerts.store.ts';
import type { Actor, Item } from '#kernel/store/event-log';
import { executeCommand } from '#kernel/store/event-log';
import { keys } from '#kernel/store/keys';

/**
 * A rule's series moving through pending, firing, resolved and cleared, as events on the rule's
 * aggregate, the rule's head last, so "one open alert per rule and label set" is decided atomically.
 */

const TRANSITION_EVENTS = {
  pending: 'alert.pending',
  firing: 'alert.firing',
  resolved: 'alert.resolved',
  cleared: 'alert.cleared',
} as const;

/**
 * Records what one evaluation saw for one label set of a rule: `value` (null when the window
 * held no samples, which never holds). Decided against the series as stored now, so a repeated
 * or concurrent evaluation records each transition once. Returns the transition recorded.
 */
export async function observeSeries(
  ruleId: string,
  labels: Labels,
  observation: { value: number | null; holds: boolean; now: Date },
  actor: Actor,
  requestId: string,
): Promise<Transition> {
  const aggregate = keys.alertRuleAggregate(ruleId);
  // The alert the recorded decision opened: a critical one opens or joins an incident right after.
  let fired: Alert | null = null;
  const recorded = await executeCommand<Transition>(aggregate, async () => {
    fired = null;
    const stored = await getAlertRule(ruleId);
    if (!stored || stored.rule.deletedAt) return { unchanged: 'none' };
    const { rule, seq } = stored;
    const series = await getSeries(aggregate, labels);
    const forSeconds = parseDurationSeconds(rule.for) ?? 0;
    const { next, transition } = step(series.state, observation.holds, observation.now, forSeconds, ulid);
    if (transition === 'none') return { unchanged: 'none' };
    const at = observation.now.toISOString();
    const pending =
      next.state === 'pending' && next.alertId
        ? pendingAlert(rule, labels, next.since, next.alertId, observation.value, forSeconds)
        : undefined;
    const effects: Item[] = [seriesItem(aggregate, labels, next, pending)];
    let alertId: string | null = null;
    if (transition === 'firing' && next.state === 'firing') {
      alertId = next.alertId;
      const alert = firingAlert(
        {
          id: next.alertId,
          source: { kind: 'rule', ruleId },
          name: rule.name,
          service: rule.service,
          labels,
          severity: rule.severity,
          summary: ruleSummary(rule, observation.value),
          value: observation.value,
        },
        next.since,
        next.firedAt,
      );
      effects.push(alertItem(alert, aggregate));
      fired = alert;
    } else if (transition === 'resolved' && series.state.state === 'firing') {
      alertId = series.state.alertId;
      const open = await getAlert(series.state.alertId);
      if (open) effects.push(alertItem({ ...open.alert, status: 'resolved', resolvedAt: at }, aggregate));
    }
    effects.push(alertRuleItem(rule));
    return {
      expectedSeq: seq,
      event: {
        type: TRANSITION_EVENTS[transition],
        actor,
        requestId,
        service: rule.service,
        subject: alertId ? alertSubject(rule.service, alertId) : alertRuleSubject(rule.service, ruleId),
        changes: {
          before: { state: series.state.state },
          after: {
            state: next.state,
            ruleId,
            alertId,
            labels,
            value: observation.value,
            severity: rule.severity,
            sendResolved: rule.sendResolved,
            at,
          },
        },
        effects,
      },
      result: () => transition,
    };
  });
  if (recorded === 'firing') await joinIncidentIfCritical(fired, actor, requestId);
  return recorded;
}
