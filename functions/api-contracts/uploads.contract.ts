import { defineContract } from '#kernel/http/operation';
import { YAML_CONTENT_TYPES } from '#kernel/http/media-types';
import {
  OpenApiDocumentBody,
  OpenApiDocumentInfo,
  OpenApiUploadCreate,
  OpenApiUploadView,
  UploadParams,
  VersionParams,
} from './wire.schema.ts';

/**
 * Storing a draft's OpenAPI document: the openapi-uploads function, which bundles the OpenAPI
 * validator (Ajv), so its schemas are zod/mini (wire.schema.ts) to stay under 300 KB.
 */

const tag = 'API contracts';
/**
 * OpenAPI documents may be up to 10 MB: API Gateway's payload limit. A Lambda request carries at
 * most 6 MB, so on AWS a larger document goes through a direct upload (createOpenApiUpload).
 */
export const MAX_DOCUMENT_BODY_BYTES = 10 * 1024 * 1024;

export const putOpenApi = defineContract({
  operationId: 'putOpenApi',
  group: 'openapi-uploads',
  tag,
  method: 'PUT',
  path: '/v1/services/{name}/versions/{version}/openapi',
  summary: "Store a draft version's OpenAPI document",
  description:
    'An OpenAPI 3.0 or 3.1 document as JSON or YAML (by Content-Type), up to 10 MB (on AWS 6 MB: larger ones via POST .../openapi/uploads). It is parsed and validated (internal `$ref`s resolved, recursive schemas allowed; external `$ref`s, Swagger 2.0 and YAML alias bombs refused) and a 400 lists every problem with a JSON pointer. Only a draft’s document changes: at release it is frozen. The ETag is the document’s digest; `If-Match` with it guards against a lost update.',
  access: 'deployer',
  scope: { from: 'path', param: 'name' },
  params: VersionParams,
  body: OpenApiDocumentBody,
  bodyMediaTypes: ['application/json', ...YAML_CONTENT_TYPES],
  maxBodyBytes: MAX_DOCUMENT_BODY_BYTES,
  requestHeaders: ['If-Match'],
  responses: {
    200: {
      description: 'Stored (or unchanged: the same document again).',
      schema: OpenApiDocumentInfo,
      headers: { ETag: { description: 'The digest.' } },
    },
    201: { description: 'The version’s first document.', schema: OpenApiDocumentInfo, headers: { ETag: { description: 'The digest.' } } },
    404: { description: 'No such service or version.' },
    409: { description: 'The version is not a draft: its contract is frozen.' },
    412: { description: 'The document changed since the ETag in If-Match.' },
  },
});

export const createOpenApiUpload = defineContract({
  operationId: 'createOpenApiUpload',
  group: 'openapi-uploads',
  tag,
  method: 'POST',
  path: '/v1/services/{name}/versions/{version}/openapi/uploads',
  summary: 'Upload a large OpenAPI document directly',
  description:
    'For documents past what a request carries on AWS (6 MB): a URL to PUT exactly `size` bytes of `mediaType` to (an S3 presigned URL, 5 minutes; send the `headers` given), then POST `completeUrl`.',
  access: 'deployer',
  scope: { from: 'path', param: 'name' },
  params: VersionParams,
  body: OpenApiUploadCreate,
  responses: {
    201: { description: 'Where to PUT it.', schema: OpenApiUploadView },
    404: { description: 'No such version.' },
    409: { description: 'Not a draft.' },
  },
});

export const completeOpenApiUpload = defineContract({
  operationId: 'completeOpenApiUpload',
  group: 'openapi-uploads',
  tag,
  method: 'POST',
  path: '/v1/services/{name}/versions/{version}/openapi/uploads/{id}/complete',
  summary: 'Store a directly uploaded OpenAPI document',
  description:
    'Validates and stores what was PUT to the upload URL as `PUT .../openapi` does (same 400s, 409 and 412; the ETag is the digest). Completing it again changes nothing.',
  access: 'deployer',
  scope: { from: 'path', param: 'name' },
  params: UploadParams,
  requestHeaders: ['If-Match'],
  responses: {
    200: {
      description: 'Stored (or unchanged: the same document again).',
      schema: OpenApiDocumentInfo,
      headers: { ETag: { description: 'The digest.' } },
    },
    201: { description: 'The version’s first document.', schema: OpenApiDocumentInfo, headers: { ETag: { description: 'The digest.' } } },
    404: { description: 'No such upload.' },
    409: { description: 'Nothing uploaded yet, or not a draft.' },
    412: { description: 'The document changed since the ETag in If-Match.' },
  },
});

export const openApiUploadContracts = [putOpenApi, createOpenApiUpload, completeOpenApiUpload];
