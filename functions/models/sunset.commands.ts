import { GetCommand } from '@aws-sdk/lib-dynamodb';
import type { CommandContext } from '#kernel/command-context';
import { documentClient, tableName } from '#kernel/store/client';
import { executeCommand, type Item } from '#kernel/store/event-log';
import { keys } from '#kernel/store/keys';
import { moveVersion } from '#services/versions.commands';
import { getModelSettings } from './models.store.ts';
import { allServices, CRITICAL_DAYS, type DeprecationEntry, deprecations, last24h } from './registry.reads.ts';

/**
 * The daily deprecation job (issue 10, item 11): for every deprecated version with a sunset, a
 * `version.sunset_approaching` notice once per threshold it crosses (within the warning threshold,
 * under 7 days, past the sunset), through the event log and so the topic, email and webhooks;
 * past the sunset, a model whose policy enables automatic retirement has the version retired if it
 * served nothing in 24 hours; one still called gets the notice naming who calls it.
 */

export const THRESHOLDS = ['warning', 'critical', 'past'] as const;
export type Threshold = (typeof THRESHOLDS)[number];

interface NoticesHead {
  service: string;
  /** `<version>@<sunsetAt>` → thresholds announced (a new sunset date starts afresh). */
  announced: Record<string, Threshold[]>;
}

export interface NoticeOutcome {
  checked: number;
  noticed: Array<{ service: string; version: string; threshold: Threshold }>;
  retired: Array<{ service: string; version: string }>;
}

/** The highest threshold a deprecation has reached, or null before any. */
export function thresholdOf(daysLeft: number, warningDays: number): Threshold | null {
  if (daysLeft < 0) return 'past';
  if (daysLeft < CRITICAL_DAYS) return 'critical';
  return daysLeft <= warningDays ? 'warning' : null;
}

async function getHead(service: string): Promise<{ head: NoticesHead; seq: number }> {
  const { Item } = await documentClient().send(
    new GetCommand({ TableName: tableName(), Key: keys.sunsetNoticesHead(service), ConsistentRead: true }),
  );
  return {
    head: { service, announced: (Item?.announced as NoticesHead['announced'] | undefined) ?? {} },
    seq: Number(Item?.aggSeq ?? 0),
  };
}

function headItem(head: NoticesHead): Item {
  return { ...keys.sunsetNoticesHead(head.service), entity: 'sunset-notices', ...head };
}

export async function runDeprecationNotices(now: Date, context: CommandContext): Promise<NoticeOutcome> {
  const nowMs = now.getTime();
  const outcome: NoticeOutcome = { checked: 0, noticed: [], retired: [] };
  const services = await allServices(null);
  for (const service of services) {
    const entries = (await deprecations([service], nowMs)).filter((entry) => entry.sunsetAt !== null && entry.daysLeft !== null);
    if (entries.length === 0) continue;
    const settings = service.kind === 'model' ? await getModelSettings(service.name) : null;
    const traffic = service.kind === 'model' ? await last24h(service.name, nowMs) : null;
    for (const entry of entries) {
      outcome.checked++;
      const threshold = thresholdOf(entry.daysLeft as number, settings?.eolWarningThresholdDays ?? 30);
      if (!threshold) continue;
      const callsIn24h = traffic?.get(entry.version)?.aggregate.count ?? 0;
      if (threshold === 'past' && settings?.enableAutomaticRetirement && callsIn24h === 0) {
        await moveVersion(service.name, entry.version, 'retire', {}, context);
        outcome.retired.push({ service: service.name, version: entry.version });
        continue;
      }
      if (await announce(entry, threshold, callsIn24h, context))
        outcome.noticed.push({ service: service.name, version: entry.version, threshold });
    }
  }
  return outcome;
}

/** One notice for the threshold, unless it (or a higher one) was announced for this sunset already. */
async function announce(entry: DeprecationEntry, threshold: Threshold, callsIn24h: number, context: CommandContext): Promise<boolean> {
  const key = `${entry.version}@${entry.sunsetAt}`;
  return executeCommand<boolean>(keys.sunsetNoticesAggregate(entry.service), async () => {
    const { head, seq } = await getHead(entry.service);
    const done = head.announced[key] ?? [];
    if (done.some((t) => THRESHOLDS.indexOf(t) >= THRESHOLDS.indexOf(threshold))) return { unchanged: false };
    const next: NoticesHead = { ...head, announced: { ...head.announced, [key]: THRESHOLDS.slice(0, THRESHOLDS.indexOf(threshold) + 1) } };
    const callers = entry.recentTraffic ? Object.keys(entry.recentTraffic.byClient).filter((client) => client !== '(none)') : [];
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
        effects: [headItem(next)],
      },
      result: () => true,
    };
  });
}
