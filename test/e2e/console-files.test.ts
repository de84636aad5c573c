import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONSOLE_SECURITY_HEADERS, consoleContentSecurityPolicy } from '../../lib/console-policy.ts';
import { DEV_AUDIENCE, DEV_ISSUER } from '../../local/dev-issuer.ts';
import { type Runtime, startRuntime } from '../../local/runtime.ts';
import { createLocalServer } from '../../local/server.ts';
import { api, expectProblem } from '../helpers/http-client.ts';

/**
 * The web console as the local server serves it (issue 12; CloudFront serves the same files with
 * the same headers on AWS: test/infra/console-hosting.test.ts): the files of console/ under
 * /console/, a generated config.json, content types, revalidation, the CSP, nothing outside
 * console/, and the development issuer's sign-in (Authorization Code with PKCE).
 */

let withIssuer: Runtime;
/** The local server alone, without the development issuer: the console's files need nothing else. */
let bare: Server;
let plain: { port: number };

beforeAll(async () => {
  withIssuer = await startRuntime({ memory: true, port: 0, reconcileEveryMs: 3_600_000, devIssuer: true });
  bare = createLocalServer({ devIssuer: null });
  await new Promise<void>((resolve) => bare.listen(0, '127.0.0.1', resolve));
  plain = { port: (bare.address() as AddressInfo).port };
}, 60_000);

afterAll(async () => {
  await new Promise((resolve) => (bare ? bare.close(resolve) : resolve(undefined)));
  await withIssuer?.close();
});

interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

/** A request with the path sent exactly as written (fetch would normalise `..` and dot segments away). */
function raw(
  runtime: { port: number },
  method: string,
  path: string,
  headers: Record<string, string> = {},
  body?: string,
): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const request = httpRequest(
      { host: '127.0.0.1', port: runtime.port, method, path, headers: { host: `localhost:${runtime.port}`, ...headers } },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => resolve({ status: response.statusCode ?? 0, headers: response.headers, body: Buffer.concat(chunks) }));
      },
    );
    request.on('error', reject);
    request.end(body);
  });
}

const consoleSource = (name: string) => readFileSync(new URL(`../../console/${name}`, import.meta.url));
const stream = (runtime: { port: number }) => `ws://localhost:${runtime.port}/v1/stream`;

describe('the console files', () => {
  it('redirect /console to /console/, which is index.html', async () => {
    const redirect = await raw(plain, 'GET', '/console');
    expect(redirect.status).toBe(302);
    expect(redirect.headers.location).toBe('/console/');
    const index = await raw(plain, 'GET', '/console/');
    expect(index.status).toBe(200);
    expect(index.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(index.body.equals(consoleSource('index.html'))).toBe(true);
    expect((await raw(plain, 'GET', '/console/index.html')).body.equals(index.body)).toBe(true);
  });

  it.each([
    ['app.js', 'text/javascript; charset=utf-8'],
    ['app.css', 'text/css; charset=utf-8'],
    ['index.html', 'text/html; charset=utf-8'],
  ])('serve %s as it is in console/, as %s', async (name, type) => {
    const response = await raw(plain, 'GET', `/console/${name}`);
    expect(response.status).toBe(200);
    expect(response.headers['content-type']).toBe(type);
    expect(response.body.equals(consoleSource(name))).toBe(true);
    expect(Number(response.headers['content-length'])).toBe(response.body.byteLength);
  });

  it('carry the CSP (scripts only from the console, connections only to it and its stream, never framed) and the other security headers', async () => {
    const response = await raw(plain, 'GET', '/console/app.js');
    const csp = String(response.headers['content-security-policy']);
    expect(csp).toBe(consoleContentSecurityPolicy([stream(plain)]));
    expect(csp).toContain("script-src 'self';");
    expect(csp).toContain(`connect-src 'self' ${stream(plain)};`);
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toMatch(/script-src[^;]*(unsafe|\*)/);
    for (const [name, value] of Object.entries(CONSOLE_SECURITY_HEADERS)) expect(response.headers[name], name).toBe(value);
    expect(response.headers['x-frame-options']).toBe('DENY');
    expect(response.headers['cache-control']).toBe('no-cache');
  });

  it('are revalidated by ETag: an unchanged file is a 304 without a body; HEAD has the headers only', async () => {
    const first = await raw(plain, 'GET', '/console/app.css');
    const etag = String(first.headers.etag);
    expect(etag).toMatch(/^"[\w-]+"$/);
    const again = await raw(plain, 'GET', '/console/app.css', { 'if-none-match': etag });
    expect(again.status).toBe(304);
    expect(again.body.byteLength).toBe(0);
    expect((await raw(plain, 'GET', '/console/app.css', { 'if-none-match': '"other"' })).status).toBe(200);
    const head = await raw(plain, 'HEAD', '/console/app.css');
    expect(head.status).toBe(200);
    expect(head.headers['content-type']).toBe('text/css; charset=utf-8');
    expect(head.headers['content-length']).toBe(first.headers['content-length']);
    expect(head.body.byteLength).toBe(0);
  });

  it.each([
    '/console/missing.js',
    '/console/..%2Fpackage.json',
    '/console/..%2f..%2fetc%2fpasswd',
    '/console/..%5Cpackage.json',
    '/console/%2e%2e%2Flocal%2Fserver.ts',
    '/console//app.js',
    '/console/%E0%A4%A',
    '/console/app.js%00.css',
  ])('refuse %s with a 404: nothing outside console/ is served', async (path) => {
    const response = await raw(plain, 'GET', path);
    expect(response.status).toBe(404);
    expect(response.body.toString()).toBe('Not found\n');
  });

  it('leave paths outside /console/ to the API, which knows no files', async () => {
    for (const path of ['/package.json', '/console.js', '/consoles/app.js']) {
      expectProblem(await api(withIssuer).get(path), 404);
    }
    // Dot segments, written or percent-encoded, are resolved before routing: what is left is outside /console/, for the API.
    for (const path of ['/console/../package.json', '/console/%2e%2e/package.json', '/console/.%2e/package.json']) {
      const response = await raw(withIssuer, 'GET', path);
      expect(response.status, path).toBe(404);
      expect(response.headers['content-type'], path).toMatch(/^application\/problem\+json/);
    }
  });

  it('answer only GET and HEAD', async () => {
    const response = await raw(plain, 'POST', '/console/app.js', { 'content-type': 'text/plain' }, 'x');
    expect(response.status).toBe(405);
    expect(response.headers.allow).toBe('GET, HEAD');
  });
});

describe('config.json', () => {
  it('points the console at this origin: the API (empty: same origin) and the stream; no sign-in without an issuer', async () => {
    const response = await raw(plain, 'GET', '/console/config.json');
    expect(response.status).toBe(200);
    expect(response.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(response.headers['cache-control']).toBe('no-cache');
    expect(JSON.parse(response.body.toString())).toEqual({ apiUrl: '', streamUrl: stream(plain), signIn: null });
  });

  it('names the secure stream behind a TLS proxy, and refuses a Host that is not one', async () => {
    const response = await raw(plain, 'GET', '/console/config.json', { 'x-forwarded-proto': 'https', host: 'steward.example.com' });
    expect(JSON.parse(response.body.toString()).streamUrl).toBe('wss://steward.example.com/v1/stream');
    expect(String(response.headers['content-security-policy'])).toContain("connect-src 'self' wss://steward.example.com/v1/stream;");
    expect((await raw(plain, 'GET', '/console/config.json', { host: "evil; script-src 'unsafe-inline'" })).status).toBe(400);
  });

  it('offers sign-in with the development issuer when it is on', async () => {
    const origin = `http://localhost:${withIssuer.port}`;
    const response = await raw(withIssuer, 'GET', '/console/config.json');
    expect(JSON.parse(response.body.toString())).toEqual({
      apiUrl: '',
      streamUrl: stream(withIssuer),
      signIn: {
        issuer: DEV_ISSUER,
        clientId: DEV_AUDIENCE,
        authorizationEndpoint: `${origin}/dev-issuer/authorize`,
        tokenEndpoint: `${origin}/dev-issuer/token`,
        scopes: ['openid', 'email', 'profile'],
      },
    });
    expect(String(response.headers['content-security-policy'])).toContain(
      `connect-src 'self' ${stream(withIssuer)} ${origin}/dev-issuer/token;`,
    );
  });
});

describe('CORS', () => {
  it('answers a preflight for a route with 204 and no CORS headers: locally the console is same-origin, and no other origin is allowed', async () => {
    const preflight = await raw(withIssuer, 'OPTIONS', '/v1/services', {
      origin: 'https://elsewhere.example',
      'access-control-request-method': 'POST',
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.allow).toBe('GET, POST');
    expect(preflight.headers['access-control-allow-origin']).toBeUndefined();
    // Not a preflight, or for a method the path does not have: as any other request.
    expect((await raw(withIssuer, 'OPTIONS', '/v1/services')).status).toBe(405);
    expect(
      (await raw(withIssuer, 'OPTIONS', '/v1/services', { origin: 'https://x.example', 'access-control-request-method': 'DELETE' })).status,
    ).toBe(405);
    expect(
      (await raw(withIssuer, 'OPTIONS', '/v1/nothing', { origin: 'https://x.example', 'access-control-request-method': 'GET' })).status,
    ).toBe(404);
  });
});

describe('sign-in with the development issuer (Authorization Code with PKCE)', () => {
  const origin = () => `http://localhost:${withIssuer.port}`;
  const verifier = 'v'.repeat(20) + createHash('sha256').update('console').digest('base64url');
  const challenge = createHash('sha256').update(verifier).digest('base64url');
  const authorizeQuery = (overrides: Record<string, string> = {}) =>
    new URLSearchParams({
      response_type: 'code',
      client_id: DEV_AUDIENCE,
      redirect_uri: `${origin()}/console/`,
      scope: 'openid email profile',
      state: 'st-1',
      code_challenge: challenge,
      code_challenge_method: 'S256',
      ...overrides,
    });
  const form = (fields: URLSearchParams) => ({ 'content-type': 'application/x-www-form-urlencoded', body: fields.toString() });

  async function code(groups = 'steward-deployer'): Promise<string> {
    const fields = authorizeQuery();
    fields.set('subject', 'erin');
    fields.set('groups', groups);
    const { body, ...headers } = form(fields);
    const response = await raw(withIssuer, 'POST', '/dev-issuer/authorize', headers, body);
    expect(response.status).toBe(302);
    const location = new URL(String(response.headers.location));
    expect(`${location.origin}${location.pathname}`).toBe(`${origin()}/console/`);
    expect(location.searchParams.get('state')).toBe('st-1');
    return location.searchParams.get('code') as string;
  }

  async function exchange(fields: Record<string, string>) {
    const { body, ...headers } = form(new URLSearchParams(fields));
    const response = await raw(withIssuer, 'POST', '/dev-issuer/token', headers, body);
    return { status: response.status, json: JSON.parse(response.body.toString()) as Record<string, any>, headers: response.headers };
  }

  it('asks who to sign in as, for the console at this origin only, with PKCE only', async () => {
    const page = await raw(withIssuer, 'GET', `/dev-issuer/authorize?${authorizeQuery()}`);
    expect(page.status).toBe(200);
    expect(page.body.toString()).toContain('<label for="subject">Subject</label>');
    expect(page.headers['content-security-policy']).toContain("default-src 'none'");
    const refusals: Array<Record<string, string>> = [
      { redirect_uri: 'https://evil.example/console/' },
      { redirect_uri: `${origin()}/console/../elsewhere` },
      { client_id: 'other' },
      { code_challenge_method: 'plain' },
      { code_challenge: 'short' },
      { response_type: 'token' },
    ];
    for (const overrides of refusals) {
      const refused = await raw(withIssuer, 'GET', `/dev-issuer/authorize?${authorizeQuery(overrides)}`);
      expect(refused.status, JSON.stringify(overrides)).toBe(400);
      expect(refused.headers.location).toBeUndefined();
    }
    expect((await raw(plain, 'GET', `/dev-issuer/authorize?${authorizeQuery()}`)).status).toBe(404);
  });

  it('gives an ID token for the code and its verifier, once; the token signs in with the groups chosen', async () => {
    const first = await code();
    const wrongVerifier = await exchange({
      grant_type: 'authorization_code',
      code: first,
      client_id: DEV_AUDIENCE,
      redirect_uri: `${origin()}/console/`,
      code_verifier: 'w'.repeat(43),
    });
    expect(wrongVerifier).toMatchObject({ status: 400, json: { error: 'invalid_grant' } });
    // A refused exchange used the code up.
    const reused = await exchange({
      grant_type: 'authorization_code',
      code: first,
      client_id: DEV_AUDIENCE,
      redirect_uri: `${origin()}/console/`,
      code_verifier: verifier,
    });
    expect(reused).toMatchObject({ status: 400, json: { error: 'invalid_grant' } });

    const second = await code();
    const granted = await exchange({
      grant_type: 'authorization_code',
      code: second,
      client_id: DEV_AUDIENCE,
      redirect_uri: `${origin()}/console/`,
      code_verifier: verifier,
    });
    expect(granted.status, JSON.stringify(granted.json)).toBe(200);
    expect(granted.headers['cache-control']).toBe('no-store');
    expect(granted.json).toMatchObject({ token_type: 'Bearer', expires_in: 3600, scope: 'openid email profile' });
    const client = api(withIssuer, granted.json.id_token as string);
    const listed = await client.get('/v1/services');
    expect(listed.status, listed.text).toBe(200);
    expect(expectProblem(await client.post('/v1/services', { name: 'signed-in', kind: 'api' }), 403).detail).toContain('has deployer');
    const again = await exchange({
      grant_type: 'authorization_code',
      code: second,
      client_id: DEV_AUDIENCE,
      redirect_uri: `${origin()}/console/`,
      code_verifier: verifier,
    });
    expect(again.status).toBe(400);
  });
});
