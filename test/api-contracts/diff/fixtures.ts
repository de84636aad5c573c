// Small OpenAPI documents for the diff tests: one builder per place a change can happen, so each rule's
// fixture says only what differs between base and revision.

export type Doc = Record<string, unknown>;
export type Level = 'error' | 'warning' | 'info';

export const ok = { description: 'ok' };
export const NOW = new Date('2025-06-01T12:00:00Z');

export function api(paths: Record<string, unknown>, extra: Doc = {}): Doc {
  return { openapi: '3.1.0', info: { title: 'Test', version: '1.0.0' }, paths, ...extra };
}

/** GET /a with the given operation fields (responses default to a bare 200). */
export function getA(fields: Doc = {}, extra: Doc = {}): Doc {
  return api({ '/a': { get: { responses: { '200': ok }, ...fields } } }, extra);
}

export function json(schema: unknown): Doc {
  return { 'application/json': { schema } };
}

/** POST /a whose request body (always present, optional) has this schema. */
export function requestBody(schema: unknown): Doc {
  return api({ '/a': { post: { requestBody: { content: json(schema) }, responses: { '200': ok } } } });
}

/** GET /a whose 200 response has this schema. */
export function responseBody(schema: unknown): Doc {
  return api({ '/a': { get: { responses: { '200': { description: 'ok', content: json(schema) } } } } });
}

export function object(properties: Doc, required?: string[]): Doc {
  return { type: 'object', properties, ...(required ? { required } : {}) };
}

export const REQUEST_SCHEMA = '/paths/~1a/post/requestBody/content/application~1json/schema';
export const RESPONSE_SCHEMA = '/paths/~1a/get/responses/200/content/application~1json/schema';

export interface RuleFixture {
  id: string;
  level: Level;
  operation: string | null;
  pointer: string;
  base: Doc;
  revision: Doc;
  /** A change close to the trigger that must not be reported under this id. */
  nearMiss: { base?: Doc; revision: Doc };
  defaultSunsetDays?: number;
}

/** Where a schema sits, for the schema-event matrix: wraps a schema into a document and names its pointer. */
export interface SchemaSite {
  subject: string;
  operation: string;
  pointer: string;
  wrap: (schema: unknown) => Doc;
}

const parameter = (schema: unknown): Doc => getA({ parameters: [{ name: 'q', in: 'query', schema }] });

export const SCHEMA_SITES: Record<string, SchemaSite> = {
  'request-parameter': {
    subject: 'request-parameter',
    operation: 'GET /a',
    pointer: '/paths/~1a/get/parameters/0/schema',
    wrap: parameter,
  },
  'request-parameter-property': {
    subject: 'request-parameter-property',
    operation: 'GET /a',
    pointer: '/paths/~1a/get/parameters/0/schema/properties/p',
    wrap: (schema) => parameter(object({ p: schema })),
  },
  'request-body': { subject: 'request-body', operation: 'POST /a', pointer: REQUEST_SCHEMA, wrap: requestBody },
  'request-property': {
    subject: 'request-property',
    operation: 'POST /a',
    pointer: `${REQUEST_SCHEMA}/properties/p`,
    wrap: (schema) => requestBody(object({ p: schema })),
  },
  'response-body': { subject: 'response-body', operation: 'GET /a', pointer: RESPONSE_SCHEMA, wrap: responseBody },
  'response-property': {
    subject: 'response-property',
    operation: 'GET /a',
    pointer: `${RESPONSE_SCHEMA}/properties/p`,
    wrap: (schema) => responseBody(object({ p: schema })),
  },
  'response-header': {
    subject: 'response-header',
    operation: 'GET /a',
    pointer: '/paths/~1a/get/responses/200/headers/X-Rate/schema',
    wrap: (schema) => api({ '/a': { get: { responses: { '200': { description: 'ok', headers: { 'X-Rate': { schema } } } } } } }),
  },
};
