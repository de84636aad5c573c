import { CloudWatchClient, DescribeAlarmsCommand } from '@aws-sdk/client-cloudwatch';
import type { GateAlertSeverity, GateCheck, HealthGate } from './deployment.domain.ts';
import { safeFetch } from '#kernel/outbound/safe-fetch';
import { listOpenServiceAlerts } from '#alerts/public';
import { listServiceChecks } from '#slo/public';

/** Probes per gate check, spread over a short moment: enough to see a flapping version. */
export const PROBES_PER_CHECK = 3;
export const DEFAULT_PROBE_INTERVAL_SECONDS = 30;
/** At most this many checks per bake, so a long bake does not cost hundreds of state transitions. */
export const MAX_CHECKS_PER_BAKE = 5;

let cloudwatch: CloudWatchClient | undefined;

/** Names of the given CloudWatch alarms that are in ALARM. Only on AWS: locally there are no alarms to read. */
export async function firingAlarms(names: string[]): Promise<string[]> {
  if (names.length === 0) return [];
  cloudwatch ??= new CloudWatchClient({});
  const { MetricAlarms = [], CompositeAlarms = [] } = await cloudwatch.send(
    new DescribeAlarmsCommand({ AlarmNames: names, StateValue: 'ALARM', AlarmTypes: ['MetricAlarm', 'CompositeAlarm'] }),
  );
  return [...MetricAlarms, ...CompositeAlarms].map((alarm) => alarm.AlarmName ?? '').filter(Boolean);
}

/** How many checks a bake of `bakeSeconds` gets, from the probe interval. */
export function checksPerBake(gate: HealthGate | null, bakeSeconds: number): number {
  const interval = gate?.probe?.intervalSeconds ?? DEFAULT_PROBE_INTERVAL_SECONDS;
  return Math.min(MAX_CHECKS_PER_BAKE, Math.max(1, Math.ceil(bakeSeconds / interval)));
}

/** What the gate's Steward checks are about: the deployment's service and environment. */
export interface GateTarget {
  service: string;
  environment: string;
}

/** Where a gate check reads from; tests replace these. */
export interface GateReaders {
  alarms?: (names: string[]) => Promise<string[]>;
  unhealthyChecks?: (target: GateTarget) => Promise<NonNullable<GateCheck['healthChecks']>['unhealthy']>;
  openAlerts?: (target: GateTarget, minSeverity: GateAlertSeverity) => Promise<NonNullable<GateCheck['alerts']>['open']>;
}

/** The gate's Steward alert setting with its default: null when it reads no alerts. */
export function gateAlertSeverity(gate: HealthGate): GateAlertSeverity | null {
  if (gate.alerts === false) return null;
  return gate.alerts?.minSeverity ?? 'critical';
}

/**
 * Whether a gate checks anything during a bake. No gate (null) checks nothing; any gate reads
 * Steward's own health checks and alerts unless it turns both off, besides its probe and alarms.
 */
export function gateHasChecks(gate: HealthGate | null): boolean {
  if (!gate) return false;
  return Boolean(
    gate.probe || (gate.alarms && gate.alarms.length > 0) || gate.healthChecks !== false || gate.alerts !== false || gate.judge,
  );
}

/** The service's health checks in the environment that are unhealthy (one Query on the service's checks). */
export async function unhealthyChecks(target: GateTarget): Promise<Array<{ id: string; url: string }>> {
  const checks = await listServiceChecks(target.service, target.environment);
  return checks.filter((check) => check.state === 'unhealthy').map((check) => ({ id: check.id, url: check.url }));
}

/**
 * The service's open alerts at `minSeverity` or above that are about the environment: labelled
 * with it, or with no environment label at all (an alert about the whole service).
 */
export async function openAlerts(
  target: GateTarget,
  minSeverity: GateAlertSeverity,
): Promise<Array<{ id: string; name: string; severity: string }>> {
  const alerts = await listOpenServiceAlerts(target.service, minSeverity);
  return alerts
    .filter((alert) => {
      const environment = alert.labels?.environment;
      return environment === undefined || environment === target.environment;
    })
    .map((alert) => ({ id: alert.id, name: alert.name, severity: alert.severity }));
}

/**
 * One check: probe the new version's URL a few times, read the named alarms, and, given the
 * deployment's service and environment, read Steward's own health checks and open alerts there.
 */
export async function checkGate(gate: HealthGate | null, target: GateTarget | null = null, readers: GateReaders = {}): Promise<GateCheck> {
  const {
    alarms: alarmReader = firingAlarms,
    unhealthyChecks: checkReader = unhealthyChecks,
    openAlerts: alertReader = openAlerts,
  } = readers;
  const at = new Date().toISOString();
  let probes: GateCheck['probes'] = null;
  if (gate?.probe) {
    const { url, expectStatus = 200, maxLatencyMs } = gate.probe;
    const failures: string[] = [];
    let ok = 0;
    for (let i = 0; i < PROBES_PER_CHECK; i++) {
      try {
        const response = await safeFetch(url, {
          method: 'GET',
          timeoutMs: maxLatencyMs ? Math.max(maxLatencyMs * 2, 1000) : 5000,
          maxRedirects: 0,
        });
        if (response.status !== expectStatus) failures.push(`status ${response.status}, expected ${expectStatus}`);
        else if (maxLatencyMs && response.latencyMs > maxLatencyMs)
          failures.push(`took ${Math.round(response.latencyMs)} ms, over ${maxLatencyMs} ms`);
        else ok++;
      } catch (error) {
        failures.push((error as Error).message);
      }
    }
    probes = { ok, total: PROBES_PER_CHECK, failures: [...new Set(failures)] };
  }
  let alarms: GateCheck['alarms'] = null;
  if (gate?.alarms && gate.alarms.length > 0) {
    try {
      alarms = { firing: await alarmReader(gate.alarms) };
    } catch (error) {
      alarms = { firing: [`could not read alarms: ${(error as Error).message}`] };
    }
  }
  // Steward's own table: a failed read throws, and the task's Retry reads again.
  const readChecks = gate !== null && target !== null && gate.healthChecks !== false;
  const minSeverity = gate !== null && target !== null ? gateAlertSeverity(gate) : null;
  const [unhealthy, open] = await Promise.all([
    readChecks && target ? checkReader(target) : null,
    minSeverity && target ? alertReader(target, minSeverity) : null,
  ]);
  const healthChecks: GateCheck['healthChecks'] = unhealthy ? { unhealthy } : null;
  const alerts: GateCheck['alerts'] = open ? { open } : null;
  const minRatio = gate?.probe?.minSuccessRatio ?? 1;
  const passed =
    (probes === null || probes.ok / probes.total >= minRatio) &&
    (alarms === null || alarms.firing.length === 0) &&
    (healthChecks === null || healthChecks.unhealthy.length === 0) &&
    (alerts === null || alerts.open.length === 0);
  return { at, passed, probes, alarms, healthChecks, alerts };
}

/**
 * A step passes when its probes, together, meet the success ratio, no alarm fired, and no check
 * found one of Steward's health checks unhealthy or an alert open.
 */
export function stepPassed(gate: HealthGate | null, checks: GateCheck[]): boolean {
  const minRatio = gate?.probe?.minSuccessRatio ?? 1;
  const ok = checks.reduce((sum, check) => sum + (check.probes?.ok ?? 0), 0);
  const total = checks.reduce((sum, check) => sum + (check.probes?.total ?? 0), 0);
  const alarmsFired = checks.some((check) => (check.alarms?.firing.length ?? 0) > 0);
  const monitoringFailed = checks.some((check) => (check.healthChecks?.unhealthy.length ?? 0) > 0 || (check.alerts?.open.length ?? 0) > 0);
  return !alarmsFired && !monitoringFailed && (total === 0 || ok / total >= minRatio);
}
