import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Runtime, startRuntime } from '../../local/runtime.ts';
import { finished, putEnvironment } from '../helpers/deployments.ts';
import { type ApiClient, api, expectNoServerErrors, expectProblem } from '../helpers/http-client.ts';

/**
 * Issue 10, item 13, through the local runtime: a model's compliance version by version (card,
 * digest, evaluation before production or an admin's override, who promoted, deprecation notice
 * respected), and every model event in the audit export.
 */

process.env.STEWARD_TIME_SCALE = '0.01';

let runtime: Runtime;
let client: ApiClient;
const MODEL = 'comp-model';
const path = (rest = '') => `/v1/services/${MODEL}${rest}`;
const FULL_CARD = {
  framework: 'sklearn',
  artifactUri: 's3://m/1',
  artifactDigest: `sha256:${'12'.repeat(32)}`,
  capabilities: ['classification'],
  trainingMetrics: { auc: 0.91 },
  dataset: 's3://d/1',
};

beforeAll(async () => {
  runtime = await startRuntime({ memory: true, port: 0, reconcileEveryMs: 3_600_000, tickSeconds: 3600 });
  client = api(runtime);
  await client.post('/v1/services', { name: MODEL, kind: 'model' });
  await client.post(path('/versions'), { version: '1.0.0', model: FULL_CARD });
  await client.post(path('/versions'), {
    version: '1.1.0',
    model: { artifactUri: 's3://m/2', artifactDigest: FULL_CARD.artifactDigest, capabilities: [] },
  });
  await client.post(path('/versions'), { version: '1.2.0', model: FULL_CARD });
  for (const v of ['1.0.0', '1.1.0', '1.2.0']) await client.post(path(`/versions/${v}/release`));
  await client.request('PUT', path('/model-policy'), { minSamples: 20 });
  await putEnvironment(client, MODEL, 'prod', { traffic: { driver: 'none' } });
  const staging = Array.from({ length: 30 }, () => ({ version: '1.0.0', environment: 'staging', success: true, latencyMs: 20 }));
  expect((await client.post(path('/inferences'), { records: staging })).json.accepted).toBe(30);
  const promoted = await client.post(path('/environments/prod/promote'), { version: '1.0.0' });
  expect(promoted.status, promoted.text).toBe(202);
  expect((await finished(client, MODEL, promoted.json.id)).status).toBe('succeeded');
  const forced = await client.post(path('/deployments'), {
    environment: 'prod',
    version: '1.1.0',
    strategy: { type: 'all-at-once' },
    override: { reason: 'urgent fix' },
  });
  expect(forced.status, forced.text).toBe(202);
  expect((await finished(client, MODEL, forced.json.id)).status).toBe('succeeded');
  // 1.0.0 is deprecated by that promotion (right after it succeeds) with a sunset 90 days ahead: retiring it now breaks its notice.
  for (let i = 0; i < 100 && (await client.get(path('/versions/1.0.0'))).json.status !== 'deprecated'; i++) {
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  expect((await client.post(path('/versions/1.0.0/retire'))).status).toBe(200);
});

afterAll(async () => {
  expectNoServerErrors(client.log);
  await runtime?.close();
});

describe('compliance', () => {
  it('reports each version: card, digest, evaluation before production or override, promotions, deprecation notice', async () => {
    // Act
    const reply = await client.get(path('/compliance'));

    // Assess
    expect(reply.status, reply.text).toBe(200);
    expect(reply.json).toMatchObject({ service: MODEL, productionEnvironment: 'prod', compliant: false });
    const byVersion = Object.fromEntries(reply.json.versions.map((v: { version: string }) => [v.version, v]));
    expect(byVersion['1.0.0']).toMatchObject({
      status: 'retired',
      card: { complete: true, missing: [] },
      digestPresent: true,
      production: { deployed: true, evaluationPassedBeforeProduction: true, overrides: [] },
      deprecationNoticeRespected: false,
      compliant: false,
    });
    expect(byVersion['1.0.0'].production.promotions).toEqual([
      expect.objectContaining({ status: 'succeeded', by: expect.objectContaining({ name: expect.any(String) }), approvedBy: null }),
    ]);
    expect(byVersion['1.1.0']).toMatchObject({
      card: { complete: false, missing: ['framework', 'capabilities', 'trainingMetrics', 'dataset'] },
      production: {
        deployed: true,
        evaluationPassedBeforeProduction: false,
        overrides: [expect.objectContaining({ reason: 'urgent fix' })],
      },
      deprecationNoticeRespected: null,
      compliant: false,
    });
    expect(byVersion['1.2.0']).toMatchObject({
      production: { deployed: false, evaluationPassedBeforeProduction: null },
      deprecationNoticeRespected: null,
      compliant: true,
    });
  });

  it('is a 409 on a service that is not a model', async () => {
    // Prepare
    await client.post('/v1/services', { name: 'comp-api', kind: 'api' });

    // Act
    const reply = await client.get('/v1/services/comp-api/compliance');

    // Assess
    expectProblem(reply, 409);
  });

  it('has every model event in the audit export', async () => {
    // Act
    const reply = await client.get('/v1/audit/export');

    // Assess
    expect(reply.status, reply.text.slice(0, 300)).toBe(200);
    const types = reply.text
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { type: string; service?: string })
      .filter((record) => record.service === MODEL)
      .map((record) => record.type);
    expect(types).toEqual(
      expect.arrayContaining(['model.policy_updated', 'model.deployability_overridden', 'version.deprecated', 'version.retired']),
    );
  });
});
