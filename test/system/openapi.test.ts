import SwaggerParser from '@apidevtools/swagger-parser';
import { describe, expect, it } from 'vitest';
import { allOperations } from '../../functions/system/all-routes.ts';
import { openApiDocument } from '../../functions/system/openapi.ts';
import type { Operation } from '../../functions/kernel/http/operation.ts';

const PROBLEM = 'application/problem+json';

type Json = Record<string, any>;

const document = openApiDocument(allOperations, '1.2.3') as unknown as Json;

function operationIn(doc: Json, operation: Operation): Json | undefined {
  return doc.paths?.[operation.path]?.[operation.method.toLowerCase()];
}

const label = (operation: Operation) => `${operation.method} ${operation.path}`;
const protectedOperations = allOperations.filter((operation) => operation.access !== 'public');
const publicOperations = allOperations.filter((operation) => operation.access === 'public');

describe('the OpenAPI document', () => {
  it('is valid OpenAPI 3.1 according to swagger-parser', async () => {
    // Prepare: the validator dereferences in place, so give it its own copy.
    const copy = structuredClone(document);

    // Act
    const validated = (await SwaggerParser.validate(copy as never)) as Json;

    // Assess
    expect(validated.openapi).toBe('3.1.0');
    expect(document.info).toMatchObject({ title: 'Steward', version: '1.2.3' });
  });

  it('is refused by the same validator when it is broken, so the check above can fail', async () => {
    // Prepare
    const broken = structuredClone(document);
    const first = allOperations[0] as Operation;
    operationIn(broken, first)!.responses = 'none';

    // Act
    const validation = SwaggerParser.validate(broken as never);

    // Assess
    await expect(validation).rejects.toThrow();
  });

  it.each(allOperations.map((operation) => ({ route: label(operation), operation })))('documents $route', ({ operation }) => {
    // Act
    const documented = operationIn(document, operation);

    // Assess
    expect(documented?.operationId).toBe(operation.operationId);
    expect(documented?.summary).toBe(operation.summary);
    expect(documented?.tags).toEqual([operation.tag]);
  });

  it('gives every operation its own operationId', () => {
    // Act
    const ids = allOperations.map((operation) => operation.operationId);

    // Assess
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('documents no route that is not an operation', () => {
    // Act
    const documented = Object.entries(document.paths as Json).flatMap(([path, methods]) =>
      Object.keys(methods as Json).map((method) => `${method.toUpperCase()} ${path}`),
    );

    // Assess
    expect(documented.sort()).toEqual(allOperations.map(label).sort());
  });

  it.each(protectedOperations.map((operation) => ({ route: label(operation), operation })))(
    'documents 401 and 403 as problem+json for $route, behind the API key',
    ({ operation }) => {
      // Act
      const documented = operationIn(document, operation) as Json;

      // Assess
      expect(documented.security).toEqual([{ apiKey: [] }]);
      for (const status of ['401', '403']) {
        expect(Object.keys(documented.responses[status]?.content ?? {})).toEqual([PROBLEM]);
        expect(documented.responses[status].content[PROBLEM].schema).toBeDefined();
      }
    },
  );

  it.each(publicOperations.map((operation) => ({ route: label(operation), operation })))(
    'documents $route as public, without 401 or 403',
    ({ operation }) => {
      // Act
      const documented = operationIn(document, operation) as Json;

      // Assess
      expect(documented.security).toEqual([]);
      expect(documented.responses['401']).toBeUndefined();
      expect(documented.responses['403']).toBeUndefined();
    },
  );

  it.each(allOperations.map((operation) => ({ route: label(operation), operation })))(
    'documents every error of $route as a problem, and each path parameter',
    ({ operation }) => {
      // Prepare
      const pathParams = [...operation.path.matchAll(/\{([^}]+)\}/g)].map((match) => match[1]);

      // Act
      const documented = operationIn(document, operation) as Json;

      // Assess
      for (const [status, response] of Object.entries(documented.responses as Json)) {
        if (Number(status) >= 400) expect(Object.keys((response as Json).content ?? {}), `${status}`).toEqual([PROBLEM]);
      }
      expect(documented.responses['500']).toBeDefined();
      const documentedPathParams = (documented.parameters ?? [])
        .filter((parameter: Json) => parameter.in === 'path')
        .map((parameter: Json) => parameter.name);
      expect(documentedPathParams.sort()).toEqual(pathParams.sort());
      if (operation.body) expect(documented.requestBody?.content?.['application/json']?.schema).toBeDefined();
    },
  );

  it('describes the bearer API key scheme and the problem schema', () => {
    // Act
    const { securitySchemes, schemas } = document.components as Json;

    // Assess
    expect(securitySchemes.apiKey).toMatchObject({ type: 'http', scheme: 'bearer' });
    expect(schemas.Problem.properties).toHaveProperty('errors');
  });

  it('documents the If-Match header on conditional updates', () => {
    // Prepare
    const patch = allOperations.find((operation) => operation.operationId === 'updateService') as Operation;

    // Act
    const headers = ((operationIn(document, patch)?.parameters ?? []) as Json[]).filter((parameter) => parameter.in === 'header');

    // Assess
    expect(headers.map((parameter) => parameter.name)).toContain('If-Match');
    expect(operationIn(document, patch)?.responses['412']).toBeDefined();
  });
});
