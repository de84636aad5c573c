import { getHead } from '#kernel/store/event-log';
import { GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { Incident, IncidentEntry, IncidentStatus } from './incidents.domain.ts';
import { documentClient, tableName } from '#kernel/store/client';
import type { Item } from '#kernel/store/event-log';
import { keys } from '#kernel/store/keys';
import { listFilter, type Page, queryPage } from '#kernel/store/pagination';

/**
 * Incidents. Every incident event of a service is on that service's incidents aggregate
 * (`INCIDENTS#<service>`), whose head names the open incident: opening, joining, acknowledging,
 * noting and resolving are decided there, so "one open incident per service" is atomic. The
 * incident item, its timeline entries and the joined-alert markers are that aggregate's effects.
 */

const INCIDENT_FIELDS = [
  'id',
  'service',
  'title',
  'severity',
  'status',
  'summary',
  'openedBy',
  'openedByAlertId',
  'openedAt',
  'acknowledgedAt',
  'acknowledgedBy',
  'resolvedAt',
  'resolvedBy',
  'resolution',
  'alertCount',
  'noteCount',
] as const;

async function getItem(key: { PK: string; SK: string }): Promise<Record<string, unknown> | undefined> {
  const { Item } = await documentClient().send(new GetCommand({ TableName: tableName(), Key: key, ConsistentRead: true }));
  return Item;
}

export interface IncidentsHead {
  item: Item;
  seq: number;
  openIncidentId: string | null;
}

/** The service's incidents head (finishing a half-projected event first); seq 0 when it has none yet. */
export async function getIncidentsHead(service: string): Promise<IncidentsHead> {
  const head = await getHead(keys.incidentsAggregate(service));
  const openIncidentId = typeof head?.item.openIncidentId === 'string' ? head.item.openIncidentId : null;
  return { item: incidentsHeadItem(service, openIncidentId), seq: head?.seq ?? 0, openIncidentId };
}

export function incidentsHeadItem(service: string, openIncidentId: string | null): Item {
  return { ...keys.incidentsHead(service), entity: 'incidents-head', service, openIncidentId };
}

export function incidentItem(incident: Incident): Item {
  return {
    ...keys.incident(incident.id),
    ...keys.incidentsIndex(incident.id),
    ...keys.serviceIncidentsIndex(incident.service, incident.id),
    entity: 'incident',
    ...incident,
  };
}

export function incidentEntryItem(incidentId: string, entry: IncidentEntry): Item {
  return { ...keys.incidentEntry(incidentId, entry.id), entity: 'incident-entry', incidentId, ...entry };
}

export function incidentAlertItem(service: string, alertId: string, incidentId: string): Item {
  return { ...keys.incidentAlert(service, alertId), entity: 'incident-alert', alertId, incidentId };
}

export function incidentFromItem(item: Record<string, unknown>): Incident {
  return Object.fromEntries(INCIDENT_FIELDS.map((field) => [field, item[field] ?? null])) as unknown as Incident;
}

export async function getIncident(id: string): Promise<Incident | undefined> {
  const item = await getItem(keys.incident(id));
  return item ? incidentFromItem(item) : undefined;
}

/** The incident an alert joined, if it joined one. */
export async function joinedIncidentOf(service: string, alertId: string): Promise<string | undefined> {
  const item = await getItem(keys.incidentAlert(service, alertId));
  return typeof item?.incidentId === 'string' ? item.incidentId : undefined;
}

export async function listIncidentEntries(id: string): Promise<IncidentEntry[]> {
  const entries: IncidentEntry[] = [];
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await documentClient().send(
      new QueryCommand({
        TableName: tableName(),
        KeyConditionExpression: 'PK = :pk AND begins_with(SK, :prefix)',
        ExpressionAttributeValues: { ':pk': keys.incident(id).PK, ':prefix': keys.incidentEntryPrefix },
        ConsistentRead: true,
        ExclusiveStartKey: startKey,
      }),
    );
    for (const item of page.Items ?? []) {
      const { PK: _pk, SK: _sk, entity: _entity, incidentId: _incident, aggSeq: _seq, ...entry } = item;
      entries.push(entry as IncidentEntry);
    }
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  return entries;
}

export interface IncidentFilter {
  status?: IncidentStatus;
  service?: string;
  /** Services a scoped key may see; null for all. */
  services: string[] | null;
}

/** Incidents newest first (ids are ULIDs), filtered; one service's from its own partition, not the whole list. */
export async function listIncidents(filter: IncidentFilter, options: { limit: number; cursor?: string }): Promise<Page<Incident>> {
  const page = await queryPage({
    ...(filter.service
      ? { index: 'GSI2' as const, partition: keys.serviceIncidentsPartition(filter.service) }
      : { index: 'GSI1' as const, partition: keys.incidentsListPartition }),
    limit: options.limit,
    cursor: options.cursor,
    newestFirst: true,
    ...listFilter({ status: filter.status }, { attribute: 'service', values: filter.services }),
  });
  return { items: page.items.map(incidentFromItem), nextCursor: page.nextCursor };
}

/**
 * Incidents opened at or after `from`, newest first, for the statistics: pages until it meets
 * one opened before `from` (ids are ULIDs, so the list is in opening order).
 */
export async function incidentsOpenedSince(from: Date, filter: Omit<IncidentFilter, 'status'>): Promise<Incident[]> {
  const found: Incident[] = [];
  let cursor: string | undefined;
  do {
    const page = await listIncidents(filter, { limit: 100, cursor });
    for (const incident of page.items) {
      if (Date.parse(incident.openedAt) < from.getTime()) return found;
      found.push(incident);
    }
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  return found;
}

/** How far before a window an incident that overlaps it may have opened (longer ones are rare; the open one is always found). */
const OVERLAP_LOOKBACK_MS = 30 * 86_400_000;

/**
 * A service's incidents that were open at some moment of [from, to], oldest first: opened before
 * `to` and not resolved before `from`. Reads the service's incidents newest first back to 30 days
 * before `from`, plus the open one however old it is.
 */
export async function incidentsOverlapping(service: string, from: Date, to: Date): Promise<Incident[]> {
  const found = new Map<string, Incident>();
  const overlaps = (incident: Incident) =>
    Date.parse(incident.openedAt) <= to.getTime() && (incident.resolvedAt === null || Date.parse(incident.resolvedAt) >= from.getTime());
  for (const incident of await incidentsOpenedSince(new Date(from.getTime() - OVERLAP_LOOKBACK_MS), { service, services: null })) {
    if (overlaps(incident)) found.set(incident.id, incident);
  }
  const { openIncidentId } = await getIncidentsHead(service);
  const open = openIncidentId && !found.has(openIncidentId) ? await getIncident(openIncidentId) : undefined;
  if (open && overlaps(open)) found.set(open.id, open);
  return [...found.values()].sort((a, b) => a.openedAt.localeCompare(b.openedAt));
}
