import type { SunsetAlert } from '#alerts/public';
import type { CommandContext } from '#kernel/command-context';
import { ConflictError } from '#kernel/errors';
import { executeCommand } from '#kernel/store/event-log';
import { keys } from '#kernel/store/keys';
import type { Service } from '#services/service.domain';
import { moveVersion } from '#services/versions.commands';
import { getModelSettings } from './models.store.ts';
import { allServices, CRITICAL_DAYS, type DeprecationEntry, deprecations, last24h } from './registry.reads.ts';
import {
  getNoticesHead,
  type NoticesHead,
  noticesHeadItem,
  syncSunsetAlerts,
  THRESHOLDS,
  type Threshold,
} from './sunset-alerts.commands.ts';
import { NO_CLIENT } from './telemetry.domain.ts';

export { THRESHOLDS, type Threshold } from './sunset-alerts.commands.ts';

/**
 * The daily deprecation job (issue 10, item 11): for every deprecated version with a sunset, a
 * `version.sunset_approaching` notice once per threshold it crosses (within the warning threshold,
 * under 7 days, past the sunset), through the event log and so the topic, email and webhooks.
 * Past the sunset, a model's version that served nothing in 24 hours is retired when its policy
 * enables automatic retirement; one still called gets an alert naming who calls it (one alert per
 * version, whatever the policy, open until the version is retired or its calls stop).
 */

export interface NoticeOutcome {
  checked: number;
  noticed: Array<{ service: string; version: string; threshold: Threshold }>;
  retired: Array<{ service: string; version: string }>;
  /** Sunset alerts opened by this run, and resolved by it. */
  alerted: Array<{ service: string; version: string }>;
  resolved: Array<{ service: string; version: string }>;
}

/** The highest threshold a deprecation has reached, or null before any. */
export function thresholdOf(daysLeft: number, warningDays: number): Threshold | null {
  if (daysLeft < 0) return 'past';
  if (daysLeft < CRITICAL_DAYS) return 'critical';
  return daysLeft <= warningDays ? 'warning' : null;
}

/** Who called a version, for people: named clients by calls (most first), then the unnamed ones. */
export function callersOf(byClient: Record<string, number>): string {
  const named = Object.entries(byClient)
    .filter(([client]) => client !== NO_CLIENT)
    .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
    .map(([client]) => client);
  const unnamed = (byClient[NO_CLIENT] ?? 0) > 0;
  if (named.length === 0) return 'clients that send no name';
  return unnamed ? `${named.join(', ')} and clients that send no name` : named.join(', ');
}

/** The alert of a model version still called past its sunset: named for who calls it. */
export function sunsetAlertOf(entry: DeprecationEntry, byClient: Record<string, number>, calls: number): SunsetAlert {
  const callers = callersOf(byClient);
  const counts = Object.entries(byClient)
    .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
    .map(([client, count]) => `${client === NO_CLIENT ? '(no name)' : client} ${count}`)
    .join(', ');
  return {
    service: entry.service,
    version: entry.version,
    name: `${entry.service} ${entry.version} past sunset, still called by ${callers}`,
    summary: `${entry.service} ${entry.version} passed its sunset (${entry.sunsetAt}) and was called ${calls} ${calls === 1 ? 'time' : 'times'} in the last 24 hours (${counts})${entry.replacement ? `; move its callers to ${entry.replacement}` : ''}.`,
    calls,
  };
}

export async function runDeprecationNotices(now: Date, context: CommandContext): Promise<NoticeOutcome> {
  const nowMs = now.getTime();
  const outcome: NoticeOutcome = { checked: 0, noticed: [], retired: [], alerted: [], resolved: [] };
  const services = await allServices(null);
  for (const service of services) {
    const entries = (await deprecations([service], nowMs)).filter((entry) => entry.sunsetAt !== null && entry.daysLeft !== null);
    // A model is looked at even with nothing deprecated: an alert of a version retired since is resolved.
    if (entries.length === 0 && service.kind !== 'model') continue;
    const model = service.kind === 'model' && entries.length > 0;
    const settings = model ? await getModelSettings(service.name) : null;
    const traffic = model ? await last24h(service.name, nowMs) : null;
    const stillCalled: SunsetAlert[] = [];
    const retired = new Set<string>();
    for (const entry of entries) {
      outcome.checked++;
      const threshold = thresholdOf(entry.daysLeft as number, settings?.eolWarningThresholdDays ?? 30);
      if (!threshold) continue;
      const cell = traffic?.get(entry.version);
      const callsIn24h = cell?.aggregate.count ?? 0;
      if (threshold === 'past' && service.kind === 'model' && callsIn24h > 0) {
        stillCalled.push(sunsetAlertOf(entry, cell?.clients ?? {}, callsIn24h));
      }
      if (threshold === 'past' && settings?.enableAutomaticRetirement && callsIn24h === 0 && (await retire(service, entry, context))) {
        outcome.retired.push({ service: service.name, version: entry.version });
        retired.add(entry.version);
        continue;
      }
      if (await announce(entry, threshold, callsIn24h, context))
        outcome.noticed.push({ service: service.name, version: entry.version, threshold });
    }
    if (service.kind !== 'model') continue;
    const pastSunset = new Set(entries.filter((entry) => (entry.daysLeft as number) < 0).map((entry) => entry.version));
    const synced = await syncSunsetAlerts(
      service.name,
      stillCalled,
      (version) =>
        retired.has(version)
          ? `${service.name} ${version} was retired: it served nothing in the last 24 hours.`
          : pastSunset.has(version)
            ? `${service.name} ${version} was not called in the last 24 hours.`
            : `${service.name} ${version} is no longer deprecated past its sunset (retired, or given a later sunset).`,
      now,
      context,
    );
    outcome.alerted.push(...synced.raised.map((version) => ({ service: service.name, version })));
    outcome.resolved.push(...synced.resolved.map((version) => ({ service: service.name, version })));
  }
  return outcome;
}

/** Retires a version past its sunset that served nothing; false if its lifecycle refuses (consumers of the last 7 days, a race). */
async function retire(service: Service, entry: DeprecationEntry, context: CommandContext): Promise<boolean> {
  try {
    // The policy's own rule (past its sunset, nothing served in 24 hours) decided it: the API contracts'
    // 7-day consumer check (issue 11 §7) is overridden, and the audit record says why.
    const reason = 'automatic retirement: past its sunset and served nothing in the last 24 hours';
    await moveVersion(service.name, entry.version, 'retire', { force: { reason } }, context);
    return true;
  } catch (error) {
    if (error instanceof ConflictError) return false;
    throw error;
  }
}

/** One notice for the threshold, unless it (or a higher one) was announced for this sunset already. */
async function announce(entry: DeprecationEntry, threshold: Threshold, callsIn24h: number, context: CommandContext): Promise<boolean> {
  const key = `${entry.version}@${entry.sunsetAt}`;
  return executeCommand<boolean>(keys.sunsetNoticesAggregate(entry.service), async () => {
    const { head, seq } = await getNoticesHead(entry.service);
    const done = head.announced[key] ?? [];
    if (done.some((t) => THRESHOLDS.indexOf(t) >= THRESHOLDS.indexOf(threshold))) return { unchanged: false };
    const next: NoticesHead = { ...head, announced: { ...head.announced, [key]: THRESHOLDS.slice(0, THRESHOLDS.indexOf(threshold) + 1) } };
    const callers = entry.recentTraffic ? Object.keys(entry.recentTraffic.byClient).filter((client) => client !== NO_CLIENT) : [];
    return {
      expectedSeq: seq,
      event: {
        type: 'version.sunset_approaching',
        actor: context.actor,
        requestId: context.requestId,
        service: entry.service,
        subject: `version/${entry.service}@${entry.version}`,
        changes: {
          before: null,
          after: {
            version: entry.version,
            kind: entry.kind,
            threshold,
            severity: threshold === 'warning' ? 'warning' : 'critical',
            sunsetAt: entry.sunsetAt,
            daysLeft: entry.daysLeft,
            replacement: entry.replacement,
            callsLast24h: entry.kind === 'model' ? callsIn24h : null,
            recentTraffic: entry.recentTraffic,
            summary:
              threshold === 'past'
                ? `${entry.service} ${entry.version} is past its sunset (${entry.sunsetAt}) and ${entry.kind === 'model' ? `was called ${callsIn24h} times in the last 24 hours${callers.length > 0 ? ` by ${callers.join(', ')}` : ''}` : 'may still be called'}.`
                : `${entry.service} ${entry.version} reaches its sunset in ${entry.daysLeft} days (${entry.sunsetAt})${entry.replacement ? `; move to ${entry.replacement}` : ''}.`,
          },
        },
        effects: [noticesHeadItem(next)],
      },
      result: () => true,
    };
  });
}
