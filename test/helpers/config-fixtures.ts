import fastJsonPatch, { type Operation } from 'fast-json-patch';
import { expect } from 'vitest';
import { type Runtime, startRuntime } from '../../local/runtime.ts';
import { type ApiClient, type ApiResponse, api, readAll } from './http-client.ts';

/**
 * Shared set-up for the configuration end-to-end tests: a runtime, services, layers, keys, and
 * a snapshot of everything a configuration change could have written, so that a refused
 * request can be shown to have written nothing.
 */

export interface ConfigWorld {
  runtime: Runtime;
  admin: ApiClient;
}

export async function startConfigWorld(): Promise<ConfigWorld> {
  const runtime = await startRuntime({ memory: true, port: 0, reconcileEveryMs: 3_600_000 });
  return { runtime, admin: api(runtime) };
}

export async function createService(client: ApiClient, name: string): Promise<void> {
  const response = await client.post('/v1/services', { name, kind: 'api' });
  expect(response.status, response.text).toBe(201);
}

/** Makes an API key and returns a client that sends it. */
export async function clientWithKey(
  admin: ApiClient,
  name: string,
  role: 'viewer' | 'deployer' | 'admin',
  services?: string[],
): Promise<{ client: ApiClient; keyId: string; keyName: string }> {
  const response = await admin.post('/v1/api-keys', { name, role, ...(services ? { services } : {}) });
  expect(response.status, response.text).toBe(201);
  return { client: admin.as(response.json.key), keyId: response.json.id, keyName: response.json.name };
}

export function configPath(service: string, rest = ''): string {
  return `/v1/services/${service}/configs${rest}`;
}

export interface LayerBody {
  values: Record<string, unknown>;
  extends?: string | null;
  message?: string;
}

export async function putLayer(
  client: ApiClient,
  service: string,
  layer: string,
  body: LayerBody,
  headers: Record<string, string> = {},
): Promise<ApiResponse> {
  return client.request('PUT', configPath(service, `/${layer}`), body, { headers });
}

/** Writes a layer and insists it worked (201 or 200). */
export async function writeLayer(client: ApiClient, service: string, layer: string, body: LayerBody): Promise<ApiResponse> {
  const response = await putLayer(client, service, layer, body);
  expect([200, 201], `PUT ${layer}: ${response.text}`).toContain(response.status);
  return response;
}

export async function writeVariables(
  client: ApiClient,
  service: string,
  environment: string,
  variables: Record<string, string>,
): Promise<ApiResponse> {
  const response = await client.request('PUT', configPath(service, `/${environment}/variables`), variables);
  expect(response.status, response.text).toBe(200);
  return response;
}

export async function writeSchema(client: ApiClient, service: string, schema: object): Promise<ApiResponse> {
  const response = await client.request('PUT', `/v1/services/${service}/config-schema`, schema);
  expect(response.status, response.text).toBe(200);
  return response;
}

export async function resolved(client: ApiClient, service: string, environment: string): Promise<ApiResponse> {
  const response = await client.get(configPath(service, `/${environment}`));
  expect(response.status, response.text).toBe(200);
  return response;
}

/** The service's configuration audit records, newest first. */
export async function configAudit(client: ApiClient, service: string, type = 'config.*'): Promise<any[]> {
  return readAll(client, `/v1/services/${service}/history`, { type, limit: 100 });
}

/**
 * Everything configuration writes for a service, as the API shows it: the layers, every
 * version of each, the variables, the schema and the audit trail.
 */
export async function configSnapshot(client: ApiClient, service: string, layerNames: string[] = []): Promise<unknown> {
  const head = await client.get(configPath(service));
  const layers = [
    ...new Set([...layerNames, ...((head.json?.layers ?? []) as Array<{ layer: string }>).map((entry) => entry.layer)]),
  ].sort();
  const versions: Record<string, unknown> = {};
  const variables: Record<string, unknown> = {};
  for (const layer of layers) {
    versions[layer] = await readAll(client, configPath(service, `/${layer}/versions`), { limit: 100 });
    if (layer !== 'base') variables[layer] = (await client.get(configPath(service, `/${layer}/variables`))).json;
  }
  const schema = await client.get(`/v1/services/${service}/config-schema`);
  return {
    head: head.json,
    versions,
    variables,
    schema: schema.status === 200 ? schema.json : schema.status,
    audit: await configAudit(client, service),
  };
}

/** Applies an RFC 6902 patch to a copy of `document`, validating every operation. */
export function applyJsonPatch<T>(document: T, patch: Operation[]): T {
  return fastJsonPatch.applyPatch(structuredClone(document), patch, true, false).newDocument as T;
}

/** An object of about `bytes` bytes of JSON, with keys starting with `prefix`. */
export function valuesOfSize(bytes: number, prefix: string): Record<string, string> {
  const chunk = 'x'.repeat(1000);
  const values: Record<string, string> = {};
  for (let i = 0; JSON.stringify(values).length < bytes; i++) values[`${prefix}${i}`] = chunk;
  return values;
}

export function jsonSize(value: unknown): number {
  return Buffer.byteLength(JSON.stringify(value));
}
