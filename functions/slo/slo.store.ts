import { GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { dayOf, type HealthCheck } from '#health-checks/health-check.domain';
import type { Observation } from './slo.domain.ts';
import { documentClient, tableName } from '#kernel/store/client';
import type { Item } from '#kernel/store/event-log';
import { listHealthChecks } from '#health-checks/public';
import { keys } from '#kernel/store/keys';

/**
 * SLO targets (one head per service, written by `slo.updated` events) and the reads uptime needs:
 * a service's checks in an environment (a Query on its list partition) and their results in a
 * time span (one Query per day bucket, only the four attributes the arithmetic uses). No Scan.
 */

export interface SloTargets {
  service: string;
  /** The target of every environment without one of its own; null when none was set. */
  target: number | null;
  environments: Record<string, number>;
  updatedAt: string;
  rev: number;
}

export function sloItem(slo: SloTargets): Item {
  return { ...keys.slo(slo.service), entity: 'slo', ...slo };
}

export async function getSlo(service: string): Promise<{ slo: SloTargets; seq: number } | undefined> {
  const { Item } = await documentClient().send(new GetCommand({ TableName: tableName(), Key: keys.slo(service), ConsistentRead: true }));
  if (!Item) return undefined;
  return {
    slo: {
      service,
      target: (Item.target as number | null) ?? null,
      environments: (Item.environments as Record<string, number>) ?? {},
      updatedAt: String(Item.updatedAt),
      rev: Number(Item.rev ?? 0),
    },
    seq: Number(Item.aggSeq ?? 0),
  };
}

/** Checks a service may have: the uptime of more would be more Queries than one request should make. */
export const MAX_UPTIME_CHECKS = 100;

/** The live checks of `service` (in `environment`, when given), at most MAX_UPTIME_CHECKS. */
export async function listServiceChecks(service: string, environment?: string): Promise<HealthCheck[]> {
  const checks: HealthCheck[] = [];
  let cursor: string | undefined;
  do {
    const page = await listHealthChecks(service, { limit: 100, cursor });
    checks.push(...page.items.filter((check) => !check.deletedAt && (environment === undefined || check.environment === environment)));
    cursor = page.nextCursor ?? undefined;
  } while (cursor && checks.length < MAX_UPTIME_CHECKS);
  return checks.slice(0, MAX_UPTIME_CHECKS);
}

function nextDay(day: string): string {
  return new Date(Date.parse(`${day}T00:00:00.000Z`) + 86_400_000).toISOString().slice(0, 10);
}

/** A check's results taken in `[from, to]`, oldest first: one Query per UTC day bucket. */
export async function listObservations(checkId: string, from: Date, to: Date): Promise<Observation[]> {
  const observations: Observation[] = [];
  const lastDay = dayOf(to);
  for (let day = dayOf(from), buckets = 0; day <= lastDay && buckets < 64; day = nextDay(day), buckets++) {
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await documentClient().send(
        new QueryCommand({
          TableName: tableName(),
          KeyConditionExpression: 'PK = :pk AND SK BETWEEN :from AND :to',
          ExpressionAttributeValues: {
            ':pk': keys.healthResultBucket(checkId, day),
            ':from': from.toISOString(),
            ':to': `${to.toISOString()}#~`,
          },
          ProjectionExpression: '#at, #ok, #status, #latency',
          ExpressionAttributeNames: { '#at': 'at', '#ok': 'ok', '#status': 'status', '#latency': 'latencyMs' },
          ExclusiveStartKey: startKey,
        }),
      );
      for (const item of page.Items ?? []) {
        observations.push({
          at: Date.parse(String(item.at)),
          ok: item.ok === true,
          status: Number(item.status ?? 0),
          latencyMs: Number(item.latencyMs ?? 0),
        });
      }
      startKey = page.LastEvaluatedKey;
    } while (startKey);
  }
  return observations;
}
