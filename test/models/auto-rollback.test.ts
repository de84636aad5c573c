import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { evaluateRules } from '../../functions/alerts/evaluator.ts';
import { handler as autoRollback } from '../../functions/handlers/model-auto-rollback.ts';
import { type Runtime, startRuntime } from '../../local/runtime.ts';
import { finished, getDeployment, putEnvironment, routing } from '../helpers/deployments.ts';
import { type ApiClient, api, expectNoServerErrors } from '../helpers/http-client.ts';

/**
 * Issue 10, item 10, in the local runtime: within the policy's window after a model's promotion to
 * production, a critical alert of that service and environment rolls the promotion back by itself,
 * with the alert as the reason; with the window at 0, nothing happens. The alert is a real one: a
 * rule over pushed samples, fired by the evaluator; the sweep is its scheduled handler.
 */

process.env.STEWARD_TIME_SCALE = '0.01';

let runtime: Runtime;
let client: ApiClient;
const path = (service: string, rest = '') => `/v1/services/${service}${rest}`;

async function promotedModel(name: string, policy: Record<string, unknown>): Promise<string> {
  await client.post('/v1/services', { name, kind: 'model' });
  for (const version of ['1.0.0', '2.0.0']) {
    await client.post(path(name, '/versions'), { version });
    await client.post(path(name, `/versions/${version}/release`));
  }
  await client.request('PUT', path(name, '/model-policy'), { enforcePerformanceThresholds: false, ...policy });
  await putEnvironment(client, name, 'prod', { traffic: { driver: 'none' } });
  let id = '';
  for (const version of ['1.0.0', '2.0.0']) {
    const promoted = await client.post(path(name, '/environments/prod/promote'), { version });
    expect(promoted.status, promoted.text).toBe(202);
    expect((await finished(client, name, promoted.json.id)).status).toBe('succeeded');
    id = promoted.json.id;
  }
  return id;
}

async function fireCriticalAlert(service: string): Promise<void> {
  const rule = await client.post('/v1/alert-rules', {
    name: `${service} errors`,
    service,
    metric: 'model.errors',
    labels: { environment: 'prod' },
    agg: 'max',
    window: '5m',
    op: '>',
    threshold: 10,
    for: '0s',
    severity: 'critical',
  });
  expect(rule.status, rule.text).toBe(201);
  const samples = [{ name: 'model.errors', type: 'gauge', value: 50, labels: { service, environment: 'prod' } }];
  expect((await client.post('/v1/metrics', { samples })).status).toBe(200);
  await evaluateRules(new Date(Date.now() + 1000));
  const firing = await client.get('/v1/alerts', { query: { service, status: 'firing' } });
  expect(firing.json.items).toHaveLength(1);
}

beforeAll(async () => {
  runtime = await startRuntime({ memory: true, port: 0, reconcileEveryMs: 3_600_000, tickSeconds: 3600 });
  client = api(runtime);
});

afterAll(async () => {
  expectNoServerErrors(client.log);
  await runtime?.close();
});

describe('rollback on a critical alert after a promotion', () => {
  it('rolls the promotion back to the previous version, with the alert as the reason', async () => {
    // Prepare
    const service = 'rb-model';
    const promotion = await promotedModel(service, { autoRollbackWindowMinutes: 30 });
    await fireCriticalAlert(service);

    // Act
    const outcome = await autoRollback();

    // Assess
    expect(outcome).toMatchObject({ rolledBack: 1 });
    const rolledBack = await getDeployment(client, service, promotion);
    expect(rolledBack.status).toBe('rolled_back');
    expect(rolledBack.failureReason).toMatch(
      /^Rolled back by model-auto-rollback: critical alert "rb-model errors" \(\w+\) fired 0 minutes after 2\.0\.0 was promoted to prod: /,
    );
    expect(await routing(client, service, 'prod')).toMatchObject({ weights: { '1.0.0': 100 } });
    expect((await autoRollback()).rolledBack).toBe(0);
  });

  it('leaves a promotion alone when the policy turns the window off', async () => {
    // Prepare
    const service = 'rb-off-model';
    const promotion = await promotedModel(service, { autoRollbackWindowMinutes: 0 });
    await fireCriticalAlert(service);

    // Act
    const outcome = await autoRollback();

    // Assess
    expect(outcome.rolledBack).toBe(0);
    expect((await getDeployment(client, service, promotion)).status).toBe('succeeded');
    expect(await routing(client, service, 'prod')).toMatchObject({ weights: { '2.0.0': 100 } });
  });
});
