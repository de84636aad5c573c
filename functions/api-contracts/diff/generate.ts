// A seeded generator of large, realistic OpenAPI 3.1 documents (shared components, $refs, nested and recursive
// schemas) and of a revision with a known handful of changes: the diff's scale test and benchmark input.
// Same seed, same document, byte for byte.

import { OpenApiDiffError } from './errors.ts';

export interface GenerateOptions {
  seed: number;
  /** Number of paths; each resource has a collection path and an item path, so this must be even. */
  paths: number;
}

/** A change the revision is known to carry, as the diff must report it. */
export interface ExpectedChange {
  id: string;
  operation: string;
  pointer: string;
}

type Json = Record<string, unknown>;

/** mulberry32: small, fast and good enough to vary documents reproducibly. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const WORDS = (
  'account address amount archive audit balance batch billing budget cache catalog channel charge client cluster ' +
  'comment config contract cursor customer dataset deadline delivery deployment device discount document domain ' +
  'event export feature filter flag gateway group history identity import incident index invoice job key label ' +
  'ledger limit listing location message metric model monitor node note offer order owner package partner payment ' +
  'period plan policy price product profile project quota rate receipt record region release report request ' +
  'resource review role route rule schedule scope secret segment service session setting shipment signal snapshot ' +
  'source stage status stock subscription supplier task team template tenant ticket token topic transfer usage ' +
  'user variant vendor version warehouse webhook window workflow zone'
).split(' ');

const MIN_PATHS = 48;

export function generateLargeDocument(options: GenerateOptions): Json {
  const { seed, paths } = options;
  if (!Number.isInteger(paths) || paths < MIN_PATHS || paths % 2 !== 0) {
    throw new OpenApiDiffError(`paths must be an even integer of at least ${MIN_PATHS}`);
  }
  const next = random(seed);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(next() * list.length)] as T;
  const sentence = (words: number): string => {
    const out: string[] = [];
    for (let i = 0; i < words; i++) out.push(pick(WORDS));
    const text = out.join(' ');
    return `${text.charAt(0).toUpperCase()}${text.slice(1)}.`;
  };
  const ref = (name: string): Json => ({ $ref: `#/components/schemas/${name}` });

  const schemas: Record<string, Json> = {
    Error: {
      type: 'object',
      required: ['code', 'message'],
      properties: {
        code: { type: 'string', enum: ['invalid', 'not_found', 'conflict', 'internal'], description: sentence(8) },
        message: { type: 'string', maxLength: 2000, description: sentence(8) },
        details: {
          type: 'array',
          maxItems: 100,
          items: { type: 'object', properties: { field: { type: 'string' }, reason: { type: 'string' } } },
        },
      },
    },
    Page: { type: 'object', properties: { nextCursor: { type: ['string', 'null'] }, total: { type: 'integer', minimum: 0 } } },
    Audit: {
      type: 'object',
      required: ['createdAt'],
      properties: {
        createdAt: { type: 'string', format: 'date-time' },
        createdBy: { type: 'string', maxLength: 200 },
        updatedAt: { type: 'string', format: 'date-time' },
      },
    },
    Money: {
      type: 'object',
      required: ['amount', 'currency'],
      properties: { amount: { type: 'number', minimum: 0 }, currency: { type: 'string', enum: ['EUR', 'USD', 'GBP', 'JPY'] } },
    },
    Address: {
      type: 'object',
      properties: {
        line1: { type: 'string', maxLength: 200 },
        city: { type: 'string', maxLength: 100 },
        country: { type: 'string', pattern: '^[A-Z]{2}$' },
      },
    },
    Tag: {
      type: 'object',
      required: ['key'],
      properties: { key: { type: 'string', maxLength: 64 }, value: { type: 'string', maxLength: 256 } },
    },
    // Recursive: a tree of nodes, which the loader keeps as a cycle of shared objects.
    Node: { type: 'object', properties: { name: { type: 'string' }, children: { type: 'array', items: ref('Node') } } },
  };
  const documentPaths: Record<string, Json> = {};

  for (let index = 0; index < paths / 2; index++) {
    const name = `Resource${index}`;
    const fields: Record<string, Json> = {};
    const fieldCount = 10 + Math.floor(next() * 8);
    for (let field = 0; field < fieldCount; field++) {
      const kind = pick(['string', 'integer', 'number', 'boolean', 'enum', 'array', 'object'] as const);
      const key = `${pick(WORDS)}${field}`;
      const description = sentence(10 + Math.floor(next() * 14));
      if (kind === 'enum') fields[key] = { type: 'string', enum: [pick(WORDS), pick(WORDS), `${pick(WORDS)}_x`], description };
      else if (kind === 'array') fields[key] = { type: 'array', maxItems: 50, items: ref('Tag'), description };
      else if (kind === 'object') {
        fields[key] = {
          type: 'object',
          description,
          properties: {
            [`${pick(WORDS)}A`]: { type: 'string', maxLength: 120 },
            [`${pick(WORDS)}B`]: { type: 'integer', minimum: 0, maximum: 1000 },
          },
        };
      } else if (kind === 'string') fields[key] = { type: 'string', maxLength: 100 + Math.floor(next() * 900), description };
      else fields[key] = { type: kind, description };
    }
    schemas[name] = {
      type: 'object',
      description: sentence(30),
      required: ['id', 'name', 'status'],
      properties: {
        id: { type: 'string', format: 'uuid', readOnly: true },
        name: { type: 'string', maxLength: 200 },
        status: { type: 'string', enum: ['active', 'suspended', 'deleted'] },
        count: { type: 'integer', minimum: 0, maximum: 100_000 },
        price: ref('Money'),
        address: ref('Address'),
        tags: { type: 'array', items: ref('Tag') },
        tree: ref('Node'),
        audit: ref('Audit'),
        ...fields,
      },
    };
    schemas[`${name}Input`] = {
      type: 'object',
      required: ['name'],
      properties: {
        name: { type: 'string', minLength: 1, maxLength: 200 },
        description: { type: 'string', maxLength: 4000 },
        price: ref('Money'),
        tags: { type: 'array', maxItems: 20, items: ref('Tag') },
        ...Object.fromEntries(Object.entries(fields).slice(0, 4)),
      },
    };
    schemas[`${name}List`] = {
      type: 'object',
      required: ['items'],
      properties: { items: { type: 'array', items: ref(name) }, page: ref('Page') },
    };

    const tag = pick(WORDS);
    const errors = {
      '400': { $ref: '#/components/responses/BadRequest' },
      '404': { $ref: '#/components/responses/NotFound' },
    };
    const json = (schema: Json) => ({ 'application/json': { schema } });
    documentPaths[`/resource${index}`] = {
      get: {
        operationId: `list${name}`,
        tags: [tag],
        summary: sentence(6),
        description: sentence(40),
        parameters: [
          { $ref: '#/components/parameters/Cursor' },
          { $ref: '#/components/parameters/Limit' },
          { name: 'status', in: 'query', schema: { type: 'array', items: { type: 'string', enum: ['active', 'suspended'] } } },
        ],
        responses: { '200': { description: sentence(5), content: json(ref(`${name}List`)) }, '400': errors['400'] },
      },
      post: {
        operationId: `create${name}`,
        tags: [tag],
        description: sentence(40),
        parameters: [{ $ref: '#/components/parameters/RequestId' }],
        requestBody: { required: true, content: json(ref(`${name}Input`)) },
        responses: {
          '201': {
            description: sentence(5),
            headers: { Location: { required: true, schema: { type: 'string' } } },
            content: json(ref(name)),
          },
          '400': errors['400'],
        },
      },
    };
    documentPaths[`/resource${index}/{id}`] = {
      parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string', format: 'uuid' } }],
      get: {
        operationId: `get${name}`,
        tags: [tag],
        description: sentence(30),
        responses: { '200': { description: sentence(5), content: json(ref(name)) }, '404': errors['404'] },
      },
      put: {
        operationId: `replace${name}`,
        tags: [tag],
        description: sentence(30),
        requestBody: { required: true, content: json(ref(`${name}Input`)) },
        responses: { '200': { description: sentence(5), content: json(ref(name)) }, ...errors },
      },
      delete: {
        operationId: `delete${name}`,
        tags: [tag],
        description: sentence(20),
        responses: { '204': { description: sentence(5) }, '404': errors['404'] },
      },
    };
  }

  return {
    openapi: '3.1.0',
    info: { title: 'Generated API', version: '1.0.0', description: sentence(60) },
    servers: [{ url: '/v1' }],
    security: [{ bearer: [] }],
    paths: documentPaths,
    components: {
      schemas,
      parameters: {
        Cursor: { name: 'cursor', in: 'query', schema: { type: 'string', maxLength: 500 } },
        Limit: { name: 'limit', in: 'query', schema: { type: 'integer', minimum: 1, maximum: 100, default: 20 } },
        RequestId: { name: 'X-Request-Id', in: 'header', schema: { type: 'string', format: 'uuid' } },
      },
      responses: {
        BadRequest: { description: 'The request is invalid.', content: { 'application/json': { schema: ref('Error') } } },
        NotFound: { description: 'No such resource.', content: { 'application/json': { schema: ref('Error') } } },
      },
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer' }, apiKey: { type: 'apiKey', in: 'header', name: 'X-Api-Key' } },
    },
  };
}

/**
 * A copy of a generated document with seven edits whose effect is known exactly: one removed operation, one
 * new endpoint, one new required parameter, a type change and an enum value in shared response schemas (seen
 * by every operation that returns them), a newly required request property, and a deprecation.
 */
export function applyKnownChanges(document: Json): { document: Json; expected: ExpectedChange[] } {
  const revision = structuredClone(document) as {
    paths: Record<string, Record<string, Json>>;
    components: { schemas: Record<string, Json> };
  };
  const count = Object.keys(revision.paths).length / 2;
  if (!Number.isInteger(count) || count < MIN_PATHS / 2 || !revision.paths['/resource0']) {
    throw new OpenApiDiffError('applyKnownChanges expects a document made by generateLargeDocument');
  }
  const schemas = revision.components.schemas;
  const properties = (name: string) => (schemas[name] as { properties: Record<string, Json> }).properties;
  const expected: ExpectedChange[] = [];
  // Every operation that returns Resource<n>, and where in its response the schema sits.
  const readers = (n: number) => [`GET /resource${n}`, `POST /resource${n}`, `GET /resource${n}/{id}`, `PUT /resource${n}/{id}`];

  delete revision.paths['/resource3/{id}']?.['delete'];
  expected.push({ id: 'api-removed-without-deprecation', operation: 'DELETE /resource3/{id}', pointer: '/paths/~1resource3~1{id}/delete' });

  revision.paths['/resource7/{id}/archive'] = {
    post: { operationId: 'archiveResource7', responses: { '204': { description: 'Archived.' } } },
  };
  expected.push({ id: 'endpoint-added', operation: 'POST /resource7/{id}/archive', pointer: '/paths/~1resource7~1{id}~1archive/post' });

  const list11 = revision.paths['/resource11']?.['get'] as { parameters: Json[] };
  list11.parameters.push({ name: 'tenant', in: 'query', required: true, schema: { type: 'string' } });
  expected.push({ id: 'new-required-request-parameter', operation: 'GET /resource11', pointer: '/paths/~1resource11/get/parameters/3' });

  properties('Resource13')['count'] = { type: 'string' };
  for (const operation of readers(13)) {
    expected.push({ id: 'response-property-type-changed', operation, pointer: '/components/schemas/Resource13/properties/count' });
  }

  (properties('Resource17')['status'] as { enum: string[] }).enum.push('archived');
  for (const operation of readers(17)) {
    expected.push({ id: 'response-property-enum-value-added', operation, pointer: '/components/schemas/Resource17/properties/status' });
  }

  (schemas['Resource19Input'] as { required: string[] }).required.push('description');
  for (const operation of ['POST /resource19', 'PUT /resource19/{id}']) {
    expected.push({
      id: 'request-property-became-required',
      operation,
      pointer: '/components/schemas/Resource19Input/properties/description',
    });
  }

  const list23 = revision.paths['/resource23']?.['get'] as Json;
  list23['deprecated'] = true;
  list23['x-sunset'] = '2099-12-31';
  expected.push({ id: 'endpoint-deprecated-with-sunset', operation: 'GET /resource23', pointer: '/paths/~1resource23/get' });

  return { document: revision, expected };
}
