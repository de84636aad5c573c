import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Contract } from '../../functions/kernel/http/operation.ts';
import { hasRole, ROLES, type Role } from '../../functions/kernel/roles.ts';
import { allContracts } from '../../functions/system/all-contracts.ts';
import type { Runtime } from '../../local/runtime.ts';
import { call, startTestRuntime } from '../helpers/runtime.ts';

/**
 * The route × role × scope matrix, generated from every contract: each route is called over HTTP
 * against the local runtime by a key of each role, unlimited and limited to one service, on the
 * key's own service and on another. A route allows exactly what its role and declared scope say:
 * too small a role is 403; another service's path, body or query is 403; another service's
 * resource is 404 (as if it did not exist); a route acting on every service refuses limited
 * keys; lists never show a limited key another service's things. "Allowed" means the request
 * got past authorization (any status but 401 and 403; never a 500).
 */

const IN = 'scope-in';
const OUT = 'scope-out';

let runtime: Runtime;
const keys = new Map<string, string>();
const keyName = (role: Role, limited: boolean) => `${role}-${limited ? 'limited' : 'all'}`;

/** Resources of each service (and of every service: webhooks and subscriptions; alert rules always have one), for the resource-scoped routes. */
const fixtures: Record<'in' | 'out' | 'global', Record<string, string>> = { in: {}, out: {}, global: {} };
let mail = 0;

async function admin(method: string, path: string, body?: unknown) {
  const reply = await call(runtime, method, path, { body });
  expect(reply.status, `${method} ${path}: ${JSON.stringify(reply.body)}`).toBeLessThan(300);
  return reply.body;
}

async function makeFixtures(target: 'in' | 'out', service: string) {
  await admin('POST', '/v1/services', { name: service, kind: 'api' });
  const rule = await admin('POST', '/v1/alert-rules', ruleBody(service));
  const incident = await admin('POST', '/v1/incidents', { service, title: 'Matrix' });
  const webhook = await admin('POST', '/v1/webhooks', { url: 'http://127.0.0.1:9/hook', events: ['*'], services: [service] });
  const subscription = await admin('POST', '/v1/subscriptions', subscriptionBody([service]));
  fixtures[target] = { rule: rule.id, incident: incident.id, webhook: webhook.id, subscription: subscription.id };
}

const ruleBody = (service: string) => ({
  name: 'matrix',
  service,
  metric: 'http.latency_ms',
  agg: 'avg',
  window: '5m',
  op: '>',
  threshold: 1,
  for: '0s',
  severity: 'warning',
});
const subscriptionBody = (services: string[] | undefined) => ({
  protocol: 'email',
  endpoint: `matrix-${++mail}@example.com`,
  ...(services ? { filter: { services } } : {}),
});

/** A body that names `service` for a body-scoped route (valid, so the route gets to act). */
function bodyNaming(contract: Contract, service: string): unknown {
  switch (contract.operationId) {
    case 'createService':
      return { name: service, kind: 'api' };
    case 'createAlertRule':
      return ruleBody(service);
    case 'openIncident':
      return { service, title: 'Matrix' };
    case 'ingestMetrics':
      return { samples: [{ name: 'matrix.count', type: 'counter', value: 1, labels: { service } }] };
    case 'createWebhook':
      return { url: 'http://127.0.0.1:9/hook', events: ['*'], services: [service] };
    case 'createSubscription':
      return subscriptionBody([service]);
    default:
      throw new Error(`no body for ${contract.operationId}: add one`);
  }
}

/** Valid bodies for routes that require one, so a refusal is the scope's, not validation's. */
const REQUIRED_BODIES: Record<string, (service: string | undefined) => unknown> = {
  addIncidentNote: () => ({ text: 'matrix' }),
  resolveIncident: () => ({ summary: 'matrix' }),
  updateWebhook: () => ({ description: 'matrix' }),
  // The filter is replaced whole: it keeps the fixture's own services (none: every service).
  updateSubscription: (service) => ({ filter: service ? { services: [service] } : {} }),
  updateAlertRule: () => ({ threshold: 2 }),
};

/**
 * Rules a route adds to its role and scope, on purpose: revealing a secret needs an admin, or a
 * deployer limited to that service (an unlimited deployer may not read every service's secrets).
 */
const STRICTER: Record<string, (role: Role, limited: boolean) => boolean> = {
  revealSecret: (role, limited) => role === 'deployer' && !limited,
};

/** The fixture a resource route addresses: rules, incidents, webhooks, subscriptions (alerts: none exist, so 404). */
function resourceId(contract: Contract, target: 'in' | 'out' | 'global'): string {
  const family = contract.path.split('/')[2];
  const byFamily: Record<string, string> = {
    'alert-rules': 'rule',
    incidents: 'incident',
    webhooks: 'webhook',
    subscriptions: 'subscription',
  };
  return fixtures[target][byFamily[family ?? ''] ?? ''] ?? '01JAAAAAAAAAAAAAAAAAAAAAAA';
}

function pathFor(contract: Contract, service: string, id: string): string {
  return contract.path
    .replace('{name}', service)
    .replace('{id}', id)
    .replace('{env}', 'prod')
    .replace('{version}', '1.0.0')
    .replace('{secretName}', 'matrix-secret')
    .replace('{eventId}', '01JAAAAAAAAAAAAAAAAAAAAAAA');
}

function queryFor(contract: Contract, service: string): string {
  const scope = contract.scope;
  if (scope.from === 'query') return `?labels=${encodeURIComponent(`service=${service}`)}&name=matrix.count`;
  if (scope.from === 'list' && scope.query) return `?${scope.query}=${service}`;
  return '';
}

/** One request; a body that is not JSON (the docs page, a redirect) is left unread. */
async function send(method: string, path: string, key: string, body: unknown): Promise<{ status: number; body: any }> {
  const response = await fetch(`${runtime.url}${path}`, {
    method,
    redirect: 'manual',
    headers: { authorization: `Bearer ${key}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const json = /^application\/(problem\+)?json\b/.test(response.headers.get('content-type') ?? '');
  return { status: response.status, body: json ? await response.json() : await response.text().then(() => undefined) };
}

interface Case {
  label: string;
  role: Role;
  limited: boolean;
  path: string;
  body?: unknown;
  expect: 'allowed' | 403 | 404;
}

/** Every case of one route, with what its role and scope say must happen. */
function casesOf(contract: Contract): Case[] {
  const cases: Case[] = [];
  for (const role of ROLES) {
    for (const limited of [false, true]) {
      const roleOk = contract.access === 'public' || hasRole({ keyId: 'matrix', name: 'matrix', role, services: null }, contract.access);
      const scope = contract.scope;
      const add = (label: string, target: 'in' | 'out' | 'global', outcome: Case['expect']) => {
        const service = target === 'out' ? OUT : IN;
        const id = resourceId(contract, target);
        const required = REQUIRED_BODIES[contract.operationId];
        const body =
          scope.from === 'body'
            ? bodyNaming(contract, service)
            : required
              ? required(target === 'global' ? undefined : service)
              : contract.body
                ? {}
                : undefined;
        const stricter = STRICTER[contract.operationId]?.(role, limited) ?? false;
        cases.push({
          label: `${keyName(role, limited)} on ${label}`,
          role,
          limited,
          path: pathFor(contract, service, id) + queryFor(contract, service),
          body,
          expect: roleOk && !stricter ? outcome : 403,
        });
      };
      if (scope.from === 'resource') {
        add('its own service', 'in', 'allowed');
        add('another service', 'out', limited ? 404 : 'allowed');
        add('every service', 'global', limited ? 404 : 'allowed');
      } else if (scope.from === 'global') {
        add('every service', 'in', limited ? 403 : 'allowed');
      } else if (scope.from === 'none' || (scope.from === 'list' && !scope.query)) {
        add('whatever it shows', 'in', 'allowed');
      } else {
        add('its own service', 'in', 'allowed');
        add('another service', 'out', limited ? 403 : 'allowed');
      }
    }
  }
  return cases;
}

beforeAll(async () => {
  runtime = await startTestRuntime();
  await makeFixtures('in', IN);
  await makeFixtures('out', OUT);
  const webhook = await admin('POST', '/v1/webhooks', { url: 'http://127.0.0.1:9/hook', events: ['*'] });
  const subscription = await admin('POST', '/v1/subscriptions', subscriptionBody(undefined));
  fixtures.global = { webhook: webhook.id, subscription: subscription.id };
  for (const role of ROLES) {
    for (const limited of [false, true]) {
      const created = await admin('POST', '/v1/api-keys', { name: keyName(role, limited), role, ...(limited ? { services: [IN] } : {}) });
      keys.set(keyName(role, limited), created.key);
    }
  }
});

afterAll(async () => {
  await runtime?.close();
});

/** Reads come first, so that a route that deletes an in-scope fixture does not change what later cases read. */
const ordered = [...allContracts].sort((a, b) => Number(a.method !== 'GET') - Number(b.method !== 'GET'));

describe('the route × role × scope matrix', () => {
  it('covers every route, each with a declared scope', () => {
    // Assess
    expect(allContracts.length).toBeGreaterThan(90);
    for (const contract of allContracts) expect(contract.scope, contract.operationId).toBeDefined();
  });

  it.each(ordered.map((contract) => [`${contract.method} ${contract.path}`, contract] as const))('%s', async (_route, contract) => {
    const failures: string[] = [];
    for (const testCase of casesOf(contract)) {
      // Act
      const reply = await send(contract.method, testCase.path, keys.get(keyName(testCase.role, testCase.limited)) as string, testCase.body);

      // Assess
      const status = reply.status;
      const ok =
        status !== 500 &&
        (testCase.expect === 'allowed' ? status !== 401 && status !== 403 : testCase.expect === 404 ? status === 404 : status === 403);
      if (!ok) failures.push(`${testCase.label}: expected ${testCase.expect}, got ${status} ${JSON.stringify(reply.body)?.slice(0, 200)}`);
      if (ok && testCase.limited && status === 200 && Array.isArray(reply.body?.items)) {
        const leaked = reply.body.items.filter((item: Record<string, unknown>) => JSON.stringify(item).includes(OUT));
        if (leaked.length > 0) failures.push(`${testCase.label}: a limited key was shown ${leaked.length} item(s) of ${OUT}`);
      }
    }
    expect(failures).toEqual([]);
  });
});
