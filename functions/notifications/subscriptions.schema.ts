import * as z from 'zod';
import { SEVERITIES } from '#kernel/events';
import { SUBSCRIPTION_PROTOCOLS, SUBSCRIPTION_STATUSES } from './subscriptions.domain.ts';
import { ListQuery, pageOf, Slug, Timestamp, Ulid } from '#kernel/schemas/common';

export const SubscriptionFilterSchema = z
  .strictObject({
    eventTypes: z
      .array(z.string().min(1).max(100))
      .min(1)
      .max(20)
      .optional()
      .meta({
        description:
          'Published event types (`deployment.rolled_back`, `healthcheck.state_changed`) or patterns (`alert.*`, `*`). Absent: every type.',
        example: ['alert.*', 'healthcheck.state_changed'],
      }),
    services: z
      .array(Slug)
      .min(1)
      .max(20)
      .optional()
      .meta({ description: 'Only events of these services. Absent: any service, and events of none.' }),
    minSeverity: z
      .enum(SEVERITIES)
      .optional()
      .meta({ description: 'The quietest severity mailed: `warning` mails warnings and critical events. Absent: all.' }),
  })
  .meta({ id: 'SubscriptionFilter' });

export const SubscriptionCreate = z
  .strictObject({
    protocol: z.enum(SUBSCRIPTION_PROTOCOLS),
    endpoint: z.string().min(1).max(254).meta({ description: 'The email address.', example: 'oncall@example.com' }),
    filter: SubscriptionFilterSchema.optional(),
  })
  .meta({ id: 'SubscriptionCreate' });

export const SubscriptionPatch = z
  .strictObject({
    filter: SubscriptionFilterSchema.meta({ description: 'The new filter, replacing the old one whole; `{}` lets everything through.' }),
  })
  .meta({ id: 'SubscriptionPatch' });

export const SubscriptionParams = z.strictObject({ id: Ulid });
export const SubscriptionsQuery = ListQuery;

const FilterPolicyView = z
  .record(z.string(), z.array(z.union([z.string(), z.object({ prefix: z.string() })])))
  .meta({ description: 'The SNS filter policy (scope MessageAttributes) the filter became; `{}` lets everything through.' });

export const SubscriptionView = z
  .object({
    id: Ulid,
    protocol: z.enum(SUBSCRIPTION_PROTOCOLS),
    endpoint: z.string(),
    filter: SubscriptionFilterSchema,
    filterPolicy: FilterPolicyView,
    status: z.enum([...SUBSCRIPTION_STATUSES, 'unsubscribed']).meta({
      description:
        '`pending_confirmation` until the address follows the link SNS mailed it (local subscriptions are confirmed at once); `unsubscribed` when SNS no longer has it (the recipient left, or never confirmed). Read live on a single subscription.',
    }),
    providerArn: z.string().nullable().meta({ description: 'The SNS subscription ARN; null locally.' }),
    createdAt: Timestamp,
    updatedAt: Timestamp,
    etag: z.string(),
  })
  .meta({ id: 'Subscription' });

export const SubscriptionPage = pageOf(SubscriptionView, 'SubscriptionPage');
