import { expect } from 'vitest';
import type { ApiClient } from './http-client.ts';

/** API steps the deployment end-to-end tests share. */

export const FINAL_STATUSES = ['succeeded', 'rolled_back', 'failed', 'cancelled'] as const;

export interface DeploymentView {
  id: string;
  service: string;
  environment: string;
  version: string;
  fromVersion: string | null;
  status: string;
  strategy: string;
  preset: string | null;
  steps: Array<{ percent: number; bakeSeconds: number }>;
  currentStep: { index: number; percent: number | null; bakeSeconds: number | null; startedAt: string | null; endsAt: string | null };
  weights: Record<string, number>;
  previousWeights: Record<string, number>;
  failureReason: string | null;
  approvalDeadline: string | null;
  rollbackWindowEndsAt: string | null;
  [field: string]: unknown;
}

export interface DeploymentEvent {
  seq: number;
  at: string;
  type: string;
  message: string;
  weights: Record<string, number> | null;
  step: number | null;
  evidence: any;
}

/** Creates a service with these versions, each released unless told otherwise. */
export async function serviceWithVersions(
  client: ApiClient,
  name: string,
  versions: Array<string | { version: string; status?: 'draft' | 'released' | 'deprecated' | 'retired'; artifact?: unknown }>,
): Promise<void> {
  const created = await client.post('/v1/services', { name, kind: 'api' });
  expect(created.status, created.text).toBe(201);
  for (const entry of versions) {
    const { version, status = 'released', artifact } = typeof entry === 'string' ? { version: entry } : entry;
    const registered = await client.post(`/v1/services/${name}/versions`, { version, ...(artifact ? { artifact } : {}) });
    expect(registered.status, registered.text).toBe(201);
    const path = ['release', 'deprecate', 'retire'].slice(0, ['draft', 'released', 'deprecated', 'retired'].indexOf(status));
    for (const action of path) {
      const moved = await client.post(`/v1/services/${name}/versions/${version}/${action}`);
      expect(moved.status, moved.text).toBe(200);
    }
  }
}

export async function putEnvironment(client: ApiClient, service: string, env: string, body: Record<string, unknown> = {}) {
  const response = await client.request('PUT', `/v1/services/${service}/environments/${env}`, body);
  expect([200, 201], response.text).toContain(response.status);
  return response;
}

/** POST .../deployments, expecting 202. */
export async function startDeployment(
  client: ApiClient,
  service: string,
  body: Record<string, unknown>,
  headers: Record<string, string> = {},
): Promise<DeploymentView> {
  const response = await client.post(`/v1/services/${service}/deployments`, body, { headers });
  expect(response.status, response.text).toBe(202);
  expect(response.headers.get('location')).toBe(`/v1/services/${service}/deployments/${response.json.id}`);
  return response.json as DeploymentView;
}

export async function getDeployment(client: ApiClient, service: string, id: string): Promise<DeploymentView> {
  const response = await client.get(`/v1/services/${service}/deployments/${id}`);
  expect(response.status, response.text).toBe(200);
  return response.json as DeploymentView;
}

/**
 * Polls a deployment until `accept` holds. The limit only keeps a broken workflow from hanging
 * the test; nothing asserts how long it took.
 */
export async function waitForDeployment(
  client: ApiClient,
  service: string,
  id: string,
  accept: (deployment: DeploymentView) => boolean,
  limitMs = 25_000,
): Promise<DeploymentView> {
  const giveUpAt = Date.now() + limitMs;
  let last: DeploymentView | undefined;
  while (Date.now() < giveUpAt) {
    last = await getDeployment(client, service, id);
    if (accept(last)) return last;
    if ((FINAL_STATUSES as readonly string[]).includes(last.status)) break;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(`deployment ${id} never reached the expected state; last seen: ${JSON.stringify(last)}`);
}

/** Waits until the deployment is in a final status, and returns it. */
export async function finished(client: ApiClient, service: string, id: string, limitMs?: number): Promise<DeploymentView> {
  return waitForDeployment(client, service, id, (deployment) => (FINAL_STATUSES as readonly string[]).includes(deployment.status), limitMs);
}

export async function deploymentEvents(client: ApiClient, service: string, id: string): Promise<DeploymentEvent[]> {
  const events: DeploymentEvent[] = [];
  let cursor: string | undefined;
  do {
    const response = await client.get(`/v1/services/${service}/deployments/${id}/events`, { query: { limit: 100, cursor } });
    expect(response.status, response.text).toBe(200);
    events.push(...response.json.items);
    cursor = response.json.nextCursor ?? undefined;
  } while (cursor);
  return events;
}

export async function environment(client: ApiClient, service: string, env: string) {
  const response = await client.get(`/v1/services/${service}/environments/${env}`);
  expect(response.status, response.text).toBe(200);
  return response.json;
}

export async function routing(
  client: ApiClient,
  service: string,
  env: string,
): Promise<{ weights: Record<string, number>; revision: number }> {
  const response = await client.get(`/v1/services/${service}/environments/${env}/routing`);
  expect(response.status, response.text).toBe(200);
  return response.json;
}

/** The new version's share at every weight change the events record (step_completed and restores). */
export function sharesOf(events: DeploymentEvent[], version: string, type = 'deployment.step_completed'): number[] {
  return events.filter((event) => event.type === type && event.weights).map((event) => event.weights?.[version] ?? 0);
}
