import { CloudWatchClient, DescribeAlarmsCommand } from '@aws-sdk/client-cloudwatch';
import type { GateCheck, HealthGate } from '#domain/deployment';
import { safeFetch } from '#outbound/safe-fetch';

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

/** One check: probe the new version's URL a few times and read the named alarms. */
export async function checkGate(
  gate: HealthGate | null,
  alarmReader: (names: string[]) => Promise<string[]> = firingAlarms,
): Promise<GateCheck> {
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
  const minRatio = gate?.probe?.minSuccessRatio ?? 1;
  const passed = (probes === null || probes.ok / probes.total >= minRatio) && (alarms === null || alarms.firing.length === 0);
  return { at, passed, probes, alarms };
}

/** A step passes when its probes, together, meet the success ratio and no alarm fired. */
export function stepPassed(gate: HealthGate | null, checks: GateCheck[]): boolean {
  const minRatio = gate?.probe?.minSuccessRatio ?? 1;
  const ok = checks.reduce((sum, check) => sum + (check.probes?.ok ?? 0), 0);
  const total = checks.reduce((sum, check) => sum + (check.probes?.total ?? 0), 0);
  const alarmsFired = checks.some((check) => (check.alarms?.firing.length ?? 0) > 0);
  return !alarmsFired && (total === 0 || ok / total >= minRatio);
}
