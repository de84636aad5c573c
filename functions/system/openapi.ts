import type * as z from 'zod';
import { createDocument, type ZodOpenApiOperationObject, type ZodOpenApiPathsObject, type ZodOpenApiResponseObject } from 'zod-openapi';
import type { Contract, HttpMethod } from '#kernel/http/operation';
import { PROBLEM_CONTENT_TYPE } from '#kernel/http/problem';
import { Problem } from '#kernel/schemas/common';

/** The problems every operation may answer, by what the operation does. */
function standardProblems(operation: Contract): Record<number, string> {
  const problems: Record<number, string> = {};
  if (operation.params || operation.query || operation.body)
    problems[400] = 'The request is malformed or invalid; `errors` points at each invalid field.';
  if (operation.access !== 'public') {
    problems[401] = 'No valid API key was sent.';
    problems[403] = `The key's role is below ${operation.access}, or it is limited to other services.`;
  }
  if (operation.body) {
    const limit = `${Math.round((operation.maxBodyBytes ?? 1024 * 1024) / 1024 / 1024)} MB`;
    problems[413] = `The body is larger than ${limit}, or the record it would make is too large.`;
    problems[415] = operation.bodyMediaTypes ? `The body is not ${operation.bodyMediaTypes.join(' or ')}.` : 'The body is not JSON.';
  }
  if (operation.method === 'POST' && !operation.requestHeaders?.includes('Idempotency-Key')) {
    problems[422] = 'The Idempotency-Key was first used with another request.';
  }
  problems[500] = 'Steward failed; quote the request id.';
  return problems;
}

const HEADER_DOCS: Record<string, string> = {
  'If-Match': 'Apply only if the resource still has this ETag; otherwise 412.',
  'If-None-Match': 'Answer 304 with no body while the resource still has this ETag.',
  'Idempotency-Key':
    'Repeat the same request with the same key (within 24 hours) to get the first result instead of a second effect; the same key with another request is a 422, and 409 while the first is still being answered.',
};

/** What every response of a deprecated route carries (functions/kernel/http/middleware/deprecated-route.ts). */
const DEPRECATED_ROUTE_HEADERS: Record<string, { description: string }> = {
  Deprecation: { description: 'RFC 9745' },
  Sunset: { description: 'RFC 8594' },
  Link: { description: 'rel="successor-version"' },
};

function toOpenApiOperation(operation: Contract): ZodOpenApiOperationObject {
  const responses: Record<string, ZodOpenApiResponseObject> = {};
  const declared = { ...operation.responses };
  for (const [status, description] of Object.entries(standardProblems(operation))) {
    if (!declared[Number(status)]) declared[Number(status)] = { description };
  }
  for (const [status, spec] of Object.entries(declared)) {
    const code = Number(status);
    const contentType = code >= 400 ? PROBLEM_CONTENT_TYPE : (spec.contentType ?? 'application/json');
    const schema = code >= 400 ? Problem : spec.schema;
    const headers = { ...spec.headers, ...(operation.deprecation ? DEPRECATED_ROUTE_HEADERS : {}) };
    responses[status] = {
      description: spec.description,
      ...(Object.keys(headers).length > 0
        ? {
            headers: Object.fromEntries(
              Object.entries(headers).map(([name, header]) => [name, { description: header.description, schema: { type: 'string' } }]),
            ),
          }
        : {}),
      ...(schema ? { content: { [contentType]: { schema } } } : {}),
    };
  }
  // Every POST honours Idempotency-Key: the pipeline's middleware, or the operation itself (functions/kernel/http/middleware/idempotency.ts).
  const requestHeaders = operation.requestHeaders ?? [];
  const headers =
    operation.method === 'POST' && !requestHeaders.includes('Idempotency-Key') ? [...requestHeaders, 'Idempotency-Key'] : requestHeaders;
  const headerParams = headers.map((name) => ({
    name,
    in: 'header' as const,
    required: false,
    description: HEADER_DOCS[name],
    schema: { type: 'string' as const },
  }));
  return {
    operationId: operation.operationId,
    summary: operation.summary,
    description: operation.description,
    ...(operation.deprecation ? { deprecated: true } : {}),
    tags: [operation.tag],
    security: operation.access === 'public' ? [] : [{ apiKey: [] }],
    ...(operation.params || operation.query
      ? {
          requestParams: {
            ...(operation.params ? { path: operation.params as z.ZodObject } : {}),
            ...(operation.query ? { query: operation.query as z.ZodObject } : {}),
          },
        }
      : {}),
    ...(headerParams.length > 0 ? { parameters: headerParams } : {}),
    ...(operation.body
      ? {
          requestBody: {
            required: !operation.bodyOptional,
            content: Object.fromEntries(
              (operation.bodyMediaTypes ?? ['application/json']).map((type) => [type, { schema: operation.body }]),
            ),
          },
        }
      : {}),
    responses,
  };
}

/** The OpenAPI 3.1 document, generated from the operations' zod schemas: never written by hand. */
export function openApiDocument(operations: Contract[], version: string) {
  const paths: ZodOpenApiPathsObject = {};
  for (const operation of operations) {
    const method = operation.method.toLowerCase() as Lowercase<HttpMethod>;
    paths[operation.path] = { ...paths[operation.path], [method]: toOpenApiOperation(operation) };
  }
  return createDocument({
    openapi: '3.1.0',
    info: {
      title: 'Steward',
      version,
      description:
        'API and model lifecycle control plane: services, versions and their lifecycle, API keys and the audit trail. Errors are RFC 9457 problem documents; lists take `limit` and `cursor`.',
    },
    servers: [{ url: '/' }],
    components: {
      securitySchemes: {
        apiKey: { type: 'http', scheme: 'bearer', description: 'An API key: `Authorization: Bearer <key>`.' },
      },
    },
    paths,
  });
}
