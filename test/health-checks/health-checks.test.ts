import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runDueChecks, sweepResults } from '../../functions/health-checks/runner.ts';
import { type Runtime, startRuntime } from '../../local/runtime.ts';
import { type ApiClient, api, expectInvalid, expectNoServerErrors, expectProblem, readAll } from '../helpers/http-client.ts';
import { startTargets, type Targets } from './targets.ts';

/**
 * Issue 4, item 1, end to end through the local runtime against real local HTTP servers: the
 * API, the runner (driven tick by tick here; the runtime's own tick is an hour away), thresholds,
 * results in day buckets and the sweep that stands in for DynamoDB TTL.
 */

let runtime: Runtime;
let client: ApiClient;
let targets: Targets;
const SERVICE = 'orders-api';
const base = `/v1/services/${SERVICE}/health-checks`;

beforeAll(async () => {
  runtime = await startRuntime({ memory: true, port: 0, reconcileEveryMs: 3_600_000, tickSeconds: 3600 });
  client = api(runtime);
  targets = await startTargets();
  for (const name of [SERVICE, 'other-api']) expect((await client.post('/v1/services', { name, kind: 'api' })).status).toBe(201);
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
    conditions: ['[STATUS] == 200', '[BODY].status == UP'],
    ...extra,
  });
  expect(response.status, response.text).toBe(201);
  return response.json as { id: string; state: string; etag: string };
}

const runNow = async (id: string) => {
  const response = await client.post(`${base}/${id}/run`);
  expect(response.status, response.text).toBe(200);
  return response.json as { result: any; state: string; stateChanged: boolean };
};

async function results(id: string, query: Record<string, string | number> = {}) {
  return readAll(client, `${base}/${id}/results`, query);
}

async function stateEvents(id: string) {
  const events = await readAll(client, `/v1/services/${SERVICE}/history`, { type: 'healthcheck.*' });
  return events.filter((event) => event.subject === `healthcheck/${SERVICE}/${id}` && event.type === 'healthcheck.state_changed');
}

describe('defining checks', () => {
  it('creates, lists with state, reads, patches with If-Match and deletes, each an event', async () => {
    const created = await create('/up', { failureThreshold: 2 });
    expect(created).toMatchObject({ state: 'unknown', failureThreshold: 2, successThreshold: 2, method: 'GET', timeoutMs: 10_000 });

    const list = await client.get(base);
    expect(list.json.items.map((item: { id: string }) => item.id)).toContain(created.id);

    const stale = await client.patch(`${base}/${created.id}`, { intervalSeconds: 120 }, { headers: { 'if-match': '"9"' } });
    expectProblem(stale, 412);
    const patched = await client.patch(`${base}/${created.id}`, { intervalSeconds: 120 }, { headers: { 'if-match': created.etag } });
    expect(patched.status, patched.text).toBe(200);
    expect(patched.json).toMatchObject({ intervalSeconds: 120, etag: '"2"' });

    expect((await client.delete(`${base}/${created.id}`)).status).toBe(204);
    expectProblem(await client.get(`${base}/${created.id}`), 404);
    expect((await client.get(base)).json.items.map((item: { id: string }) => item.id)).not.toContain(created.id);
    // Not found through another service's path either.
    const other = await create('/up');
    expectProblem(await client.get(`/v1/services/other-api/health-checks/${other.id}`), 404);

    const history = await readAll(client, `/v1/services/${SERVICE}/history`, { type: 'healthcheck.*' });
    const types = history.filter((event) => event.subject === `healthcheck/${SERVICE}/${created.id}`).map((event) => event.type);
    expect(types.sort()).toEqual(['healthcheck.created', 'healthcheck.deleted', 'healthcheck.updated']);
  });

  it('answers 400 pointing at each invalid condition, and writes nothing', async () => {
    const before = (await client.get(base)).json.items.length;
    const response = await client.post(base, {
      environment: 'prod',
      url: `${targets.url}/up`,
      intervalSeconds: 60,
      conditions: ['[STATUS] == 200', '[STATUS]==200', 'len([BODY].items) > 0', '[NOPE] == 1'],
    });
    const problem = expectProblem(response, 400);
    expect(problem.errors.map((error: { pointer: string }) => error.pointer)).toEqual(['/body/conditions/1', '/body/conditions/3']);
    expectInvalid(response, '/body/conditions/1');
    expect((await client.get(base)).json.items.length).toBe(before);

    const patch = await client.patch(`${base}/${(await create('/up')).id}`, { conditions: ['[BODY] == pat(*ok*'] });
    expectInvalid(patch, '/body/conditions/0');
    expectInvalid(
      await client.post(base, { environment: 'prod', url: 'ftp://x', intervalSeconds: 60, conditions: ['[STATUS] == 200'] }),
      '/body/url',
    );
  });

  it('refuses an interval under a minute unless a local tick is set', async () => {
    const saved = process.env.STEWARD_TICK_SECONDS;
    delete process.env.STEWARD_TICK_SECONDS; // as on AWS (the server runs in this process)
    try {
      const response = await client.post(base, {
        environment: 'prod',
        url: `${targets.url}/up`,
        intervalSeconds: 30,
        conditions: ['[STATUS] == 200'],
      });
      expectInvalid(response, '/body/intervalSeconds');
    } finally {
      process.env.STEWARD_TICK_SECONDS = saved;
    }
    expect(
      (await client.post(base, { environment: 'prod', url: `${targets.url}/up`, intervalSeconds: 5, conditions: ['[STATUS] == 200'] }))
        .status,
    ).toBe(201);
  });

  it('lets viewers read and deployers (of this service) write', async () => {
    const keyOf = async (name: string, role: string, services?: string[]) => {
      const response = await client.post('/v1/api-keys', { name, role, ...(services ? { services } : {}) });
      expect(response.status, response.text).toBe(201);
      return response.json.key as string;
    };
    const viewer = client.as(await keyOf('hc-viewer', 'viewer'));
    const elsewhere = client.as(await keyOf('hc-other-deployer', 'deployer', ['other-api']));
    const deployer = client.as(await keyOf('hc-deployer', 'deployer', [SERVICE]));
    const check = await create('/up');
    const body = { environment: 'prod', url: `${targets.url}/up`, intervalSeconds: 60, conditions: ['[STATUS] == 200'] };

    expect((await viewer.get(base)).status).toBe(200);
    expect((await viewer.get(`${base}/${check.id}/results`)).status).toBe(200);
    expectProblem(await viewer.post(base, body), 403);
    expectProblem(await viewer.post(`${base}/${check.id}/run`), 403);
    expectProblem(await elsewhere.post(base, body), 403);
    expectProblem(await elsewhere.delete(`${base}/${check.id}`), 403);
    expectProblem(await client.as(null).get(base), 401);
    expect((await deployer.post(base, body)).status).toBe(201);
    expect((await deployer.post(`${base}/${check.id}/run`)).status).toBe(200);
  });
});

describe('running checks', () => {
  it('records a passing result with status, latency and resolved conditions', async () => {
    const check = await create('/up', { conditions: ['[STATUS] == 200', 'len([BODY].items) > 0', '[RESPONSE_TIME] < 5000'] });
    const { result } = await runNow(check.id);
    expect(result).toMatchObject({ ok: true, status: 200, reason: null, detail: null, certificateExpiresAt: null });
    expect(result.latencyMs).toBeGreaterThanOrEqual(0);
    expect(result.conditions.map((c: { resolved: string }) => c.resolved)).toEqual([
      '[STATUS] (200) == 200',
      'len([BODY].items) (1) > 0',
      expect.stringMatching(/^\[RESPONSE_TIME\] \(\d+\) < 5000$/),
    ]);
  });

  it('records a down target (500) and a wrong body as failed conditions with what they resolved to', async () => {
    const down = (await runNow((await create('/down')).id)).result;
    expect(down).toMatchObject({ ok: false, status: 500, reason: 'conditions' });
    expect(down.conditions[0]).toMatchObject({ ok: false, resolved: '[STATUS] (500) == 200' });

    const wrong = (await runNow((await create('/wrong')).id)).result;
    expect(wrong).toMatchObject({ ok: false, status: 200, reason: 'conditions' });
    expect(wrong.conditions).toEqual([
      { condition: '[STATUS] == 200', ok: true, resolved: '[STATUS] (200) == 200' },
      { condition: '[BODY].status == UP', ok: false, resolved: '[BODY].status (DEGRADED) == UP' },
    ]);
    expect(wrong.detail).toContain('[BODY].status (DEGRADED) == UP');
  });

  it('records a slow target as a timeout and a refused target with its reason: failed results, not failed runs', async () => {
    const slow = (await runNow((await create('/slow/3000', { timeoutMs: 300 })).id)).result;
    expect(slow).toMatchObject({ ok: false, status: 0, reason: 'timeout' });
    expect(slow.latencyMs).toBeLessThan(3000);
    expect(slow.conditions[0]).toMatchObject({ ok: false });

    const refused = (await runNow((await create('/up', { url: 'http://10.0.0.1/health' })).id)).result;
    expect(refused).toMatchObject({ ok: false, status: 0, reason: 'refused' });
    expect(refused.detail).toMatch(/10\.0\.0\.1/);

    const closed = (await runNow((await create('/up', { url: 'http://127.0.0.1:1/health' })).id)).result;
    expect(closed).toMatchObject({ ok: false, status: 0, reason: 'connect' });
  });

  it('turns unhealthy after failureThreshold failures, and healthy only after successThreshold successes, one event per change', async () => {
    targets.flip.status = 200;
    const check = await create('/flip', { failureThreshold: 3, successThreshold: 2 });
    const states: string[] = [];
    const step = async (status: number) => {
      targets.flip.status = status;
      const outcome = await runNow(check.id);
      states.push(outcome.state);
      return outcome;
    };

    await step(200); // unknown: one success is not enough
    await step(200); // healthy
    await step(500);
    await step(500);
    const tipped = await step(500); // third failure: unhealthy
    expect(tipped.stateChanged).toBe(true);
    await step(200); // one success does not flip it back
    await step(500); // and resets the run of successes
    await step(200);
    await step(200); // healthy again
    expect(states).toEqual(['unknown', 'healthy', 'healthy', 'healthy', 'unhealthy', 'unhealthy', 'unhealthy', 'unhealthy', 'healthy']);

    const events = await stateEvents(check.id);
    const transitions = events.map((event) => [event.changes.before.state, event.changes.after.state]);
    expect(transitions.sort()).toEqual(
      [
        ['unknown', 'healthy'],
        ['healthy', 'unhealthy'],
        ['unhealthy', 'healthy'],
      ].sort(),
    );
    const unhealthy = events.find((event) => event.changes.after.state === 'unhealthy');
    expect(unhealthy.changes.after).toMatchObject({
      consecutiveFailures: 3,
      reason: 'conditions',
      failingConditions: [
        { condition: '[STATUS] == 200', resolved: '[STATUS] (500) == 200' },
        { condition: '[BODY].status == UP', resolved: '[BODY].status (DOWN) == UP' },
      ],
    });
    expect(unhealthy.actor.name).toBe('health-check-runner');

    const view = (await client.get(`${base}/${check.id}`)).json;
    expect(view).toMatchObject({
      state: 'healthy',
      consecutiveSuccesses: 2,
      consecutiveFailures: 0,
      lastResult: { ok: true, status: 200 },
    });
  });

  it('pages results newest first and keeps to the time window', async () => {
    const check = await create('/up');
    const ran: string[] = [];
    for (let i = 0; i < 5; i++) ran.push((await runNow(check.id)).result.at);

    const first = await client.get(`${base}/${check.id}/results`, { query: { limit: 2 } });
    expect(first.json.items.map((r: { at: string }) => r.at)).toEqual([ran[4], ran[3]]);
    expect(first.json.nextCursor).toEqual(expect.any(String));
    const all = await results(check.id, { limit: 2 });
    expect(all.map((r) => r.at)).toEqual([...ran].reverse());

    const windowed = await results(check.id, { from: ran[1] as string, to: ran[3] as string });
    expect(windowed.map((r) => r.at)).toEqual([ran[3], ran[2], ran[1]]);
    expect(await results(check.id, { from: '2020-01-01T00:00:00Z', to: '2020-01-02T00:00:00Z' })).toEqual([]);

    expectInvalid(
      await client.get(`${base}/${check.id}/results`, { query: { from: ran[3] as string, to: ran[1] as string } }),
      '/query/from',
    );
    expectProblem(await client.get(`${base}/${check.id}/results`, { query: { cursor: 'bm9wZQ' } }), 400);
  });
});

describe('the runner', () => {
  it('runs what is due once, at most once per slot, and a slow target does not hold up the others', async () => {
    const slow = await create('/slow/1500', { timeoutMs: 5000 });
    const fast = await Promise.all([create('/up'), create('/up'), create('/up')]);
    const refused = await create('/up', { url: 'http://10.0.0.1/' });

    const now = new Date();
    const [first, second] = await Promise.all([runDueChecks(now), runDueChecks(now)]);
    // Both ticks saw the same due checks; each was claimed by one of them.
    expect(first.ran + second.ran).toBe(first.due);

    const slowResult = (await results(slow.id))[0];
    expect(slowResult).toMatchObject({ ok: true, status: 200 });
    for (const check of [...fast, refused]) {
      const [result, ...more] = await results(check.id);
      expect(more).toEqual([]);
      // Finished while the slow target was still answering.
      expect(result.at < slowResult.at, `${result.at} before ${slowResult.at}`).toBe(true);
    }
    expect((await results(refused.id))[0]).toMatchObject({ ok: false, reason: 'refused' });

    // Nothing is due again until the next interval.
    const again = await runDueChecks(new Date());
    expect(again.ran).toBe(0);
    const next = (await client.get(`${base}/${slow.id}`)).json.nextRunAt;
    expect(Date.parse(next)).toBeGreaterThan(Date.now() + 3_000_000);
  });

  it('drops a deleted check from the schedule', async () => {
    const check = await create('/up', { intervalSeconds: 5 });
    expect((await client.delete(`${base}/${check.id}`)).status).toBe(204);
    await runDueChecks(new Date(Date.now() + 60_000));
    expectProblem(await client.get(`${base}/${check.id}/results`), 404);
  });
});

describe('expiry', () => {
  it('the sweep deletes results once their TTL has passed, and none before', async () => {
    const check = await create('/up');
    await runNow(check.id);
    await runNow(check.id);
    expect((await sweepResults(new Date())).deleted).toBe(0);
    expect(await results(check.id)).toHaveLength(2);

    const swept = await sweepResults(new Date(Date.now() + 31 * 86_400_000));
    expect(swept.deleted).toBeGreaterThanOrEqual(2);
    expect(await results(check.id)).toEqual([]);
    // The buckets' markers went with them: a second sweep finds nothing.
    expect(await sweepResults(new Date(Date.now() + 31 * 86_400_000))).toEqual({ deleted: 0, buckets: 0 });
  });
});
