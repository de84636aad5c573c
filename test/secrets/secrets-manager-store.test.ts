import {
  CreateSecretCommand,
  DeleteSecretCommand,
  DescribeSecretCommand,
  GetSecretValueCommand,
  InvalidRequestException,
  PutSecretValueCommand,
  ResourceExistsException,
  ResourceNotFoundException,
  RestoreSecretCommand,
  SecretsManagerClient,
  SecretsManagerServiceException,
} from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { SecretValueNotFoundError } from '../../functions/kernel/secret-values/secret-value-store.ts';
import { SecretsManagerStore } from '../../functions/kernel/secret-values/secrets-manager-store.ts';
import { configureSecretValueStore } from '../../functions/kernel/secret-values/value-store.ts';
import type { Runtime } from '../../local/runtime.ts';
import { type ApiClient, api, expectNoServerErrors, expectProblem, readAll } from '../helpers/http-client.ts';
import { startTestRuntime } from '../helpers/runtime.ts';

/**
 * The AWS adapter, for the exact commands it sends to Secrets Manager: names under the
 * stack's prefix, tags, the stack's KMS key, the recovery window; and what each answer of
 * Secrets Manager becomes. Then the same adapter behind the HTTP API: a failed call leaves
 * no metadata behind.
 */

const sm = mockClient(SecretsManagerClient);
const PREFIX = 'steward/test/';
const KMS_KEY = 'arn:aws:kms:eu-west-1:123456789012:key/0b7f9c1e-2f3a-4c5d-8e9f-0a1b2c3d4e5f';
const REF = { service: 'payments-api', environment: 'prod', name: 'DB_PASSWORD' };
const NAME = 'steward/test/payments-api/prod/DB_PASSWORD';
const meta = { $metadata: {} };

const notFound = () => new ResourceNotFoundException({ message: "Secrets Manager can't find the specified secret.", ...meta });
const markedForDeletion = () =>
  new InvalidRequestException({ message: "You can't perform this operation on the secret because it was marked for deletion.", ...meta });

/** Every command sent, in order, as [command name, input]. */
function sent(): Array<[string, unknown]> {
  return sm.calls().map((call) => {
    const command = call.args[0] as { constructor: { name: string }; input: unknown };
    return [command.constructor.name, command.input];
  });
}

function store(kmsKeyId: string | undefined = KMS_KEY): SecretsManagerStore {
  return new SecretsManagerStore({ prefix: PREFIX, kmsKeyId, client: new SecretsManagerClient({ region: 'eu-west-1' }) });
}

beforeEach(() => {
  sm.reset();
});

describe('putting a value', () => {
  it('creates a new secret under the prefix, tagged, with the stack key', async () => {
    // Prepare
    sm.on(DescribeSecretCommand).rejects(notFound());
    sm.on(CreateSecretCommand).resolves({ Name: NAME, VersionId: 'v-created' });

    // Act
    const result = await store().put(REF, 's3cr3t');

    // Assess
    expect(result).toEqual({ versionId: 'v-created' });
    expect(sent()).toEqual([
      ['DescribeSecretCommand', { SecretId: NAME }],
      [
        'CreateSecretCommand',
        {
          Name: NAME,
          SecretString: 's3cr3t',
          KmsKeyId: KMS_KEY,
          Tags: [
            { Key: 'service', Value: 'payments-api' },
            { Key: 'environment', Value: 'prod' },
          ],
        },
      ],
    ]);
    expect(sm).toHaveReceivedCommandExactlyOnceWith(CreateSecretCommand, { Name: NAME, KmsKeyId: KMS_KEY });
  });

  it('leaves the key to Secrets Manager when the stack names none', async () => {
    // Prepare
    sm.on(DescribeSecretCommand).rejects(notFound());
    sm.on(CreateSecretCommand).resolves({ VersionId: 'v1' });

    // Act
    await store('').put(REF, 's3cr3t');

    // Assess
    expect(sm.commandCalls(CreateSecretCommand)[0]?.args[0].input).not.toHaveProperty('KmsKeyId');
  });

  it('adds a version to an existing secret with PutSecretValue', async () => {
    // Prepare
    sm.on(DescribeSecretCommand).resolves({ Name: NAME });
    sm.on(PutSecretValueCommand).resolves({ VersionId: 'v-next' });

    // Act
    const result = await store().put(REF, 'n3xt');

    // Assess
    expect(result).toEqual({ versionId: 'v-next' });
    expect(sent()).toEqual([
      ['DescribeSecretCommand', { SecretId: NAME }],
      ['PutSecretValueCommand', { SecretId: NAME, SecretString: 'n3xt' }],
    ]);
  });

  it('restores a secret scheduled for deletion before writing the new value', async () => {
    // Prepare
    sm.on(DescribeSecretCommand).resolves({ Name: NAME, DeletedDate: new Date('2030-01-01T00:00:00Z') });
    sm.on(RestoreSecretCommand).resolves({ Name: NAME });
    sm.on(PutSecretValueCommand).resolves({ VersionId: 'v-restored' });

    // Act
    const result = await store().put(REF, 'back');

    // Assess
    expect(result).toEqual({ versionId: 'v-restored' });
    expect(sent()).toEqual([
      ['DescribeSecretCommand', { SecretId: NAME }],
      ['RestoreSecretCommand', { SecretId: NAME }],
      ['PutSecretValueCommand', { SecretId: NAME, SecretString: 'back' }],
    ]);
  });

  it('writes a version when another writer created the secret first', async () => {
    // Prepare
    sm.on(DescribeSecretCommand).rejects(notFound());
    sm.on(CreateSecretCommand).rejects(new ResourceExistsException({ message: 'exists', ...meta }));
    sm.on(PutSecretValueCommand).resolves({ VersionId: 'v-raced' });

    // Act
    const result = await store().put(REF, 'raced');

    // Assess
    expect(result).toEqual({ versionId: 'v-raced' });
    expect(sent().map(([name]) => name)).toEqual(['DescribeSecretCommand', 'CreateSecretCommand', 'PutSecretValueCommand']);
  });

  it('lets any other failure through, without the value in it', async () => {
    // Prepare
    sm.on(DescribeSecretCommand).rejects(notFound());
    sm.on(CreateSecretCommand).rejects(
      new SecretsManagerServiceException({ name: 'AccessDeniedException', $fault: 'client', message: 'not authorized', ...meta }),
    );

    // Act
    const error = await store()
      .put(REF, 'do-not-echo-me')
      .catch((caught: Error) => caught);

    // Assess
    expect((error as Error).name).toBe('AccessDeniedException');
    expect(JSON.stringify({ message: (error as Error).message, stack: (error as Error).stack })).not.toContain('do-not-echo-me');
  });
});

describe('reading a value', () => {
  it('reads the version the metadata names', async () => {
    // Prepare
    sm.on(GetSecretValueCommand).resolves({ SecretString: 'the-value', VersionId: 'v7' });

    // Act
    const value = await store().get(REF, 'v7');

    // Assess
    expect(value).toBe('the-value');
    expect(sent()).toEqual([['GetSecretValueCommand', { SecretId: NAME, VersionId: 'v7' }]]);
  });

  it('says the value is not there when Secrets Manager cannot find it or it is marked for deletion', async () => {
    // Prepare
    sm.on(GetSecretValueCommand).rejectsOnce(notFound()).rejectsOnce(markedForDeletion());

    // Act
    const missing = await store()
      .get(REF)
      .catch((error) => error);
    const scheduled = await store()
      .get(REF)
      .catch((error) => error);

    // Assess
    expect(missing).toBeInstanceOf(SecretValueNotFoundError);
    expect(scheduled).toBeInstanceOf(SecretValueNotFoundError);
    expect(String(scheduled)).toMatch(/scheduled for deletion/);
  });
});

describe('scheduling deletion', () => {
  it('deletes with the recovery window and reports Secrets Manager’s deletion date', async () => {
    // Prepare
    sm.on(DeleteSecretCommand).resolves({ Name: NAME, DeletionDate: new Date('2030-01-08T00:00:00Z') });

    // Act
    const result = await store().scheduleDeletion(REF, 7);

    // Assess
    expect(result).toEqual({ deletionDate: '2030-01-08T00:00:00.000Z' });
    expect(sent()).toEqual([['DeleteSecretCommand', { SecretId: NAME, RecoveryWindowInDays: 7 }]]);
  });

  it('reports the running window of a secret already marked for deletion', async () => {
    // Prepare
    sm.on(DeleteSecretCommand).rejects(markedForDeletion());
    sm.on(DescribeSecretCommand).resolves({ Name: NAME, DeletedDate: new Date('2030-01-01T00:00:00Z') });

    // Act
    const result = await store().scheduleDeletion(REF, 30);

    // Assess
    expect(result).toEqual({ deletionDate: '2030-01-31T00:00:00.000Z' });
    expect(sent()).toEqual([
      ['DeleteSecretCommand', { SecretId: NAME, RecoveryWindowInDays: 30 }],
      ['DescribeSecretCommand', { SecretId: NAME }],
    ]);
  });

  it('treats a secret Secrets Manager does not have as already deleted', async () => {
    // Prepare
    sm.on(DeleteSecretCommand).rejects(notFound());

    // Act
    const before = Date.now();
    const { deletionDate } = await store().scheduleDeletion(REF, 30);

    // Assess
    expect(Date.parse(deletionDate)).toBeGreaterThanOrEqual(before);
    expect(Date.parse(deletionDate)).toBeLessThanOrEqual(Date.now());
  });
});

describe('configuration', () => {
  it('refuses a prefix that does not end in "/"', () => {
    expect(() => new SecretsManagerStore({ prefix: 'steward-prod' })).toThrow(/SECRETS_PREFIX/);
  });

  it('is built from SECRETS_PREFIX and SECRETS_KMS_KEY_ID on AWS', async () => {
    // Prepare
    vi.resetModules();
    vi.stubEnv('SECRETS_PREFIX', 'steward/prod/');
    vi.stubEnv('SECRETS_KMS_KEY_ID', KMS_KEY);
    vi.stubEnv('AWS_REGION', 'eu-west-1');
    sm.on(DescribeSecretCommand).rejects(notFound());
    sm.on(CreateSecretCommand).resolves({ VersionId: 'v1' });
    const { secretValueStore } = await import('../../functions/kernel/secret-values/value-store.ts');

    // Act
    await secretValueStore().put(REF, 'from-env');

    // Assess
    expect(sm).toHaveReceivedCommandWith(CreateSecretCommand, { Name: 'steward/prod/payments-api/prod/DB_PASSWORD', KmsKeyId: KMS_KEY });
    vi.unstubAllEnvs();
  });
});

describe('behind the HTTP API', () => {
  let runtime: Runtime;
  let client: ApiClient;
  const base = '/v1/services/sm-api/secrets';

  beforeAll(async () => {
    runtime = await startTestRuntime();
    client = api(runtime);
    configureSecretValueStore(store());
    expect((await client.post('/v1/services', { name: 'sm-api', kind: 'api' })).status).toBe(201);
  });

  afterAll(async () => {
    expectNoServerErrors(client.log.filter((response) => response.status !== 503));
    await runtime?.close();
  });

  it('stores with CreateSecret, reveals the version it recorded, deletes with the window asked for', async () => {
    // Prepare
    sm.on(DescribeSecretCommand).rejects(notFound());
    sm.on(CreateSecretCommand).resolves({ VersionId: 'v-http' });
    sm.on(GetSecretValueCommand).resolves({ SecretString: 'http-value', VersionId: 'v-http' });
    sm.on(DeleteSecretCommand).resolves({ DeletionDate: new Date('2030-01-11T00:00:00Z') });

    // Act
    const created = await client.request('PUT', `${base}/prod/API_TOKEN`, { value: 'http-value', type: 'api-key' });
    const revealed = await client.post(`${base}/prod/API_TOKEN/reveal`);
    const deleted = await client.delete(`${base}/prod/API_TOKEN`, { query: { recoveryDays: 10 } });

    // Assess
    expect(created.status).toBe(201);
    expect(revealed.json.value).toBe('http-value');
    expect(deleted.status).toBe(202);
    expect(deleted.json.deletionDate).toBe('2030-01-11T00:00:00.000Z');
    expect(sent()).toEqual([
      ['DescribeSecretCommand', { SecretId: 'steward/test/sm-api/prod/API_TOKEN' }],
      [
        'CreateSecretCommand',
        {
          Name: 'steward/test/sm-api/prod/API_TOKEN',
          SecretString: 'http-value',
          KmsKeyId: KMS_KEY,
          Tags: [
            { Key: 'service', Value: 'sm-api' },
            { Key: 'environment', Value: 'prod' },
          ],
        },
      ],
      ['GetSecretValueCommand', { SecretId: 'steward/test/sm-api/prod/API_TOKEN', VersionId: 'v-http' }],
      ['DeleteSecretCommand', { SecretId: 'steward/test/sm-api/prod/API_TOKEN', RecoveryWindowInDays: 10 }],
    ]);
  });

  it('leaves no metadata and no audit record when Secrets Manager refuses the value (503)', async () => {
    // Prepare
    sm.on(DescribeSecretCommand).rejects(notFound());
    sm.on(CreateSecretCommand).rejects(
      new SecretsManagerServiceException({ name: 'AccessDeniedException', $fault: 'client', message: 'denied', ...meta }),
    );
    vi.spyOn(process.stdout, 'write').mockImplementation(() => true);

    // Act
    const response = await client.request('PUT', `${base}/prod/REFUSED`, { value: 'refused-value' });
    vi.restoreAllMocks();

    // Assess
    const problem = expectProblem(response, 503);
    expect(problem.detail).toMatch(/nothing was recorded/);
    expect(response.text).not.toContain('refused-value');
    expectProblem(await client.get(`${base}/prod/REFUSED`), 404);
    expect((await readAll(client, base)).map((secret) => secret.name)).not.toContain('REFUSED');
    const events = await readAll(client, '/v1/services/sm-api/history', { type: 'secret.*' });
    expect(events.map((event) => event.subject)).not.toContain('secret/sm-api/prod/REFUSED');
  });
});
