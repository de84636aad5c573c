import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { once } from 'node:events';
import http from 'node:http';
import https from 'node:https';
import net, { type AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { LOOPBACK_POLICY, parseAllowList, STRICT_POLICY } from '../../../functions/kernel/outbound/address-policy.ts';
import {
  dnsResolver,
  OutboundFailureError,
  OutboundRefusedError,
  type Resolver,
  type SafeFetchOptions,
  safeFetch,
} from '../../../functions/kernel/outbound/safe-fetch.ts';
import { createSelfSigned, createTestPki, type TestCertificate } from './helpers/certificates.ts';
import { startDnsServer, type TestDnsServer } from './helpers/dns-server.ts';

/**
 * Real servers on loopback, real DNS packets from a test DNS server, real TLS with certificates
 * made for the run. "No connection made" is checked two ways: the local servers count every TCP
 * connection they accept, and Node's `net.client.socket` diagnostics channel counts every client
 * socket this process opens, so a refusal that still dialled out (even to 10.0.0.1) would show.
 */

interface TestServer {
  port: number;
  /** TCP connections accepted. */
  connections: number;
  /** Requests seen, as "METHOD /path". */
  requests: string[];
  close(): Promise<void>;
}

const BIG = Buffer.alloc(2 * 1024 * 1024 + 17, 'x');

function handler(self: () => TestServer) {
  return (request: http.IncomingMessage, response: http.ServerResponse) => {
    const url = new URL(request.url ?? '/', 'http://test');
    self().requests.push(`${request.method} ${url.pathname}`);
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const route = url.pathname;
      if (route === '/ok') {
        response.writeHead(200, { 'content-type': 'text/plain', 'x-test': 'yes' }).end('hello');
      } else if (route === '/echo') {
        const body = Buffer.concat(chunks).toString();
        response
          .writeHead(200, { 'content-type': 'application/json' })
          .end(JSON.stringify({ method: request.method, headers: request.headers, body }));
      } else if (route === '/redirect') {
        response.writeHead(Number(url.searchParams.get('status') ?? 302), { location: url.searchParams.get('to') ?? '/ok' }).end('moved');
      } else if (route.startsWith('/chain/')) {
        const left = Number(route.slice('/chain/'.length));
        if (left > 0) response.writeHead(302, { location: `/chain/${left - 1}` }).end();
        else response.writeHead(200).end('end of chain');
      } else if (route === '/big') {
        response.writeHead(200, { 'content-type': 'text/plain' }).end(BIG);
      } else if (route === '/big-chunked') {
        response.writeHead(200, { 'content-type': 'text/plain' });
        response.write(BIG.subarray(0, 1024 * 1024));
        response.end(BIG.subarray(1024 * 1024));
      } else if (route === '/hang') {
        // Never answer: the client's deadline must end it.
      } else if (route === '/slow-body') {
        response.writeHead(200, { 'content-length': '100' });
        response.write('start of a body that never finishes');
      } else if (route === '/reset') {
        request.socket.destroy();
      } else if (route === '/cut-body') {
        response.writeHead(200, { 'content-length': '1000' });
        response.write('only part of it', () => request.socket.destroy());
      } else if (route === '/huge-headers') {
        response.writeHead(200, { 'x-big': 'y'.repeat(20_000) }).end('fine');
      } else if (route === '/no-location') {
        response.writeHead(302).end('nowhere to go');
      } else {
        response.writeHead(404).end('not found');
      }
    });
  };
}

async function listen(server: net.Server, host: string, state: TestServer): Promise<TestServer> {
  server.on('connection', () => {
    state.connections += 1;
  });
  server.listen(0, host);
  await once(server, 'listening');
  state.port = (server.address() as AddressInfo).port;
  state.close = async () => {
    (server as http.Server).closeAllConnections?.();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  };
  return state;
}

function blankServer(): TestServer {
  return { port: 0, connections: 0, requests: [], close: async () => undefined };
}

async function startHttp(host = '127.0.0.1'): Promise<TestServer> {
  const state = blankServer();
  return listen(http.createServer(handler(() => state)), host, state);
}

async function startHttps(certificate: TestCertificate): Promise<TestServer> {
  const state = blankServer();
  const server = https.createServer(
    { cert: certificate.cert, key: certificate.key },
    handler(() => state),
  );
  // Failed handshakes are the point of some tests; keep them out of the output.
  server.on('tlsClientError', () => undefined);
  return listen(server, '127.0.0.1', state);
}

let plain: TestServer;
let plainV6: TestServer;
let secure: TestServer;
let expired: TestServer;
let selfSigned: TestServer;
let dns: TestDnsServer;
let resolver: Resolver;
const pki = createTestPki();
const leaf = pki.issue(['app.test', '127.0.0.1']);

/** Every client TCP socket this process creates while a test runs. */
let clientSockets = 0;
const countSocket = () => {
  clientSockets += 1;
};

beforeAll(async () => {
  plain = await startHttp('127.0.0.1');
  plainV6 = await startHttp('::1');
  secure = await startHttps(leaf);
  expired = await startHttps(
    pki.issue(['app.test'], { notBefore: new Date(Date.now() - 10 * 86_400_000), notAfter: new Date(Date.now() - 86_400_000) }),
  );
  selfSigned = await startHttps(createSelfSigned(['app.test']));
  dns = await startDnsServer({
    'app.test': ['127.0.0.1'],
    'other.test': ['127.0.0.1'],
    'v6.test': ['::1'],
    'evil.example': ['10.0.0.1'],
    'loopback.example': ['127.0.0.1'],
    'v6-loopback.example': ['::1'],
    'metadata.example': ['169.254.169.254'],
    'mapped.example': ['::ffff:7f00:1'],
    'rebind.example': ['8.8.8.8', '10.0.0.1'],
    'half.example': ['127.0.0.1', '10.0.0.1'],
    'empty.example': [],
  });
  resolver = dnsResolver(dns.resolver);
  subscribe('net.client.socket', countSocket);
});

afterAll(async () => {
  unsubscribe('net.client.socket', countSocket);
  await Promise.all([plain, plainV6, secure, expired, selfSigned].map((server) => server?.close()));
  await dns?.close();
});

afterEach(() => {
  clientSockets = 0;
  for (const server of [plain, plainV6, secure, expired, selfSigned]) {
    server.connections = 0;
    server.requests.length = 0;
  }
});

const loopback: SafeFetchOptions = {
  policy: LOOPBACK_POLICY,
  get resolver() {
    return resolver;
  },
};
const strict: SafeFetchOptions = {
  policy: STRICT_POLICY,
  get resolver() {
    return resolver;
  },
};

async function refusal(url: string, options: SafeFetchOptions): Promise<OutboundRefusedError> {
  const error = await safeFetch(url, options).then(
    () => null,
    (caught: unknown) => caught,
  );
  if (!(error instanceof OutboundRefusedError)) throw new Error(`expected a refusal for ${url}, got ${String(error)}`);
  return error;
}

async function failure(url: string, options: SafeFetchOptions): Promise<OutboundFailureError> {
  const error = await safeFetch(url, options).then(
    () => null,
    (caught: unknown) => caught,
  );
  if (!(error instanceof OutboundFailureError)) throw new Error(`expected a failure for ${url}, got ${String(error)}`);
  return error;
}

function expectNoConnection(): void {
  expect(clientSockets).toBe(0);
  for (const server of [plain, plainV6, secure]) expect(server.connections).toBe(0);
}

describe('refused targets: a clear reason, and no connection made', () => {
  it.each([
    ['10.0.0.0/8', () => 'http://10.0.0.1/', '10.0.0.1', '10.0.0.0/8'],
    ['127.0.0.1 when loopback is not allowed', () => `http://127.0.0.1:${plain.port}/ok`, '127.0.0.1', '127.0.0.0/8'],
    ['[::1]', () => `http://[::1]:${plainV6.port}/ok`, '::1', '::1/128'],
    ['169.254.169.254', () => 'http://169.254.169.254/latest/meta-data/', '169.254.169.254', '169.254.0.0/16'],
    ['0.0.0.0 (which Linux routes to loopback)', () => `http://0.0.0.0:${plain.port}/ok`, '0.0.0.0', '0.0.0.0/32'],
    ['loopback written as a decimal number', () => `http://2130706433:${plain.port}/ok`, '127.0.0.1', '127.0.0.0/8'],
    ['loopback written in hex and short form', () => `http://0x7f.1:${plain.port}/ok`, '127.0.0.1', '127.0.0.0/8'],
    ['IPv4-mapped loopback', () => `http://[::ffff:127.0.0.1]:${plain.port}/ok`, '::ffff:7f00:1', '127.0.0.0/8'],
    ['NAT64 metadata endpoint', () => 'http://[64:ff9b::169.254.169.254]/', '64:ff9b::a9fe:a9fe', '169.254.0.0/16'],
  ])('%s', async (_case, url, address, range) => {
    const error = await refusal(url(), strict);
    expect(error).toMatchObject({ reason: 'address', address, range, viaRedirect: false });
    expect(error.message).toContain(address);
    expect(error.message).toContain(range);
    expect(error.message).toContain('STEWARD_OUTBOUND_ALLOW');
    expectNoConnection();
  });

  it.each([
    ['evil.example', '10.0.0.1', '10.0.0.0/8'],
    ['loopback.example', '127.0.0.1', '127.0.0.0/8'],
    ['v6-loopback.example', '::1', '::1/128'],
    ['metadata.example', '169.254.169.254', '169.254.0.0/16'],
    ['mapped.example', '::ffff:127.0.0.1', '127.0.0.0/8'], // c-ares writes IPv4-mapped answers dotted
  ])('a name resolving to a refused address: %s → %s', async (name, address, range) => {
    const error = await refusal(`http://${name}:${plain.port}/ok`, strict);
    expect(error).toMatchObject({ reason: 'address', address, range });
    expect(error.message).toContain(`${name} resolves to ${address}`);
    expect(dns.queries).toContain(`A ${name}`);
    expectNoConnection();
  });

  it('a name with one public and one private address is refused (no DNS rebinding games)', async () => {
    const error = await refusal('http://rebind.example/', strict);
    expect(error).toMatchObject({ reason: 'address', address: '10.0.0.1' });
    expect(error.message).toContain('one of its 2 addresses; all must be allowed');
    expectNoConnection();
  });

  it('even when the allowed address is one Steward could reach, it connects to none of them', async () => {
    // half.example answers 127.0.0.1 (allowed here) and 10.0.0.1 (not): if any connection were
    // attempted, the loopback server would see it.
    const error = await refusal(`http://half.example:${plain.port}/ok`, loopback);
    expect(error.address).toBe('10.0.0.1');
    expectNoConnection();
  });

  it('the system resolver is used by default: localhost is refused unless loopback is allowed', async () => {
    const error = await refusal(`http://localhost:${plain.port}/ok`, { policy: STRICT_POLICY });
    expect(error.message).toMatch(/localhost resolves to (127\.0\.0\.1|::1)/);
    expectNoConnection();
    const response = await safeFetch(`http://localhost:${plain.port}/ok`, { policy: LOOPBACK_POLICY });
    expect(response.status).toBe(200);
  });

  it.each([
    'ftp://example.com/file',
    'file:///etc/passwd',
    'gopher://127.0.0.1:70/',
    'data:text/plain,hi',
    'javascript:alert(1)',
    'ws://example.com/',
  ])('scheme of %s', async (url) => {
    const error = await refusal(url, loopback);
    expect(error.reason).toBe('scheme');
    expect(error.message).toContain('only http and https');
    expectNoConnection();
  });

  it('credentials in the URL, without repeating them', async () => {
    const error = await refusal(`http://admin:hunter2@127.0.0.1:${plain.port}/ok`, loopback);
    expect(error.reason).toBe('credentials');
    expect(error.message).not.toContain('hunter2');
    expect(error.message).not.toContain('admin');
    expectNoConnection();
  });

  it('something that is not a URL', async () => {
    const error = await refusal('not a url at all', loopback);
    expect(error.reason).toBe('invalid-url');
    expectNoConnection();
  });

  it('an invalid header, naming the header but not its value', async () => {
    const error = await refusal(`http://127.0.0.1:${plain.port}/ok`, {
      ...loopback,
      headers: { 'x-token': 'secret-value\r\nx-injected: 1' },
    });
    expect(error.reason).toBe('invalid-request');
    expect(error.message).toContain('x-token');
    expect(error.message).not.toContain('secret-value');
    expect(plain.requests).toEqual([]);
  });
});

describe('allowed loopback works', () => {
  it('by IP, returning status, headers, body, latency and the address used', async () => {
    const response = await safeFetch(`http://127.0.0.1:${plain.port}/ok`, loopback);
    expect(response).toMatchObject({
      status: 200,
      truncated: false,
      remoteAddress: '127.0.0.1',
      redirects: [],
      url: `http://127.0.0.1:${plain.port}/ok`,
    });
    expect(response.body.toString()).toBe('hello');
    expect(response.headers['x-test']).toBe('yes');
    expect(response.latencyMs).toBeGreaterThan(0);
    expect(response.tls).toBeUndefined();
    expect(plain.requests).toEqual(['GET /ok']);
  });

  it('by [::1]', async () => {
    const response = await safeFetch(`http://[::1]:${plainV6.port}/ok`, loopback);
    expect(response).toMatchObject({ status: 200, remoteAddress: '::1' });
  });

  it('by name, through the vetted address, with the name kept in the Host header', async () => {
    const response = await safeFetch(`http://app.test:${plain.port}/echo`, loopback);
    expect(response.remoteAddress).toBe('127.0.0.1');
    expect(JSON.parse(response.body.toString()).headers.host).toBe(`app.test:${plain.port}`);
  });

  it('by an IPv6-only name', async () => {
    const response = await safeFetch(`http://v6.test:${plainV6.port}/ok`, loopback);
    expect(response).toMatchObject({ status: 200, remoteAddress: '::1' });
  });

  it('resolves once: the address checked is the address used, whatever DNS says next', async () => {
    let calls = 0;
    const rebinding: Resolver = async () => {
      calls += 1;
      return calls === 1 ? [{ address: '127.0.0.1', family: 4 }] : [{ address: '10.0.0.1', family: 4 }];
    };
    const response = await safeFetch(`http://rebinding.test:${plain.port}/ok`, { policy: LOOPBACK_POLICY, resolver: rebinding });
    expect(response.status).toBe(200);
    expect(calls).toBe(1);
  });

  it.each(['http', 'https'])('%s: the peer is checked again once connected (defence in depth)', async (scheme) => {
    // A policy that allows loopback for the DNS-time check only: were Node ever to connect
    // somewhere else than the vetted address, the connect-time check is what would catch it.
    let reads = 0;
    const flipping = {
      get allow() {
        reads += 1;
        return reads === 1 ? LOOPBACK_POLICY.allow : [];
      },
    };
    const port = scheme === 'https' ? secure.port : plain.port;
    const error = await refusal(`${scheme}://app.test:${port}/ok`, { policy: flipping, resolver, ca: pki.ca.cert });
    expect(error).toMatchObject({ reason: 'address', address: '127.0.0.1' });
    expect(error.message).toContain('refused at connect');
    expect(scheme === 'https' ? secure.requests : plain.requests).toEqual([]);
  });

  it('an allowlisted single address is allowed, its neighbours are not', async () => {
    const policy = parseAllowList('127.0.0.1');
    expect((await safeFetch(`http://127.0.0.1:${plain.port}/ok`, { policy })).status).toBe(200);
    await expect(safeFetch(`http://127.0.0.2:${plain.port}/ok`, { policy })).rejects.toMatchObject({
      reason: 'address',
      address: '127.0.0.2',
    });
  });

  it('sends method, headers and body; framing headers are its own', async () => {
    const response = await safeFetch(`http://127.0.0.1:${plain.port}/echo`, {
      ...loopback,
      method: 'post',
      headers: { 'Content-Type': 'application/json', 'X-Token': 'abc', 'Content-Length': '999', 'Transfer-Encoding': 'chunked' },
      body: '{"hello":"world"}',
    });
    const echoed = JSON.parse(response.body.toString());
    expect(echoed).toMatchObject({ method: 'POST', body: '{"hello":"world"}' });
    expect(echoed.headers).toMatchObject({ 'content-type': 'application/json', 'x-token': 'abc', 'content-length': '17' });
    expect(echoed.headers['transfer-encoding']).toBeUndefined();
  });
});

describe('faults', () => {
  it('a server that never answers → timeout, within the limit', async () => {
    const started = performance.now();
    const error = await failure(`http://127.0.0.1:${plain.port}/hang`, { ...loopback, timeoutMs: 300 });
    const took = performance.now() - started;
    expect(error.kind).toBe('timeout');
    expect(error.message).toBe(
      `http://127.0.0.1:${plain.port} did not complete within 300 ms (timed out waiting for the response headers)`,
    );
    expect(took).toBeGreaterThanOrEqual(290);
    expect(took).toBeLessThan(1000);
  });

  it('a body that never finishes → timeout: the deadline covers the body too', async () => {
    const error = await failure(`http://127.0.0.1:${plain.port}/slow-body`, { ...loopback, timeoutMs: 300 });
    expect(error.kind).toBe('timeout');
    expect(error.message).toContain('reading the body');
  });

  it('a resolver that never answers → timeout while resolving', async () => {
    const stuck: Resolver = () => new Promise(() => undefined);
    const error = await failure('http://stuck.test/', { policy: LOOPBACK_POLICY, resolver: stuck, timeoutMs: 200 });
    expect(error.kind).toBe('timeout');
    expect(error.message).toContain('resolving the name');
  });

  it('a server that closes the socket → reset', async () => {
    const error = await failure(`http://127.0.0.1:${plain.port}/reset`, loopback);
    expect(error).toMatchObject({ kind: 'reset', code: 'ECONNRESET' });
    expect(error.message).toContain(`http://127.0.0.1:${plain.port} closed the connection`);
  });

  it('a server that closes the socket mid-body → reset', async () => {
    const error = await failure(`http://127.0.0.1:${plain.port}/cut-body`, loopback);
    expect(error.kind).toBe('reset');
  });

  it('nothing listening → connect', async () => {
    const probe = net.createServer();
    probe.listen(0, '127.0.0.1');
    await once(probe, 'listening');
    const port = (probe.address() as AddressInfo).port;
    await new Promise<void>((resolve) => probe.close(() => resolve()));
    const error = await failure(`http://127.0.0.1:${port}/`, loopback);
    expect(error).toMatchObject({ kind: 'connect', code: 'ECONNREFUSED' });
  });

  it('a name that does not exist → dns', async () => {
    const error = await failure('http://missing.test/', loopback);
    expect(error).toMatchObject({ kind: 'dns', code: 'ENOTFOUND' });
    expect(error.message).toBe('could not resolve missing.test: no such name (ENOTFOUND)');
  });

  it('a name with no addresses → dns', async () => {
    const error = await failure('http://empty.example/', loopback);
    expect(error).toMatchObject({ kind: 'dns', code: 'ENODATA' });
  });

  it('a server speaking something other than HTTP → protocol', async () => {
    const garbage = net.createServer((socket) => {
      // Read (and drop) the request, or the client's FIN is never seen and close() waits forever.
      socket.resume();
      socket.end('SSH-2.0-OpenSSH_9.6\r\n\r\n');
    });
    garbage.listen(0, '127.0.0.1');
    await once(garbage, 'listening');
    try {
      const error = await failure(`http://127.0.0.1:${(garbage.address() as AddressInfo).port}/`, loopback);
      expect(error.kind).toBe('protocol');
      expect(error.code).toMatch(/^HPE_/);
    } finally {
      await new Promise<void>((resolve) => garbage.close(() => resolve()));
    }
  });

  it('messages carry the origin only, never the path, query or header values', async () => {
    const error = await failure(`http://127.0.0.1:${plain.port}/hang?token=s3cr3t`, {
      ...loopback,
      timeoutMs: 100,
      headers: { authorization: 'Bearer very-secret' },
    });
    expect(error.message).not.toMatch(/s3cr3t|very-secret|\/hang/);
  });
});

describe('oversized bodies', () => {
  it('are truncated at the cap and flagged', async () => {
    const response = await safeFetch(`http://127.0.0.1:${plain.port}/big`, { ...loopback, maxResponseBytes: 1000 });
    expect(response.truncated).toBe(true);
    expect(response.body.length).toBe(1000);
    expect(response.body.every((byte) => byte === 0x78)).toBe(true);
  });

  it('default to a 1 MiB cap', async () => {
    const response = await safeFetch(`http://127.0.0.1:${plain.port}/big-chunked`, loopback);
    expect(response).toMatchObject({ status: 200, truncated: true });
    expect(response.body.length).toBe(1024 * 1024);
  });

  it('a body exactly at the cap is not truncated', async () => {
    const response = await safeFetch(`http://127.0.0.1:${plain.port}/ok`, { ...loopback, maxResponseBytes: 5 });
    expect(response).toMatchObject({ truncated: false });
    expect(response.body.toString()).toBe('hello');
  });

  it('headers beyond what Node parses (16 KiB) → too-large', async () => {
    const error = await failure(`http://127.0.0.1:${plain.port}/huge-headers`, loopback);
    expect(error).toMatchObject({ kind: 'too-large', code: 'HPE_HEADER_OVERFLOW' });
  });

  it('fail with too-large when asked to', async () => {
    const declared = await failure(`http://127.0.0.1:${plain.port}/big`, { ...loopback, maxResponseBytes: 1000, oversize: 'fail' });
    expect(declared.kind).toBe('too-large');
    expect(declared.message).toContain('1000-byte limit');
  });
});

describe('redirects', () => {
  const redirect = (to: string, status = 302) => `http://127.0.0.1:${plain.port}/redirect?status=${status}&to=${encodeURIComponent(to)}`;

  it('are followed and listed', async () => {
    const response = await safeFetch(`http://127.0.0.1:${plain.port}/chain/2`, loopback);
    expect(response.status).toBe(200);
    expect(response.body.toString()).toBe('end of chain');
    expect(response.redirects).toEqual([`http://127.0.0.1:${plain.port}/chain/1`, `http://127.0.0.1:${plain.port}/chain/0`]);
    expect(response.url).toBe(`http://127.0.0.1:${plain.port}/chain/0`);
  });

  it('across names, each re-resolved and re-checked', async () => {
    const response = await safeFetch(redirect(`http://app.test:${plain.port}/ok`), loopback);
    expect(response.status).toBe(200);
    expect(dns.queries).toContain('A app.test');
    expect(plain.requests).toEqual(['GET /redirect', 'GET /ok']);
  });

  it('too many → refused, without following the one too many', async () => {
    const error = await refusal(`http://127.0.0.1:${plain.port}/chain/5`, { ...loopback, maxRedirects: 3 });
    expect(error).toMatchObject({ reason: 'too-many-redirects', viaRedirect: true });
    expect(error.redirects).toHaveLength(3);
    expect(error.message).toContain('at most 3');
    expect(plain.requests).toHaveLength(4);
  });

  it('maxRedirects 0 refuses the first', async () => {
    const error = await refusal(redirect('/ok'), { ...loopback, maxRedirects: 0 });
    expect(error.reason).toBe('too-many-redirects');
  });

  it('a 3xx without Location is an answer, not a redirect', async () => {
    const response = await safeFetch(`http://127.0.0.1:${plain.port}/no-location`, loopback);
    expect(response).toMatchObject({ status: 302, redirects: [] });
  });

  it.each([
    ['10.0.0.1', 'http://10.0.0.1/', '10.0.0.1', '10.0.0.0/8'],
    ['169.254.169.254', 'http://169.254.169.254/latest/meta-data/iam/security-credentials/', '169.254.169.254', '169.254.0.0/16'],
    ['[::1]', 'http://[::1]:PORT6/ok', '::1', '::1/128'],
    ['127.0.0.2 (loopback, not the allowed address)', 'http://127.0.0.2:PORT/ok', '127.0.0.2', '127.0.0.0/8'],
    ['a name resolving to 10.0.0.1', 'http://evil.example/', '10.0.0.1', '10.0.0.0/8'],
    ['a name resolving to the metadata endpoint', 'http://metadata.example/latest/', '169.254.169.254', '169.254.0.0/16'],
    ['a name resolving to ::1', 'http://v6-loopback.example:PORT6/ok', '::1', '::1/128'],
  ])('to %s → refused, and never contacted', async (_case, target, address, range) => {
    // Only the first server is allowed, so the refusal can only come from re-checking the redirect.
    const policy = parseAllowList('127.0.0.1');
    const to = target.replace('PORT6', String(plainV6.port)).replace('PORT', String(plain.port));
    const error = await refusal(redirect(to), { policy, resolver });
    expect(error).toMatchObject({ reason: 'address', address, range, viaRedirect: true, redirects: [new URL(to).href] });
    expect(error.message).toMatch(/^redirect to /);
    expect(clientSockets).toBe(1);
    expect(plain.requests).toEqual(['GET /redirect']);
    expect(plainV6.connections).toBe(0);
  });

  it.each([
    ['file:///etc/passwd', 'scheme'],
    ['gopher://127.0.0.1:70/', 'scheme'],
    ['http://user:pass@127.0.0.1/', 'credentials'],
    ['http://[::1', 'invalid-url'],
  ] as const)('to %s → refused (%s)', async (to, reason) => {
    const error = await refusal(redirect(to), loopback);
    expect(error).toMatchObject({ reason });
    expect(plain.requests).toEqual(['GET /redirect']);
  });

  it('303 turns a POST into a GET without the body', async () => {
    const response = await safeFetch(redirect('/echo', 303), {
      ...loopback,
      method: 'POST',
      body: 'payload',
      headers: { 'content-type': 'text/plain' },
    });
    const echoed = JSON.parse(response.body.toString());
    expect(echoed).toMatchObject({ method: 'GET', body: '' });
    expect(echoed.headers['content-type']).toBeUndefined();
  });

  it.each([307, 308])('%i repeats the method and body', async (status) => {
    const response = await safeFetch(redirect('/echo', status), { ...loopback, method: 'PUT', body: 'payload' });
    expect(JSON.parse(response.body.toString())).toMatchObject({ method: 'PUT', body: 'payload' });
  });

  it('301 turns a POST into a GET, as browsers do', async () => {
    const response = await safeFetch(redirect('/echo', 301), { ...loopback, method: 'POST', body: 'payload' });
    expect(JSON.parse(response.body.toString())).toMatchObject({ method: 'GET', body: '' });
  });

  it('credentials stay with their origin', async () => {
    const headers = { authorization: 'Bearer t0ken', cookie: 'a=b', 'x-other': 'kept' };
    const same = JSON.parse((await safeFetch(redirect('/echo'), { ...loopback, headers })).body.toString());
    expect(same.headers).toMatchObject(headers);
    const other = JSON.parse((await safeFetch(redirect(`http://app.test:${plain.port}/echo`), { ...loopback, headers })).body.toString());
    expect(other.headers.authorization).toBeUndefined();
    expect(other.headers.cookie).toBeUndefined();
    expect(other.headers['x-other']).toBe('kept');
  });
});

describe('https', () => {
  it('a certificate from an untrusted CA → tls', async () => {
    const error = await failure(`https://app.test:${secure.port}/ok`, loopback);
    expect(error).toMatchObject({ kind: 'tls', code: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE' });
    expect(error.message).toContain(`TLS with https://app.test:${secure.port} failed`);
    expect(secure.requests).toEqual([]);
  });

  it('a self-signed certificate → tls', async () => {
    const error = await failure(`https://app.test:${selfSigned.port}/ok`, loopback);
    expect(error).toMatchObject({ kind: 'tls', code: 'DEPTH_ZERO_SELF_SIGNED_CERT' });
  });

  it('an expired certificate → tls, even from a trusted CA', async () => {
    const error = await failure(`https://app.test:${expired.port}/ok`, { ...loopback, ca: pki.ca.cert });
    expect(error).toMatchObject({ kind: 'tls', code: 'CERT_HAS_EXPIRED' });
  });

  it('a certificate for another name → tls (the name in the URL is the name checked)', async () => {
    const error = await failure(`https://other.test:${secure.port}/ok`, { ...loopback, ca: pki.ca.cert });
    expect(error).toMatchObject({ kind: 'tls', code: 'ERR_TLS_CERT_ALTNAME_INVALID' });
  });

  it('with the test CA trusted: success, and the certificate reported', async () => {
    const response = await safeFetch(`https://app.test:${secure.port}/ok`, { ...loopback, ca: pki.ca.cert });
    expect(response).toMatchObject({ status: 200, remoteAddress: '127.0.0.1' });
    expect(response.body.toString()).toBe('hello');
    expect(response.tls).toMatchObject({
      subject: 'CN=app.test',
      issuer: 'CN=Steward Test CA',
      subjectAltName: 'DNS:app.test, IP Address:127.0.0.1',
    });
    expect(response.tls?.validTo.getTime()).toBe(leaf.notAfter.getTime());
    expect(response.tls?.validFrom.getTime()).toBeLessThan(Date.now());
    expect(response.tls?.fingerprint256).toMatch(/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
  });

  it('by IP address, checked against the certificate IP SAN', async () => {
    const response = await safeFetch(`https://127.0.0.1:${secure.port}/ok`, { ...loopback, ca: pki.ca.cert });
    expect(response.status).toBe(200);
  });

  it('an https server behind a refused address is never contacted', async () => {
    const error = await refusal(`https://app.test:${secure.port}/ok`, { ...strict, ca: pki.ca.cert });
    expect(error.reason).toBe('address');
    expect(secure.connections).toBe(0);
    expect(clientSockets).toBe(0);
  });
});

describe('options', () => {
  it.each([
    [{ timeoutMs: 0 }, /timeoutMs/],
    [{ timeoutMs: Number.NaN }, /timeoutMs/],
    [{ maxRedirects: -1 }, /maxRedirects/],
    [{ maxRedirects: 1.5 }, /maxRedirects/],
    [{ maxResponseBytes: -1 }, /maxResponseBytes/],
  ])('refuses %j', async (options, message) => {
    await expect(safeFetch(`http://127.0.0.1:${plain.port}/ok`, { ...loopback, ...options })).rejects.toThrow(message);
  });
});
