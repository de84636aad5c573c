import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { alertSubject, openSunsetAlerts, type SunsetAlert, sunsetAlertEffects, sunsetAlertResolveEffects } from '#alerts/public';
import type { CommandContext } from '#kernel/command-context';
import { documentClient, tableName } from '#kernel/store/client';
import { executeCommand, type Item } from '#kernel/store/event-log';
import { keys } from '#kernel/store/keys';

/**
 * The sunset notices of a service (issue 10, item 11) as an aggregate (`SUNSET#<service>`): which
 * thresholds were announced for each deprecated version, and the alert of each version still
 * called past its sunset. One alert per version, opened by the daily job the first day it finds
 * the version called (`alert.firing`, a warning that names the callers), left open while it is
 * called, and resolved (`alert.resolved`) when the version is retired or its calls stop.
 */

export const THRESHOLDS = ['warning', 'critical', 'past'] as const;
export type Threshold = (typeof THRESHOLDS)[number];

export interface NoticesHead {
  service: string;
  /** `<version>@<sunsetAt>` → thresholds announced (a new sunset date starts afresh). */
  announced: Record<string, Threshold[]>;
}

export async function getNoticesHead(service: string): Promise<{ head: NoticesHead; seq: number }> {
  const { Item } = await documentClient().send(
    new GetCommand({ TableName: tableName(), Key: keys.sunsetNoticesHead(service), ConsistentRead: true }),
  );
  return {
    head: { service, announced: (Item?.announced as NoticesHead['announced'] | undefined) ?? {} },
    seq: Number(Item?.aggSeq ?? 0),
  };
}

export function noticesHeadItem(head: NoticesHead): Item {
  return { ...keys.sunsetNoticesHead(head.service), entity: 'sunset-notices', ...head };
}

/** Opens the version's sunset alert unless it is open; true when this call opened it. */
export async function raiseSunsetAlert(raised: SunsetAlert, now: Date, context: CommandContext): Promise<boolean> {
  const aggregate = keys.sunsetNoticesAggregate(raised.service);
  return executeCommand<boolean>(aggregate, async () => {
    const { head, seq } = await getNoticesHead(raised.service);
    const at = now.toISOString();
    const { effects, alert } = await sunsetAlertEffects(aggregate, raised, at);
    if (!alert) return { unchanged: false };
    return {
      expectedSeq: seq,
      event: {
        type: 'alert.firing',
        actor: context.actor,
        requestId: context.requestId,
        service: raised.service,
        subject: alertSubject(raised.service, alert.id),
        changes: {
          before: { state: 'inactive' },
          after: {
            state: 'firing',
            alertId: alert.id,
            source: alert.source,
            name: alert.name,
            summary: alert.summary,
            labels: alert.labels,
            value: alert.value,
            severity: alert.severity,
            at,
          },
        },
        effects: [...effects, noticesHeadItem(head)],
      },
      result: () => true,
    };
  });
}

/** Resolves the version's open sunset alert, saying why; false when none is open. */
export async function resolveSunsetAlert(
  service: string,
  version: string,
  reason: string,
  now: Date,
  context: CommandContext,
): Promise<boolean> {
  const aggregate = keys.sunsetNoticesAggregate(service);
  return executeCommand<boolean>(aggregate, async () => {
    const { head, seq } = await getNoticesHead(service);
    const at = now.toISOString();
    const { effects, alertId } = await sunsetAlertResolveEffects(aggregate, service, version, at);
    if (!alertId) return { unchanged: false };
    return {
      expectedSeq: seq,
      event: {
        type: 'alert.resolved',
        actor: context.actor,
        requestId: context.requestId,
        service,
        subject: alertSubject(service, alertId),
        changes: {
          before: { state: 'firing' },
          after: {
            state: 'inactive',
            alertId,
            source: { kind: 'sunset', version },
            labels: { service, version },
            severity: 'warning',
            reason,
            at,
          },
        },
        effects: [...effects, noticesHeadItem(head)],
      },
      result: () => true,
    };
  });
}

/**
 * After the daily job's look at a service: the versions still called past their sunset have their
 * alert open (opened now if need be); every other open sunset alert of the service resolves, with
 * `resolvedBecause` saying why for each version (retired, no calls in 24 hours, no longer deprecated).
 */
export async function syncSunsetAlerts(
  service: string,
  stillCalled: readonly SunsetAlert[],
  resolvedBecause: (version: string) => string,
  now: Date,
  context: CommandContext,
): Promise<{ raised: string[]; resolved: string[] }> {
  const raised: string[] = [];
  const resolved: string[] = [];
  for (const alert of stillCalled) if (await raiseSunsetAlert(alert, now, context)) raised.push(alert.version);
  const calling = new Set(stillCalled.map((alert) => alert.version));
  for (const version of (await openSunsetAlerts(keys.sunsetNoticesAggregate(service))).keys()) {
    if (calling.has(version)) continue;
    if (await resolveSunsetAlert(service, version, resolvedBecause(version), now, context)) resolved.push(version);
  }
  return { raised, resolved };
}
