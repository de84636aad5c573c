import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { format } from 'node:util';
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { handler as secretExpiry } from '../../functions/handlers/secret-expiry.ts';
import { logger } from '../../functions/kernel/logger.ts';
import type { SecretValueStore } from '../../functions/kernel/secret-values/secret-value-store.ts';
import { configureSecretValueStore, secretValueStore } from '../../functions/kernel/secret-values/value-store.ts';
import { documentClient, tableName } from '../../functions/kernel/store/client.ts';
import { type Runtime, startRuntime } from '../../local/runtime.ts';
import { type ApiClient, type ApiResponse, api, expectNoServerErrors } from '../helpers/http-client.ts';

/**
 * Issue 5: secret values never reach logs, errors, audit records, exports or metrics. This runs
 * a scenario with several distinctive values — stored, updated, refused in every way a request
 * can be refused, revealed, deleted, restored, flagged by the scheduled job, with the value
 * store failing once — while capturing everything written to stdout, stderr and the console
 * (with the handlers logging at DEBUG), then greps all of it, every response (body and headers)
 * except the reveals that succeeded, the audit export and report, the configuration export,
 * the whole table and every file of the data folder for each value: raw, JSON-escaped,
 * URL-encoded and base64-encoded.
 */

// Log everything: the logger takes its level from here when first imported (below), and resets
// to it at every invocation, so this is the one way to have the handlers log at DEBUG.
vi.hoisted(() => {
  process.env.POWERTOOLS_LOG_LEVEL = 'DEBUG';
});

const run = randomBytes(6).toString('hex');
const token = (name: string) => `canary-${name}-${run}`;
const VALUES = {
  plain: `${token('plain')}`,
  quoted: `pre"fix\\${token('quoted')}"</script>`,
  unicode: `ünïcødé-🔑-${token('unicode')}`,
  multiline: `-----BEGIN CERTIFICATE-----\n${token('multiline')}\n-----END CERTIFICATE-----\n`,
  rotated: `${token('rotated')}-second-value`,
  refused: `${token('refused')}`,
  big: `${token('big')}${'z'.repeat(70_000)}`,
};
const TOKENS = Object.keys(VALUES).map(token);
const SERVICE = 'leak-api';
const base = `/v1/services/${SERVICE}/secrets`;

let dataDir: string;
let runtime: Runtime;
let admin: ApiClient;
const keys: Record<string, string> = {};
const captured: string[] = [];
const extra: Array<{ what: string; text: string }> = [];

function capture(): void {
  for (const stream of [process.stdout, process.stderr]) {
    vi.spyOn(stream, 'write').mockImplementation(((chunk: unknown) => {
      captured.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk as Uint8Array).toString('utf8'));
      return true;
    }) as typeof stream.write);
  }
  for (const method of ['log', 'info', 'warn', 'error', 'debug', 'trace'] as const) {
    vi.spyOn(console, method).mockImplementation((...args: unknown[]) => {
      captured.push(format(...args));
    });
  }
}

/** Every way a value could be spelled in text we produced. */
function spellings(value: string): string[] {
  return [value, JSON.stringify(value).slice(1, -1), encodeURIComponent(value), Buffer.from(value).toString('base64')];
}

/** Tokens found in `text`, directly or inside anything base64-looking. */
function leaks(text: string): string[] {
  const found = new Set<string>();
  for (const [name, value] of Object.entries(VALUES)) {
    if (spellings(value).some((spelling) => text.includes(spelling))) found.add(name);
  }
  for (const candidate of text.match(/[A-Za-z0-9+/_-]{16,}={0,2}/g) ?? []) {
    const decoded = `${Buffer.from(candidate, 'base64').toString('latin1')} ${Buffer.from(candidate, 'base64url').toString('latin1')}`;
    for (const [index, tokenText] of TOKENS.entries()) if (decoded.includes(tokenText)) found.add(Object.keys(VALUES)[index] as string);
  }
  for (const [index, tokenText] of TOKENS.entries()) if (text.includes(tokenText)) found.add(Object.keys(VALUES)[index] as string);
  return [...found];
}

function responseText(response: ApiResponse): string {
  return `${response.method} ${response.path} ${response.status}\n${[...response.headers.entries()].map(([name, value]) => `${name}: ${value}`).join('\n')}\n\n${response.text}`;
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name));
}

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'steward-no-leak-'));
  runtime = await startRuntime({ dataDir, port: 0, reconcileEveryMs: 3_600_000 });
  admin = api(runtime);
  expect((await admin.post('/v1/services', { name: SERVICE, kind: 'api' })).status).toBe(201);
  for (const [name, role, services] of [
    ['viewer', 'viewer', undefined],
    ['deployer', 'deployer', undefined],
    ['scoped', 'deployer', [SERVICE]],
  ] as const) {
    const response = await admin.post('/v1/api-keys', { name, role, ...(services ? { services } : {}) });
    keys[name] = response.json.key;
  }
  capture();
  try {
    await scenario();
  } finally {
    vi.restoreAllMocks();
  }
});

afterAll(async () => {
  await runtime?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

async function scenario(): Promise<void> {
  const put = (name: string, body: unknown, options = {}) => admin.request('PUT', `${base}/prod/${name}`, body, options);
  const soon = new Date(Date.now() + 3 * 86_400_000).toISOString();

  // Stored and updated.
  expect((await put('PLAIN', { value: VALUES.plain, type: 'password', expiresAt: soon })).status).toBe(201);
  expect((await put('QUOTED', { value: VALUES.quoted, description: 'quotes and backslashes' })).status).toBe(201);
  expect((await put('UNICODE', { value: VALUES.unicode, type: 'api-key' })).status).toBe(201);
  expect((await put('CERT', { value: VALUES.multiline, type: 'certificate', rotationDays: 1 })).status).toBe(201);
  expect((await put('PLAIN', { value: VALUES.rotated })).status).toBe(200);

  // Refused in every way a request can be refused: the value rides along each time.
  expect((await put('PLAIN', { value: VALUES.refused, unknown: VALUES.refused })).status).toBe(400);
  expect((await put('PLAIN', undefined, { raw: `{"value": ${VALUES.refused}}`, contentType: 'application/json' })).status).toBe(400);
  expect((await put('PLAIN', undefined, { raw: `{"value": "${VALUES.refused}",}`, contentType: 'application/json' })).status).toBe(400);
  expect((await put('PLAIN', undefined, { raw: VALUES.refused, contentType: 'text/plain' })).status).toBe(415);
  expect((await put('PLAIN', { value: `${VALUES.refused}\ud800` })).status).toBe(400);
  expect((await put('PLAIN', { value: VALUES.refused, rotationDays: -1 })).status).toBe(400);
  expect((await put('PLAIN', { value: VALUES.big })).status).toBe(413);
  expect((await put('PLAIN', { value: VALUES.refused }, { headers: { 'if-match': '"99"' } })).status).toBe(412);
  expect((await put('PLAIN', { value: VALUES.refused }, { key: keys.scoped })).status).toBe(403);
  expect((await put('PLAIN', { value: VALUES.refused }, { key: null })).status).toBe(401);
  expect((await admin.request('PUT', `/v1/services/no-such-api/secrets/prod/PLAIN`, { value: VALUES.refused })).status).toBe(404);

  // The value store fails once.
  const working = secretValueStore();
  const failing: SecretValueStore = {
    put: async () => {
      throw Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' });
    },
    get: working.get.bind(working),
    scheduleDeletion: working.scheduleDeletion.bind(working),
  };
  configureSecretValueStore(failing);
  expect((await put('FAILING', { value: VALUES.refused })).status).toBe(503);
  configureSecretValueStore(working);

  // Read, revealed, refused reveals.
  expect((await admin.get(base)).status).toBe(200);
  for (const name of ['PLAIN', 'QUOTED', 'UNICODE', 'CERT']) {
    expect((await admin.get(`${base}/prod/${name}`, { key: keys.viewer })).status).toBe(200);
    expect((await admin.post(`${base}/prod/${name}/reveal`)).status).toBe(200);
  }
  expect((await admin.post(`${base}/prod/QUOTED/reveal`, undefined, { key: keys.scoped })).json.value).toBe(VALUES.quoted);
  expect((await admin.post(`${base}/prod/UNICODE/reveal`, undefined, { key: keys.scoped })).json.value).toBe(VALUES.unicode);
  expect((await admin.post(`${base}/prod/PLAIN/reveal`, undefined, { key: keys.viewer })).status).toBe(403);
  expect((await admin.post(`${base}/prod/PLAIN/reveal`, undefined, { key: keys.deployer })).status).toBe(403);

  // Deleted, refused while scheduled, restored.
  expect((await admin.delete(`${base}/prod/CERT`, { query: { recoveryDays: 7 } })).status).toBe(202);
  expect((await admin.post(`${base}/prod/CERT/reveal`)).status).toBe(409);
  expect((await put('CERT', { value: VALUES.multiline })).status).toBe(200);

  // The scheduled job flags expiry and rotation.
  const flagged = await secretExpiry({ time: new Date(Date.now() + 2 * 86_400_000).toISOString() });
  expect(flagged.raised).toBe(2);

  // Everything a reader of the trail or of the configuration can take away.
  for (const path of [`/v1/services/${SERVICE}/history`, '/v1/audit', `/v1/services/${SERVICE}/configs/export`]) {
    expect((await admin.get(path)).status).toBeLessThan(500);
  }
  expect((await admin.get(`/v1/services/${SERVICE}/configs/export`, { query: { format: 'yaml' } })).status).toBeLessThan(500);
  let next: string | null = '/v1/audit/export';
  while (next) {
    const part: ApiResponse = await admin.get(next);
    expect(part.status).toBe(200);
    next = part.headers.get('link')?.match(/<([^>]+)>/)?.[1] ?? null;
  }
  expect((await admin.get('/v1/audit/report')).status).toBe(200);
  const table = await documentClient().send(new ScanCommand({ TableName: tableName() }));
  extra.push({ what: 'the whole table', text: JSON.stringify(table.Items) });
  logger.error('a line that must be captured, to show the capture works');
}

describe('secret values', () => {
  it('were captured in the first place: the scenario wrote logs, and the reveals returned the values', () => {
    const logs = captured.join('\n');
    expect(logs).toMatch(/secret value store failed/);
    expect(logs).toMatch(/a line that must be captured/);
    const reveals = admin.log.filter((response) => response.path.endsWith('/reveal') && response.status === 200);
    // PLAIN's first value was replaced by the rotated one before any reveal.
    expect(leaks(reveals.map(responseText).join('\n')).sort()).toEqual(['multiline', 'quoted', 'rotated', 'unicode']);
  });

  it('never reach stdout, stderr or the console', () => {
    expect(leaks(captured.join('\n'))).toEqual([]);
  });

  it('never reach a response other than a successful reveal: bodies, errors, headers, exports, reports', () => {
    const responses = admin.log.filter((response) => !(response.path.endsWith('/reveal') && response.status === 200));
    expect(responses.length).toBeGreaterThan(30);
    expect(responses.some((response) => response.path.startsWith('/v1/audit/export'))).toBe(true);
    for (const response of responses)
      expect(leaks(responseText(response)), `${response.method} ${response.path} ${response.status}`).toEqual([]);
    expectNoServerErrors(admin.log.filter((response) => response.status !== 503));
  });

  it('never reach the audit trail or any other item of the table', () => {
    for (const { what, text } of extra) expect(leaks(text), what).toEqual([]);
    expect(extra[0]?.text).toMatch(/secret\.revealed/);
  });

  it('never reach a file of the data folder in clear', () => {
    const files = filesUnder(dataDir);
    expect(files.some((file) => file.includes(`${join(dataDir, 'secrets')}`))).toBe(true);
    for (const file of files) {
      const bytes = readFileSync(file);
      expect(leaks(bytes.toString('latin1')), file).toEqual([]);
      expect(leaks(bytes.toString('utf8')), file).toEqual([]);
    }
  });
});
