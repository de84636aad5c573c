import { ulid } from 'ulid';
import { type Alert, firingAlert, healthCheckAlertName, type SeriesState } from './alerts.domain.ts';
import type { HealthCheck } from '#health-checks/health-check.domain';
import type { Labels } from '#metrics/metrics.domain';
import { daysUntil, rotationDueAt, type Secret } from '#secrets/secret.domain';
import { alertItem, getAlert, getSeries, listOpenSeries, seriesItem } from './alerts.store.ts';
import type { Item } from '#kernel/store/event-log';
import { keys } from '#kernel/store/keys';

/**
 * Alerts that other aggregates raise: a health check's own alert is an effect of its
 * `healthcheck.state_changed` event; a secret's, of its `secret.expiring` and `secret.rotation_due`
 * notices (and resolved by its next value); a deprecated version's, of the models' deprecation job
 * (`alert.firing` and `alert.resolved` on the service's sunset notices). These build the items;
 * the owner's event carries them.
 */

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

/** What a sunset alert says: its owner words it (who still calls the version, how often). */
export interface SunsetAlert {
  service: string;
  version: string;
  name: string;
  summary: string;
  /** The calls of the last 24 hours: the alert's value. */
  calls: number;
}

const SUNSET_SERIES_LABELS = (service: string, version: string): Labels => ({ service, version });

/**
 * The effects of a deprecated version still called past its sunset on its alert, read inside the
 * owner's decision on `aggregate` so it is atomic with it: one open alert per version, a
 * `warning`. Opens it unless it is open already (then nothing: no second alert for the next day).
 */
export async function sunsetAlertEffects(
  aggregate: string,
  raised: SunsetAlert,
  at: string,
): Promise<{ effects: Item[]; alert: Alert | null }> {
  const labels = SUNSET_SERIES_LABELS(raised.service, raised.version);
  const series = await getSeries(aggregate, labels);
  if (series.state.state === 'firing') {
    const open = await getAlert(series.state.alertId);
    if (open && open.alert.status !== 'resolved') return { effects: [], alert: null };
  }
  const next: SeriesState = { state: 'firing', since: at, firedAt: at, alertId: ulid() };
  const alert = firingAlert(
    {
      id: next.alertId,
      source: { kind: 'sunset', version: raised.version },
      name: raised.name,
      service: raised.service,
      labels,
      severity: 'warning',
      summary: raised.summary,
      value: raised.calls,
    },
    at,
  );
  return { effects: [seriesItem(aggregate, labels, next), alertItem(alert, aggregate)], alert };
}

/** The effects of a version no longer called past its sunset (retired, or its traffic stopped): its open alert resolves. */
export async function sunsetAlertResolveEffects(
  aggregate: string,
  service: string,
  version: string,
  at: string,
): Promise<{ effects: Item[]; alertId: string | null }> {
  const labels = SUNSET_SERIES_LABELS(service, version);
  const series = await getSeries(aggregate, labels);
  if (series.state.state !== 'firing') return { effects: [], alertId: null };
  const effects: Item[] = [seriesItem(aggregate, labels, { state: 'inactive' })];
  const open = await getAlert(series.state.alertId);
  if (open && open.alert.status !== 'resolved') effects.push(alertItem({ ...open.alert, status: 'resolved', resolvedAt: at }, aggregate));
  return { effects, alertId: series.state.alertId };
}

/** The versions whose sunset alert is open on `aggregate`, with the alert's id. */
export async function openSunsetAlerts(aggregate: string): Promise<Map<string, string>> {
  const open = new Map<string, string>();
  for (const { labels, state } of await listOpenSeries(aggregate)) {
    if (state.state === 'firing' && typeof labels.version === 'string') open.set(labels.version, state.alertId);
  }
  return open;
}
