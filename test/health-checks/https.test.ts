import { createServer, type Server, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runDueChecks } from '../../functions/health-checks/runner.ts';
import { configureOutboundTrust } from '../../functions/kernel/outbound/policy.ts';
import { type Runtime, startRuntime } from '../../local/runtime.ts';
import { type ApiClient, api, expectNoServerErrors, readAll } from '../helpers/http-client.ts';
import { createSelfSigned, createTestPki, type TestCertificate } from '../kernel/outbound/helpers/certificates.ts';
import { startTargets, type Targets } from './targets.ts';

/**
 * Issue 4, item 1, against real local https servers: certificates that are fine, about to expire,
 * expired or untrusted; redirects (followed, re-vetted, refused); and targets that never answer.
 * Every one of them is a recorded result with its reason, never a failed run. The test CA is
 * trusted the way an operator's would be with NODE_EXTRA_CA_CERTS, through
 * `configureOutboundTrust` (Node reads that variable only at start-up).
 */

const DAY = 86_400_000;
const SERVICE = 'tls-api';
const base = `/v1/services/${SERVICE}/health-checks`;
const CERT_CONDITIONS = ['[STATUS] == 200', '[CERTIFICATE_EXPIRATION] > 48h'];

let runtime: Runtime;
let client: ApiClient;
const servers: Targets[] = [];
let valid: Targets;
let valid30: TestCertificate;
let expiring: Targets;
let expired: Targets;
let selfSigned: Targets;
/** Accepts TCP connections and never says a word: a TLS handshake that never completes. */
let blackHole: { url: string; server: Server; sockets: Set<Socket> };

beforeAll(async () => {
  runtime = await startRuntime({ memory: true, port: 0, reconcileEveryMs: 3_600_000, tickSeconds: 3600 });
  client = api(runtime);
  const pki = createTestPki();
  configureOutboundTrust({ extraCaCertificates: [pki.ca.cert] });
  const now = Date.now();
  valid30 = pki.issue(['127.0.0.1'], { notAfter: new Date(now + 30 * DAY) });
  const serve = async (certificate: TestCertificate) => {
    const targets = await startTargets({ tls: certificate });
    servers.push(targets);
    return targets;
  };
  valid = await serve(valid30);
  expiring = await serve(pki.issue(['127.0.0.1'], { notAfter: new Date(now + DAY) }));
  expired = await serve(pki.issue(['127.0.0.1'], { notBefore: new Date(now - 10 * DAY), notAfter: new Date(now - DAY) }));
  selfSigned = await serve(createSelfSigned(['127.0.0.1']));

  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as { port: number };
  blackHole = { url: `https://127.0.0.1:${port}`, server, sockets };

  expect((await client.post('/v1/services', { name: SERVICE, kind: 'api' })).status).toBe(201);
});

afterAll(async () => {
  expectNoServerErrors(client.log);
  configureOutboundTrust(null);
  for (const socket of blackHole?.sockets ?? []) socket.destroy();
  await new Promise<void>((resolve) => (blackHole ? blackHole.server.close(() => resolve()) : resolve()));
  await Promise.all(servers.map((server) => server.close()));
  await runtime?.close();
});

async function create(url: string, extra: Record<string, unknown> = {}) {
  const response = await client.post(base, { environment: 'prod', url, intervalSeconds: 3600, conditions: CERT_CONDITIONS, ...extra });
  expect(response.status, response.text).toBe(201);
  return response.json as { id: string };
}

async function runNow(id: string) {
  const response = await client.post(`${base}/${id}/run`);
  expect(response.status, response.text).toBe(200);
  return response.json.result;
}

async function results(id: string) {
  return readAll(client, `${base}/${id}/results`);
}

describe('certificates', () => {
  it('an https target with a certificate valid for 30 days is up: [CERTIFICATE_EXPIRATION] > 48h holds', async () => {
    const result = await runNow((await create(`${valid.url}/up`)).id);
    expect(result).toMatchObject({ ok: true, status: 200, reason: null, detail: null });
    expect(result.certificateExpiresAt).toBe(valid30.notAfter.toISOString());
    expect(result.conditions[1]).toMatchObject({
      ok: true,
      resolved: expect.stringMatching(/^\[CERTIFICATE_EXPIRATION\] \(71\dh.*\) > 48h$/),
    });
  });

  it('a certificate valid for one more day fails [CERTIFICATE_EXPIRATION] > 48h, naming the time left', async () => {
    const result = await runNow((await create(`${expiring.url}/up`)).id);
    expect(result).toMatchObject({ ok: false, status: 200, reason: 'conditions' });
    expect(result.conditions[0]).toMatchObject({ ok: true });
    expect(result.conditions[1]).toMatchObject({
      ok: false,
      resolved: expect.stringMatching(/^\[CERTIFICATE_EXPIRATION\] \(2[34]h\d+m.*\) > 48h$/),
    });
    expect(result.detail).toContain(result.conditions[1].resolved);
  });

  it('an expired or untrusted (self-signed) certificate is a failed result with a TLS reason, not a failed run', async () => {
    const expiredResult = await runNow((await create(`${expired.url}/up`)).id);
    expect(expiredResult).toMatchObject({ ok: false, status: 0, reason: 'tls', certificateExpiresAt: null });
    expect(expiredResult.detail).toMatch(/TLS with https:\/\/127\.0\.0\.1:\d+ failed: .*CERT_HAS_EXPIRED/);

    const untrusted = await create(`${selfSigned.url}/up`, { failureThreshold: 1 });
    const untrustedResult = await runNow(untrusted.id);
    expect(untrustedResult).toMatchObject({ ok: false, status: 0, reason: 'tls' });
    expect(untrustedResult.detail).toMatch(/DEPTH_ZERO_SELF_SIGNED_CERT/);
    // Recorded like any other failure: in the results, and the check turned unhealthy with the reason.
    expect((await results(untrusted.id))[0]).toMatchObject({ id: untrustedResult.id, reason: 'tls' });
    const view = (await client.get(`${base}/${untrusted.id}`)).json;
    expect(view).toMatchObject({ state: 'unhealthy', lastResult: { ok: false, reason: 'tls' } });
  });
});

describe('redirects', () => {
  it('follows a redirect to another local path and records the final answer', async () => {
    const up = await runNow((await create(`${valid.url}/redirect?to=/up`)).id);
    expect(up).toMatchObject({ ok: true, status: 200, reason: null });

    const down = await runNow((await create(`${valid.url}/redirect?to=/down`)).id);
    expect(down).toMatchObject({ ok: false, status: 500, reason: 'conditions' });
    expect(down.detail).toContain('[STATUS] (500) == 200');
  });

  it('refuses a redirect to the metadata endpoint or a private address, saying so, and never follows it', async () => {
    for (const [target, address] of [
      ['http://169.254.169.254/latest/meta-data/iam', /169\.254\.169\.254.*link-local, the cloud instance metadata endpoint/],
      ['http://10.0.0.1/admin', /10\.0\.0\.1/],
    ] as const) {
      const result = await runNow((await create(`${valid.url}/redirect?to=${encodeURIComponent(target)}`)).id);
      expect(result).toMatchObject({ ok: false, status: 0, reason: 'refused' });
      expect(result.detail).toMatch(/^redirect to http:\/\/[\d.]+ refused: /);
      expect(result.detail).toMatch(address);
      expect(result.detail).toContain('STEWARD_OUTBOUND_ALLOW');
      // Origins only: a Location's path can carry a token.
      expect(result.detail).not.toMatch(/meta-data|admin/);
    }
  });

  it('gives up on a redirect loop with a refusal naming the limit', async () => {
    const result = await runNow((await create(`${valid.url}/redirect?to=/redirect`)).id);
    expect(result).toMatchObject({ ok: false, status: 0, reason: 'refused' });
    expect(result.detail).toMatch(/redirect number 4; at most 3 are followed/);
  });
});

describe('the runner tick', () => {
  it('times out a target that never answers without holding up the other checks of the same tick', async () => {
    // Timeouts long enough that a loaded machine still finishes the fast checks well before them.
    const handshake = await create(`${blackHole.url}/up`, { timeoutMs: 1500 });
    const slow = await create(`${valid.url}/slow/5000`, { timeoutMs: 1500 });
    const fast = await Promise.all([create(`${valid.url}/up`), create(`${valid.url}/up`), create(`${expired.url}/up`)]);

    const tick = await runDueChecks(new Date());
    expect(tick.ran).toBe(tick.due);

    const [handshakeResult] = await results(handshake.id);
    expect(handshakeResult).toMatchObject({ ok: false, status: 0, reason: 'timeout' });
    expect(handshakeResult.detail).toMatch(/did not complete within 1500 ms \(timed out negotiating TLS\)/);
    const [slowResult] = await results(slow.id);
    expect(slowResult).toMatchObject({ ok: false, status: 0, reason: 'timeout' });
    expect(slowResult.detail).toMatch(/timed out waiting for the response headers/);

    const [up1, up2, bad] = await Promise.all(fast.map(async (check) => (await results(check.id))[0]));
    expect([up1?.ok, up2?.ok, bad?.reason]).toEqual([true, true, 'tls']);
    for (const result of [up1, up2, bad]) {
      // Finished while the silent targets were still being waited for.
      expect(result.at < handshakeResult.at && result.at < slowResult.at, `${result.at} before the timeouts`).toBe(true);
    }
  });
});
