/**
 * Incidents (issue 4, item 6): what an incident is, the moves it allows, its timeline and the
 * MTTA / MTTR statistics. Pure: no I/O, and time is always passed in.
 */

import { ConflictError } from '#kernel/errors';
import type { Severity } from '#kernel/events';

export const INCIDENT_STATUSES = ['open', 'acknowledged', 'resolved'] as const;
export type IncidentStatus = (typeof INCIDENT_STATUSES)[number];

export interface IncidentActor {
  keyId: string;
  name: string;
}

export interface Incident {
  id: string;
  service: string;
  title: string;
  severity: Severity;
  status: IncidentStatus;
  summary: string | null;
  /** How it was opened: by hand, or by a critical alert. */
  openedBy: IncidentActor;
  openedByAlertId: string | null;
  openedAt: string;
  acknowledgedAt: string | null;
  acknowledgedBy: IncidentActor | null;
  resolvedAt: string | null;
  resolvedBy: IncidentActor | null;
  resolution: string | null;
  alertCount: number;
  noteCount: number;
}

/** One stored line of an incident's timeline, written once by the event that records it. */
export type IncidentEntry =
  | { id: string; at: string; kind: 'opened'; actor: IncidentActor; text: string | null }
  | {
      id: string;
      at: string;
      kind: 'alert';
      actor: IncidentActor;
      alertId: string;
      alertName: string;
      severity: Severity;
      summary: string;
    }
  | { id: string; at: string; kind: 'note'; actor: IncidentActor; text: string }
  | { id: string; at: string; kind: 'acknowledged'; actor: IncidentActor }
  | { id: string; at: string; kind: 'resolved'; actor: IncidentActor; text: string };

/** A deployment as the timeline shows it. */
export interface TimelineDeployment {
  id: string;
  environment: string;
  version: string;
  fromVersion: string | null;
  status: string;
  createdAt: string;
  finishedAt: string | null;
}

export type TimelineItem = IncidentEntry | ({ kind: 'deployment'; at: string; deploymentId: string } & Omit<TimelineDeployment, 'id'>);

export function incidentSubject(service: string, id: string): string {
  return `incident/${service}/${id}`;
}

export function isOpen(incident: Pick<Incident, 'status'>): boolean {
  return incident.status !== 'resolved';
}

export function assertCanAcknowledge(incident: Incident): void {
  if (incident.status === 'acknowledged') {
    throw new ConflictError(`Incident ${incident.id} was already acknowledged at ${incident.acknowledgedAt}.`);
  }
  if (incident.status === 'resolved') throw new ConflictError(`Incident ${incident.id} is resolved; there is nothing to acknowledge.`);
}

export function assertCanResolve(incident: Incident): void {
  if (incident.status === 'resolved') throw new ConflictError(`Incident ${incident.id} was already resolved at ${incident.resolvedAt}.`);
}

/** The window an incident covers: from opening to resolution (or `now` while it is open). */
export function incidentWindow(incident: Pick<Incident, 'openedAt' | 'resolvedAt'>, now: Date): { from: string; to: string } {
  return { from: incident.openedAt, to: incident.resolvedAt ?? now.toISOString() };
}

/** Whether a deployment was under way at some point of the window (created before its end, not finished before its start). */
export function deploymentInWindow(deployment: TimelineDeployment, window: { from: string; to: string }): boolean {
  const from = Date.parse(window.from);
  const to = Date.parse(window.to);
  const created = Date.parse(deployment.createdAt);
  const finished = deployment.finishedAt ? Date.parse(deployment.finishedAt) : Number.POSITIVE_INFINITY;
  return created <= to && finished >= from;
}

const KIND_ORDER: Record<TimelineItem['kind'], number> = { opened: 0, deployment: 1, alert: 2, acknowledged: 3, note: 4, resolved: 5 };

/**
 * The timeline, oldest first: the stored entries and the deployments of the window (each at the
 * time it was created). Ties keep a fixed order: opening first, resolution last, then by id.
 */
export function buildTimeline(
  entries: readonly IncidentEntry[],
  deployments: readonly TimelineDeployment[],
  window: { from: string; to: string },
): TimelineItem[] {
  const items: TimelineItem[] = [
    ...entries,
    ...deployments
      .filter((deployment) => deploymentInWindow(deployment, window))
      .map(({ id, createdAt, ...rest }) => ({ kind: 'deployment' as const, at: createdAt, deploymentId: id, createdAt, ...rest })),
  ];
  const idOf = (item: TimelineItem) => ('id' in item ? item.id : item.deploymentId);
  return items.sort(
    (a, b) =>
      Date.parse(a.at) - Date.parse(b.at) ||
      KIND_ORDER[a.kind] - KIND_ORDER[b.kind] ||
      (idOf(a) < idOf(b) ? -1 : idOf(a) > idOf(b) ? 1 : 0),
  );
}

export interface IncidentStats {
  from: string;
  to: string;
  /** Incidents opened in the window. */
  opened: number;
  acknowledged: number;
  resolved: number;
  /** Mean seconds from opening to the first acknowledgement, over the acknowledged ones; null when none. */
  mttaSeconds: number | null;
  /** Mean seconds from opening to resolution, over the resolved ones; null when none. */
  mttrSeconds: number | null;
}

function mean(values: number[]): number | null {
  if (values.length === 0) return null;
  return Math.round((values.reduce((sum, value) => sum + value, 0) / values.length) * 1000) / 1000;
}

/** MTTA and MTTR over the incidents opened in `[from, to]`. */
export function incidentStats(
  incidents: ReadonlyArray<Pick<Incident, 'openedAt' | 'acknowledgedAt' | 'resolvedAt'>>,
  from: Date,
  to: Date,
): IncidentStats {
  const inWindow = incidents.filter((incident) => {
    const opened = Date.parse(incident.openedAt);
    return opened >= from.getTime() && opened <= to.getTime();
  });
  const seconds = (start: string, end: string) => (Date.parse(end) - Date.parse(start)) / 1000;
  const acks = inWindow.flatMap((incident) => (incident.acknowledgedAt ? [seconds(incident.openedAt, incident.acknowledgedAt)] : []));
  const resolutions = inWindow.flatMap((incident) => (incident.resolvedAt ? [seconds(incident.openedAt, incident.resolvedAt)] : []));
  return {
    from: from.toISOString(),
    to: to.toISOString(),
    opened: inWindow.length,
    acknowledged: acks.length,
    resolved: resolutions.length,
    mttaSeconds: mean(acks),
    mttrSeconds: mean(resolutions),
  };
}
