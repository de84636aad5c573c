import { createHash } from 'node:crypto';
import { GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { Alert, AlertListStatus, AlertRule, PendingAlert, SeriesState } from './alerts.domain.ts';
import type { Severity } from '#kernel/events';
import { type Labels, seriesKey } from '#metrics/metrics.domain';
import { documentClient, tableName } from '#kernel/store/client';
import { getHead, type Item } from '#kernel/store/event-log';
import { parseDurationSeconds } from '#kernel/duration';
import { keys } from '#kernel/store/keys';
import { listFilter, type Page, queryPage } from '#kernel/store/pagination';

/**
 * Alert rules, their series and alerts. All are written by events only: a rule's definition and
 * every transition of its series on the rule's aggregate; a health check's own alert on the
 * check's aggregate. Each alert item names the aggregate that owns it, so acknowledging goes
 * through that aggregate.
 */

const RULE_FIELDS = [
  'id',
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
  'createdAt',
  'updatedAt',
  'rev',
  'deletedAt',
] as const;

const ALERT_FIELDS = [
  'id',
  'source',
  'name',
  'service',
  'labels',
  'severity',
  'status',
  'summary',
  'value',
  'startedAt',
  'firedAt',
  'resolvedAt',
  'acknowledgedAt',
  'acknowledgedBy',
] as const;

async function getItem(key: { PK: string; SK: string }): Promise<Record<string, unknown> | undefined> {
  const { Item } = await documentClient().send(new GetCommand({ TableName: tableName(), Key: key, ConsistentRead: true }));
  return Item;
}

export function alertRuleItem(rule: AlertRule): Item {
  return {
    ...keys.alertRule(rule.id),
    ...(rule.deletedAt ? {} : keys.alertRulesIndex(rule.id)),
    entity: 'alert-rule',
    ...rule,
  };
}

export function ruleFromItem(item: Record<string, unknown>): AlertRule {
  return Object.fromEntries(RULE_FIELDS.map((field) => [field, item[field] ?? null])) as unknown as AlertRule;
}

export async function getAlertRule(id: string): Promise<{ rule: AlertRule; seq: number } | undefined> {
  const head = await getHead(keys.alertRuleAggregate(id));
  return head && head.item.entity === 'alert-rule' ? { rule: ruleFromItem(head.item), seq: head.seq } : undefined;
}

export async function listAlertRules(options: { limit: number; cursor?: string; service?: string }): Promise<Page<AlertRule>> {
  const page = await queryPage({
    index: 'GSI1',
    partition: keys.alertRulesListPartition,
    limit: options.limit,
    cursor: options.cursor,
    ...(options.service
      ? { filter: '#service = :service', names: { '#service': 'service' }, values: { ':service': options.service } }
      : {}),
  });
  return { items: page.items.map(ruleFromItem), nextCursor: page.nextCursor };
}

/** Every live rule, for the evaluator. */
export async function allAlertRules(): Promise<AlertRule[]> {
  const rules: AlertRule[] = [];
  let cursor: string | undefined;
  do {
    const page = await listAlertRules({ limit: 100, cursor });
    rules.push(...page.items);
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  return rules;
}

/** A short stable name for a label set. */
export function seriesHash(labels: Labels): string {
  return createHash('sha256').update(seriesKey(labels)).digest('hex').slice(0, 24);
}

export interface StoredSeries {
  labels: Labels;
  state: SeriesState;
}

/**
 * A series as stored. A pending one of a rule also carries the alert it would open (`pending`)
 * and sits in the sparse pending index, so that the alert list can show it; a series leaves the
 * index when it is next written (firing, cleared).
 */
export function seriesItem(aggregate: string, labels: Labels, state: SeriesState, pending?: PendingAlert): Item {
  return {
    ...keys.alertSeries(aggregate, seriesHash(labels)),
    ...(state.state === 'pending' && pending
      ? { ...keys.pendingAlertsIndex(state.since, pending.id), service: pending.service, severity: pending.severity, pending }
      : {}),
    entity: 'alert-series',
    labels,
    ...state,
  };
}

function seriesFromItem(item: Record<string, unknown>): StoredSeries {
  const labels = (item.labels ?? {}) as Labels;
  switch (item.state) {
    case 'pending':
      return {
        labels,
        state: { state: 'pending', since: String(item.since), ...(typeof item.alertId === 'string' ? { alertId: item.alertId } : {}) },
      };
    case 'firing':
      return {
        labels,
        state: { state: 'firing', since: String(item.since), firedAt: String(item.firedAt), alertId: String(item.alertId) },
      };
    default:
      return { labels, state: { state: 'inactive' } };
  }
}

export async function getSeries(aggregate: string, labels: Labels): Promise<StoredSeries> {
  const item = await getItem(keys.alertSeries(aggregate, seriesHash(labels)));
  return item ? seriesFromItem(item) : { labels, state: { state: 'inactive' } };
}

/** The series of an aggregate that are pending or firing. */
export async function listOpenSeries(aggregate: string): Promise<StoredSeries[]> {
  const found: StoredSeries[] = [];
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await documentClient().send(
      new QueryCommand({
        TableName: tableName(),
        KeyConditionExpression: 'PK = :pk AND begins_with(SK, :prefix)',
        ExpressionAttributeValues: { ':pk': aggregate, ':prefix': keys.alertSeriesPrefix },
        ConsistentRead: true,
        ExclusiveStartKey: startKey,
      }),
    );
    for (const item of page.Items ?? []) {
      const series = seriesFromItem(item);
      if (series.state.state !== 'inactive') found.push(series);
    }
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  return found;
}

export interface OpenSeriesView {
  labels: Labels;
  state: 'pending' | 'firing';
  since: string;
  firesAt: string | null;
  alertId: string | null;
}

/** A rule's label sets whose condition holds now, pending or firing, as the rule shows them. */
export async function openSeriesOfRule(rule: Pick<AlertRule, 'id' | 'for'>): Promise<OpenSeriesView[]> {
  const forMs = (parseDurationSeconds(rule.for) ?? 0) * 1000;
  const views: OpenSeriesView[] = [];
  for (const { labels, state } of await listOpenSeries(keys.alertRuleAggregate(rule.id))) {
    if (state.state === 'pending') {
      const firesAt = new Date(Date.parse(state.since) + forMs).toISOString();
      views.push({ labels, state: 'pending', since: state.since, firesAt, alertId: state.alertId ?? null });
    } else if (state.state === 'firing') {
      views.push({ labels, state: 'firing', since: state.since, firesAt: null, alertId: state.alertId });
    }
  }
  return views;
}

export function alertItem(alert: Alert, aggregate: string): Item {
  const openCritical = alert.severity === 'critical' && alert.status !== 'resolved';
  return {
    ...keys.alert(alert.id),
    ...keys.alertsIndex(alert.id),
    ...(openCritical ? keys.openCriticalAlertsIndex(alert.id) : {}),
    entity: 'alert',
    aggregate,
    ...alert,
  };
}

export function alertFromItem(item: Record<string, unknown>): Alert {
  return Object.fromEntries(ALERT_FIELDS.map((field) => [field, item[field] ?? null])) as unknown as Alert;
}

export async function getAlert(id: string): Promise<{ alert: Alert; aggregate: string } | undefined> {
  const item = await getItem(keys.alert(id));
  return item ? { alert: alertFromItem(item), aggregate: String(item.aggregate) } : undefined;
}

export interface AlertFilter {
  status?: AlertListStatus;
  severity?: Severity;
  service?: string;
  /** Services a scoped key may see; null for all. */
  services: string[] | null;
}

/** Alerts newest first (ids are ULIDs), filtered; `pending`: the rules' pending series, newest first. */
export async function listAlerts(filter: AlertFilter, options: { limit: number; cursor?: string }): Promise<Page<Alert | PendingAlert>> {
  if (filter.status === 'pending') {
    const pending = await queryPage({
      index: 'GSI2',
      partition: keys.pendingAlertsPartition,
      limit: options.limit,
      cursor: options.cursor,
      newestFirst: true,
      ...listFilter({ severity: filter.severity, service: filter.service }, { attribute: 'service', values: filter.services }),
    });
    const visible = pending.items.map((item) => item.pending as PendingAlert).filter(Boolean);
    return { items: visible, nextCursor: pending.nextCursor };
  }
  const page = await queryPage({
    index: 'GSI1',
    partition: keys.alertsListPartition,
    limit: options.limit,
    cursor: options.cursor,
    newestFirst: true,
    ...listFilter(
      { status: filter.status, severity: filter.severity, service: filter.service },
      { attribute: 'service', values: filter.services },
    ),
  });
  return { items: page.items.map(alertFromItem), nextCursor: page.nextCursor };
}

/**
 * Critical alerts that are open (firing or acknowledged), oldest first, from a sparse index that
 * holds nothing else: cheap however many alerts have ever fired. The index is eventually
 * consistent; callers re-read each alert before acting on it.
 */
export async function listOpenCriticalAlerts(limit = 1000): Promise<Alert[]> {
  const found: Alert[] = [];
  let cursor: string | undefined;
  do {
    const page = await queryPage({
      index: 'GSI2',
      partition: keys.openCriticalAlertsPartition,
      limit: Math.min(100, limit - found.length),
      cursor,
    });
    found.push(...page.items.map(alertFromItem));
    cursor = page.nextCursor ?? undefined;
  } while (cursor && found.length < limit);
  return found;
}

/**
 * Open (firing or acknowledged) alerts of `service` at `minSeverity` or above, newest first, at
 * most `limit`: the ones about its health, which deployment gates and the models' auto-rollback
 * read. A sunset alert (a deprecated version still called) says nothing of what is deployed, so
 * it is not among them. Critical only: a Query on the sparse open-critical index, which holds nothing
 * else. With warnings there is no such index, so it is the alert list filtered by service,
 * status and severity: one Query on one partition, never a Scan, but it reads resolved alerts too.
 */
export async function listOpenServiceAlerts(service: string, minSeverity: 'warning' | 'critical', limit = 100): Promise<Alert[]> {
  const severities = minSeverity === 'critical' ? ['critical'] : ['warning', 'critical'];
  const found: Alert[] = [];
  let cursor: string | undefined;
  do {
    const page = await queryPage({
      ...(minSeverity === 'critical'
        ? { index: 'GSI2' as const, partition: keys.openCriticalAlertsPartition }
        : { index: 'GSI1' as const, partition: keys.alertsListPartition }),
      filter: '#service = :service AND #status IN (:firing, :acknowledged) AND #severity IN (:s0, :s1) AND #source.#kind <> :sunset',
      names: { '#service': 'service', '#status': 'status', '#severity': 'severity', '#source': 'source', '#kind': 'kind' },
      values: {
        ':sunset': 'sunset',
        ':service': service,
        ':firing': 'firing',
        ':acknowledged': 'acknowledged',
        ':s0': severities[0],
        ':s1': severities.at(-1),
      },
      limit: Math.min(100, limit - found.length),
      cursor,
      newestFirst: true,
    });
    found.push(...page.items.map(alertFromItem));
    cursor = page.nextCursor ?? undefined;
  } while (cursor && found.length < limit);
  return found;
}
