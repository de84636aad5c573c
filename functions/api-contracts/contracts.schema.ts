import * as z from 'zod';
import { EnvironmentName, Slug, Timestamp } from '#kernel/schemas/common';
import { COMPATIBILITY_MODES } from './policy.domain.ts';
import { BUMPS, ContractChange, Summary } from './wire.schema.ts';

const VersionString = z.string().min(1).max(128).meta({ description: 'A strict SemVer 2.0.0 version.', example: '1.4.0' });

export const ServiceParams = z.strictObject({ name: Slug });

export const CompatibilityQuery = z.strictObject({
  base: VersionString.meta({ description: 'The version compared against (the older one).' }),
  revision: VersionString.meta({ description: 'The version whose changes are judged.' }),
});

export const VersionPolicyView = z
  .object({
    service: Slug,
    supportedMajors: z.number().int().nullable(),
    deprecationDays: z.object({ stable: z.number().int(), beta: z.number().int() }),
    sunsetAfterDays: z.number().int(),
    autoDeprecateOnMajor: z.boolean(),
    compatibility: z.enum(COMPATIBILITY_MODES),
    migrationQuietDays: z.number().int(),
    updatedAt: Timestamp.nullable(),
    etag: z.string(),
  })
  .meta({ id: 'VersionPolicy' });

export const VersionPolicyPatch = z
  .strictObject({
    supportedMajors: z.number().int().min(1).max(100).nullable().optional(),
    deprecationDays: z
      .strictObject({ stable: z.number().int().min(0).max(3650).optional(), beta: z.number().int().min(0).max(3650).optional() })
      .optional()
      .meta({ description: 'The least x-sunset window, in days, for a newly deprecated operation (0: no minimum).' }),
    sunsetAfterDays: z.number().int().min(0).max(3650).optional(),
    autoDeprecateOnMajor: z.boolean().optional(),
    compatibility: z.enum(COMPATIBILITY_MODES).optional(),
    migrationQuietDays: z
      .number()
      .int()
      .min(1)
      .max(31)
      .optional()
      .meta({ description: 'Quiet days that complete a manual migration (default 7).' }),
  })
  .meta({ id: 'VersionPolicyUpdate' });

export const ChangelogQuery = z.strictObject({
  from: VersionString.meta({ description: 'The version the change log starts after.' }),
  to: VersionString.meta({ description: 'The last version it covers.' }),
  format: z.enum(['markdown', 'json']).default('markdown'),
});

export const ChangelogView = z
  .object({
    service: Slug,
    from: z.string(),
    to: z.string(),
    versions: z.array(
      z.object({
        version: z.string().nullable(),
        compatible: z.boolean(),
        requiredBump: z.enum(BUMPS),
        summary: Summary,
        sections: z.record(z.string(), z.array(z.object({ ...ContractChange.shape, class: z.enum(['breaking', 'additive', 'fix']) }))),
      }),
    ),
  })
  .meta({ id: 'Changelog' });

export const LifecycleView = z
  .object({
    service: Slug,
    version: VersionString,
    status: z.enum(['draft', 'released', 'deprecated', 'retired']),
    deprecatedAt: Timestamp.nullable(),
    sunsetAt: Timestamp.nullable(),
    replacement: z.string().nullable(),
    headers: z
      .object({
        Deprecation: z.string().optional().meta({ example: '@1767225599' }),
        Sunset: z.string().optional().meta({ example: 'Wed, 31 Dec 2025 23:59:59 GMT' }),
        Link: z.string().optional().meta({
          example:
            '<https://steward.example.com/v1/services/payments/versions/1.4.0/lifecycle>; rel="deprecation"; type="application/json", <https://steward.example.com/v1/services/payments/versions/2.0.0>; rel="successor-version"',
        }),
      })
      .meta({ description: 'The headers to send with every response of this version (none while it is current).' }),
  })
  .meta({ id: 'VersionLifecycle' });

export const ConsumerParams = z.strictObject({
  name: Slug,
  consumer: Slug.meta({ description: 'The consumer: the `client` label its traffic carries.' }),
});

export const ConsumerInput = z
  .strictObject({
    contact: z.string().min(1).max(320).optional().meta({ example: 'mobile-team@example.com' }),
    description: z.string().max(2000).optional(),
  })
  .meta({ id: 'ConsumerInput' });

export const ConsumerView = z
  .object({
    service: Slug,
    consumer: z.string(),
    contact: z.string().nullable(),
    description: z.string().nullable(),
    createdAt: Timestamp,
    updatedAt: Timestamp,
  })
  .meta({ id: 'Consumer' });

export const VersionConsumersQuery = z.strictObject({
  days: z
    .string()
    .regex(/^\d{1,2}$/, 'must be a whole number of days from 1 to 31')
    .transform(Number)
    .pipe(z.number().int().min(1).max(31))
    .default(7)
    .meta({ description: 'How far back to look, in days (1–31).' }),
  metric: z
    .string()
    .regex(/^[a-zA-Z_][a-zA-Z0-9_.]{0,127}$/)
    .optional()
    .meta({ description: 'The traffic metric, reported with `version` and `client` labels (default `http.requests`).' }),
});

export const VersionConsumersView = z
  .object({
    service: Slug,
    version: z.string(),
    from: Timestamp,
    to: Timestamp,
    metric: z.string(),
    items: z.array(
      z.object({
        consumer: z.string(),
        registered: z.boolean(),
        contact: z.string().nullable(),
        requests: z.number(),
        lastSeenAt: Timestamp,
        sources: z.array(z.enum(['metric', 'inferences'])).meta({ description: 'Where its calls were seen.' }),
      }),
    ),
  })
  .meta({ id: 'VersionConsumers' });

export const EnvironmentParams = z.strictObject({ name: Slug, env: EnvironmentName });

export const EnvironmentInfoView = z
  .object({
    service: Slug,
    environment: z.string(),
    activeVersion: z.string().nullable(),
    previousVersion: z.string().nullable(),
    versions: z.array(z.object({ version: z.string(), weight: z.number() })).meta({ description: 'Versions served, heaviest first.' }),
    deployment: z
      .object({
        id: z.string(),
        version: z.string(),
        fromVersion: z.string().nullable(),
        status: z.string(),
        startedAt: Timestamp.nullable(),
        finishedAt: Timestamp.nullable(),
      })
      .nullable()
      .meta({ description: 'The running deployment, else the latest one.' }),
    activeSince: Timestamp.nullable(),
    breakingChanges: z
      .object({
        base: z.string(),
        revision: z.string(),
        requiredBump: z.enum(BUMPS),
        summary: Summary,
        changes: z.array(ContractChange),
      })
      .nullable()
      .meta({ description: 'What the active version breaks for clients of the previous one (null without both documents).' }),
  })
  .meta({ id: 'EnvironmentInfo' });

export { Slug, Timestamp, VersionString };
