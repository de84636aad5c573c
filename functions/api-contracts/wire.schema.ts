import * as z from 'zod/mini';
import { Slug, Timestamp } from '#kernel/schemas/mini';

/**
 * The schemas of the routes that validate OpenAPI documents (the openapi-uploads and
 * compatibility-checks functions, which also bundle Ajv), in zod/mini to keep those functions
 * under 300 KB, and the views every contract route shares (docs/architecture.md §8).
 */

export const VersionString = z
  .string()
  .check(z.minLength(1), z.maxLength(128), z.meta({ description: 'A strict SemVer 2.0.0 version.', example: '1.4.0' }));

export const VersionParams = z.strictObject({ name: Slug, version: VersionString });

/** Documents only: the route reads the body's bytes itself and validates them with an OpenAPI parser. */
export const OpenApiDocumentBody = z
  .record(z.string(), z.unknown())
  .check(z.meta({ id: 'OpenApiDocumentInput', description: 'An OpenAPI 3.0 or 3.1 document, as JSON or YAML (up to 10 MB).' }));

const int = () => z.number().check(z.int());

export const OpenApiDocumentInfo = z
  .object({
    service: z.string(),
    version: z.string(),
    digest: z
      .string()
      .check(z.meta({ description: 'sha256 of the canonical JSON of the document; the ETag.', example: 'sha256:9f86d08…' })),
    mediaType: z.enum(['application/json', 'application/yaml']),
    size: int().check(z.meta({ description: 'Bytes as uploaded.' })),
    openapi: z.string().check(z.meta({ example: '3.1.0' })),
    title: z.nullable(z.string()),
    operationCount: int(),
    uploadedAt: Timestamp,
    uploadedBy: z.string(),
    frozen: z.boolean().check(z.meta({ description: 'True once the version is released: the document can no longer change.' })),
  })
  .check(z.meta({ id: 'OpenApiDocumentInfo' }));

export const UploadParams = z.strictObject({
  name: Slug,
  version: VersionString,
  id: z.string().check(z.regex(/^[0-9A-HJKMNP-TV-Z]{26}$/, 'must be a ULID')),
});

/** Issue 11 §1: up to 10 MB, more than a Lambda request body carries (6 MB), so sent to the store directly. */
export const OpenApiUploadCreate = z
  .strictObject({
    mediaType: z.enum(['application/json', 'application/yaml']),
    size: int()
      .check(z.gte(1), z.lte(10 * 1024 * 1024))
      .check(z.meta({ description: 'Bytes (at most 10 MB).' })),
  })
  .check(z.meta({ id: 'OpenApiUploadRequest' }));

export const OpenApiUploadView = z
  .object({
    id: z.string(),
    service: z.string(),
    version: z.string(),
    mediaType: z.enum(['application/json', 'application/yaml']),
    size: int(),
    method: z.literal('PUT'),
    uploadUrl: z.string(),
    headers: z.record(z.string(), z.string()).check(z.meta({ description: 'To send with the PUT.' })),
    expiresAt: Timestamp,
    completeUrl: z.string(),
  })
  .check(z.meta({ id: 'OpenApiUpload' }));

export const ContractChange = z
  .object({
    id: z
      .string()
      .check(z.meta({ description: "The rule's id: oasdiff's name where the concept is the same.", example: 'response-property-removed' })),
    level: z.enum(['error', 'warning', 'info']),
    operation: z.nullable(z.string()).check(z.meta({ example: 'GET /pets/{id}' })),
    path: z.nullable(z.string()),
    pointer: z.string().check(z.meta({ description: 'JSON pointer into the revision (into the base for what was removed).' })),
    text: z.string(),
  })
  .check(z.meta({ id: 'ContractChange' }));

export const Summary = z.object({ error: int(), warning: int(), info: int() });
export const BUMPS = ['major', 'minor', 'patch'] as const;

export const CompatibilityReport = z
  .object({
    base: z.object({ version: z.nullable(z.string()), digest: z.string() }),
    revision: z.object({ version: z.nullable(z.string()), digest: z.string() }),
    compatible: z.boolean(),
    requiredBump: z.enum(BUMPS),
    bump: z
      .nullable(z.object({ step: z.string(), satisfied: z.boolean(), message: z.string() }))
      .check(z.meta({ description: 'Whether the SemVer step from base to revision is enough (null when the versions are not known).' })),
    changes: z.array(ContractChange),
    summary: Summary,
    frozen: z.boolean().check(z.meta({ description: 'True when this is the report frozen at the revision’s release.' })),
  })
  .check(z.meta({ id: 'CompatibilityReport' }));

const DocumentField = z.record(z.string(), z.unknown()).check(z.meta({ description: 'An OpenAPI 3.0 or 3.1 document (a JSON object).' }));

export const CompatibilityBody = z
  .strictObject({
    base: DocumentField,
    revision: DocumentField,
    baseVersion: z.optional(VersionString).check(z.meta({ description: 'With revisionVersion: also judge the SemVer step.' })),
    revisionVersion: z.optional(VersionString),
  })
  .check(z.meta({ id: 'CompatibilityRequest' }));

export { Slug, Timestamp };
