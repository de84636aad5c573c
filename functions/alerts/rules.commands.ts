import { parseDurationSeconds } from '#kernel/duration';
import { ulid } from 'ulid';
import { type CommandContext, checkIfMatch } from '#kernel/command-context';
import {
  type AlertRule,
  type AlertRuleSettings,
  alertRuleSubject,
  MAX_RULE_FOR_SECONDS,
  MAX_RULE_WINDOW_SECONDS,
} from './alerts.domain.ts';
import { NotFoundError, ValidationError } from '#kernel/errors';
import type { Labels } from '#metrics/metrics.domain';
import { alertItem, alertRuleItem, getAlert, getAlertRule, listOpenSeries, seriesItem } from './alerts.store.ts';
import type { Item } from '#kernel/store/event-log';
import { executeCommand } from '#kernel/store/event-log';
import { keys } from '#kernel/store/keys';
import { getService } from '#services/public';

/**
 * Alert rules: create, change and delete a rule. A rule's definition and every transition of its
 * series are events on the rule's aggregate (`ALERTRULE#<id>`).
 */

export type AlertRuleInput = Omit<AlertRuleSettings, 'service' | 'labels' | 'sendResolved'> & {
  service?: string;
  labels?: Labels;
  sendResolved?: boolean;
};

const SETTING_FIELDS = [
  'name',
  'service',
  'metric',
  'labels',
  'agg',
  'window',
  'op',
  'threshold',
  'for',
  'severity',
  'sendResolved',
] as const;

function settingsOf(rule: AlertRuleSettings): AlertRuleSettings {
  return Object.fromEntries(SETTING_FIELDS.map((field) => [field, rule[field]])) as unknown as AlertRuleSettings;
}

/** The service comes from `service` or `labels.service`; they must agree. Durations must parse and fit. */
function normalise(input: Partial<AlertRuleInput> & { labels?: Labels }): AlertRuleSettings {
  const labels = { ...(input.labels ?? {}) };
  const service = input.service ?? labels.service;
  if (!service) {
    throw new ValidationError('The rule names no service.', [
      { pointer: '/body/service', message: 'give `service` (or `labels.service`): samples are stored per service' },
    ]);
  }
  if (labels.service !== undefined && labels.service !== service) {
    throw new ValidationError('The rule names two services.', [
      { pointer: '/body/labels/service', message: `must be ${service} or left out` },
    ]);
  }
  delete labels.service;
  const window = parseDurationSeconds(String(input.window));
  if (window === undefined || window < 1 || window > MAX_RULE_WINDOW_SECONDS) {
    throw new ValidationError('The window is not a duration.', [
      { pointer: '/body/window', message: 'must be a duration such as 30s, 5m or 1h, from 1s to 24h' },
    ]);
  }
  const forSeconds = parseDurationSeconds(String(input.for));
  if (forSeconds === undefined || forSeconds > MAX_RULE_FOR_SECONDS) {
    throw new ValidationError('`for` is not a duration.', [
      { pointer: '/body/for', message: 'must be a duration such as 0s, 30s, 5m or 1h, at most 24h' },
    ]);
  }
  return {
    name: input.name as string,
    service,
    metric: input.metric as string,
    labels,
    agg: input.agg as AlertRuleSettings['agg'],
    window: input.window as string,
    op: input.op as AlertRuleSettings['op'],
    threshold: input.threshold as number,
    for: input.for as string,
    severity: input.severity as AlertRuleSettings['severity'],
    sendResolved: input.sendResolved ?? true,
  };
}

async function requireService(service: string): Promise<void> {
  if (!(await getService(service))) {
    throw new ValidationError(`There is no service named ${service}.`, [
      { pointer: '/body/service', message: 'must name a registered service' },
    ]);
  }
}

export async function readAlertRule(id: string): Promise<{ rule: AlertRule; seq: number }> {
  const stored = await getAlertRule(id);
  if (!stored || stored.rule.deletedAt) throw new NotFoundError(`There is no alert rule ${id}.`);
  return stored;
}

export async function createAlertRule(input: AlertRuleInput, context: CommandContext): Promise<AlertRule> {
  const settings = normalise(input);
  await requireService(settings.service);
  const id = ulid();
  return executeCommand<AlertRule>(keys.alertRuleAggregate(id), async () => {
    const now = new Date().toISOString();
    const rule: AlertRule = { ...settings, id, createdAt: now, updatedAt: now, rev: 1, deletedAt: null };
    return {
      expectedSeq: 0,
      event: {
        type: 'alertrule.created',
        actor: context.actor,
        requestId: context.requestId,
        service: settings.service,
        subject: alertRuleSubject(settings.service, id),
        changes: { before: null, after: settings },
        effects: [alertRuleItem(rule)],
      },
      result: () => rule,
    };
  });
}

export async function updateAlertRule(id: string, input: Partial<AlertRuleInput>, context: CommandContext): Promise<AlertRule> {
  return executeCommand<AlertRule>(keys.alertRuleAggregate(id), async () => {
    const { rule: current, seq } = await readAlertRule(id);
    checkIfMatch(context.ifMatch, current.rev, `Alert rule ${id}`);
    const given = Object.fromEntries(Object.entries(input).filter(([, value]) => value !== undefined)) as Partial<AlertRuleInput>;
    // A new service may come as `service` or as `labels.service`; otherwise the rule keeps its own.
    const merged = normalise({
      ...settingsOf(current),
      ...given,
      service: given.service ?? given.labels?.service ?? current.service,
      labels: given.labels ?? current.labels,
    });
    if (merged.service !== current.service) await requireService(merged.service);
    const before = settingsOf(current);
    if (JSON.stringify(before) === JSON.stringify(merged)) return { unchanged: current };
    const next: AlertRule = { ...current, ...merged, updatedAt: new Date().toISOString(), rev: current.rev + 1 };
    return {
      expectedSeq: seq,
      event: {
        type: 'alertrule.updated',
        actor: context.actor,
        requestId: context.requestId,
        service: next.service,
        subject: alertRuleSubject(next.service, id),
        changes: { before, after: merged },
        effects: [alertRuleItem(next)],
      },
      result: () => next,
    };
  });
}

/** Deletes the rule; its open alerts resolve and its pending series clear in the same event. */
export async function deleteAlertRule(id: string, context: CommandContext): Promise<void> {
  const aggregate = keys.alertRuleAggregate(id);
  await executeCommand<AlertRule>(aggregate, async () => {
    const { rule: current, seq } = await readAlertRule(id);
    checkIfMatch(context.ifMatch, current.rev, `Alert rule ${id}`);
    const now = new Date().toISOString();
    const effects: Item[] = [];
    for (const series of await listOpenSeries(aggregate)) {
      effects.push(seriesItem(aggregate, series.labels, { state: 'inactive' }));
      if (series.state.state === 'firing') {
        const open = await getAlert(series.state.alertId);
        if (open && open.alert.status !== 'resolved') {
          effects.push(alertItem({ ...open.alert, status: 'resolved', resolvedAt: now }, aggregate));
        }
      }
    }
    const next: AlertRule = { ...current, deletedAt: now, updatedAt: now, rev: current.rev + 1 };
    return {
      expectedSeq: seq,
      event: {
        type: 'alertrule.deleted',
        actor: context.actor,
        requestId: context.requestId,
        service: current.service,
        subject: alertRuleSubject(current.service, id),
        changes: { before: settingsOf(current), after: null },
        effects: [...effects, alertRuleItem(next)],
      },
      result: () => next,
    };
  });
}
