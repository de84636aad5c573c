import { healthCheckAlertName } from '../../functions/alerts/alerts.domain.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { evaluateRules } from '../../functions/alerts/evaluator.ts';
import { type Runtime, startRuntime } from '../../local/runtime.ts';
import { deploymentEvents, finished, putEnvironment, routing, serviceWithVersions, startDeployment } from '../helpers/deployments.ts';
import { type ApiClient, api, expectInvalid, expectNoServerErrors } from '../helpers/http-client.ts';
import { startVersionService, type VersionService } from '../helpers/weighted-router.ts';

/**
 * The health gate reading Steward's own monitoring of the deployment's service and environment,
 * end to end through the local runtime: real health checks run against a real failing endpoint
 * (turning unhealthy opens their own critical alert), a real alert rule over pushed metrics, and
 * canaries with the `none` driver whose gates see them, or are told not to look.
 */

process.env.STEWARD_TIME_SCALE = '0.01';

/** One minute of workflow time: 0.6 s at this scale, two gate checks. */
const CANARY = { type: 'canary', percent: 10, bakeMinutes: 1 } as const;

let runtime: Runtime;
let client: ApiClient;
let failing: VersionService;
let services = 0;

const path = (service: string, rest = '') => `/v1/services/${service}${rest}`;

beforeAll(async () => {
  runtime = await startRuntime({ memory: true, port: 0, reconcileEveryMs: 3_600_000, tickSeconds: 3600 });
  client = api(runtime);
  failing = await startVersionService('0.0.0', { healthy: false });
});

afterAll(async () => {
  expectNoServerErrors(client?.log ?? []);
  await failing?.close();
  await runtime?.close();
});

/** A service with 1.0.0 serving all of `prod` (none driver) and 2.0.0 released. */
async function serving(): Promise<string> {
  const service = `gated-${++services}`;
  await serviceWithVersions(client, service, ['1.0.0', '2.0.0']);
  await putEnvironment(client, service, 'prod', { traffic: { driver: 'none' } });
  const promoted = await client.post(path(service, '/environments/prod/promote'), { version: '1.0.0' });
  expect(promoted.status, promoted.text).toBe(202);
  expect((await finished(client, service, promoted.json.id)).status).toBe('succeeded');
  return service;
}

/** A health check of the service in `environment` against a failing endpoint, run once: unhealthy, with its critical alert open. */
async function unhealthyCheck(
  service: string,
  environment: string,
): Promise<{ id: string; url: string; method: string; environment: string }> {
  const created = await client.post(path(service, '/health-checks'), {
    environment,
    url: failing.healthUrl,
    intervalSeconds: 3600,
    conditions: ['[STATUS] == 200'],
    failureThreshold: 1,
  });
  expect(created.status, created.text).toBe(201);
  const run = await client.post(path(service, `/health-checks/${created.json.id}/run`));
  expect(run.status, run.text).toBe(200);
  expect(run.json.state).toBe('unhealthy');
  return { id: created.json.id, url: failing.healthUrl, method: 'GET', environment };
}

async function canary(service: string, healthGate: Record<string, unknown> | null) {
  const started = await startDeployment(client, service, { environment: 'prod', version: '2.0.0', strategy: CANARY, healthGate });
  const done = await finished(client, service, started.id);
  const events = await deploymentEvents(client, service, started.id);
  return { done, gateResults: events.filter((event) => event.type === 'deployment.gate_evaluated').map((event) => event.evidence) };
}

describe('a health gate reads Steward health checks and alerts of the service in the environment', () => {
  it('rolls a canary back while a health check of the service in that environment is unhealthy, naming the check', async () => {
    // Prepare
    const service = await serving();
    const check = await unhealthyCheck(service, 'prod');

    // Act: a gate with only defaults, no probe and no alarms
    const { done, gateResults } = await canary(service, {});

    // Assess
    expect(done.status).toBe('rolled_back');
    expect(done.failureReason).toContain(`health checks unhealthy: ${check.id} (${check.url})`);
    expect(done.failureReason).toContain(`${healthCheckAlertName(check)} (critical`);
    expect((await routing(client, service, 'prod')).weights).toEqual({ '1.0.0': 100 });
    expect(gateResults.length).toBeGreaterThan(0);
    expect(gateResults[0]).toMatchObject({
      passed: false,
      probes: null,
      alarms: null,
      healthChecks: { unhealthy: [{ id: check.id, url: check.url }] },
      alerts: { open: [{ id: expect.any(String), name: healthCheckAlertName(check), severity: 'critical' }] },
    });
  });

  it('fails on an open critical alert of the service in that environment, even with health checks not read', async () => {
    // Prepare
    const service = await serving();
    const check = await unhealthyCheck(service, 'prod');

    // Act
    const { done, gateResults } = await canary(service, { healthChecks: false });

    // Assess
    expect(done.status).toBe('rolled_back');
    expect(done.failureReason).toBe(
      `Health gate failed: alerts open: ${healthCheckAlertName(check)} (critical, ${gateResults[0].alerts.open[0].id}).`,
    );
    expect(gateResults[0]).toMatchObject({ passed: false, healthChecks: null, alerts: { open: [{ severity: 'critical' }] } });
    expect(gateResults[0].alerts.open[0].name).toBe(healthCheckAlertName(check));
  });

  it('passes when the unhealthy check and its alert are in another environment', async () => {
    // Prepare
    const service = await serving();
    await unhealthyCheck(service, 'staging');

    // Act
    const { done, gateResults } = await canary(service, {});

    // Assess
    expect(done.status, done.failureReason ?? '').toBe('succeeded');
    expect(gateResults.length).toBeGreaterThan(0);
    for (const result of gateResults) {
      expect(result).toEqual({
        at: expect.any(String),
        passed: true,
        probes: null,
        alarms: null,
        healthChecks: { unhealthy: [] },
        alerts: { open: [] },
      });
    }
  });

  it('opts out: healthChecks false and alerts false read neither, and the canary succeeds', async () => {
    // Prepare
    const service = await serving();
    await unhealthyCheck(service, 'prod');

    // Act
    const { done, gateResults } = await canary(service, { healthChecks: false, alerts: false });

    // Assess
    expect(done.status, done.failureReason ?? '').toBe('succeeded');
    // Nothing left to check: the bake is one wait, without gate checks.
    expect(gateResults).toEqual([]);
  });

  it('with no gate at all (healthGate null), reads nothing and succeeds, as before', async () => {
    // Prepare
    const service = await serving();
    await unhealthyCheck(service, 'prod');

    // Act
    const { done, gateResults } = await canary(service, null);

    // Assess
    expect(done.status, done.failureReason ?? '').toBe('succeeded');
    expect(gateResults).toEqual([]);
  });

  it("warning alerts of the environment or of the whole service fail a gate with minSeverity warning; staging's does not; the default (critical) passes", async () => {
    // Prepare: a warning rule over pushed latency, firing for prod and for staging
    const service = await serving();
    const rule = await client.post('/v1/alert-rules', {
      name: 'Slow canary',
      service,
      metric: 'http.latency_ms',
      labels: {},
      agg: 'max',
      window: '5m',
      op: '>',
      threshold: 500,
      for: '0s',
      severity: 'warning',
    });
    expect(rule.status, rule.text).toBe(201);
    const now = Date.now();
    const pushed = await client.post('/v1/metrics', {
      samples: ['prod', 'staging', undefined].map((environment) => ({
        name: 'http.latency_ms',
        type: 'gauge',
        value: 900,
        labels: environment ? { service, environment } : { service },
        timestamp: new Date(now - 30_000).toISOString(),
      })),
    });
    expect(pushed.status, pushed.text).toBe(200);
    await evaluateRules(new Date(now));
    const open = await client.get('/v1/alerts', { query: { service, status: 'firing' } });
    const environmentOf = (alert: { labels: Record<string, string> }) => alert.labels.environment ?? 'none';
    expect(open.json.items.map(environmentOf).sort()).toEqual(['none', 'prod', 'staging']);

    // Act
    const strict = await canary(service, { alerts: { minSeverity: 'warning' } });
    const byDefault = await canary(service, {});

    // Assess
    expect(byDefault.done.status, byDefault.done.failureReason ?? '').toBe('succeeded');
    expect(strict.done.status).toBe('rolled_back');
    // The prod alert and the one about the whole service (no environment label), not staging's.
    const named = strict.gateResults[0].alerts.open as Array<{ id: string }>;
    const expected = open.json.items.filter((alert: { labels: Record<string, string> }) => environmentOf(alert) !== 'staging');
    expect(named.map((alert) => alert.id).sort()).toEqual(expected.map((alert: { id: string }) => alert.id).sort());
    expect(named).toEqual(expect.arrayContaining([{ id: expect.any(String), name: 'Slow canary', severity: 'warning' }]));
    expect(strict.done.failureReason).toMatch(/alerts open: Slow canary \(warning, /);
  });

  it('refuses unknown gate fields and bad alert settings: 400 pointing at them', async () => {
    // Prepare
    const service = await serving();
    const start = (healthGate: unknown) =>
      client.post(path(service, '/deployments'), { environment: 'prod', version: '2.0.0', strategy: CANARY, healthGate });

    // Act & Assess
    expectInvalid(await start({ healthChecks: 'yes' }), '/body/healthGate/healthChecks');
    expectInvalid(await start({ alerts: true }), '/body/healthGate/alerts');
    expectInvalid(await start({ alerts: { minSeverity: 'info' } }), '/body/healthGate/alerts');
    expectInvalid(await start({ alerts: { minSeverity: 'critical', extra: 1 } }), '/body/healthGate/alerts/extra');
    expectInvalid(await start({ monitoring: true }), '/body/healthGate/monitoring');
  });
});
