import { beforeAll, describe, expect, it } from 'vitest';
import { handler as audit } from '../../functions/handlers/audit.ts';
import { handler as services } from '../../functions/handlers/services.ts';
import { handler as versions } from '../../functions/handlers/versions.ts';
import { bootstrapAdmin, expectProblem, send } from '../helpers/handler-client.ts';
import { useLocalStore } from '../helpers/local-store.ts';

/** Issue 10, item 1: a model card on the versions of a `model` service, set at registration or on the draft, frozen at release. */

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

const update = (service: string, version: string, body: Record<string, unknown>, ifMatch?: string) =>
  send(versions, {
    routeKey: 'PATCH /v1/services/{name}/versions/{version}',
    pathParameters: { name: service, version },
    key: admin,
    body,
    ...(ifMatch ? { headers: { 'if-match': ifMatch } } : {}),
  });

async function historyOf(service: string) {
  const reply = await send(audit, {
    routeKey: 'GET /v1/services/{name}/history',
    pathParameters: { name: service },
    query: { limit: '100' },
    key: admin,
  });
  expect(reply.status, reply.text).toBe(200);
  return reply.body.items as Array<{ type: string; changes: { before: Record<string, unknown>; after: Record<string, unknown> } }>;
}

describe('updating a draft (PATCH .../versions/{version})', () => {
  it('replaces the card whole, the change log and the description, with a new ETag, audited as version.updated', async () => {
    // Prepare
    const service = await aService('model');
    const created = await register(service, { version: '1.0.0', model: CARD, description: 'first cut' });
    const newCard = {
      artifactUri: 's3://models/churn/1.0.0/retrained.tar.gz',
      artifactDigest: `sha256:${'f'.repeat(64)}`,
      capabilities: ['ranking'],
    };
    const changes = [{ type: 'additive', description: 'Retrained on June data' }];

    // Act
    const updated = await update(service, '1.0.0', { model: newCard, changes, description: 'retrained' }, created.headers.etag);

    // Assess
    expect(updated.status, updated.text).toBe(200);
    expect(updated.body).toMatchObject({ status: 'draft', description: 'retrained', changes, servingStatus: 'inactive' });
    expect(updated.body.model).toEqual(newCard); // replaced, not merged: the old card's framework and pricing are gone
    expect(updated.headers.etag).not.toBe(created.headers.etag);
    expect(updated.headers.etag).toBe(updated.body.etag);
    const event = (await historyOf(service)).find((e) => e.type === 'version.updated');
    expect(event?.changes.before).toEqual({ description: 'first cut', changes: [], model: CARD });
    expect(event?.changes.after).toEqual({ description: 'retrained', changes, model: newCard });
  });

  it('clears the card with null, and records nothing when nothing differs', async () => {
    // Prepare
    const service = await aService('model');
    await register(service, { version: '1.0.0', model: CARD });

    // Act
    const cleared = await update(service, '1.0.0', { model: null });
    const same = await update(service, '1.0.0', { model: null });
    const empty = await update(service, '1.0.0', {});

    // Assess
    expect(cleared.status, cleared.text).toBe(200);
    expect(cleared.body.model).toBeNull();
    expect(same.status).toBe(200);
    expect(same.headers.etag).toBe(cleared.headers.etag);
    expect(empty.headers.etag).toBe(cleared.headers.etag);
    expect((await historyOf(service)).filter((e) => e.type === 'version.updated')).toHaveLength(1);
  });

  it('is a 412 with a stale If-Match, and changes nothing', async () => {
    // Prepare
    const service = await aService('model');
    const created = await register(service, { version: '1.0.0', model: CARD });
    await update(service, '1.0.0', { description: 'someone else' });

    // Act
    const stale = await update(service, '1.0.0', { description: 'mine' }, created.headers.etag);

    // Assess
    expectProblem(stale, 412);
    const read = await send(versions, {
      routeKey: 'GET /v1/services/{name}/versions/{version}',
      pathParameters: { name: service, version: '1.0.0' },
      key: admin,
    });
    expect(read.body.description).toBe('someone else');
  });

  it.each(['released', 'deprecated', 'retired'])('is a 409 on a %s version: the card was frozen at release', async (status) => {
    // Prepare
    const service = await aService('model');
    await register(service, { version: '1.0.0', model: CARD });
    for (const action of ['release', 'deprecate', 'retire'].slice(0, ['released', 'deprecated', 'retired'].indexOf(status) + 1)) {
      const moved = await send(versions, {
        routeKey: `POST /v1/services/{name}/versions/{version}/${action}`,
        pathParameters: { name: service, version: '1.0.0' },
        key: admin,
      });
      expect(moved.status, moved.text).toBe(200);
    }

    // Act
    const reply = await update(service, '1.0.0', { model: { ...CARD, artifactUri: 's3://elsewhere' } });

    // Assess
    const problem = expectProblem(reply, 409);
    expect(problem.detail).toBe(`Version 1.0.0 is ${status}; it was frozen at release and can no longer be updated.`);
    expect(problem.currentStatus).toBe(status);
    expect((await historyOf(service)).filter((e) => e.type === 'version.updated')).toEqual([]);
  });

  it('is a 400 for a card on an api service’s draft, and for a malformed digest', async () => {
    // Prepare
    const api = await aService('api');
    await register(api, { version: '1.0.0' });
    const model = await aService('model');
    await register(model, { version: '1.0.0', model: CARD });

    // Act
    const onApi = await update(api, '1.0.0', { model: CARD });
    const badDigest = await update(model, '1.0.0', { model: { ...CARD, artifactDigest: 'sha256:xyz' } });
    const apiDescription = await update(api, '1.0.0', { description: 'an API draft updates as well' });

    // Assess
    expect(expectProblem(onApi, 400).errors).toEqual([
      { pointer: '/body/model', message: expect.stringContaining(`${api} is of kind api`) },
    ]);
    expect(expectProblem(badDigest, 400).errors).toContainEqual(expect.objectContaining({ pointer: '/body/model/artifactDigest' }));
    expect(apiDescription.status, apiDescription.text).toBe(200);
    expect(apiDescription.body).toMatchObject({ description: 'an API draft updates as well', model: null });
  });

  it('is a 404 for a version that does not exist', async () => {
    // Prepare
    const service = await aService('model');

    // Act & Assess
    expectProblem(await update(service, '9.9.9', { description: 'nobody' }), 404);
  });
});
