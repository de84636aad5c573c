import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { documentClient } from '../../functions/kernel/store/client.ts';
import { querySamples } from '../../functions/metrics/metrics.store.ts';
import { RUNNER_CONCURRENCY, runDueChecks, runnerConcurrency } from '../../functions/health-checks/runner.ts';
import { type Runtime, startRuntime } from '../../local/runtime.ts';
import { type ApiClient, api, expectNoServerErrors, readAll } from '../helpers/http-client.ts';
import { startTargets, type Targets } from './targets.ts';

/**
 * The runner's store work per check on a tick: heads read in BatchGets, the claim's run item
 * reused, results and metric samples batched; what a tick recorded is all there when it returns.
 */

let runtime: Runtime;
let client: ApiClient;
let targets: Targets;
const SERVICE = 'runner-store-api';
const base = `/v1/services/${SERVICE}/health-checks`;

beforeAll(async () => {
  runtime = await startRuntime({ memory: true, port: 0, reconcileEveryMs: 3_600_000, tickSeconds: 3600 });
  client = api(runtime);
  targets = await startTargets();
  expect((await client.post('/v1/services', { name: SERVICE, kind: 'api' })).status).toBe(201);
});

afterAll(async () => {
  expectNoServerErrors(client.log);
  await targets?.close();
  await runtime?.close();
});

async function create(path: string, extra: Record<string, unknown> = {}) {
  const response = await client.post(base, {
    environment: 'prod',
    url: `${targets.url}${path}`,
    intervalSeconds: 3600,
    conditions: ['[STATUS] == 200'],
    failureThreshold: 1,
    successThreshold: 1,
    ...extra,
  });
  expect(response.status, response.text).toBe(201);
  return response.json as { id: string };
}

describe('runnerConcurrency', () => {
  it('takes STEWARD_HEALTH_CHECK_CONCURRENCY when set, and refuses nonsense', () => {
    expect(runnerConcurrency({})).toBe(RUNNER_CONCURRENCY);
    expect(runnerConcurrency({ STEWARD_HEALTH_CHECK_CONCURRENCY: '' })).toBe(RUNNER_CONCURRENCY);
    expect(runnerConcurrency({ STEWARD_HEALTH_CHECK_CONCURRENCY: '8' })).toBe(8);
    for (const bad of ['0', '-1', '2.5', 'many', '201']) {
      expect(() => runnerConcurrency({ STEWARD_HEALTH_CHECK_CONCURRENCY: bad })).toThrow(/STEWARD_HEALTH_CHECK_CONCURRENCY/);
    }
  });
});

describe('a tick', () => {
  it('records every result and sample by the time it returns, with few store calls per check', async () => {
    // A first success of successThreshold 2 changes no state: the common path. More than one
    // BatchGet chunk of heads (100) and many BatchWrites (25 requests).
    const up = [];
    for (let i = 0; i < 110; i++) up.push(await create('/up', { successThreshold: 2 }));

    const commands: Record<string, number> = {};
    const stack = documentClient().middlewareStack;
    stack.add(
      (next, context) => (args) => {
        const name = (context.commandName ?? 'unknown').replace(/Command$/, '');
        commands[name] = (commands[name] ?? 0) + 1;
        return next(args);
      },
      { step: 'initialize', name: 'runnerStoreCount' },
    );
    const started = new Date();
    let tick: Awaited<ReturnType<typeof runDueChecks>>;
    try {
      tick = await runDueChecks(new Date(Date.now() + 1000), { concurrency: 20 });
    } finally {
      stack.remove('runnerStoreCount');
    }
    expect(tick).toMatchObject({ due: 110, ran: 110, failed: 0 });
    // Claim and completion each; heads in BatchGets; results, markers and samples batched.
    const seen = JSON.stringify(commands);
    expect(commands.UpdateItem, seen).toBe(220);
    expect(commands.GetItem ?? 0, seen).toBe(0);
    expect(commands.PutItem ?? 0, seen).toBe(0);
    expect(commands.BatchGetItem ?? 0, seen).toBeLessThanOrEqual(2 + 110);
    expect(commands.BatchWriteItem ?? 0, seen).toBeLessThanOrEqual(Math.ceil((110 * 4 + 2) / 25) + 2);

    for (const check of up.slice(0, 5)) {
      const results = await readAll(client, `${base}/${check.id}/results`, {});
      expect(results).toHaveLength(1);
      const head = (await client.get(`${base}/${check.id}`)).json;
      expect(head).toMatchObject({ state: 'unknown', lastResult: { ok: true } });
    }
    const to = new Date(Date.now() + 1000);
    expect(await querySamples('health.success', SERVICE, started, to)).toHaveLength(110);
    expect(await querySamples('health.latency_ms', SERVICE, started, to)).toHaveLength(110);
  });

  it('records a state change as one event per check', async () => {
    const down = [];
    for (let i = 0; i < 10; i++) down.push(await create('/down'));
    const tick = await runDueChecks(new Date(Date.now() + 1000), { concurrency: 20 });
    expect(tick).toMatchObject({ ran: 10, failed: 10 });
    const events = await readAll(client, `/v1/services/${SERVICE}/history`, { type: 'healthcheck.state_changed' });
    for (const check of down) {
      expect((await client.get(`${base}/${check.id}`)).json.state).toBe('unhealthy');
      expect(events.filter((event) => event.subject === `healthcheck/${SERVICE}/${check.id}`)).toHaveLength(1);
      expect(await readAll(client, `${base}/${check.id}/results`, {})).toHaveLength(1);
    }
  });
});
