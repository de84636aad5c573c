import * as z from 'zod/mini';
import { EnvironmentName, Slug, Timestamp } from '#kernel/schemas/mini';
import { VersionString } from './wire.schema.ts';

/** Migration plans' schemas, in zod/mini: the migrations function also bundles the deployments' start (under 300 KB). */

export const ServiceParams = z.strictObject({ name: Slug });
export const MigrationParams = z.strictObject({ name: Slug, id: z.string().check(z.regex(/^[0-9A-HJKMNP-TV-Z]{26}$/, 'must be a ULID')) });

const int = () => z.number().check(z.int());

export const MigrationCreate = z
  .strictObject({
    from: VersionString,
    to: VersionString,
    environment: EnvironmentName,
    strategy: z.enum(['immediate', 'gradual', 'scheduled', 'manual']).check(
      z.meta({
        description:
          '`immediate`: one all-at-once deployment; `gradual`: a linear deployment (`steps`); `scheduled`: all at once, at `startAt`; `manual`: no traffic action, completes after the policy’s `migrationQuietDays` without traffic.',
      }),
    ),
    startAt: z.optional(Timestamp),
    steps: z
      .optional(z.strictObject({ percent: int().check(z.gte(1), z.lte(99)), intervalMinutes: int().check(z.gte(1), z.lte(1440)) }))
      .check(z.meta({ description: 'For gradual: the linear step (default 25% every minute).' })),
  })
  .check(z.meta({ id: 'MigrationCreate' }));

export const MigrationView = z
  .object({
    id: z.string(),
    service: z.string(),
    from: z.string(),
    to: z.string(),
    environment: z.string(),
    strategy: z.string(),
    startAt: z.nullable(z.string()),
    steps: z.nullable(z.object({ percent: z.number(), intervalMinutes: z.number() })),
    status: z.enum(['planned', 'in_progress', 'completed', 'cancelled']),
    consumerActions: z.array(z.object({ change: z.string(), operation: z.nullable(z.string()), pointer: z.string(), action: z.string() })),
    contractCompared: z.boolean(),
    affectedConsumers: z.array(
      z.object({ consumer: z.string(), contact: z.nullable(z.string()), lastSeenAt: z.string(), requests: z.number() }),
    ),
    deploymentId: z.nullable(z.string()),
    timeline: z.array(z.object({ at: z.string(), status: z.string(), note: z.string() })),
    progress: z.optional(z.nullable(z.record(z.string(), z.unknown()))),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .check(z.meta({ id: 'MigrationPlan' }));
