import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { type Runtime, startRuntime } from '../../local/runtime.ts';
import { type ApiClient, api, type ApiResponse, expectNoServerErrors, expectProblem, readAll } from '../helpers/http-client.ts';

/**
 * The local runtime keeps its data and its bootstrap admin key under a data folder across
 * restarts; an explicit admin key (STEWARD_ADMIN_KEY) is used as given, and replacing it
 * retires the old one.
 */

const dirs: string[] = [];
const running: Runtime[] = [];
const log: ApiResponse[] = [];

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'steward-e2e-'));
  dirs.push(dir);
  return dir;
}

async function start(options: { dataDir: string; adminKey?: string }): Promise<{ runtime: Runtime; client: ApiClient }> {
  const runtime = await startRuntime({ port: 0, reconcileEveryMs: 3_600_000, ...options });
  running.push(runtime);
  return { runtime, client: api(runtime, runtime.adminKey, log) };
}

async function stop(runtime: Runtime): Promise<void> {
  await runtime.close();
  running.splice(running.indexOf(runtime), 1);
}

afterAll(async () => {
  for (const runtime of running) await runtime.close();
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

describe('a data folder', () => {
  it('keeps services, versions, the trail, API keys and the admin key across a restart', async () => {
    const dataDir = tempDir();
    const first = await start({ dataDir });
    expect(first.runtime.adminKeySource).toBe('generated');
    expect(first.runtime.dataDir).toBe(dataDir);
    const keyFile = join(dataDir, 'admin-key');
    expect(readFileSync(keyFile, 'utf8').trim()).toBe(first.runtime.adminKey);
    expect(statSync(keyFile).mode & 0o777).toBe(0o600);

    expect((await first.client.post('/v1/services', { name: 'kept-api', kind: 'api', owner: 'ops@example.com' })).status).toBe(201);
    expect(
      (await first.client.post('/v1/services/kept-api/versions', { version: '1.0.0', changes: [{ type: 'fix', description: 'kept' }] }))
        .status,
    ).toBe(201);
    expect((await first.client.post('/v1/services/kept-api/versions/1.0.0/release')).status).toBe(200);
    expect((await first.client.post('/v1/services/kept-api/versions', { version: '1.1.0-rc.1' })).status).toBe(201);
    const deployer = await first.client.post('/v1/api-keys', { name: 'kept-deployer', role: 'deployer' });
    expect(deployer.status).toBe(201);
    const revoked = await first.client.post('/v1/api-keys', { name: 'revoked-before-restart', role: 'viewer' });
    expect((await first.client.delete(`/v1/api-keys/${revoked.json.id}`)).status).toBe(204);
    const serviceBefore = (await first.client.get('/v1/services/kept-api')).json;
    const trailBefore = await readAll(first.client, '/v1/audit', { limit: 100 });
    await stop(first.runtime);

    const second = await start({ dataDir });
    expect(second.runtime.adminKeySource).toBe('stored');
    expect(second.runtime.adminKey).toBe(first.runtime.adminKey);
    const service = await second.client.get('/v1/services/kept-api');
    expect(service.status).toBe(200);
    expect(service.json).toEqual(serviceBefore);
    expect(service.json).toMatchObject({ status: 'active', versionCount: 2, latestReleased: '1.0.0' });
    expect(
      (await readAll(second.client, '/v1/services/kept-api/versions')).map((version) => `${version.version}:${version.status}`),
    ).toEqual(['1.1.0-rc.1:draft', '1.0.0:released']);
    expect((await second.client.get('/v1/services/kept-api/versions/1.0.0')).json.changes).toEqual([{ type: 'fix', description: 'kept' }]);
    expect(await readAll(second.client, '/v1/audit', { limit: 100 })).toEqual(trailBefore);

    // keys made before the restart still work, and revoked ones stay revoked
    const deployerClient = second.client.as(deployer.json.key);
    expect((await deployerClient.post('/v1/services/kept-api/versions/1.1.0-rc.1/release')).status).toBe(200);
    expectProblem(await second.client.as(revoked.json.key).get('/v1/services'), 401);

    // and the restart itself changed nothing: no new records but the one just made
    const trailAfter = await readAll(second.client, '/v1/audit', { limit: 100 });
    expect(trailAfter.slice(1)).toEqual(trailBefore);
    expect(trailAfter[0]).toMatchObject({ type: 'version.released', actor: { keyId: deployer.json.id } });
    await stop(second.runtime);
  });

  it('uses an explicit admin key as given, and replacing it retires the old one', async () => {
    const dataDir = tempDir();
    const firstKey = 'explicit-admin-key-0001';
    const first = await start({ dataDir, adminKey: firstKey });
    expect(first.runtime.adminKeySource).toBe('given');
    expect(first.runtime.adminKey).toBe(firstKey);
    expect(existsSync(join(dataDir, 'admin-key'))).toBe(false);
    expect((await first.client.get('/v1/services')).status).toBe(200);
    expect((await first.client.post('/v1/services', { name: 'explicit-api', kind: 'model' })).status).toBe(201);
    await stop(first.runtime);

    // the same key again: nothing to change
    const again = await start({ dataDir, adminKey: firstKey });
    expect((await again.client.get('/v1/services/explicit-api')).status).toBe(200);
    expect((await readAll(again.client, '/v1/audit', { type: 'apikey.*' })).map((record) => record.type)).toEqual(['apikey.created']);
    await stop(again.runtime);

    const secondKey = 'explicit-admin-key-0002';
    const second = await start({ dataDir, adminKey: secondKey });
    expect((await second.client.get('/v1/services/explicit-api')).status).toBe(200);
    expectProblem(await second.client.as(firstKey).get('/v1/services'), 401);
    expectProblem(await second.client.as(firstKey).post('/v1/services', { name: 'old-key-api', kind: 'api' }), 401);
    const rotations = await readAll(second.client, '/v1/audit', { type: 'apikey.*' });
    expect(rotations.map((record) => record.type)).toEqual(['apikey.rotated', 'apikey.created']);
    const exported = (await second.client.get('/v1/audit/export')).text;
    expect(exported).not.toContain(firstKey);
    expect(exported).not.toContain(secondKey);
    const bootstrap = (await readAll(second.client, '/v1/api-keys')).find((key) => key.id === 'bootstrap');
    expect(bootstrap).toMatchObject({ role: 'admin', services: null, status: 'active' });
    await stop(second.runtime);
  });

  it('refuses an explicit admin key shorter than 16 characters', async () => {
    await expect(startRuntime({ memory: true, port: 0, adminKey: 'too-short' })).rejects.toThrow(/16 characters/);
  });
});

describe('npm start', () => {
  let child: ChildProcess | undefined;

  afterAll(() => {
    if (child && child.exitCode === null) child.kill('SIGKILL');
  });

  it('honours PORT, STEWARD_ADMIN_KEY and --memory, prints the URLs and the key, and stops on SIGTERM', async () => {
    const root = fileURLToPath(new URL('../../', import.meta.url));
    const adminKey = 'automation-admin-key-0001';
    child = spawn(process.execPath, ['--import', 'tsx', 'local/start.ts', '--memory'], {
      cwd: root,
      env: { ...process.env, PORT: '0', STEWARD_ADMIN_KEY: adminKey, POWERTOOLS_LOG_LEVEL: 'SILENT' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout?.on('data', (chunk) => {
      output += String(chunk);
    });
    child.stderr?.on('data', (chunk) => {
      output += String(chunk);
    });
    const exited = new Promise<number | null>((resolve) => child?.once('exit', (code) => resolve(code)));
    await new Promise<void>((resolve, reject) => {
      const check = setInterval(() => {
        if (/Try:/.test(output)) {
          clearInterval(check);
          resolve();
        } else if (child?.exitCode !== null) {
          clearInterval(check);
          reject(new Error(`npm start exited early:\n${output}`));
        }
      }, 50);
    });

    const url = output.match(/API\s+(http:\/\/\S+)\/v1/)?.[1];
    expect(url, output).toMatch(/^http:\/\/localhost:\d+$/);
    expect(output).toContain(`${url}/docs`);
    expect(output).toContain(adminKey);
    expect(output).toMatch(/STEWARD_ADMIN_KEY/);
    expect(output).toMatch(/in memory/);

    const client = api({ url: url as string, adminKey }, adminKey, log);
    expect((await client.get('/health')).status).toBe(200);
    expect((await client.post('/v1/services', { name: 'started-api', kind: 'api' })).status).toBe(201);
    expectProblem(await client.as('automation-admin-key-0002').get('/v1/services'), 401);

    child.kill('SIGTERM');
    expect(await exited).toBe(0);
  });
});

it('answered no request with a server error, and every error as problem+json', () => {
  expect(log.length).toBeGreaterThan(20);
  expectNoServerErrors(log);
});
