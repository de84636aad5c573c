import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { putSecret } from '../../functions/secrets/secrets.commands.ts';
import { memorySecretStore } from '../../functions/kernel/secret-values/local-store.ts';
import type { SecretValueStore } from '../../functions/kernel/secret-values/secret-value-store.ts';
import { configureSecretValueStore } from '../../functions/kernel/secret-values/value-store.ts';
import { documentClient } from '../../functions/kernel/store/client.ts';
import { reconcile } from '../../functions/kernel/store/event-log.ts';
import type { Runtime } from '../../local/runtime.ts';
import { installCrashSwitch, SimulatedCrash } from '../helpers/crash-switch.ts';
import { type ApiClient, api, expectNoServerErrors, expectProblem, readAll } from '../helpers/http-client.ts';
import { startTestRuntime } from '../helpers/runtime.ts';

/**
 * Issue 5, "Bad input and faults": a failed value-store call leaves no metadata pointing at a
 * value that does not exist, and no audit record; a failed metadata commit after the value was
 * written leaves the recorded version in force (reveals never serve the unrecorded one).
 */

let runtime: Runtime;
let client: ApiClient;
let crash: ReturnType<typeof installCrashSwitch>;
let working: SecretValueStore;
const SERVICE = 'faulty-api';
const base = `/v1/services/${SERVICE}/secrets`;
const context = { actor: { keyId: 'system', name: 'fault-test' }, requestId: 'fault-test' };

/** A store whose every call fails, as Secrets Manager does when throttled or refused by IAM. */
const failing: SecretValueStore = {
  put: async () => {
    throw Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' });
  },
  get: async () => {
    throw Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' });
  },
  scheduleDeletion: async () => {
    throw Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' });
  },
};

beforeAll(async () => {
  runtime = await startTestRuntime();
  client = api(runtime);
  crash = installCrashSwitch();
  working = memorySecretStore();
  expect((await client.post('/v1/services', { name: SERVICE, kind: 'api' })).status).toBe(201);
});

beforeEach(() => {
  configureSecretValueStore(working);
  crash.revive();
  vi.spyOn(console, 'warn').mockImplementation(() => undefined);
});

afterEach(() => {
  vi.restoreAllMocks();
});

afterAll(async () => {
  expectNoServerErrors(client.log.filter((response) => response.status !== 503));
  await runtime?.close();
});

async function secretEvents(subject: string) {
  return (await readAll(client, `/v1/services/${SERVICE}/history`, { type: 'secret.*' })).filter((event) => event.subject === subject);
}

describe('when the value store fails', () => {
  it('a new secret gets 503, and no metadata and no audit record exist', async () => {
    // Prepare
    configureSecretValueStore(failing);

    // Act
    const response = await client.request('PUT', `${base}/prod/NEVER_STORED`, { value: 'never-stored-value' });

    // Assess
    expect(expectProblem(response, 503).title).toBe('Secret store unavailable');
    configureSecretValueStore(working);
    expectProblem(await client.get(`${base}/prod/NEVER_STORED`), 404);
    expect(await readAll(client, base)).toEqual([]);
    expect(await secretEvents(`secret/${SERVICE}/prod/NEVER_STORED`)).toEqual([]);
  });

  it('a new value for an existing secret gets 503 and the recorded version stays in force', async () => {
    // Prepare
    await client.request('PUT', `${base}/prod/KEPT`, { value: 'kept-value' });
    configureSecretValueStore(failing);

    // Act
    const response = await client.request('PUT', `${base}/prod/KEPT`, { value: 'lost-value' });

    // Assess
    expectProblem(response, 503);
    configureSecretValueStore(working);
    expect((await client.get(`${base}/prod/KEPT`)).json.version).toBe(1);
    expect((await client.post(`${base}/prod/KEPT/reveal`)).json.value).toBe('kept-value');
    expect((await secretEvents(`secret/${SERVICE}/prod/KEPT`)).map((event) => event.type)).toEqual(['secret.revealed', 'secret.created']);
  });

  it('a reveal gets 503 and records no reveal', async () => {
    // Prepare
    await client.request('PUT', `${base}/prod/UNREADABLE`, { value: 'unreadable-value' });
    configureSecretValueStore(failing);

    // Act
    const response = await client.post(`${base}/prod/UNREADABLE/reveal`);

    // Assess
    expectProblem(response, 503);
    expect(response.text).not.toContain('unreadable-value');
    configureSecretValueStore(working);
    expect((await client.get(`${base}/prod/UNREADABLE`)).json.lastRevealedAt).toBeNull();
    expect((await secretEvents(`secret/${SERVICE}/prod/UNREADABLE`)).map((event) => event.type)).toEqual(['secret.created']);
  });

  it('a delete gets 503 and the secret stays active', async () => {
    // Prepare
    await client.request('PUT', `${base}/prod/UNDELETABLE`, { value: 'undeletable-value' });
    configureSecretValueStore(failing);

    // Act
    const response = await client.delete(`${base}/prod/UNDELETABLE`);

    // Assess
    expectProblem(response, 503);
    configureSecretValueStore(working);
    expect((await client.get(`${base}/prod/UNDELETABLE`)).json.status).toBe('active');
    expect((await client.post(`${base}/prod/UNDELETABLE/reveal`)).json.value).toBe('undeletable-value');
  });

  it('a value missing from the store answers 409, not 500', async () => {
    // Prepare: the table says the secret exists, but its value store was wiped.
    await client.request('PUT', `${base}/prod/WIPED`, { value: 'wiped-value' });
    configureSecretValueStore(memorySecretStore());

    // Act
    const response = await client.post(`${base}/prod/WIPED/reveal`);

    // Assess
    expect(expectProblem(response, 409).detail).toMatch(/no readable value/);
  });
});

describe('when the metadata commit fails after the value was written', () => {
  it('reveals keep serving the recorded version, and the next PUT takes over', async () => {
    // Prepare
    await client.request('PUT', `${base}/prod/HALF_WRITTEN`, { value: 'recorded-value' });
    crash.crashAfterWrites(0);

    // Act
    await expect(
      putSecret({ service: SERVICE, environment: 'prod', name: 'HALF_WRITTEN' }, { value: 'unrecorded-value' }, context),
    ).rejects.toThrow(SimulatedCrash);
    crash.revive();
    await reconcile();
    const revealed = await client.post(`${base}/prod/HALF_WRITTEN/reveal`);
    const next = await client.request('PUT', `${base}/prod/HALF_WRITTEN`, { value: 'next-value' });
    const revealedNext = await client.post(`${base}/prod/HALF_WRITTEN/reveal`);

    // Assess
    expect(revealed.json).toMatchObject({ version: 1, value: 'recorded-value' });
    expect(next.json.version).toBe(2);
    expect(revealedNext.json).toMatchObject({ version: 2, value: 'next-value' });
  });

  it('converges when the process dies after the commit: the next reveal serves the new value', async () => {
    // Prepare
    await client.request('PUT', `${base}/prod/COMMITTED`, { value: 'committed-1' });
    crash.crashAfterWrites(1);
    await putSecret({ service: SERVICE, environment: 'prod', name: 'COMMITTED' }, { value: 'committed-2' }, context).catch((error) => {
      if (!(error instanceof SimulatedCrash)) throw error;
    });
    crash.revive();

    // Act: no reconciler; the reveal's own write catches the aggregate up.
    const revealed = await client.post(`${base}/prod/COMMITTED/reveal`);

    // Assess
    expect(revealed.json).toMatchObject({ version: 2, value: 'committed-2' });
    expect((await secretEvents(`secret/${SERVICE}/prod/COMMITTED`)).map((event) => event.type)).toEqual([
      'secret.revealed',
      'secret.updated',
      'secret.created',
    ]);
  });

  it('finishes a half-projected change before deciding anything else, so nothing it did is lost', async () => {
    // Prepare: a new value is committed and the head projected, but the process dies before
    // the secret's own item is written (projections run in parallel, so either may be lost).
    await client.request('PUT', `${base}/prod/HALF_PROJECTED`, { value: 'half-1' });
    let dropped = 0;
    documentClient().middlewareStack.add(
      (next) => async (args) => {
        const item = (args.input as { Item?: Record<string, any> }).Item;
        // Marshalled or not, depending on where this runs in the stack.
        const entity = item?.entity?.S ?? item?.entity;
        const name = item?.name?.S ?? item?.name;
        if (entity === 'secret' && name === 'HALF_PROJECTED' && dropped++ === 0) {
          throw new SimulatedCrash('the process died before projecting the secret');
        }
        return next(args);
      },
      { step: 'initialize', name: 'dropSecretProjection', override: true },
    );
    await putSecret({ service: SERVICE, environment: 'prod', name: 'HALF_PROJECTED' }, { value: 'half-2' }, context);
    documentClient().middlewareStack.remove('dropSecretProjection');
    expect(dropped).toBe(1);

    // Act: no reconciler; a reveal decides next.
    const revealed = await client.post(`${base}/prod/HALF_PROJECTED/reveal`);

    // Assess
    expect(revealed.json).toMatchObject({ version: 2, value: 'half-2' });
    expect((await client.get(`${base}/prod/HALF_PROJECTED`)).json).toMatchObject({ version: 2, lastRevealedAt: revealed.json.revealedAt });
  });
});
