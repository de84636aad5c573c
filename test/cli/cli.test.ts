import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXIT } from '../../cli/exit-codes.ts';
import { type Runtime, startRuntime } from '../../local/runtime.ts';
import { finished, putEnvironment, serviceWithVersions } from '../helpers/deployments.ts';
import { type ApiClient, api } from '../helpers/http-client.ts';
import { startVersionService, type VersionService } from '../helpers/weighted-router.ts';

/** `npx steward` run as a child process against the local runtime (issue 12 item 3). */

process.env.STEWARD_TIME_SCALE = '0.01';

const BIN = fileURLToPath(new URL('../../cli/steward.mjs', import.meta.url));

let runtime: Runtime;
let client: ApiClient;
let home: string;
let unhealthy: VersionService;

interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the CLI with the runtime's URL and admin key in the environment, as a pipeline would. */
function steward(
  args: string[],
  options: { env?: Record<string, string | undefined>; stdin?: string; login?: boolean } = {},
): Promise<CliResult> {
  const credentials = options.login ? {} : { STEWARD_URL: runtime.url, STEWARD_API_KEY: runtime.adminKey };
  const env = { ...process.env, XDG_CONFIG_HOME: home, STEWARD_URL: '', STEWARD_API_KEY: '', ...credentials, ...options.env };
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { env, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(options.stdin ?? '');
  });
}

/** A service with 1.0.0 serving all of prod (none driver) and 2.0.0 released. */
async function serving(name: string, env: Record<string, unknown> = {}): Promise<void> {
  await serviceWithVersions(client, name, ['1.0.0', '2.0.0']);
  await putEnvironment(client, name, 'prod', { traffic: { driver: 'none' }, ...env });
  const promoted = await client.post(`/v1/services/${name}/environments/prod/promote`, { version: '1.0.0' });
  expect(promoted.status, promoted.text).toBe(202);
  expect((await finished(client, name, promoted.json.id)).status).toBe('succeeded');
}

beforeAll(async () => {
  runtime = await startRuntime({ memory: true, port: 0, reconcileEveryMs: 3_600_000 });
  client = api(runtime);
  home = mkdtempSync(join(tmpdir(), 'steward-cli-'));
  unhealthy = await startVersionService('2.0.0', { healthy: false });
});

afterAll(async () => {
  await unhealthy?.close();
  await runtime?.close();
  rmSync(home, { recursive: true, force: true });
});

describe('login', () => {
  it('checks the key, then keeps URL and key in a 0600 file that later commands use', async () => {
    const login = await steward(['login', '--url', runtime.url, '--json'], { stdin: `${runtime.adminKey}\n`, login: true });
    expect(login.code, login.stderr).toBe(EXIT.ok);
    const answer = JSON.parse(login.stdout);
    expect(answer).toMatchObject({ url: runtime.url, steward: { name: 'steward', runtime: 'local' } });
    const file = join(home, 'steward', 'credentials.json');
    expect(answer.configFile).toBe(file);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual({ url: runtime.url, key: runtime.adminKey });

    await serviceWithVersions(client, 'cli-listed', ['1.0.0']);
    const listed = await steward(['services', 'ls', '--json'], { login: true });
    expect(listed.code, listed.stderr).toBe(EXIT.ok);
    expect(JSON.parse(listed.stdout).map((service: { name: string }) => service.name)).toContain('cli-listed');
  });

  it('refuses a bad key with exit 4 and keeps nothing', async () => {
    const result = await steward(['login', '--url', runtime.url], {
      stdin: 'stw_not-a-key',
      env: { XDG_CONFIG_HOME: join(home, 'other') },
      login: true,
    });
    expect(result.code).toBe(EXIT.auth);
    expect(result.stderr).toMatch(/401/);
    expect(() => statSync(join(home, 'other', 'steward', 'credentials.json'))).toThrow();
  });
});

describe('deploy --wait', () => {
  it('follows a canary live to 100% and exits 0', async () => {
    await serving('cli-good');
    const result = await steward([
      'deploy',
      'cli-good',
      '2.0.0',
      '--env',
      'prod',
      '--strategy',
      'canary',
      '--percent',
      '10',
      '--bake',
      '1',
      '--wait',
      '--json',
    ]);
    expect(result.code, result.stderr).toBe(EXIT.ok);
    const deployment = JSON.parse(result.stdout);
    expect(deployment).toMatchObject({ service: 'cli-good', version: '2.0.0', status: 'succeeded', weights: { '2.0.0': 100 } });
    expect(result.stderr).toContain('(canary; live)');
    expect(result.stderr).toMatch(/step_completed +Step 1 of 2: 2\.0\.0 at 10%\. +\[2\.0\.0 10%, 1\.0\.0 90%\]/);
    expect(result.stderr).toMatch(/\n {2}succeeded +2\.0\.0 serves all traffic/);
  });

  it('exits 5 when the rollout rolls back (its health gate fails)', async () => {
    await serving('cli-bad', { healthGate: { probe: { url: unhealthy.healthUrl }, failFast: true } });
    const result = await steward([
      'deploy',
      'cli-bad',
      '2.0.0',
      '--env',
      'prod',
      '--strategy',
      'canary',
      '--percent',
      '10',
      '--bake',
      '1',
      '--wait',
      '--json',
    ]);
    expect(result.code, result.stderr).toBe(EXIT.rolledBack);
    const deployment = JSON.parse(result.stdout);
    expect(deployment).toMatchObject({ status: 'rolled_back', weights: { '1.0.0': 100 }, failureReason: expect.stringMatching(/gate/i) });
    expect(result.stderr).toMatch(/gate_evaluated +Health gate failed at 10%/);
    expect(result.stderr).toMatch(/\n {2}rolled_back /);
  });

  it('polls when the stream cannot be reached, with the same outcome', async () => {
    await serving('cli-poll');
    const result = await steward(['deploy', 'cli-poll', '2.0.0', '--env', 'prod', '--strategy', 'all-at-once', '--wait'], {
      env: { STEWARD_STREAM_URL: 'ws://127.0.0.1:9/v1/stream' },
    });
    expect(result.code, result.stderr).toBe(EXIT.ok);
    expect(result.stderr).toContain('(all-at-once; polling)');
    expect(result.stdout).toMatch(/succeeded; weights 2\.0\.0 100%/);
  });

  it('a refused deployment exits 3 with the problem, and --json prints it', async () => {
    const result = await steward(['deploy', 'cli-good', '9.9.9', '--env', 'prod', '--wait', '--json']);
    expect(result.code).toBe(EXIT.refused);
    expect(JSON.parse(result.stdout)).toMatchObject({ status: expect.any(Number), detail: expect.any(String) });
  });
});

describe('the other commands', () => {
  it('versions, deployments and alerts ls, release, config set/get/diff, all with --json', async () => {
    await serviceWithVersions(client, 'cli-misc', ['1.0.0', { version: '1.1.0', status: 'draft' }]);
    const released = await steward(['release', 'cli-misc', '1.1.0', '--json']);
    expect(released.code, released.stderr).toBe(EXIT.ok);
    expect(JSON.parse(released.stdout)).toMatchObject({ version: '1.1.0', status: 'released' });

    const versions = JSON.parse((await steward(['versions', 'ls', 'cli-misc', '--json'])).stdout);
    expect(versions.map((version: { version: string }) => version.version).sort()).toEqual(['1.0.0', '1.1.0']);
    const deployments = JSON.parse((await steward(['deployments', 'ls', 'cli-good', '--json'])).stdout);
    expect(deployments.map((deployment: { status: string }) => deployment.status)).toContain('succeeded');
    const alerts = await steward(['alerts', 'ls', '--json']);
    expect(alerts.code, alerts.stderr).toBe(EXIT.ok);
    expect(Array.isArray(JSON.parse(alerts.stdout))).toBe(true);

    const file = join(home, 'values.json');
    writeFileSync(file, JSON.stringify({ pool: { size: 5 } }));
    expect((await steward(['config', 'set', 'cli-misc', '--env', 'base', '--file', file, '--json'])).code).toBe(EXIT.ok);
    writeFileSync(file, JSON.stringify({ pool: { size: 8 } }));
    const second = await steward(['config', 'set', 'cli-misc', '--env', 'base', '--file', file, '--json']);
    expect(JSON.parse(second.stdout)).toMatchObject({ version: 2 });
    const got = JSON.parse((await steward(['config', 'get', 'cli-misc', '--env', 'base', '--json'])).stdout);
    expect(JSON.stringify(got)).toContain('"size":8');
    const diff = await steward(['config', 'diff', 'cli-misc', '--env', 'base', '--from', '1', '--json']);
    expect(JSON.parse(diff.stdout).patch).toEqual([{ op: 'replace', path: '/pool/size', value: 8 }]);
    const human = await steward(['config', 'diff', 'cli-misc', '--env', 'base', '--from', '1']);
    expect(human.stdout.trim()).toBe('replace  /pool/size = 8');
  });

  it('alerts ack says what happened to each id; an unknown one exits 3', async () => {
    const result = await steward(['alerts', 'ack', '01ARZ3NDEKTSV4RRFFQ69G5FAV', '--json']);
    expect(result.code).toBe(EXIT.refused);
    expect(JSON.parse(result.stdout)).toEqual({ results: [{ id: '01ARZ3NDEKTSV4RRFFQ69G5FAV', outcome: 'not_found' }] });
  });

  it('usage errors exit 2; no login exits 2; a missing service exits 3', async () => {
    expect((await steward(['deploy', 'x'])).code).toBe(EXIT.usage);
    expect((await steward(['services', 'ls'], { login: true, env: { XDG_CONFIG_HOME: join(home, 'nobody') } })).code).toBe(EXIT.usage);
    const missing = await steward(['versions', 'ls', 'no-such-service']);
    expect(missing.code).toBe(EXIT.refused);
    expect(missing.stderr).toMatch(/404/);
  });
});
