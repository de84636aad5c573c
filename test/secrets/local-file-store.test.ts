import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encryptedFileBackend, loadOrCreateKey, localFileSecretStore } from '../../functions/kernel/secret-values/local-file-store.ts';
import { memorySecretStore } from '../../functions/kernel/secret-values/local-store.ts';
import { SecretValueNotFoundError } from '../../functions/kernel/secret-values/secret-value-store.ts';
import { startRuntime } from '../../local/runtime.ts';
import { api } from '../helpers/http-client.ts';

/**
 * docs/architecture.md §2: the local runtime keeps values in files encrypted with AES-256-GCM, under a key
 * made on first start and kept beside the folder with mode 0600. What is on disk never holds a
 * value in clear, and a restart on the same folder still reveals it.
 */

const VALUE = 'plaintext-canary-7d1e0c2b-never-on-disk';
let dataDir: string;

beforeAll(() => {
  dataDir = mkdtempSync(join(tmpdir(), 'steward-secrets-'));
});

afterAll(() => {
  rmSync(dataDir, { recursive: true, force: true });
});

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name));
}

describe('the encrypted file store, through the local runtime', () => {
  it('keeps no plaintext on disk and reveals the value after a restart on the same folder', async () => {
    // Prepare
    const first = await startRuntime({ dataDir, port: 0, reconcileEveryMs: 3_600_000 });
    const client = api(first);
    expect((await client.post('/v1/services', { name: 'disk-api', kind: 'api' })).status).toBe(201);
    expect((await client.request('PUT', '/v1/services/disk-api/secrets/prod/DISK_SECRET', { value: VALUE })).status).toBe(201);
    await first.close();

    // Act
    const second = await startRuntime({ dataDir, port: 0, reconcileEveryMs: 3_600_000 });
    const revealed = await api(second).post('/v1/services/disk-api/secrets/prod/DISK_SECRET/reveal');
    await second.close();

    // Assess
    expect(revealed.status, revealed.text).toBe(200);
    expect(revealed.json.value).toBe(VALUE);
    const secretFiles = filesUnder(join(dataDir, 'secrets'));
    expect(secretFiles).toHaveLength(1);
    for (const file of filesUnder(dataDir)) {
      const bytes = readFileSync(file);
      expect(bytes.includes(Buffer.from(VALUE)), file).toBe(false);
      expect(bytes.includes(Buffer.from(VALUE, 'utf16le')), file).toBe(false);
    }
  });

  it('made the key on first start, beside the folder, readable by its owner only', () => {
    // Act
    const keyFile = join(dataDir, 'secrets.key');

    // Assess
    expect(statSync(keyFile).mode & 0o777).toBe(0o600);
    expect(Buffer.from(readFileSync(keyFile, 'utf8').trim(), 'base64')).toHaveLength(32);
    for (const file of filesUnder(join(dataDir, 'secrets'))) expect(statSync(file).mode & 0o077).toBe(0);
  });
});

describe('the encrypted file store, directly', () => {
  it('refuses a file encrypted under another key, or altered', async () => {
    // Prepare
    const dir = mkdtempSync(join(tmpdir(), 'steward-secrets-'));
    const ref = { service: 'disk-api', environment: 'prod', name: 'TAMPER' };
    await localFileSecretStore(join(dir, 'secrets')).put(ref, 'tamper-value');
    const [file] = filesUnder(join(dir, 'secrets')) as [string];
    const otherKey = encryptedFileBackend(join(dir, 'secrets'), loadOrCreateKey(join(dir, 'other.key')));

    // Act
    const wrongKey = () => otherKey.read('disk-api/prod/TAMPER');
    const stored = JSON.parse(readFileSync(file, 'utf8'));
    const flipped = Buffer.from(stored.ciphertext, 'base64');
    flipped[0] = (flipped[0] as number) ^ 1;
    writeFileSync(file, JSON.stringify({ ...stored, ciphertext: flipped.toString('base64') }));
    const altered = localFileSecretStore(join(dir, 'secrets')).get(ref);

    // Assess
    expect(wrongKey).toThrow(/does not decrypt/);
    await expect(altered).rejects.toThrow(/does not decrypt/);
    rmSync(dir, { recursive: true, force: true });
  });

  it('serves a named version, refuses reads while scheduled for deletion, forgets after the window', async () => {
    // Prepare
    let now = new Date('2030-01-01T00:00:00Z');
    const dir = mkdtempSync(join(tmpdir(), 'steward-secrets-'));
    const ref = { service: 'disk-api', environment: 'prod', name: 'WINDOW' };
    for (const store of [localFileSecretStore(join(dir, 'secrets'), undefined, () => now), memorySecretStore(() => now)]) {
      now = new Date('2030-01-01T00:00:00Z');
      const { versionId: v1 } = await store.put(ref, 'window-1');
      await store.put(ref, 'window-2');

      // Act
      const named = await store.get(ref, v1);
      const current = await store.get(ref);
      const { deletionDate } = await store.scheduleDeletion(ref, 7);
      const whileScheduled = store.get(ref).catch((error) => error);
      now = new Date('2030-01-08T00:00:01Z');
      const afterWindow = store.get(ref).catch((error) => error);
      const again = await store.scheduleDeletion(ref, 7);

      // Assess
      expect(named).toBe('window-1');
      expect(current).toBe('window-2');
      expect(deletionDate).toBe('2030-01-08T00:00:00.000Z');
      expect(await whileScheduled).toBeInstanceOf(SecretValueNotFoundError);
      expect(String(await whileScheduled)).toMatch(/scheduled for deletion/);
      expect(String(await afterWindow)).toMatch(/not in the value store/);
      expect(again.deletionDate).toBe(now.toISOString());
    }
    expect(filesUnder(join(dir, 'secrets'))).toEqual([]);
    rmSync(dir, { recursive: true, force: true });
  });

  it('restores a secret scheduled for deletion when a new value is put', async () => {
    // Prepare
    const store = memorySecretStore();
    const ref = { service: 'disk-api', environment: 'prod', name: 'RESTORE' };
    await store.put(ref, 'before');
    await store.scheduleDeletion(ref, 30);

    // Act
    await store.put(ref, 'after');

    // Assess
    expect(await store.get(ref)).toBe('after');
  });
});
