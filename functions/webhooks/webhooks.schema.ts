import * as z from 'zod';
import { ListQuery, pageOf, Slug, Timestamp, Ulid } from '#kernel/schemas/common';

const Url = z.string().min(1).max(2048).meta({ example: 'https://hooks.example.com/steward' });
const Events = z
  .array(z.string().min(1).max(100))
  .min(1)
  .max(100)
  .meta({
    description: 'Event types (e.g. `deployment.succeeded`) or patterns: `alert.*`, `incident.*`, `*`.',
    example: ['alert.*', 'deployment.rolled_back'],
  });
const Description = z.string().max(500).nullable();
const Services = z
  .array(Slug)
  .min(1)
  .max(50)
  .nullable()
  .meta({
    description:
      'Only events of these services; they own the webhook (keys limited to them may manage it). Absent: the services of a key limited to some, or every service (null) for an unlimited key.',
    example: ['payments-api'],
  });

export const WebhookCreate = z
  .strictObject({
    url: Url,
    events: Events,
    services: Services.optional(),
    description: Description.optional(),
    active: z.boolean().optional(),
  })
  .meta({ id: 'WebhookCreate' });

export const WebhookPatch = z
  .strictObject({
    url: Url.optional(),
    events: Events.optional(),
    services: Services.optional(),
    description: Description.optional(),
    active: z.boolean().optional(),
  })
  .refine((body) => Object.keys(body).length > 0, 'give at least one field to change')
  .meta({ id: 'WebhookPatch' });

export const WebhookParams = z.strictObject({ id: Ulid });

export const WebhookHealthView = z
  .object({
    successRate: z.number().nullable().meta({ description: 'Share of the recent events delivered (0–1); null before the first.' }),
    recentEvents: z.number().int(),
    lastStatus: z.number().int().nullable().meta({ description: 'HTTP status of the last attempt; null when none came back.' }),
    lastDeliveryAt: Timestamp.nullable(),
    consecutiveFailures: z.number().int(),
  })
  .meta({ id: 'WebhookHealth' });

export const WebhookView = z
  .object({
    id: Ulid,
    url: Url,
    events: z.array(z.string()),
    services: z.array(z.string()).nullable(),
    description: z.string().nullable(),
    active: z.boolean(),
    disabledReason: z.string().nullable(),
    createdAt: Timestamp,
    updatedAt: Timestamp,
    etag: z.string(),
    health: WebhookHealthView,
  })
  .meta({ id: 'Webhook' });

export const WebhookCreated = WebhookView.extend({
  secret: z.string().meta({ description: 'The signing secret (`whsec_…`). Shown this once; keep it.' }),
}).meta({ id: 'WebhookCreated' });

export const WebhookPage = pageOf(WebhookView, 'WebhookPage');
export const WebhooksQuery = ListQuery;

export const DeliveryView = z
  .object({
    eventId: z.string(),
    type: z.string(),
    attempt: z.number().int(),
    status: z.number().int().nullable(),
    ok: z.boolean(),
    latencyMs: z.number(),
    error: z.string().nullable(),
    at: Timestamp,
  })
  .meta({ id: 'WebhookDelivery' });

export const DeliveryPage = pageOf(DeliveryView, 'WebhookDeliveryPage');

export const TestDeliveryView = z
  .object({
    eventId: z.string(),
    result: z.enum(['delivered', 'parked', 'duplicate']),
    attempts: z.number().int(),
    status: z.number().int().nullable(),
    latencyMs: z.number(),
    error: z.string().nullable(),
  })
  .meta({ id: 'WebhookTestDelivery' });

export const DeadLetterParams = z.strictObject({ id: Ulid, eventId: Ulid });

export const DeadLetterView = z
  .object({
    eventId: z.string(),
    type: z.string(),
    attempts: z.number().int().meta({ description: 'Attempts made before it was parked.' }),
    error: z.string().meta({ description: 'Why the last attempt failed.' }),
    at: Timestamp.meta({ description: 'When it was parked.' }),
    event: z.record(z.string(), z.unknown()).meta({ description: 'The event as it would be POSTed (the body that is signed).' }),
  })
  .meta({ id: 'WebhookDeadLetter' });

export const DeadLetterPage = pageOf(DeadLetterView, 'WebhookDeadLetterPage');
