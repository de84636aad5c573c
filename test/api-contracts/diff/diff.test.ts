// How the diff judges changes as a client would: direction, deprecation and sunset dates, the required bump,
// matching of renamed paths, recursive schemas, stable ordering and refusal of bad arguments.

import '../../../functions/api-contracts/schema-validator.ts';
import { describe, expect, it } from 'vitest';
import {
  type Change,
  diffOpenApi,
  loadOpenApiDocument,
  OpenApiDiffError,
  OpenApiDocumentError,
  requiredBumpOf,
} from '../../../functions/api-contracts/diff/index.ts';
import { api, type Doc, getA, NOW, object, REQUEST_SCHEMA, RESPONSE_SCHEMA, requestBody, responseBody } from './fixtures.ts';

const str = { type: 'string' };
const ids = (changes: Change[]) => changes.map((change) => change.id);

describe('direction', () => {
  it('reports the same property removal as a warning in a request and an error in a response', () => {
    // Prepare
    const before = object({ a: str, b: str }, ['b']);
    const after = object({ a: str }, []);

    // Act
    const request = diffOpenApi(requestBody(before), requestBody(after), { now: NOW });
    const response = diffOpenApi(responseBody(before), responseBody(after), { now: NOW });

    // Assess
    expect(request.changes).toEqual([
      expect.objectContaining({ id: 'request-property-removed', level: 'warning', pointer: `${REQUEST_SCHEMA}/properties/b` }),
    ]);
    expect(response.changes).toEqual([
      expect.objectContaining({ id: 'response-required-property-removed', level: 'error', pointer: `${RESPONSE_SCHEMA}/properties/b` }),
    ]);
    expect(request.compatible).toBe(true);
    expect(response.compatible).toBe(false);
  });

  it('treats a new enum value as an addition in a request and a warning in a response', () => {
    // Prepare
    const before = object({ status: { type: 'string', enum: ['on'] } });
    const after = object({ status: { type: 'string', enum: ['on', 'off'] } });

    // Act
    const request = diffOpenApi(requestBody(before), requestBody(after), { now: NOW });
    const response = diffOpenApi(responseBody(before), responseBody(after), { now: NOW });

    // Assess
    expect(request.changes.map(({ id, level }) => ({ id, level }))).toEqual([{ id: 'request-property-enum-value-added', level: 'info' }]);
    expect(response.changes.map(({ id, level }) => ({ id, level }))).toEqual([
      { id: 'response-property-enum-value-added', level: 'warning' },
    ]);
    expect(request.changes[0]?.text).toBe('Request property "status" (application/json): enum value added "off"');
  });

  it('finds a new required request property an error but a new required response property an addition', () => {
    // Prepare
    const before = object({ a: str });
    const after = object({ a: str, b: str }, ['b']);

    // Act
    const request = diffOpenApi(requestBody(before), requestBody(after), { now: NOW });
    const response = diffOpenApi(responseBody(before), responseBody(after), { now: NOW });

    // Assess
    expect(request.requiredBump).toBe('major');
    expect(response.requiredBump).toBe('minor');
    expect(ids(response.changes)).toEqual(['response-required-property-added']);
  });
});

describe('deprecation and sunset', () => {
  const withOld = (fields: Doc) =>
    api({
      '/a': { get: { responses: { '200': { description: 'ok' } } } },
      '/old': { get: { responses: { '200': { description: 'ok' } }, ...fields } },
    });
  const without = api({ '/a': { get: { responses: { '200': { description: 'ok' } } } } });

  it('refuses a removal before the sunset date and accepts it on and after that date', () => {
    // Prepare
    const base = withOld({ deprecated: true, 'x-sunset': '2025-03-01' });

    // Act
    const before = diffOpenApi(base, without, { now: new Date('2025-02-28T23:59:59Z') });
    const onTheDay = diffOpenApi(base, without, { now: new Date('2025-03-01T00:00:00Z') });
    const after = diffOpenApi(base, without, { now: new Date('2026-01-01T00:00:00Z') });

    // Assess
    expect(before.changes).toEqual([
      expect.objectContaining({ id: 'api-path-removed-before-sunset', level: 'error', operation: 'GET /old', pointer: '/paths/~1old/get' }),
    ]);
    expect(ids(onTheDay.changes)).toEqual(['api-path-removed-with-deprecation']);
    expect(after.changes).toEqual([expect.objectContaining({ id: 'api-path-removed-with-deprecation', level: 'info' })]);
    expect(after.changes[0]?.text).toContain('after its sunset date 2025-03-01');
    expect(after.compatible).toBe(true);
  });

  it('reports a removal without deprecation as an error, for a whole path and for one operation', () => {
    // Prepare
    const twoOperations = api({
      '/a': { get: { responses: { '200': { description: 'ok' } } }, post: { responses: { '200': { description: 'ok' } } } },
    });

    // Act
    const path = diffOpenApi(withOld({}), without, { now: NOW });
    const operation = diffOpenApi(twoOperations, without, { now: NOW });

    // Assess
    expect(path.changes).toEqual([expect.objectContaining({ id: 'api-path-removed-without-deprecation', level: 'error', path: '/old' })]);
    expect(operation.changes).toEqual([
      expect.objectContaining({ id: 'api-removed-without-deprecation', level: 'error', operation: 'POST /a' }),
    ]);
  });

  it('enforces the minimum deprecation window only when one is configured', () => {
    // Prepare
    const deprecated = getA({ deprecated: true, 'x-sunset': '2025-06-15' });

    // Act
    const lenient = diffOpenApi(getA(), deprecated, { now: NOW });
    const strict = diffOpenApi(getA(), deprecated, { now: NOW, defaultSunsetDays: 30 });

    // Assess
    expect(ids(lenient.changes)).toEqual(['endpoint-deprecated-with-sunset']);
    expect(lenient.requiredBump).toBe('minor');
    expect(strict.changes).toEqual([expect.objectContaining({ id: 'api-sunset-date-too-small', level: 'error' })]);
    expect(strict.changes[0]?.text).toContain('2025-07-01');
  });
});

describe('required bump', () => {
  it.each([
    ['an error', [{ id: 'response-success-status-removed', level: 'error' as const }], 'major'],
    ['an addition', [{ id: 'endpoint-added', level: 'info' as const }], 'minor'],
    ['a deprecation', [{ id: 'endpoint-deprecated', level: 'info' as const }], 'minor'],
    ['a warning', [{ id: 'request-parameter-removed', level: 'warning' as const }], 'minor'],
    ['only other information', [{ id: 'api-operation-id-added', level: 'info' as const }], 'patch'],
    ['no change at all', [], 'patch'],
  ])('is right for %s', (_name, changes, bump) => {
    // Act
    const required = requiredBumpOf(changes);

    // Assess
    expect(required).toBe(bump);
  });

  it('is patch with no changes between a document and itself', () => {
    // Prepare
    const document = responseBody(object({ a: str }, ['a']));

    // Act
    const report = diffOpenApi(document, structuredClone(document), { now: NOW });

    // Assess
    expect(report).toEqual({ compatible: true, requiredBump: 'patch', changes: [], summary: { error: 0, warning: 0, info: 0 } });
  });
});

describe('matching versions', () => {
  it('treats a renamed path parameter as the same operation and parameter', () => {
    // Prepare
    const path = (name: string, maximum: number) =>
      api({
        [`/pets/{${name}}`]: {
          get: {
            parameters: [{ name, in: 'path', required: true, schema: { type: 'integer', maximum } }],
            responses: { '200': { description: 'ok' } },
          },
        },
      });

    // Act
    const report = diffOpenApi(path('petId', 100), path('id', 50), { now: NOW });

    // Assess
    expect(report.changes).toEqual([
      expect.objectContaining({
        id: 'request-parameter-max-decreased',
        operation: 'GET /pets/{id}',
        path: '/pets/{id}',
        pointer: '/paths/~1pets~1{id}/get/parameters/0/schema',
      }),
    ]);
  });

  it('sees OpenAPI 3.0 nullable and a 3.1 null type as the same thing', () => {
    // Prepare
    const base = { ...responseBody(object({ a: { type: 'string', nullable: true } })), openapi: '3.0.3' };
    const revision = responseBody(object({ a: { type: ['string', 'null'] } }));

    // Act
    const report = diffOpenApi(base, revision, { now: NOW });

    // Assess
    expect(report.changes).toEqual([]);
  });

  it('reports nothing when an endpoint becomes public, and an error when a public one starts requiring auth', () => {
    // Prepare
    const secured = getA({}, { security: [{ token: [] }] });
    const publicA = getA({ security: [] }, { security: [{ token: [] }] });

    // Act
    const opened = diffOpenApi(secured, publicA, { now: NOW });
    const closed = diffOpenApi(publicA, secured, { now: NOW });

    // Assess
    expect(ids(opened.changes)).toEqual(['api-security-added']);
    expect(closed.changes).toContainEqual(
      expect.objectContaining({ id: 'api-security-removed', level: 'error', text: expect.stringContaining('anonymous access') }),
    );
  });

  it('orders changes the same way whatever the key order of the documents', () => {
    // Prepare
    const base = api({
      '/b': { get: { responses: { '200': { description: 'ok' } } } },
      '/a': { get: { responses: { '200': { description: 'ok' } } } },
    });
    const revision = api({
      '/c': { get: { responses: { '200': { description: 'ok' } } } },
      '/a': { post: { responses: { '200': { description: 'ok' } } }, get: { responses: { '201': { description: 'ok' } } } },
    });
    const reordered = api({
      '/a': { get: { responses: { '201': { description: 'ok' } } }, post: { responses: { '200': { description: 'ok' } } } },
      '/c': { get: { responses: { '200': { description: 'ok' } } } },
    });

    // Act
    const first = diffOpenApi(base, revision, { now: NOW });
    const second = diffOpenApi(base, reordered, { now: NOW });

    // Assess
    expect(second.changes).toEqual(first.changes);
    expect(first.changes.map((change) => `${change.operation} ${change.id}`)).toEqual([
      'GET /a response-success-status-removed',
      'GET /a response-success-status-added',
      'POST /a endpoint-added',
      'GET /b api-path-removed-without-deprecation',
      'GET /c endpoint-added',
    ]);
  });
});

describe('recursive schemas', () => {
  const tree = (nameType: string) =>
    api(
      {
        '/trees': {
          get: {
            responses: { '200': { description: 'ok', content: { 'application/json': { schema: { $ref: '#/components/schemas/Tree' } } } } },
          },
        },
        '/branches': {
          get: {
            responses: {
              '200': { description: 'ok', content: { 'application/json': { schema: { $ref: '#/components/schemas/Branch' } } } },
            },
          },
        },
      },
      {
        components: {
          schemas: {
            Tree: { type: 'object', properties: { root: { $ref: '#/components/schemas/Branch' } } },
            Branch: {
              type: 'object',
              properties: {
                name: { type: nameType },
                tree: { $ref: '#/components/schemas/Tree' },
                children: { type: 'array', items: { $ref: '#/components/schemas/Branch' } },
              },
            },
          },
        },
      },
    );

  it('reports a change inside a cycle once per operation, pointing at the component', () => {
    // Act
    const report = diffOpenApi(tree('string'), tree('integer'), { now: NOW });

    // Assess
    expect(report.changes.map(({ id, operation, pointer, text }) => ({ id, operation, pointer, text }))).toEqual([
      {
        id: 'response-property-type-changed',
        operation: 'GET /branches',
        pointer: '/components/schemas/Branch/properties/name',
        text: 'Response property "name" of 200 (application/json): type or format changed incompatibly from string to integer',
      },
      {
        id: 'response-property-type-changed',
        operation: 'GET /trees',
        pointer: '/components/schemas/Branch/properties/name',
        text: 'Response property "root/name" of 200 (application/json): type or format changed incompatibly from string to integer',
      },
    ]);
  });

  it('gives the same answer for loaded documents as for plain ones', async () => {
    // Prepare
    const base = await loadOpenApiDocument(JSON.stringify(tree('string')), 'application/json');
    const revision = await loadOpenApiDocument(JSON.stringify(tree('integer')), 'application/json');

    // Act
    const loaded = diffOpenApi(base, revision, { now: NOW });
    const plain = diffOpenApi(tree('string'), tree('integer'), { now: NOW });

    // Assess
    expect(loaded).toEqual(plain);
  });
});

describe('bad arguments', () => {
  it('needs a valid date to judge sunsets against', () => {
    // Act
    const act = () => diffOpenApi(getA(), getA(), { now: new Date('not a date') });

    // Assess
    expect(act).toThrow(OpenApiDiffError);
    expect(act).toThrow(/options.now must be a valid Date/);
  });

  it('refuses a negative deprecation window', () => {
    // Act
    const act = () => diffOpenApi(getA(), getA(), { now: NOW, defaultSunsetDays: -1 });

    // Assess
    expect(act).toThrow(/defaultSunsetDays must be a number of days/);
  });

  it('refuses something that is not an OpenAPI document', () => {
    // Act
    const act = () => diffOpenApi({ swagger: '2.0' }, getA(), { now: NOW });

    // Assess
    expect(act).toThrow(OpenApiDiffError);
    expect(act).toThrow(/base document has no openapi field/);
  });

  it('reports an unresolvable reference in a plain document with its pointer', () => {
    // Prepare
    const broken = responseBody({ $ref: '#/components/schemas/Missing' });

    // Act
    let error: unknown;
    try {
      diffOpenApi(getA(), broken, { now: NOW });
    } catch (caught) {
      error = caught;
    }

    // Assess
    expect(error).toBeInstanceOf(OpenApiDocumentError);
    expect((error as OpenApiDocumentError).errors).toEqual([
      { pointer: `${RESPONSE_SCHEMA}/$ref`, message: '$ref #/components/schemas/Missing cannot be resolved: / has no "components"' },
    ]);
  });
});
