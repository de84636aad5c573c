import * as z from 'zod';
import { SEVERITIES } from '#kernel/events';
import { INCIDENT_STATUSES } from './incidents.domain.ts';
import { Actor, ListQuery, pageOf, Slug, Timestamp, Ulid } from '#kernel/schemas/common';

export const IncidentCreate = z
  .strictObject({
    service: Slug.meta({ description: 'The service the incident is about; it may have one open incident at a time.' }),
    title: z.string().trim().min(1).max(200).meta({ example: 'Checkout errors after the 2.4 release' }),
    severity: z.enum(SEVERITIES).optional().meta({ description: 'Default `critical`.' }),
    summary: z.string().max(4000).optional(),
  })
  .meta({ id: 'IncidentCreate' });

export const IncidentView = z
  .object({
    id: Ulid,
    service: Slug,
    title: z.string(),
    severity: z.enum(SEVERITIES),
    status: z.enum(INCIDENT_STATUSES),
    summary: z.string().nullable(),
    openedBy: Actor,
    openedByAlertId: Ulid.nullable().meta({ description: 'The critical alert that opened it; null when opened by hand.' }),
    openedAt: Timestamp,
    acknowledgedAt: Timestamp.nullable(),
    acknowledgedBy: z.nullable(Actor),
    resolvedAt: Timestamp.nullable(),
    resolvedBy: z.nullable(Actor),
    resolution: z.string().nullable().meta({ description: 'The summary given when it was resolved.' }),
    alertCount: z.number().int(),
    noteCount: z.number().int(),
  })
  .meta({ id: 'Incident' });

const TimelineItem = z
  .object({
    kind: z.enum(['opened', 'alert', 'deployment', 'acknowledged', 'note', 'resolved']),
    at: Timestamp,
    id: z.string().optional(),
    actor: z.optional(Actor),
    text: z.string().nullable().optional(),
    alertId: Ulid.optional(),
    alertName: z.string().optional(),
    severity: z.enum(SEVERITIES).optional(),
    summary: z.string().optional(),
    deploymentId: z.string().optional(),
    environment: z.string().optional(),
    version: z.string().optional(),
    fromVersion: z.string().nullable().optional(),
    status: z.string().optional(),
    createdAt: Timestamp.optional(),
    finishedAt: Timestamp.nullable().optional(),
  })
  .meta({
    id: 'IncidentTimelineItem',
    description:
      'One line of the timeline: `opened`, `alert` (a critical alert joined), `deployment` (of the service, under way in the window), `acknowledged`, `note` or `resolved`.',
  });

export const IncidentDetail = IncidentView.extend({ timeline: z.array(TimelineItem) }).meta({ id: 'IncidentDetail' });

export const IncidentPage = pageOf(IncidentView, 'IncidentPage');
export const IncidentParams = z.strictObject({ id: Ulid.meta({ description: 'The incident’s id.' }) });
export const IncidentsQuery = ListQuery.extend({
  service: Slug.optional(),
  status: z.enum(INCIDENT_STATUSES).optional(),
});

export const IncidentAcknowledge = z.strictObject({});
export const IncidentNote = z.strictObject({ text: z.string().trim().min(1).max(4000) }).meta({ id: 'IncidentNote' });
export const IncidentResolve = z
  .strictObject({ summary: z.string().trim().min(1).max(4000).meta({ description: 'What happened and how it was fixed.' }) })
  .meta({ id: 'IncidentResolve' });

export const IncidentStatsQuery = z.strictObject({
  from: Timestamp.optional().meta({ description: 'Incidents opened at or after; default 30 days before `to`.' }),
  to: Timestamp.optional().meta({ description: 'Incidents opened at or before; default now.' }),
  service: Slug.optional(),
});

export const IncidentStatsView = z
  .object({
    from: Timestamp,
    to: Timestamp,
    opened: z.number().int().meta({ description: 'Incidents opened in the window.' }),
    acknowledged: z.number().int().meta({ description: 'Of those, how many were acknowledged.' }),
    resolved: z.number().int().meta({ description: 'Of those, how many were resolved.' }),
    mttaSeconds: z.number().nullable().meta({ description: 'Mean time from opening to acknowledgement, over the acknowledged ones.' }),
    mttrSeconds: z.number().nullable().meta({ description: 'Mean time from opening to resolution, over the resolved ones.' }),
  })
  .meta({ id: 'IncidentStats' });
