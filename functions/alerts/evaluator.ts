import { joinStrandedCriticalAlerts } from './incident-repair.commands.ts';
import { observeSeries } from './series.commands.ts';
import { parseDurationSeconds } from '#kernel/duration';
import { type AlertRule, compare, type Transition, valuesBySeries } from './alerts.domain.ts';
import { type Labels, matchesLabels, seriesKey } from '#metrics/metrics.domain';
import { logger } from '#kernel/logger';
import { allAlertRules, listOpenSeries } from './alerts.store.ts';
import type { Actor } from '#kernel/store/event-log';
import { keys } from '#kernel/store/keys';
import { querySamples } from '#metrics/public';
import { recordAlertsFired } from '#kernel/operational-metrics';

/**
 * The alert rule evaluator: once a tick (EventBridge every minute on AWS, the local runtime's
 * timer), each live rule reads its metric over its window through the metrics query path,
 * reduces every label set to one value, and records each series' transition as an event on the
 * rule. Series that are pending or firing but saw no samples count as "condition does not hold".
 * One rule failing (a bad window, too many samples) never stops the others. Each tick ends with
 * the repair sweep that joins open critical alerts a crash left outside any incident.
 */

const EVALUATOR_ACTOR: Actor = { keyId: 'system', name: 'alert-evaluator' };
const RULE_CONCURRENCY = 8;

export interface EvaluationOutcome {
  rules: number;
  failed: number;
  transitions: Record<Exclude<Transition, 'none'>, number>;
  /** Open critical alerts the repair sweep joined to an incident. */
  repaired: number;
}

export async function evaluateRules(now: Date = new Date(), options: { requestId?: string } = {}): Promise<EvaluationOutcome> {
  const rules = await allAlertRules();
  const outcome: EvaluationOutcome = {
    rules: rules.length,
    failed: 0,
    transitions: { pending: 0, firing: 0, resolved: 0, cleared: 0 },
    repaired: 0,
  };
  const requestId = options.requestId ?? `alert-evaluator-${now.toISOString()}`;
  let next = 0;
  const worker = async () => {
    while (next < rules.length) {
      const rule = rules[next++] as AlertRule;
      try {
        for (const transition of await evaluateRule(rule, now, requestId)) if (transition !== 'none') outcome.transitions[transition]++;
      } catch (error) {
        outcome.failed++;
        logger.error('alert rule evaluation failed', { ruleId: rule.id, error: String(error) });
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(RULE_CONCURRENCY, rules.length) }, worker));
  try {
    outcome.repaired = await joinStrandedCriticalAlerts(EVALUATOR_ACTOR, requestId);
  } catch (error) {
    logger.error('alert incident repair sweep failed', { error: String(error) });
  }
  recordAlertsFired(outcome.transitions.firing);
  return outcome;
}

/** One rule at `now`: the transitions it recorded, one per series that moved. */
export async function evaluateRule(rule: AlertRule, now: Date, requestId: string): Promise<Transition[]> {
  const windowSeconds = parseDurationSeconds(rule.window) ?? 60;
  const from = new Date(now.getTime() - windowSeconds * 1000);
  const selector: Labels = { ...rule.labels, service: rule.service };
  const samples = (await querySamples(rule.metric, rule.service, from, now)).filter((sample) => matchesLabels(sample.labels, selector));
  const observed = valuesBySeries(samples, rule.agg, from, now);
  const series = new Map<string, { labels: Labels; value: number | null }>(observed);
  for (const open of await listOpenSeries(keys.alertRuleAggregate(rule.id))) {
    const key = seriesKey(open.labels);
    if (!series.has(key)) series.set(key, { labels: open.labels, value: null });
  }
  const transitions: Transition[] = [];
  for (const { labels, value } of series.values()) {
    const holds = value !== null && Number.isFinite(value) && compare(value, rule.op, rule.threshold);
    transitions.push(await observeSeries(rule.id, labels, { value, holds, now }, EVALUATOR_ACTOR, requestId));
  }
  return transitions;
}
