/**
 * Alert rules and alerts (issue 4, items 4 and 5): what a rule is, how a rule's condition is
 * judged over a window of samples, and the state machine each (rule, label set) series moves
 * through. Pure: no I/O, and time is always passed in.
 */

import type { Severity } from '#kernel/events';
import { type Aggregation, counterIncreases, type Labels, type MetricSample, reduce, seriesKey } from '#metrics/metrics.domain';

export const COMPARISONS = ['>', '>=', '<', '<=', '==', '!='] as const;
export type Comparison = (typeof COMPARISONS)[number];

export const ALERT_STATUSES = ['firing', 'acknowledged', 'resolved'] as const;
export type AlertStatus = (typeof ALERT_STATUSES)[number];
/**
 * What the alert list can show: the alerts, and `pending`, a rule's label set whose condition
 * holds but not yet for the rule's `for` (not an alert yet: read from the rule's series).
 */
export const ALERT_LIST_STATUSES = ['pending', ...ALERT_STATUSES] as const;
export type AlertListStatus = (typeof ALERT_LIST_STATUSES)[number];

/** The longest window a rule may read (the query path's own limit is 7 days). */
export const MAX_RULE_WINDOW_SECONDS = 86_400;
export const MAX_RULE_FOR_SECONDS = 86_400;

export interface AlertRuleSettings {
  name: string;
  /** The service whose samples the rule reads (samples are stored per service). */
  service: string;
  metric: string;
  /** Further labels a sample must have; `service` is implied. */
  labels: Labels;
  agg: Aggregation;
  /** As written, e.g. `5m`. */
  window: string;
  op: Comparison;
  threshold: number;
  /** As written, e.g. `0s`: how long the condition must hold before the alert fires. */
  for: string;
  severity: Severity;
  sendResolved: boolean;
}

export interface AlertRule extends AlertRuleSettings {
  id: string;
  createdAt: string;
  updatedAt: string;
  rev: number;
  deletedAt: string | null;
}

/**
 * Where an alert came from: a rule and one label set, a health check turning unhealthy, a secret's
 * expiry or rotation notice, or a deprecated version still called past its sunset (the daily
 * deprecation job of models).
 */
export type AlertSource =
  | { kind: 'rule'; ruleId: string }
  | { kind: 'healthcheck'; checkId: string }
  | { kind: 'secret'; environment: string; name: string }
  | { kind: 'sunset'; version: string };

export interface Alert {
  id: string;
  source: AlertSource;
  name: string;
  service: string;
  labels: Labels;
  severity: Severity;
  status: AlertStatus;
  summary: string;
  /** The value that made it fire (null for health-check and secret alerts; the calls of the last 24 hours for a sunset alert). */
  value: number | null;
  /** When the condition first held (the start of pending). */
  startedAt: string;
  firedAt: string;
  resolvedAt: string | null;
  acknowledgedAt: string | null;
  acknowledgedBy: { keyId: string; name: string } | null;
}

/** The name of a health check's own alert: what is checked, where; the check id is in its labels. */
export function healthCheckAlertName(check: { method: string; url: string; environment: string }): string {
  return `${check.method} ${check.url} (${check.environment}) unhealthy`;
}

/** A new alert that fires now: what it is about; the lifecycle fields start empty. */
export function firingAlert(
  fields: Pick<Alert, 'id' | 'source' | 'name' | 'service' | 'labels' | 'severity' | 'summary'> & { value?: number | null },
  startedAt: string,
  firedAt: string = startedAt,
): Alert {
  return {
    ...fields,
    value: fields.value ?? null,
    status: 'firing',
    startedAt,
    firedAt,
    resolvedAt: null,
    acknowledgedAt: null,
    acknowledgedBy: null,
  };
}

export function compare(value: number, op: Comparison, threshold: number): boolean {
  switch (op) {
    case '>':
      return value > threshold;
    case '>=':
      return value >= threshold;
    case '<':
      return value < threshold;
    case '<=':
      return value <= threshold;
    case '==':
      return value === threshold;
    case '!=':
      return value !== threshold;
  }
}

/**
 * One value per series (label set) over the window `[from, to]`: the samples of each series
 * reduced by `agg`; `rate` is the counter increase (resets from zero) per second of the window.
 * A series without samples in the window has no value.
 */
export function valuesBySeries(
  samples: ReadonlyArray<Pick<MetricSample, 'value' | 'labels' | 'timestamp'>>,
  agg: Aggregation,
  from: Date,
  to: Date,
): Map<string, { labels: Labels; value: number }> {
  const fromMs = from.getTime();
  const toMs = to.getTime();
  const series = new Map<string, { labels: Labels; points: Array<{ atMs: number; value: number }> }>();
  for (const sample of samples) {
    const atMs = Date.parse(sample.timestamp);
    if (atMs < fromMs || atMs > toMs) continue;
    const key = seriesKey(sample.labels);
    const entry = series.get(key) ?? { labels: sample.labels, points: [] };
    entry.points.push({ atMs, value: sample.value });
    series.set(key, entry);
  }
  const values = new Map<string, { labels: Labels; value: number }>();
  for (const [key, { labels, points }] of series) {
    if (agg === 'rate') {
      const increase = counterIncreases(points).reduce((total, { increase }) => total + increase, 0);
      values.set(key, { labels, value: increase / Math.max(1, (toMs - fromMs) / 1000) });
    } else {
      values.set(key, {
        labels,
        value: reduce(
          points.map((point) => point.value),
          agg,
        ),
      });
    }
  }
  return values;
}

/** Where one series of a rule stands. `inactive` series are not stored once they have nothing open. */
export type SeriesState =
  | { state: 'inactive' }
  /** `alertId`: the id the alert will have if it fires (absent on series recorded before it was kept). */
  | { state: 'pending'; since: string; alertId?: string }
  | { state: 'firing'; since: string; firedAt: string; alertId: string };

export type Transition = 'none' | 'pending' | 'firing' | 'resolved' | 'cleared';

/**
 * The alert state machine for one series, judged at `now`:
 * inactive → pending when the condition holds (→ firing at once when `for` is 0);
 * pending → firing once it has held for `for`; pending → inactive (`cleared`) when it stops first;
 * firing → inactive (`resolved`) when the condition clears. `newAlertId` names the alert a
 * transition to firing opens, so one series has at most one open alert.
 */
export function step(
  current: SeriesState,
  holds: boolean,
  now: Date,
  forSeconds: number,
  newAlertId: () => string,
): { next: SeriesState; transition: Transition } {
  const at = now.toISOString();
  switch (current.state) {
    case 'inactive':
      if (!holds) return { next: current, transition: 'none' };
      if (forSeconds <= 0) return { next: { state: 'firing', since: at, firedAt: at, alertId: newAlertId() }, transition: 'firing' };
      return { next: { state: 'pending', since: at, alertId: newAlertId() }, transition: 'pending' };
    case 'pending':
      if (!holds) return { next: { state: 'inactive' }, transition: 'cleared' };
      if (now.getTime() - Date.parse(current.since) >= forSeconds * 1000) {
        return {
          next: { state: 'firing', since: current.since, firedAt: at, alertId: current.alertId ?? newAlertId() },
          transition: 'firing',
        };
      }
      return { next: current, transition: 'none' };
    case 'firing':
      if (holds) return { next: current, transition: 'none' };
      return { next: { state: 'inactive' }, transition: 'resolved' };
  }
}

export function ruleSummary(rule: Pick<AlertRuleSettings, 'metric' | 'agg' | 'window' | 'op' | 'threshold'>, value: number | null): string {
  const observed = value === null ? 'no data' : String(Math.round(value * 1000) / 1000);
  return `${rule.agg}(${rule.metric}) over ${rule.window} is ${observed} (${rule.op} ${rule.threshold})`;
}

export function alertRuleSubject(service: string, id: string): string {
  return `alertrule/${service}/${id}`;
}

export function alertSubject(service: string, id: string): string {
  return `alert/${service}/${id}`;
}

/** A pending series as the alert list shows it: the alert it would open, not fired yet. */
export interface PendingAlert extends Omit<Alert, 'status' | 'firedAt'> {
  status: 'pending';
  firedAt: null;
  /** When it fires if the condition still holds: `startedAt` plus the rule's `for`. */
  firesAt: string;
}

export function pendingAlert(
  rule: Pick<AlertRule, 'id' | 'name' | 'service' | 'severity' | 'metric' | 'agg' | 'window' | 'op' | 'threshold' | 'for'>,
  labels: Labels,
  since: string,
  alertId: string,
  value: number | null,
  forSeconds: number,
): PendingAlert {
  return {
    id: alertId,
    source: { kind: 'rule', ruleId: rule.id },
    name: rule.name,
    service: rule.service,
    labels,
    severity: rule.severity,
    status: 'pending',
    summary: ruleSummary(rule, value),
    value,
    startedAt: since,
    firedAt: null,
    firesAt: new Date(Date.parse(since) + forSeconds * 1000).toISOString(),
    resolvedAt: null,
    acknowledgedAt: null,
    acknowledgedBy: null,
  };
}
