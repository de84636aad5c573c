import * as z from 'zod';
import { API_KEY_STATUSES } from './api-key.domain.ts';
import { ROLES } from '#kernel/roles';
import { Actor, Slug, Timestamp } from '#kernel/schemas/common';

/** A key's own limits, in requests per minute per route class, over its role's (README "Rate limits"). */
export const RateLimitsSchema = z
  .strictObject({
    reads: z.number().int().min(1).max(1_000_000).optional(),
    writes: z.number().int().min(1).max(1_000_000).optional(),
    ingest: z.number().int().min(1).max(1_000_000).optional(),
  })
  .meta({
    id: 'RateLimits',
    description: "Requests per minute by route class (GET; other methods; telemetry ingestion); omitted ones are the role's.",
  });

export const ApiKeyCreate = z
  .strictObject({
    name: z.string().min(1).max(100).meta({ example: 'ci-pipeline' }),
    role: z.enum(ROLES),
    services: z.array(Slug).min(1).max(50).optional().meta({ description: 'Limit the key to these services; omit for all.' }),
    rateLimits: RateLimitsSchema.optional(),
  })
  .meta({ id: 'ApiKeyCreate' });

export const ApiKeyId = z.strictObject({
  id: z
    .string()
    .min(1)
    .max(64)
    .regex(/^[0-9A-Za-z]+$/, 'must be an API key id'),
});

export const ApiKeyView = z
  .object({
    id: z.string(),
    name: z.string(),
    role: z.enum(ROLES),
    services: z.array(z.string()).nullable(),
    status: z.enum(API_KEY_STATUSES),
    prefix: z.string().meta({ description: 'The first characters of the secret, to tell keys apart.' }),
    createdAt: Timestamp,
    createdBy: Actor,
    revokedAt: Timestamp.nullable(),
    revokedBy: z.nullable(Actor),
    rateLimits: RateLimitsSchema.optional(),
  })
  .meta({ id: 'ApiKey' });

export const ApiKeyCreated = ApiKeyView.extend({
  key: z.string().meta({ description: 'The secret. Shown this once; Steward stores only its hash.' }),
}).meta({ id: 'ApiKeyCreated' });
