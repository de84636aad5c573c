import * as z from 'zod';
import { SERVICE_KINDS } from './service.domain.ts';
import { Slug, Tags, Timestamp } from '#kernel/schemas/common';

// zod/mini, for the configuration contracts that name a service too (see #schemas/mini).
export { ServiceName } from '#kernel/schemas/mini';

export const ServiceCreate = z
  .strictObject({
    name: Slug,
    displayName: z.string().min(1).max(200).optional(),
    description: z.string().max(4000).optional(),
    kind: z.enum(SERVICE_KINDS).meta({ description: '`api` for an HTTP API, `model` for an ML model.' }),
    owner: z.string().min(1).max(200).optional().meta({ example: 'team-payments@example.com' }),
    tags: Tags.optional(),
  })
  .meta({ id: 'ServiceCreate' });

export const ServicePatch = z
  .strictObject({
    displayName: z.string().min(1).max(200).optional(),
    description: z.string().max(4000).nullable().optional(),
    kind: z.enum(SERVICE_KINDS).optional(),
    owner: z.string().min(1).max(200).nullable().optional(),
    tags: Tags.optional(),
  })
  .meta({ id: 'ServicePatch', description: 'Fields to change; `null` clears an optional field. Unknown fields are rejected.' });

const VersionCounts = z.object({
  draft: z.number().int(),
  released: z.number().int(),
  deprecated: z.number().int(),
  retired: z.number().int(),
});

export const ServiceView = z
  .object({
    name: Slug,
    displayName: z.string(),
    description: z.string().nullable(),
    kind: z.enum(SERVICE_KINDS),
    owner: z.string().nullable(),
    tags: z.record(z.string(), z.string()),
    status: z.enum(['new', 'draft', 'active', 'deprecated', 'retired']).meta({
      description:
        'From its versions: active while any is released, else deprecated while any is deprecated; retired when all are retired; draft with only drafts; new with none.',
    }),
    versionCount: z.number().int(),
    versionCounts: VersionCounts,
    latestReleased: z.string().nullable().meta({ description: 'The released version of highest precedence.' }),
    createdAt: Timestamp,
    updatedAt: Timestamp,
    etag: z.string().meta({ description: 'The ETag to send back in If-Match.' }),
  })
  .meta({ id: 'Service' });
