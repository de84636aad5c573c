import { ulid } from 'ulid';
import type { CommandContext } from '#kernel/command-context';
import type { Alert } from '#alerts/alerts.domain';
import { ConflictError, NotFoundError, ValidationError } from '#kernel/errors';
import type { Severity } from '#kernel/events';
import { assertCanAcknowledge, assertCanResolve, type Incident, type IncidentEntry, incidentSubject } from './incidents.domain.ts';
import { logger } from '#kernel/logger';
import { type Actor, executeCommand, type Item } from '#kernel/store/event-log';
import {
  getIncident,
  getIncidentsHead,
  incidentAlertItem,
  incidentEntryItem,
  incidentItem,
  incidentsHeadItem,
  joinedIncidentOf,
} from './incidents.store.ts';
import { keys } from '#kernel/store/keys';
import { getService } from '#services/public';

/**
 * Incident commands: one event per move on the service's incidents aggregate, its head LAST
 * (it names the open incident, so opening one while another is open is decided atomically).
 * A critical alert is recorded on its rule's or check's aggregate; joining it to an incident is
 * a second step right after, on the incidents aggregate, made idempotent by the alert's id.
 */

export interface OpenIncidentInput {
  service: string;
  title: string;
  severity?: Severity;
  summary?: string;
}

export async function openIncident(input: OpenIncidentInput, context: CommandContext): Promise<Incident> {
  if (!(await getService(input.service))) {
    throw new ValidationError(`There is no service named ${input.service}.`, [
      { pointer: '/body/service', message: 'must name a registered service' },
    ]);
  }
  return executeCommand<Incident>(keys.incidentsAggregate(input.service), async () => {
    const head = await getIncidentsHead(input.service);
    if (head.openIncidentId) {
      throw new ConflictError(`Service ${input.service} already has an open incident, ${head.openIncidentId}.`, {
        openIncidentId: head.openIncidentId,
      });
    }
    const at = new Date().toISOString();
    const incident: Incident = {
      id: ulid(),
      service: input.service,
      title: input.title,
      severity: input.severity ?? 'critical',
      status: 'open',
      summary: input.summary ?? null,
      openedBy: context.actor,
      openedByAlertId: null,
      openedAt: at,
      acknowledgedAt: null,
      acknowledgedBy: null,
      resolvedAt: null,
      resolvedBy: null,
      resolution: null,
      alertCount: 0,
      noteCount: 0,
    };
    const entry: IncidentEntry = { id: ulid(), at, kind: 'opened', actor: context.actor, text: incident.summary };
    return {
      expectedSeq: head.seq,
      event: {
        type: 'incident.opened',
        actor: context.actor,
        requestId: context.requestId,
        service: incident.service,
        subject: incidentSubject(incident.service, incident.id),
        changes: { before: null, after: { incidentId: incident.id, title: incident.title, severity: incident.severity, alertId: null } },
        effects: [incidentItem(incident), incidentEntryItem(incident.id, entry), incidentsHeadItem(incident.service, incident.id)],
      },
      result: () => incident,
    };
  });
}

export type JoinOutcome = { outcome: 'opened' | 'joined' | 'already'; incidentId: string };

/**
 * A critical alert opens an incident for its service, or joins the open one. Idempotent: an
 * alert already joined (by an earlier call, or a concurrent one) changes nothing.
 */
export async function joinIncidentForAlert(alert: Alert, actor: Actor, requestId: string): Promise<JoinOutcome> {
  const service = alert.service;
  return executeCommand<JoinOutcome>(keys.incidentsAggregate(service), async () => {
    const head = await getIncidentsHead(service);
    const joined = await joinedIncidentOf(service, alert.id);
    if (joined) return { unchanged: { outcome: 'already', incidentId: joined } };
    const at = new Date().toISOString();
    const entry: IncidentEntry = {
      id: ulid(),
      // When it joined (the alert's own times are on the alert); the opening alert sorts right after `opened`.
      at,
      kind: 'alert',
      actor,
      alertId: alert.id,
      alertName: alert.name,
      severity: alert.severity,
      summary: alert.summary,
    };
    const open = head.openIncidentId ? await getIncident(head.openIncidentId) : undefined;
    if (open && open.status !== 'resolved') {
      const next: Incident = { ...open, alertCount: open.alertCount + 1 };
      return {
        expectedSeq: head.seq,
        event: {
          type: 'incident.alert_joined',
          actor,
          requestId,
          service,
          subject: incidentSubject(service, open.id),
          changes: {
            before: { alertCount: open.alertCount },
            after: { incidentId: open.id, alertId: alert.id, alertCount: next.alertCount },
          },
          effects: [
            incidentItem(next),
            incidentEntryItem(open.id, entry),
            incidentAlertItem(service, alert.id, open.id),
            incidentsHeadItem(service, open.id),
          ],
        },
        result: () => ({ outcome: 'joined', incidentId: open.id }),
      };
    }
    const incident: Incident = {
      id: ulid(),
      service,
      title: alert.name,
      severity: alert.severity,
      status: 'open',
      summary: alert.summary,
      openedBy: actor,
      openedByAlertId: alert.id,
      openedAt: at,
      acknowledgedAt: null,
      acknowledgedBy: null,
      resolvedAt: null,
      resolvedBy: null,
      resolution: null,
      alertCount: 1,
      noteCount: 0,
    };
    const opened: IncidentEntry = { id: ulid(), at, kind: 'opened', actor, text: `Opened by alert ${alert.id}` };
    return {
      expectedSeq: head.seq,
      event: {
        type: 'incident.opened',
        actor,
        requestId,
        service,
        subject: incidentSubject(service, incident.id),
        changes: {
          before: null,
          after: { incidentId: incident.id, title: incident.title, severity: incident.severity, alertId: alert.id },
        },
        effects: [
          incidentItem(incident),
          incidentEntryItem(incident.id, opened),
          incidentEntryItem(incident.id, entry),
          incidentAlertItem(service, alert.id, incident.id),
          incidentsHeadItem(service, incident.id),
        ],
      },
      result: () => ({ outcome: 'opened', incidentId: incident.id }),
    };
  });
}

/**
 * The second step after an alert fired: join or open its service's incident when it is critical.
 * Never fails the caller (the alert is already recorded); a failure is logged.
 */
export async function joinIncidentIfCritical(alert: Alert | null, actor: Actor, requestId: string): Promise<JoinOutcome | null> {
  if (alert?.severity !== 'critical') return null;
  try {
    return await joinIncidentForAlert(alert, actor, requestId);
  } catch (error) {
    logger.error('joining an incident failed', { alertId: alert.id, service: alert.service, error: String(error) });
    return null;
  }
}

/** An incident the caller may see, or 404. */
export async function readIncident(id: string, visible: (service: string) => boolean = () => true): Promise<Incident> {
  const incident = await getIncident(id);
  if (!incident || !visible(incident.service)) throw new NotFoundError(`There is no incident ${id}.`);
  return incident;
}

/** Runs one move on an incident: decided on its service's head and the incident as it is now. */
async function move(
  id: string,
  visible: (service: string) => boolean,
  decide: (
    incident: Incident,
    at: string,
  ) => {
    type: 'incident.acknowledged' | 'incident.note_added' | 'incident.resolved';
    next: Incident;
    entry: IncidentEntry;
    changes: { before: unknown; after: unknown };
  },
  context: CommandContext,
): Promise<Incident> {
  const { service } = await readIncident(id, visible);
  return executeCommand<Incident>(keys.incidentsAggregate(service), async () => {
    const head = await getIncidentsHead(service);
    const current = await readIncident(id);
    const at = new Date().toISOString();
    const { type, next, entry, changes } = decide(current, at);
    const openIncidentId = head.openIncidentId === id && next.status === 'resolved' ? null : head.openIncidentId;
    const effects: Item[] = [incidentItem(next), incidentEntryItem(id, entry), incidentsHeadItem(service, openIncidentId)];
    return {
      expectedSeq: head.seq,
      event: { type, actor: context.actor, requestId: context.requestId, service, subject: incidentSubject(service, id), changes, effects },
      result: () => next,
    };
  });
}

export function acknowledgeIncident(
  id: string,
  context: CommandContext,
  visible: (service: string) => boolean = () => true,
): Promise<Incident> {
  return move(
    id,
    visible,
    (incident, at) => {
      assertCanAcknowledge(incident);
      return {
        type: 'incident.acknowledged',
        next: { ...incident, status: 'acknowledged', acknowledgedAt: at, acknowledgedBy: context.actor },
        entry: { id: ulid(), at, kind: 'acknowledged', actor: context.actor },
        changes: { before: { status: incident.status }, after: { status: 'acknowledged', incidentId: incident.id } },
      };
    },
    context,
  );
}

/** Notes may be added at any time, after resolution too (for the review). */
export function addIncidentNote(
  id: string,
  text: string,
  context: CommandContext,
  visible: (service: string) => boolean = () => true,
): Promise<Incident> {
  return move(
    id,
    visible,
    (incident, at) => ({
      type: 'incident.note_added',
      next: { ...incident, noteCount: incident.noteCount + 1 },
      entry: { id: ulid(), at, kind: 'note', actor: context.actor, text },
      changes: { before: null, after: { incidentId: incident.id, text } },
    }),
    context,
  );
}

export function resolveIncident(
  id: string,
  summary: string,
  context: CommandContext,
  visible: (service: string) => boolean = () => true,
): Promise<Incident> {
  return move(
    id,
    visible,
    (incident, at) => {
      assertCanResolve(incident);
      return {
        type: 'incident.resolved',
        next: { ...incident, status: 'resolved', resolvedAt: at, resolvedBy: context.actor, resolution: summary },
        entry: { id: ulid(), at, kind: 'resolved', actor: context.actor, text: summary },
        changes: { before: { status: incident.status }, after: { status: 'resolved', incidentId: incident.id, summary } },
      };
    },
    context,
  );
}
