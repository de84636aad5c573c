import { parseDurationSeconds } from '#kernel/duration';
import { ulid } from 'ulid';
import { type CommandContext, checkIfMatch } from '#kernel/command-context';
import { joinIncidentIfCritical } from '#incidents/incidents.commands';
import {
  type Alert,
  type AlertRule,
  type AlertRuleSettings,
  alertRuleSubject,
  alertSubject,
  firingAlert,
  healthCheckAlertName,
  MAX_RULE_FOR_SECONDS,
  MAX_RULE_WINDOW_SECONDS,
  ruleSummary,
  type SeriesState,
  step,
  type Transition,
} from './alerts.domain.ts';
import { NotFoundError, ValidationError } from '#kernel/errors';
import type { HealthCheck } from '#health-checks/health-check.domain';
import type { Labels } from '#metrics/metrics.domain';
import { daysUntil, rotationDueAt, type Secret } from '#secrets/secret.domain';
import {
  alertItem,
  alertRuleItem,
  getAlert,
  getAlertRule,
  getSeries,
  listOpenCriticalAlerts,
  listOpenSeries,
  seriesItem,
} from './alerts.store.ts';
import type { Actor, Item } from '#kernel/store/event-log';
import { executeCommand, getHead } from '#kernel/store/event-log';
import { joinedIncidentOf } from '#incidents/public';
import { keys } from '#kernel/store/keys';
import { getService } from '#services/public';

/**
 * Alert commands. A rule's definition and every transition of its series (pending, firing,
 * resolved, cleared) are events on the rule's aggregate (`ALERTRULE#<id>`), the rule's head last,
 * so "one open alert per rule and label set" is decided atomically there. A health check's own
 * alert is an effect of its `healthcheck.state_changed` event; a secret's, of its `secret.expiring`
 * and `secret.rotation_due` notices (and resolved by its next value). Acknowledging is an event on
 * whichever aggregate owns the alert.
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
    const effects: Item[] = [seriesItem(aggregate, labels, next)];
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

const CHECK_SERIES_LABELS = (check: Pick<HealthCheck, 'id'>): Labels => ({ check: check.id });

/**
 * The effects a health check's state change has on its own alert (none, or the series and the
 * alert): unhealthy opens a firing alert unless one is open; healthy resolves the open one.
 * Read inside the state change's decision, on the check's aggregate, so it is atomic with it.
 */
export async function healthCheckAlertEffects(
  check: HealthCheck,
  to: HealthCheck['state'],
  at: string,
  summary: string,
): Promise<{ effects: Item[]; alertId: string | null; opened: Alert | null }> {
  const aggregate = keys.healthCheckAggregate(check.id);
  const labels = CHECK_SERIES_LABELS(check);
  const series = await getSeries(aggregate, labels);
  if (to === 'unhealthy' && series.state.state !== 'firing') {
    const next: SeriesState = { state: 'firing', since: at, firedAt: at, alertId: ulid() };
    const alert = firingAlert(
      {
        id: next.alertId,
        source: { kind: 'healthcheck', checkId: check.id },
        name: healthCheckAlertName(check),
        service: check.service,
        labels: { service: check.service, environment: check.environment, check: check.id },
        severity: 'critical',
        summary,
      },
      at,
    );
    return { effects: [seriesItem(aggregate, labels, next), alertItem(alert, aggregate)], alertId: alert.id, opened: alert };
  }
  if (to !== 'unhealthy' && series.state.state === 'firing') {
    const effects: Item[] = [seriesItem(aggregate, labels, { state: 'inactive' })];
    const open = await getAlert(series.state.alertId);
    if (open && open.alert.status !== 'resolved') effects.push(alertItem({ ...open.alert, status: 'resolved', resolvedAt: at }, aggregate));
    return { effects, alertId: series.state.alertId, opened: null };
  }
  return { effects: [], alertId: null, opened: null };
}

const SEVERITY_RANK: Record<Alert['severity'], number> = { info: 0, warning: 1, critical: 2 };

export type SecretNotice = 'expiring' | 'rotation_due';
type SecretRef = Pick<Secret, 'service' | 'environment' | 'name'>;

const SECRET_SERIES_LABELS = (secret: SecretRef): Labels => ({
  service: secret.service,
  environment: secret.environment,
  secret: secret.name,
});

/** What a notice says as an alert: expiring is a warning (critical once expired), rotation due is info. */
function secretNoticeAlert(secret: Secret, notice: SecretNotice, now: Date): Pick<Alert, 'name' | 'severity' | 'summary'> {
  const where = `Secret ${secret.name} of ${secret.service} in ${secret.environment}`;
  if (notice === 'expiring' && secret.expiresAt !== null) {
    if (Date.parse(secret.expiresAt) <= now.getTime()) {
      return { name: `Secret ${secret.name} expired`, severity: 'critical', summary: `${where} expired at ${secret.expiresAt}` };
    }
    const days = daysUntil(secret.expiresAt, now);
    return {
      name: `Secret ${secret.name} expiring`,
      severity: 'warning',
      summary: `${where} expires at ${secret.expiresAt} (${days} ${days === 1 ? 'day' : 'days'} left)`,
    };
  }
  return {
    name: `Secret ${secret.name} due for rotation`,
    severity: 'info',
    summary: `${where} is due for rotation since ${rotationDueAt(secret)} (every ${secret.rotationDays} ${secret.rotationDays === 1 ? 'day' : 'days'})`,
  };
}

/**
 * The effects a secret notice (`secret.expiring`, `secret.rotation_due`) has on the secret's own
 * alert, read inside the notice's decision on the secrets aggregate so it is atomic with it: one
 * open alert per secret. A notice opens it; a later notice while it is open raises its severity
 * (and says why) when it is more severe, else changes nothing. `opened` is the alert when it is
 * critical and new or newly critical, for the incident step after.
 */
export async function secretNoticeAlertEffects(
  secret: Secret,
  notice: SecretNotice,
  now: Date,
): Promise<{ effects: Item[]; opened: Alert | null }> {
  const aggregate = keys.secretsAggregate(secret.service);
  const labels = SECRET_SERIES_LABELS(secret);
  const raised = secretNoticeAlert(secret, notice, now);
  const series = await getSeries(aggregate, labels);
  if (series.state.state === 'firing') {
    const open = await getAlert(series.state.alertId);
    if (open && open.alert.status !== 'resolved') {
      if (SEVERITY_RANK[raised.severity] <= SEVERITY_RANK[open.alert.severity]) return { effects: [], opened: null };
      const next: Alert = { ...open.alert, ...raised };
      return { effects: [alertItem(next, aggregate)], opened: next.severity === 'critical' ? next : null };
    }
  }
  const at = now.toISOString();
  const next: SeriesState = { state: 'firing', since: at, firedAt: at, alertId: ulid() };
  const alert = firingAlert(
    {
      id: next.alertId,
      source: { kind: 'secret', environment: secret.environment, name: secret.name },
      ...raised,
      service: secret.service,
      labels,
    },
    at,
  );
  return {
    effects: [seriesItem(aggregate, labels, next), alertItem(alert, aggregate)],
    opened: alert.severity === 'critical' ? alert : null,
  };
}

/**
 * The effects of a secret getting a new value (and with it a new expiry and rotation clock) or
 * being deleted: its open alert resolves. Read inside that change's decision, on the secrets aggregate.
 */
export async function secretAlertResolveEffects(secret: SecretRef, at: string): Promise<Item[]> {
  const aggregate = keys.secretsAggregate(secret.service);
  const labels = SECRET_SERIES_LABELS(secret);
  const series = await getSeries(aggregate, labels);
  if (series.state.state !== 'firing') return [];
  const effects: Item[] = [seriesItem(aggregate, labels, { state: 'inactive' })];
  const open = await getAlert(series.state.alertId);
  if (open && open.alert.status !== 'resolved') effects.push(alertItem({ ...open.alert, status: 'resolved', resolvedAt: at }, aggregate));
  return effects;
}

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
