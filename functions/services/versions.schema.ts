import * as z from 'zod';
import { LIFECYCLE_ACTIONS, VERSION_STATUSES } from './lifecycle.domain.ts';
import { CHANGE_TYPES } from './version.domain.ts';
import { ListQuery, Metadata, Slug, Timestamp } from '#kernel/schemas/common';
import { ModelCard } from '#models/model-card.schema';
import { SERVING_STATUSES } from '#models/serving.domain';
import { VersionString } from './version-string.schema.ts';

export { VersionString };

export const VersionParams = z.strictObject({ name: Slug, version: VersionString });

export const Change = z
  .strictObject({
    type: z.enum(CHANGE_TYPES),
    description: z.string().min(1).max(2000),
    endpoints: z
      .array(z.string().min(1).max(300))
      .max(50)
      .optional()
      .meta({ example: ['GET /orders/{id}'] }),
  })
  .meta({ id: 'Change' });

const Artifact = z.strictObject({
  type: z.string().min(1).max(64).meta({ example: 'container-image' }),
  uri: z.string().min(1).max(2048).meta({ example: '123456789012.dkr.ecr.eu-west-1.amazonaws.com/payments:1.4.0' }),
});

export const VersionCreate = z
  .strictObject({
    version: VersionString,
    description: z.string().max(4000).optional(),
    changes: z.array(Change).max(500).default([]),
    artifact: Artifact.optional(),
    metadata: Metadata.optional(),
    model: ModelCard.optional().meta({ description: 'The model card: only for a service of kind `model` (else 400).' }),
  })
  .meta({ id: 'VersionCreate' });

export const VersionPatch = z
  .strictObject({
    description: z.string().max(4000).nullable().optional(),
    changes: z.array(Change).max(500).optional().meta({ description: 'The whole change log, replacing the one the draft has.' }),
    artifact: Artifact.nullable().optional(),
    metadata: Metadata.optional().meta({ description: 'The whole metadata object, replacing the one the draft has.' }),
    model: ModelCard.nullable().optional().meta({
      description:
        'The whole model card, replacing the one the draft has (not merged into it); only for a service of kind `model` (else 400).',
    }),
  })
  .meta({
    id: 'VersionPatch',
    description:
      'Fields of a draft to change: each field sent replaces that field whole; `null` clears `description`, `artifact` or `model`; a field left out stays as it is. Unknown fields are rejected.',
  });

export const ChangesAdd = z.strictObject({ changes: z.array(Change).min(1).max(500) }).meta({ id: 'ChangesAdd' });

export const DeprecateBody = z
  .strictObject({
    reason: z.string().max(2000).optional(),
    sunsetAt: Timestamp.optional(),
    replacement: VersionString.optional().meta({ description: 'A released version of the same service to move to.' }),
  })
  .meta({ id: 'Deprecation' });

export const EmptyBody = z.strictObject({});

export const RetireBody = z
  .strictObject({
    force: z
      .strictObject({ reason: z.string().min(1).max(2000) })
      .optional()
      .meta({ description: 'Retire although consumers called it in the last 7 days; recorded in the audit trail.' }),
  })
  .meta({ id: 'Retirement' });

export const ReleaseBody = z
  .strictObject({
    acceptBreaking: z
      .strictObject({ reason: z.string().min(1).max(2000) })
      .optional()
      .meta({ description: 'Release although the contract breaks clients under too small a version step; recorded in the audit trail.' }),
  })
  .meta({ id: 'Release' });

export const VersionListQuery = ListQuery.extend({
  status: z.enum(VERSION_STATUSES).optional(),
});

export const VersionView = z
  .object({
    service: Slug,
    version: VersionString,
    status: z.enum(VERSION_STATUSES),
    allowedActions: z.array(z.enum(LIFECYCLE_ACTIONS)),
    description: z.string().nullable(),
    changes: z.array(Change),
    artifact: z.object({ type: z.string(), uri: z.string() }).nullable(),
    metadata: z.record(z.string(), z.unknown()),
    model: ModelCard.nullable().meta({ description: 'The model card of a `model` service’s version; null otherwise.' }),
    contract: z.record(z.string(), z.unknown()).nullable().meta({
      description:
        'Frozen at release: the OpenAPI document judged (digest), the release compared against, the required bump, the summary, the decision and any acceptBreaking reason. Null before release.',
    }),
    createdAt: Timestamp,
    updatedAt: Timestamp,
    releasedAt: Timestamp.nullable(),
    deprecatedAt: Timestamp.nullable(),
    retiredAt: Timestamp.nullable(),
    deprecation: z.object({ reason: z.string().nullable(), sunsetAt: Timestamp.nullable(), replacement: z.string().nullable() }).nullable(),
    etag: z.string(),
    servingStatus: z.enum(SERVING_STATUSES).optional().meta({
      description:
        'A model’s versions only (issue 10), derived from where it serves: `active` (all of the production environment), `canary` (part of it), `deprecated`, `retired`, `testing` (another environment), `inactive`.',
    }),
  })
  .meta({ id: 'Version' });
