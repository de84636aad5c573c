import * as z from 'zod';
import { Actor, ListQuery, pageOf, Slug, Timestamp } from '#kernel/schemas/common';

/** Accepts an ISO date or date-time and normalises it to the form stored in the trail. */
export const TimeBound = z
  .string()
  .refine((value) => /^\d{4}-\d{2}-\d{2}/.test(value) && !Number.isNaN(Date.parse(value)), 'must be an ISO 8601 date or date-time')
  .transform((value) => new Date(value).toISOString())
  .meta({ example: '2026-11-01T00:00:00Z' });

const EventTypeFilter = z
  .string()
  .regex(/^[a-z_]+(\.([a-z_]+|\*))?$/, 'must be an event type such as version.released, or a family such as version.*')
  .meta({ example: 'version.*' });

const Window = {
  from: TimeBound.optional().meta({ description: 'Inclusive lower bound.' }),
  to: TimeBound.optional().meta({ description: 'Exclusive upper bound.' }),
};

export const AuditQuery = ListQuery.extend({
  service: Slug.optional(),
  actor: z.string().min(1).max(64).optional().meta({ description: 'An API key id.' }),
  type: EventTypeFilter.optional(),
  ...Window,
});

export const AuditWindowQuery = z.strictObject(Window);

export const HistoryQuery = ListQuery.extend({ type: EventTypeFilter.optional(), ...Window });

export const AuditRecordView = z
  .object({
    id: z.string().meta({ description: 'The event id (a ULID).' }),
    type: z.string().meta({ example: 'version.released' }),
    at: Timestamp,
    actor: Actor,
    requestId: z.string(),
    service: z.string().nullable(),
    subject: z.string().meta({ example: 'version/payments-api@1.4.0' }),
    changes: z.object({ before: z.unknown(), after: z.unknown() }),
    seq: z.number().int().meta({ description: 'Position in its aggregate’s event sequence.' }),
  })
  .meta({ id: 'AuditRecord' });

export const AuditPage = pageOf(AuditRecordView, 'AuditPage');

const Counts = z.record(z.string(), z.number().int());

export const AuditReportView = z
  .object({
    from: Timestamp.nullable(),
    to: Timestamp.nullable(),
    generatedAt: Timestamp,
    total: z.number().int(),
    byType: Counts,
    byActor: z.array(z.object({ keyId: z.string(), name: z.string(), count: z.number().int() })),
    byService: Counts,
    criticalEvents: z.array(AuditRecordView),
    truncated: z.boolean().meta({ description: 'True when the window held more events than one report reads.' }),
  })
  .meta({ id: 'AuditReport' });
