import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { handler as runHealthChecks } from '../../functions/handlers/health-check-runner.ts';
import {
  configureOperationalMetrics,
  operationalCounters,
  publishOperationalMetrics,
  recordAlertsFired,
  recordDeliveryFailed,
  resetOperationalCounters,
} from '../../functions/kernel/operational-metrics.ts';
import { type Runtime, startRuntime } from '../../local/runtime.ts';
import { type ApiClient, api, expectNoServerErrors } from '../helpers/http-client.ts';
import { startTargets, type Targets } from './targets.ts';

/**
 * Operational metrics (health checks run and failed, alerts fired, webhook deliveries failed):
 * counters in memory locally, CloudWatch EMF on stdout through Powertools on Lambda. The runner is
 * driven tick by tick here (the runtime's own tick is an hour away).
 */

let runtime: Runtime;
let client: ApiClient;
let targets: Targets;
const SERVICE = 'metered-api';

beforeAll(async () => {
  runtime = await startRuntime({ memory: true, port: 0, reconcileEveryMs: 3_600_000, tickSeconds: 3600 });
  client = api(runtime);
  targets = await startTargets();
  expect((await client.post('/v1/services', { name: SERVICE, kind: 'api' })).status).toBe(201);
});

afterEach(() => {
  vi.restoreAllMocks();
  configureOperationalMetrics();
});

afterAll(async () => {
  expectNoServerErrors(client.log);
  await targets?.close();
  await runtime?.close();
});

/** One passing and one failing check, both due now. */
async function createPassingAndFailing() {
  for (const path of ['/up', '/down']) {
    const created = await client.post(`/v1/services/${SERVICE}/health-checks`, {
      environment: 'prod',
      url: `${targets.url}${path}`,
      intervalSeconds: 3600,
      timeoutMs: 2000,
      conditions: ['[STATUS] == 200'],
    });
    expect(created.status, created.text).toBe(201);
  }
}

/** Everything written to stdout while `run` runs, and the EMF documents among it. */
async function captureStdout<T>(run: () => Promise<T> | T): Promise<{ value: T; written: string; emf: any[] }> {
  const chunks: string[] = [];
  const write = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    chunks.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
    return true;
  });
  try {
    const value = await run();
    const written = chunks.join('');
    const emf = written
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line))
      .filter((document) => document._aws);
    return { value, written, emf };
  } finally {
    write.mockRestore();
  }
}

describe('locally (no AWS_LAMBDA_FUNCTION_NAME)', () => {
  it('counts a runner tick with one passing and one failing check in memory, and prints nothing', async () => {
    expect(process.env.AWS_LAMBDA_FUNCTION_NAME).toBeUndefined();
    await createPassingAndFailing();
    resetOperationalCounters();

    const { value: outcome, emf } = await captureStdout(() => runHealthChecks({ time: new Date().toISOString() }));
    expect(outcome).toMatchObject({ ran: 2, failed: 1 });
    expect(operationalCounters()).toEqual({ HealthChecksRun: 2, HealthChecksFailed: 1, AlertsFired: 0, WebhookDeliveriesFailed: 0 });
    expect(emf).toEqual([]);

    recordAlertsFired(2);
    recordDeliveryFailed();
    recordDeliveryFailed(3);
    publishOperationalMetrics();
    expect(operationalCounters()).toMatchObject({ AlertsFired: 2, WebhookDeliveriesFailed: 4 });
    resetOperationalCounters();
    expect(operationalCounters()).toMatchObject({ HealthChecksRun: 0, AlertsFired: 0 });
  });
});

describe('on Lambda (Powertools sink)', () => {
  it('flushes a runner tick as one EMF document in the Steward namespace, with the service and stage dimensions', async () => {
    const stage = process.env.STAGE;
    process.env.STAGE = 'metrics-test';
    try {
      configureOperationalMetrics({ sink: 'powertools' });
      await createPassingAndFailing();
      resetOperationalCounters();

      const { value: outcome, emf } = await captureStdout(() => runHealthChecks({ time: new Date().toISOString() }));
      expect(outcome).toMatchObject({ ran: 2, failed: 1 });
      expect(emf).toHaveLength(1);
      const [document] = emf;
      expect(document).toMatchObject({ service: 'steward', stage: 'metrics-test', HealthChecksRun: 2, HealthChecksFailed: 1 });
      expect(document._aws.Timestamp).toEqual(expect.any(Number));
      expect(document._aws.CloudWatchMetrics).toEqual([
        {
          Namespace: 'Steward',
          Dimensions: [['service', 'stage']],
          Metrics: expect.arrayContaining([
            { Name: 'HealthChecksRun', Unit: 'Count' },
            { Name: 'HealthChecksFailed', Unit: 'Count' },
          ]),
        },
      ]);
      // Not counted in memory as well.
      expect(operationalCounters()).toMatchObject({ HealthChecksRun: 0, HealthChecksFailed: 0 });
    } finally {
      if (stage === undefined) delete process.env.STAGE;
      else process.env.STAGE = stage;
    }
  });

  it('flushes alerts fired and webhook deliveries failed, and writes nothing (not even a warning) when nothing was recorded', async () => {
    configureOperationalMetrics({ sink: 'powertools' });
    const stderr = vi.spyOn(process.stderr, 'write');
    const empty = await captureStdout(() => publishOperationalMetrics());
    expect(empty.written).toBe('');
    expect(stderr).not.toHaveBeenCalled();

    const { emf } = await captureStdout(() => {
      recordAlertsFired(2);
      recordDeliveryFailed();
      publishOperationalMetrics();
    });
    expect(emf).toHaveLength(1);
    expect(emf[0]).toMatchObject({ AlertsFired: 2, WebhookDeliveriesFailed: 1 });
    expect(emf[0]._aws.CloudWatchMetrics[0]).toMatchObject({ Namespace: 'Steward' });

    // Flushed: the next publish writes nothing again.
    expect((await captureStdout(() => publishOperationalMetrics())).written).toBe('');
  });
});
