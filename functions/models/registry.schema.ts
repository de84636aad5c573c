import * as z from 'zod';
import { EnvironmentName, Slug, Timestamp } from '#kernel/schemas/common';
import { SERVING_STATUSES } from './serving.domain.ts';

const ServingCounts = z.object(Object.fromEntries(SERVING_STATUSES.map((status) => [status, z.number().int()]))).meta({
  description: 'How many versions are in each serving status.',
});

export const ModelOverviewView = z
  .object({
    name: z.string(),
    displayName: z.string(),
    owner: z.string().nullable(),
    productionEnvironment: z.string(),
    versionCount: z.number().int(),
    servingStatuses: ServingCounts,
    activeVersion: z.string().nullable(),
    aliases: z.record(z.string(), z.string()).meta({ description: 'Alias → version.' }),
    last24h: z.object({ requests: z.number().int(), errorRate: z.number().nullable(), costUsd: z.number() }),
  })
  .meta({ id: 'ModelOverview' });

export const ModelsQuery = z.strictObject({
  limit: z
    .string()
    .regex(/^\d{1,3}$/, 'must be a whole number from 1 to 100')
    .transform(Number)
    .pipe(z.number().int().min(1).max(100))
    .default(25),
  cursor: z.string().min(1).max(200).optional().meta({ description: 'The `nextCursor` of the previous page.' }),
});

export const ModelsPage = z
  .object({ items: z.array(ModelOverviewView), nextCursor: z.string().nullable() })
  .meta({ id: 'ModelOverviewPage' });

export const ModelStatsView = z
  .object({
    models: z.number().int(),
    versions: z.number().int(),
    servingStatuses: ServingCounts,
    last24h: z.object({ inferences: z.number().int(), costUsd: z.number() }),
    topByTraffic: z.array(z.object({ name: z.string(), requests: z.number().int() })),
    topByCost: z.array(z.object({ name: z.string(), costUsd: z.number() })),
  })
  .meta({ id: 'ModelStats' });

export const CostsQuery = z.strictObject({
  from: z.iso.date().optional().meta({ description: 'First UTC day (YYYY-MM-DD); default 30 days before `to`.' }),
  to: z.iso.date().optional().meta({ description: 'Last UTC day, included; default today.' }),
  groupBy: z.enum(['day', 'version']).optional().meta({ description: 'Default day.' }),
  environment: EnvironmentName.optional().meta({ description: 'Only this environment; default every one.' }),
});

const CostFigures = z.object({
  requests: z.number().int(),
  costUsd: z.number(),
  inputTokens: z.number().int(),
  outputTokens: z.number().int(),
  per1kRequestsUsd: z.number().nullable(),
});

export const CostsView = z
  .object({
    service: z.string(),
    from: z.string(),
    to: z.string(),
    groupBy: z.enum(['day', 'version']),
    environment: z.string().nullable(),
    currency: z.literal('USD'),
    total: CostFigures,
    groups: z.array(CostFigures.extend({ key: z.string().meta({ description: 'The day, or the version.' }) })),
  })
  .meta({ id: 'ModelCosts' });

export const DeprecationsQuery = z.strictObject({
  within: z
    .string()
    .regex(/^\d{1,4}d$/, 'a number of days such as 30d')
    .optional()
    .meta({ description: 'Only versions whose sunset is at most this far ahead (or past); default every deprecated version.' }),
  service: Slug.optional(),
});

export const DeprecationView = z
  .object({
    service: z.string(),
    kind: z.string(),
    version: z.string(),
    deprecatedAt: Timestamp.nullable(),
    sunsetAt: Timestamp.nullable(),
    daysLeft: z.number().int().nullable().meta({ description: 'Whole days to the sunset; negative once past.' }),
    severity: z.enum(['critical', 'warning', 'info']).meta({
      description: '`critical` under 7 days (or past), `warning` within the model policy’s `eolWarningThresholdDays` (30 for APIs).',
    }),
    reason: z.string().nullable(),
    replacement: z.string().nullable(),
    recentTraffic: z
      .object({ requests: z.number().int(), byClient: z.record(z.string(), z.number().int()) })
      .nullable()
      .meta({ description: 'A model’s inferences of the version over the last 7 days, by client; null for an API.' }),
  })
  .meta({ id: 'Deprecation' });

export const DeprecationsView = z.object({ items: z.array(DeprecationView) }).meta({ id: 'DeprecationList' });
