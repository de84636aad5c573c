import * as z from 'zod';
import { Actor, EnvironmentName, Slug, Timestamp } from '#kernel/schemas/common';
import { ALIAS_PATTERN } from './aliases.domain.ts';
import { SERVING_STATUSES } from './serving.domain.ts';

export const AliasName = z
  .string()
  .regex(ALIAS_PATTERN, 'an alias is a lowercase letter, then lowercase letters, digits and dashes, 63 at most');
export const AliasParams = z.strictObject({ name: Slug, alias: AliasName });
export const AliasPut = z.strictObject({ version: z.string().min(1).max(256).meta({ example: '1.2.0' }) }).meta({ id: 'AliasPut' });

export const AliasView = z
  .object({ alias: z.string(), version: z.string(), updatedAt: Timestamp, updatedBy: Actor })
  .meta({ id: 'ModelAlias', description: 'Resolve it anywhere a version is named, as `@<alias>`.' });
export const AliasList = z.object({ items: z.array(AliasView) }).meta({ id: 'ModelAliasList' });

export const ServingStatus = z.enum(SERVING_STATUSES).meta({
  description:
    '`active`: serves 100% of the production environment; `canary`: part of it; `deprecated`, `retired`: its lifecycle; `testing`: serves another environment; `inactive`: serves nothing.',
});

export const ProductionView = z
  .object({
    service: z.string(),
    environment: z.string().meta({ description: 'The production environment (model policy `productionEnvironment`).' }),
    active: z.object({ version: z.string(), since: Timestamp.nullable() }).nullable(),
    canary: z.object({ version: z.string(), weight: z.number(), since: Timestamp.nullable(), deploymentId: z.string() }).nullable(),
    weights: z.record(z.string(), z.number()),
    versions: z.array(
      z.object({
        version: z.string(),
        status: z.string(),
        servingStatus: ServingStatus,
        environments: z.record(z.string(), z.number()).meta({ description: 'Environment → percent it serves there.' }),
        aliases: z.array(z.string()),
      }),
    ),
  })
  .meta({ id: 'ModelProduction' });

export const DeployabilityQuery = z.strictObject({
  environment: EnvironmentName.optional().meta({ description: 'Default the production environment.' }),
});

export const DeployabilityView = z
  .object({
    service: z.string(),
    version: z.string(),
    environment: z.string(),
    approved: z.boolean(),
    reasons: z.array(z.string()),
    replacement: z.string().nullable().meta({ description: 'A deprecated version’s replacement.' }),
    production: z.boolean(),
    evaluations: z
      .array(
        z.object({
          environment: z.string(),
          verdict: z.enum(['pass', 'fail', 'insufficient-data']),
          samples: z.number().int(),
          minSamples: z.number().int(),
          criteria: z.array(
            z.object({
              name: z.string(),
              observed: z.number().nullable(),
              threshold: z.number(),
              comparison: z.string(),
              ok: z.boolean().nullable(),
            }),
          ),
        }),
      )
      .meta({ description: 'The version’s evaluations outside production over the last 7 days (production targets only).' }),
    estimatedCostPer1kRequests: z.number().nullable(),
  })
  .meta({ id: 'ModelDeployability' });
