import { readFileSync } from 'node:fs';
import SwaggerParser from '@apidevtools/swagger-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { allOperations } from '../../functions/system/all-routes.ts';
import { type Runtime, startRuntime } from '../../local/runtime.ts';
import { type ApiClient, api, expectNoServerErrors, expectProblem } from '../helpers/http-client.ts';

/** Journey step 8: the probes, system information, the OpenAPI document and the rendered docs. */

let runtime: Runtime;
let client: ApiClient;
let viewerKey: string;

const packageVersion = (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;

beforeAll(async () => {
  runtime = await startRuntime({ memory: true, port: 0, reconcileEveryMs: 3_600_000 });
  client = api(runtime);
  const key = await client.post('/v1/api-keys', { name: 'probe-reader', role: 'viewer' });
  expect(key.status).toBe(201);
  viewerKey = key.json.key;
});

afterAll(async () => {
  await runtime?.close();
});

describe('health probes', () => {
  it('GET /health answers 200 without a key', async () => {
    const response = await client.get('/health', { key: null });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    expect(response.json).toEqual({ status: 'ok' });
    expect(response.headers.get('cache-control')).toBe('no-store');
  });

  it('GET /health/ready answers 200 when the table answers', async () => {
    const response = await client.get('/health/ready', { key: null });
    expect(response.status).toBe(200);
    expect(response.json).toEqual({ status: 'ready', checks: { table: 'ok' } });
  });

  it('public routes ignore a bad key rather than refusing it', async () => {
    expect((await client.get('/health', { key: 'stw_not-a-key' })).status).toBe(200);
    expect((await client.get('/openapi.json', { key: 'stw_not-a-key' })).status).toBe(200);
  });
});

describe('GET /system/info', () => {
  it('needs a key', async () => {
    expectProblem(await client.get('/system/info', { key: null }), 401);
    expectProblem(await client.get('/system/info', { key: 'stw_not-a-key' }), 401);
  });

  it('tells a viewer the version, stage, region and uptime', async () => {
    const response = await client.get('/system/info', { key: viewerKey });
    expect(response.status).toBe(200);
    expect(response.json).toMatchObject({
      name: 'steward',
      version: process.env.STEWARD_VERSION ?? packageVersion,
      stage: expect.any(String),
      region: expect.any(String),
      runtime: 'local',
    });
    expect(response.json.version).toBe(packageVersion);
    expect(response.json.startedAt).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
    expect(Number.isInteger(response.json.uptimeSeconds)).toBe(true);
    expect(response.json.uptimeSeconds).toBeGreaterThanOrEqual(0);
  });
});

describe('GET /openapi.json', () => {
  let document: any;

  beforeAll(async () => {
    const response = await client.get('/openapi.json', { key: null });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    document = response.json;
  });

  it('is public and OpenAPI 3.1', () => {
    expect(document.openapi).toMatch(/^3\.1\.\d+$/);
    expect(document.info).toMatchObject({ title: 'Steward', version: packageVersion });
  });

  it('passes a real OpenAPI validator', async () => {
    await expect(SwaggerParser.validate(structuredClone(document))).resolves.toBeTruthy();
  });

  it('documents every route the server answers, and no other', () => {
    const documented = Object.entries(document.paths as Record<string, Record<string, unknown>>).flatMap(([path, methods]) =>
      Object.keys(methods)
        .filter((method) => ['get', 'post', 'put', 'patch', 'delete'].includes(method))
        .map((method) => `${method.toUpperCase()} ${path}`),
    );
    const served = allOperations.map((operation) => `${operation.method} ${operation.path}`);
    expect(documented.sort()).toEqual(served.sort());
    for (const route of [
      'POST /v1/services',
      'GET /v1/services',
      'GET /v1/services/{name}',
      'PATCH /v1/services/{name}',
      'POST /v1/services/{name}/versions',
      'GET /v1/services/{name}/versions',
      'GET /v1/services/{name}/versions/{version}',
      'POST /v1/services/{name}/versions/{version}/changes',
      'POST /v1/services/{name}/versions/{version}/release',
      'POST /v1/services/{name}/versions/{version}/deprecate',
      'POST /v1/services/{name}/versions/{version}/retire',
      'GET /v1/services/{name}/history',
      'GET /v1/audit',
      'GET /v1/audit/export',
      'GET /v1/audit/report',
      'POST /v1/api-keys',
      'GET /v1/api-keys',
      'DELETE /v1/api-keys/{id}',
      'GET /health',
      'GET /health/ready',
      'GET /system/info',
      'GET /openapi.json',
      'GET /docs',
    ]) {
      expect(documented).toContain(route);
    }
  });

  it('marks public routes as needing no key and every other route as needing one, with its errors', () => {
    const publicRoutes = new Set(allOperations.filter((operation) => operation.access === 'public').map((operation) => operation.path));
    expect([...publicRoutes]).toEqual(
      expect.arrayContaining(['/', '/health', '/health/ready', '/openapi.json', '/docs', '/docs/scalar.js']),
    );
    expect(document.components.securitySchemes.apiKey).toMatchObject({ type: 'http', scheme: 'bearer' });
    for (const [path, methods] of Object.entries(document.paths as Record<string, Record<string, any>>)) {
      for (const operation of Object.values(methods)) {
        if (publicRoutes.has(path)) {
          expect(operation.security, path).toEqual([]);
          continue;
        }
        expect(operation.security, path).toEqual([{ apiKey: [] }]);
        for (const status of ['401', '403']) {
          expect(operation.responses[status], `${path} ${status}`).toBeDefined();
          expect(Object.keys(operation.responses[status].content), `${path} ${status}`).toEqual(['application/problem+json']);
        }
        if (operation.requestBody) {
          for (const status of ['400', '413', '415']) expect(operation.responses[status], `${path} ${status}`).toBeDefined();
        }
      }
    }
  });

  it('describes the request and response bodies from the same schemas that validate them', () => {
    const schemas = document.components.schemas as Record<string, any>;
    for (const name of [
      'Service',
      'ServiceCreate',
      'ServicePatch',
      'Version',
      'VersionCreate',
      'Change',
      'ApiKey',
      'ApiKeyCreated',
      'AuditRecord',
      'Problem',
    ]) {
      expect(schemas[name], name).toBeDefined();
    }
    expect(schemas.ServiceCreate.additionalProperties).toBe(false);
    expect(schemas.ServiceCreate.required).toEqual(expect.arrayContaining(['name', 'kind']));
    expect(schemas.ServiceCreate.properties.kind.enum).toEqual(['api', 'model']);
    const create = document.paths['/v1/services'].post;
    expect(create.requestBody.content['application/json'].schema.$ref).toBe('#/components/schemas/ServiceCreate');
    expect(create.responses['201']).toBeDefined();
    expect(create.responses['409']).toBeDefined();
    const patch = document.paths['/v1/services/{name}'].patch;
    expect(patch.responses['412']).toBeDefined();
    expect(patch.parameters.map((parameter: { name: string }) => parameter.name)).toEqual(expect.arrayContaining(['name', 'If-Match']));
    const list = document.paths['/v1/services'].get;
    expect(list.parameters.map((parameter: { name: string }) => parameter.name)).toEqual(expect.arrayContaining(['limit', 'cursor']));
    expect(document.paths['/v1/audit/export'].get.responses['200'].content['application/x-ndjson']).toBeDefined();
  });
});

describe('GET /docs', () => {
  it('is a public HTML page that renders /openapi.json with the API reference script Steward serves itself (no CDN)', async () => {
    // Act
    const response = await client.get('/docs', { key: null });

    // Assess
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/html/);
    expect(response.text).toMatch(/^<!doctype html>/i);
    expect(response.text).toContain('"url":"/openapi.json"');
    const scripts = [...response.text.matchAll(/<script src="([^"]+)"/g)].map((match) => match[1]);
    expect(scripts).toEqual([expect.stringMatching(/^\/docs\/scalar\.js\?v=/)]);
    expect(response.text).not.toMatch(/https?:\/\//);
    expect(response.text).toContain('"withDefaultFonts":false');
    expect(response.text).toContain('"telemetry":false');
    // Scalar's script mounts a default-configured reference on #api-reference by itself: not that id.
    expect(response.text).not.toContain('id="api-reference"');
  });

  it("serves the script of Scalar's API reference (table of contents, schemas, try-it) from node_modules", async () => {
    // Act
    const page = await client.get('/docs', { key: null });
    const src = page.text.match(/<script src="([^"]+)"/)?.[1] as string;
    const script = await client.get(src, { key: null });

    // Assess
    expect(script.status).toBe(200);
    expect(script.headers.get('content-type')).toMatch(/^text\/javascript/);
    expect(script.headers.get('cache-control')).toMatch(/max-age=\d+/);
    expect(script.text).toContain('createApiReference');
    expect(script.text.length).toBeGreaterThan(1_000_000);
  });
});

describe('GET /', () => {
  it('redirects to /docs', async () => {
    // Act
    const response = await fetch(`${client.url}/`, { redirect: 'manual' });

    // Assess
    expect(response.status).toBe(302);
    expect(response.headers.get('location')).toBe('/docs');
  });
});

it('answered no request with a server error, and every error as problem+json', () => {
  expectNoServerErrors(client.log);
});
