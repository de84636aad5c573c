import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { UnsupportedMediaTypeError } from '#kernel/errors';
import { implement } from '#kernel/http/operation';
import { YAML_CONTENT_TYPES } from '#kernel/http/media-types';
import { commandContext } from '#kernel/http/request-context';
import type { OpenApiMediaType } from './diff/load-core.ts';
import { documentInfo } from './documents.ts';
import './schema-validator.ts';
import * as contracts from './uploads.contract.ts';
import { completeUpload, createUpload, uploadOpenApi } from './uploads.commands.ts';

/** The body's media type as the loader names it; 415 for anything but JSON and YAML. */
function documentMediaType(contentType: string): OpenApiMediaType {
  if (YAML_CONTENT_TYPES.includes(contentType) || /^application\/[\w.-]+\+yaml$/.test(contentType)) return 'application/yaml';
  if (/^application\/([\w.+-]+\+)?json$/.test(contentType)) return 'application/json';
  throw new UnsupportedMediaTypeError(
    `Send the OpenAPI document as application/json or application/yaml${contentType ? `, not ${contentType}` : ''}.`,
  );
}

function rawBody(event: APIGatewayProxyEventV2): Uint8Array {
  if (event.body === undefined) return new Uint8Array();
  return event.isBase64Encoded ? Buffer.from(event.body, 'base64') : Buffer.from(event.body, 'utf8');
}

function contentTypeOf(event: APIGatewayProxyEventV2): string {
  return (event.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
}

export const openApiUploadOperations = [
  implement(
    contracts.putOpenApi,
    async (request) => {
      const { name, version } = request.params;
      const mediaType = documentMediaType(contentTypeOf(request.event));
      const { pointer, created } = await uploadOpenApi(name, version, rawBody(request.event), mediaType, commandContext(request));
      return { status: created ? 201 : 200, body: documentInfo(pointer, false), headers: { etag: `"${pointer.digest}"` } };
    },
    {
      // The route reads the bytes itself (the loader parses them with its own limits): only the media type is checked here.
      parseBody: (_raw, contentType) => {
        documentMediaType(contentType);
        return {};
      },
    },
  ),

  implement(contracts.createOpenApiUpload, async (request) => {
    const { name, version } = request.params;
    const { upload, url } = await createUpload(name, version, request.body, commandContext(request));
    return {
      status: 201,
      body: {
        id: upload.id,
        service: upload.service,
        version: upload.version,
        mediaType: upload.mediaType,
        size: upload.size,
        method: 'PUT',
        uploadUrl: url,
        headers: { 'content-type': upload.mediaType, 'content-length': String(upload.size) },
        expiresAt: upload.urlExpiresAt,
        completeUrl: `/v1/services/${encodeURIComponent(upload.service)}/versions/${encodeURIComponent(upload.version)}/openapi/uploads/${upload.id}/complete`,
      },
    };
  }),

  implement(contracts.completeOpenApiUpload, async (request) => {
    const { name, version, id } = request.params;
    const { pointer, created } = await completeUpload(name, version, id, commandContext(request));
    return { status: created ? 201 : 200, body: documentInfo(pointer, false), headers: { etag: `"${pointer.digest}"` } };
  }),
];
