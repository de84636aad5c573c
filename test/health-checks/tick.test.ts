import { afterAll, beforeAll, expect, it } from 'vitest';
import { type Runtime, startRuntime } from '../../local/runtime.ts';
import { type ApiClient, api, expectNoServerErrors } from '../helpers/http-client.ts';
import { startTargets, type Targets } from './targets.ts';

/** The local runtime runs the health-check runner on its own tick (STEWARD_TICK_SECONDS; 1 here). */

let runtime: Runtime;
let client: ApiClient;
let targets: Targets;

beforeAll(async () => {
  runtime = await startRuntime({ memory: true, port: 0, reconcileEveryMs: 3_600_000, tickSeconds: 1 });
  client = api(runtime);
  targets = await startTargets();
  expect((await client.post('/v1/services', { name: 'tick-api', kind: 'api' })).status).toBe(201);
});

afterAll(async () => {
  expectNoServerErrors(client.log);
  await targets?.close();
  await runtime?.close();
});

it('runs a 1-second check on every tick until it is healthy, without anyone asking', async () => {
  const created = await client.post('/v1/services/tick-api/health-checks', {
    environment: 'dev',
    url: `${targets.url}/up`,
    intervalSeconds: 1,
    timeoutMs: 500,
    conditions: ['[STATUS] == 200'],
  });
  expect(created.status, created.text).toBe(201);
  const path = `/v1/services/tick-api/health-checks/${created.json.id}`;
  const deadline = Date.now() + 15_000;
  let view = (await client.get(path)).json;
  while (view.state !== 'healthy' && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 250));
    view = (await client.get(path)).json;
  }
  expect(view.state).toBe('healthy');
  const results = (await client.get(`${path}/results`)).json.items;
  expect(results.length).toBeGreaterThanOrEqual(2);
  expect(results.every((result: { ok: boolean }) => result.ok)).toBe(true);
});
