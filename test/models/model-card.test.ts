import { beforeAll, describe, expect, it } from 'vitest';
import { handler as services } from '../../functions/handlers/services.ts';
import { handler as versions } from '../../functions/handlers/versions.ts';
import { bootstrapAdmin, expectProblem, send } from '../helpers/handler-client.ts';
import { useLocalStore } from '../helpers/local-store.ts';

/** Issue 10, item 1: a model card on the versions of a `model` service, frozen at release. */

useLocalStore();

let admin: string;
let counter = 0;

beforeAll(async () => {
  admin = await bootstrapAdmin();
});

async function aService(kind: 'api' | 'model'): Promise<string> {
  const name = `card-${++counter}-${kind}`;
  const reply = await send(services, { routeKey: 'POST /v1/services', key: admin, body: { name, kind } });
  expect(reply.status, reply.text).toBe(201);
  return name;
}

const register = (service: string, body: Record<string, unknown>) =>
  send(versions, { routeKey: 'POST /v1/services/{name}/versions', pathParameters: { name: service }, key: admin, body });

const CARD = {
  framework: 'pytorch',
  artifactUri: 's3://models/churn/1.0.0/model.tar.gz',
  artifactDigest: `sha256:${'0123456789abcdef'.repeat(4)}`,
  capabilities: ['classification'],
  contextWindow: 4096,
  pricing: { inputPer1kTokens: 0.5, outputPer1kTokens: 1.5, perRequest: 0.001, currency: 'USD' },
  trainingMetrics: { accuracy: 0.93, f1: 0.9 },
  params: { epochs: 10, optimizer: 'adam' },
  dataset: 's3://datasets/churn/2024-06',
  parentVersion: '0.9.0',
};

describe('a model card on a version', () => {
  it('is stored with the version of a model and shown by GET, frozen through release', async () => {
    // Prepare
    const service = await aService('model');

    // Act
    const created = await register(service, { version: '1.0.0', model: CARD });
    const released = await send(versions, {
      routeKey: 'POST /v1/services/{name}/versions/{version}/release',
      pathParameters: { name: service, version: '1.0.0' },
      key: admin,
    });
    const read = await send(versions, {
      routeKey: 'GET /v1/services/{name}/versions/{version}',
      pathParameters: { name: service, version: '1.0.0' },
      key: admin,
    });

    // Assess
    expect(created.status, created.text).toBe(201);
    expect(created.body.model).toEqual(CARD);
    expect(released.status, released.text).toBe(200);
    expect(read.body).toMatchObject({ status: 'released', model: CARD });
  });

  it('is null on a version registered without one', async () => {
    // Prepare
    const service = await aService('api');

    // Act
    const created = await register(service, { version: '1.0.0' });

    // Assess
    expect(created.status, created.text).toBe(201);
    expect(created.body.model).toBeNull();
    const read = await send(versions, {
      routeKey: 'GET /v1/services/{name}/versions/{version}',
      pathParameters: { name: service, version: '1.0.0' },
      key: admin,
    });
    expect(read.body).not.toHaveProperty('servingStatus');
  });

  it('is a 400 on a version of an api service', async () => {
    // Prepare
    const service = await aService('api');

    // Act
    const reply = await register(service, { version: '1.0.0', model: CARD });

    // Assess
    const problem = expectProblem(reply, 400);
    expect(problem.errors).toEqual([{ pointer: '/body/model', message: expect.stringContaining(`${service} is of kind api`) }]);
    const list = await send(versions, { routeKey: 'GET /v1/services/{name}/versions', pathParameters: { name: service }, key: admin });
    expect(list.body.items).toEqual([]);
  });

  it.each([
    { digest: 'sha256:abc', why: 'too short' },
    { digest: `md5:${'a'.repeat(64)}`, why: 'another algorithm' },
    { digest: `sha256:${'A'.repeat(64)}`, why: 'upper case' },
    { digest: `sha256:${'g'.repeat(64)}`, why: 'not hex' },
  ])('refuses a malformed digest ($why) with a 400 pointing at it', async ({ digest }) => {
    // Prepare
    const service = await aService('model');

    // Act
    const reply = await register(service, { version: '1.0.0', model: { ...CARD, artifactDigest: digest } });

    // Assess
    const problem = expectProblem(reply, 400);
    expect(problem.errors).toContainEqual(expect.objectContaining({ pointer: '/body/model/artifactDigest' }));
  });

  it('refuses unknown card fields and a pricing without its currency', async () => {
    // Prepare
    const service = await aService('model');

    // Act
    const unknown = await register(service, { version: '1.0.0', model: { ...CARD, weights: 'big' } });
    const noCurrency = await register(service, {
      version: '1.0.0',
      model: { ...CARD, pricing: { inputPer1kTokens: 1, outputPer1kTokens: 1 } },
    });

    // Assess
    expectProblem(unknown, 400);
    expect(expectProblem(noCurrency, 400).errors).toContainEqual(expect.objectContaining({ pointer: '/body/model/pricing/currency' }));
  });
});
