import type { LookupAddress, LookupOptions } from 'node:dns';
import { lookup as systemLookup } from 'node:dns/promises';
import type { Resolver as DnsResolver } from 'node:dns/promises';
import http, { type IncomingHttpHeaders, type IncomingMessage, type OutgoingHttpHeaders } from 'node:http';
import https from 'node:https';
import { isIP, type Socket } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { type AddressPolicy, checkAddress } from './address-policy.ts';
import { outboundCa, outboundPolicy } from './policy.ts';

/**
 * The one way Steward makes a request to a URL a user gave it (docs/architecture.md §6): health checks,
 * deployment gates, traffic routers, webhooks.
 *
 * The order matters: parse the URL, refuse odd schemes and embedded credentials, resolve the name
 * here (every A and AAAA record), refuse if ANY address is special-purpose (so a name that answers
 * both a public and a private address cannot be used for DNS rebinding), then connect only to the
 * vetted addresses by handing them to Node through the `lookup` option. The hostname stays the
 * one in the URL, so the Host header, TLS SNI and certificate validation are unchanged, and Node
 * never resolves the name a second time: the address checked is the address used. Every redirect
 * goes through the same steps.
 *
 * This module never logs, and its error messages name only the origin (scheme, host, port) and
 * addresses: paths, query strings, header values and bodies can carry secrets.
 */

export interface ResolvedAddress {
  readonly address: string;
  readonly family: 4 | 6;
}

/** Turns a host name into all of its addresses. Injectable so tests and callers can pick the DNS. */
export type Resolver = (hostname: string, signal: AbortSignal) => Promise<readonly ResolvedAddress[]>;

/** The system resolver (getaddrinfo, so /etc/hosts counts, as it would for any other client on the host). */
export const systemResolver: Resolver = async (hostname) => {
  const found = await systemLookup(hostname, { all: true, order: 'verbatim' });
  return found.map((entry) => ({ address: entry.address, family: entry.family === 6 ? 6 : 4 }));
};

/**
 * A resolver that asks specific DNS servers (a `dns.promises.Resolver` with `setServers`) for A and
 * AAAA records. A name with records of only one family is fine; with none, the DNS error is kept.
 */
export function dnsResolver(resolver: Pick<DnsResolver, 'resolve4' | 'resolve6'>): Resolver {
  return async (hostname) => {
    const [v4, v6] = await Promise.allSettled([resolver.resolve4(hostname), resolver.resolve6(hostname)]);
    const found: ResolvedAddress[] = [
      ...(v4.status === 'fulfilled' ? v4.value.map((address) => ({ address, family: 4 as const })) : []),
      ...(v6.status === 'fulfilled' ? v6.value.map((address) => ({ address, family: 6 as const })) : []),
    ];
    if (found.length === 0) {
      // Prefer the error that says most: NXDOMAIN over "no AAAA records".
      const failures = [v4, v6].flatMap((result) => (result.status === 'rejected' ? [result.reason as NodeJS.ErrnoException] : []));
      throw failures.find((error) => error.code !== 'ENODATA') ?? failures[0] ?? dnsError('ENODATA', hostname);
    }
    return found;
  };
}

export interface SafeFetchOptions {
  /** Default GET. */
  method?: string;
  headers?: Record<string, string>;
  body?: string | Uint8Array;
  /** The whole exchange: DNS, connect, TLS, headers, body, and every redirect. Default 10 s. */
  timeoutMs?: number;
  /** Redirects followed before giving up with a refusal. Default 3. */
  maxRedirects?: number;
  /** Body bytes kept. Default 1 MiB. */
  maxResponseBytes?: number;
  /** What a larger body does: `truncate` (default; `truncated: true`) or `fail` (kind `too-large`). */
  oversize?: 'truncate' | 'fail';
  /** Default: the process policy, `outboundPolicy()`. */
  policy?: AddressPolicy;
  /** Default: the system resolver. */
  resolver?: Resolver;
  /**
   * Trusted CA certificates for https; replaces the default roots, as in `https.request`.
   * Default: Node's roots plus any set with `configureOutboundTrust`.
   */
  ca?: string | Buffer | ReadonlyArray<string | Buffer>;
}

export interface CertificateInfo {
  readonly validFrom: Date;
  readonly validTo: Date;
  /** e.g. `CN=api.example.com, O=Example`. */
  readonly subject: string;
  readonly issuer: string;
  readonly subjectAltName?: string;
  readonly fingerprint256: string;
}

export interface SafeResponse {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  /** At most `maxResponseBytes`; not decompressed (no Accept-Encoding is sent, and inflating would defeat the cap). */
  readonly body: Buffer;
  readonly truncated: boolean;
  /** From the start of the call to the last body byte, redirects included. */
  readonly latencyMs: number;
  /** The IP actually connected to for the final response. */
  readonly remoteAddress: string;
  /** The final URL, after redirects. */
  readonly url: string;
  /** Each redirect target followed, in order: whole URLs, so treat them like the request URL (a Location can carry a token). */
  readonly redirects: readonly string[];
  /** The server certificate of the final response, for https. */
  readonly tls?: CertificateInfo;
}

export type RefusalReason = 'invalid-url' | 'scheme' | 'credentials' | 'address' | 'too-many-redirects' | 'invalid-request';

/** Steward would not make this request: the target is not allowed. Nothing was sent to it. */
export class OutboundRefusedError extends Error {
  override readonly name = 'OutboundRefusedError';
  readonly reason: RefusalReason;
  /** Origin of the refused target, when there is one. */
  readonly target?: string;
  /** The refused address and its range, for reason `address`. */
  readonly address?: string;
  readonly range?: string;
  /** Whether the refused target came from a redirect. */
  readonly viaRedirect: boolean;
  readonly redirects: readonly string[];

  constructor(
    message: string,
    details: { reason: RefusalReason; target?: string; address?: string; range?: string; redirects?: readonly string[] },
  ) {
    super(message);
    this.reason = details.reason;
    this.target = details.target;
    this.address = details.address;
    this.range = details.range;
    this.redirects = [...(details.redirects ?? [])];
    this.viaRedirect = this.redirects.length > 0;
  }
}

/**
 * The request was allowed but did not complete. `protocol` (a malformed HTTP response) is not
 * one of the kinds the issue listed; it is kept apart because calling garbage a "reset" would
 * send people looking at the network.
 */
export type FailureKind = 'timeout' | 'dns' | 'connect' | 'tls' | 'reset' | 'too-large' | 'protocol';

export class OutboundFailureError extends Error {
  override readonly name = 'OutboundFailureError';
  readonly kind: FailureKind;
  readonly target: string;
  /** The underlying error code, e.g. ECONNREFUSED, CERT_HAS_EXPIRED, ENOTFOUND. */
  readonly code?: string;
  readonly redirects: readonly string[];

  constructor(message: string, details: { kind: FailureKind; target: string; code?: string; redirects?: readonly string[] }) {
    super(message);
    this.kind = details.kind;
    this.target = details.target;
    this.code = details.code;
    this.redirects = [...(details.redirects ?? [])];
  }
}

export const DEFAULT_TIMEOUT_MS = 10_000;
export const DEFAULT_MAX_REDIRECTS = 3;
export const DEFAULT_MAX_RESPONSE_BYTES = 1024 * 1024;

/** Names the setting, so whoever reads the refusal knows what would change it. */
const NOT_ALLOWED = 'not allowed by the outbound address policy (STEWARD_OUTBOUND_ALLOW)';

const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);

/**
 * Request headers a caller may not set: framing and connection management belong to this module
 * (a user-supplied Content-Length or Transfer-Encoding could desynchronise the request, and
 * `Expect: 100-continue` would stall it).
 */
const CONTROLLED_HEADERS = new Set([
  'content-length',
  'transfer-encoding',
  'connection',
  'keep-alive',
  'proxy-connection',
  'upgrade',
  'te',
  'trailer',
  'expect',
]);

/** Dropped when a redirect leaves the origin, so credentials meant for one host do not reach another (as fetch does). */
const ORIGIN_BOUND_HEADERS = new Set(['authorization', 'proxy-authorization', 'cookie', 'host']);

/** Describe the body; dropped when a redirect turns the request into a GET. */
const BODY_HEADERS = new Set(['content-type', 'content-encoding', 'content-language', 'content-location']);

type Phase = 'resolving the name' | 'connecting' | 'negotiating TLS' | 'waiting for the response headers' | 'reading the body';

interface Exchange {
  readonly policy: AddressPolicy;
  readonly resolver: Resolver;
  readonly signal: AbortSignal;
  readonly timeoutMs: number;
  readonly maxResponseBytes: number;
  readonly oversize: 'truncate' | 'fail';
  readonly ca?: SafeFetchOptions['ca'];
  readonly redirects: string[];
  phase: Phase;
  /** Origin of the hop in flight, for messages. */
  target: string;
}

interface Hop {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: Buffer;
  readonly truncated: boolean;
  readonly remoteAddress: string;
  readonly tls?: CertificateInfo;
}

/** Fetches `url` under the outbound address policy; see the module comment for the guarantees. */
export async function safeFetch(url: string | URL, options: SafeFetchOptions = {}): Promise<SafeResponse> {
  const started = performance.now();
  const timeoutMs = positive('timeoutMs', options.timeoutMs ?? DEFAULT_TIMEOUT_MS);
  const maxRedirects = wholeNumber('maxRedirects', options.maxRedirects ?? DEFAULT_MAX_REDIRECTS);
  const maxResponseBytes = wholeNumber('maxResponseBytes', options.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES);
  const controller = new AbortController();
  const exchange: Exchange = {
    policy: options.policy ?? outboundPolicy(),
    resolver: options.resolver ?? systemResolver,
    signal: controller.signal,
    timeoutMs,
    maxResponseBytes,
    oversize: options.oversize ?? 'truncate',
    ca: options.ca ?? outboundCa(),
    redirects: [],
    phase: 'resolving the name',
    target: '',
  };
  // One deadline for everything, so a slow redirect chain or a dribbling body cannot outlast it.
  const timer = setTimeout(() => controller.abort(), timeoutMs);
  try {
    let current = parseUrl(url, exchange);
    let method = (options.method ?? 'GET').toUpperCase();
    let body: string | Uint8Array | undefined = options.body;
    let headers = requestHeaders(options.headers);
    for (;;) {
      vetUrl(current, exchange);
      const addresses = await resolveAndVet(current, exchange);
      const hop = await send(current, { method, headers, body }, addresses, exchange);
      const location = hop.headers.location;
      if (!REDIRECT_STATUSES.has(hop.status) || !location) {
        return {
          ...hop,
          latencyMs: performance.now() - started,
          url: current.href,
          redirects: [...exchange.redirects],
        };
      }
      if (exchange.redirects.length >= maxRedirects) {
        throw new OutboundRefusedError(
          `${exchange.target} answered with redirect number ${exchange.redirects.length + 1}; at most ${maxRedirects} are followed`,
          { reason: 'too-many-redirects', target: exchange.target, redirects: exchange.redirects },
        );
      }
      const next = parseUrl(location, exchange, current);
      exchange.redirects.push(next.href);
      // Method rules as in the fetch standard: 303 becomes GET (HEAD stays HEAD); so does a POST
      // answered by 301 or 302, as every browser does; 307 and 308 repeat the request exactly.
      if (
        (hop.status === 303 && method !== 'GET' && method !== 'HEAD') ||
        ((hop.status === 301 || hop.status === 302) && method === 'POST')
      ) {
        method = 'GET';
        body = undefined;
        headers = without(headers, BODY_HEADERS);
      }
      if (next.origin !== current.origin) headers = without(headers, ORIGIN_BOUND_HEADERS);
      current = next;
    }
  } catch (error) {
    if (controller.signal.aborted && !(error instanceof OutboundRefusedError)) throw timeoutError(exchange);
    throw error;
  } finally {
    clearTimeout(timer);
  }
}

function positive(name: string, value: number): number {
  if (!Number.isFinite(value) || value <= 0) throw new RangeError(`${name} must be a positive number of milliseconds`);
  return value;
}

function wholeNumber(name: string, value: number): number {
  if (!Number.isInteger(value) || value < 0) throw new RangeError(`${name} must be a whole number, 0 or more`);
  return value;
}

function parseUrl(text: string | URL, exchange: Exchange, base?: URL): URL {
  try {
    return new URL(text, base);
  } catch {
    // The text itself may hold a secret; say only that it is not a URL.
    throw new OutboundRefusedError(
      base ? `${exchange.target} redirected to a Location that is not a valid URL` : 'not a valid absolute URL',
      {
        reason: 'invalid-url',
        redirects: exchange.redirects,
      },
    );
  }
}

function vetUrl(url: URL, exchange: Exchange): void {
  const redirected = exchange.redirects.length > 0 ? 'redirect to ' : '';
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new OutboundRefusedError(`${redirected}${url.protocol} URL refused: only http and https are fetched`, {
      reason: 'scheme',
      redirects: exchange.redirects,
    });
  }
  exchange.target = url.origin;
  if (url.username || url.password) {
    throw new OutboundRefusedError(
      `${redirected}${url.origin} refused: the URL carries credentials (user:password@); send them in a header instead`,
      { reason: 'credentials', target: url.origin, redirects: exchange.redirects },
    );
  }
}

function hostOf(url: URL): string {
  // WHATWG URL has already normalised the host: "0x7f.1" and "2130706433" are 127.0.0.1 by now,
  // and IPv6 literals are compressed and bracketed.
  return url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
}

/** The vetted addresses to connect to, or null when the URL names an IP (already vetted). */
async function resolveAndVet(url: URL, exchange: Exchange): Promise<readonly ResolvedAddress[] | null> {
  const host = hostOf(url);
  const redirected = exchange.redirects.length > 0 ? 'redirect to ' : '';
  if (isIP(host)) {
    const verdict = checkAddress(host, exchange.policy);
    if (!verdict.allowed) {
      throw new OutboundRefusedError(`${redirected}${url.origin} refused: ${verdict.reason}; ${NOT_ALLOWED}`, {
        reason: 'address',
        target: url.origin,
        address: host,
        range: verdict.range,
        redirects: exchange.redirects,
      });
    }
    return null;
  }
  exchange.phase = 'resolving the name';
  let found: readonly ResolvedAddress[];
  try {
    found = await untilAborted(exchange.resolver(host, exchange.signal), exchange.signal);
  } catch (error) {
    if (exchange.signal.aborted) throw timeoutError(exchange);
    const code = (error as NodeJS.ErrnoException).code;
    throw new OutboundFailureError(`could not resolve ${host}: ${dnsWords(code)}`, {
      kind: 'dns',
      target: url.origin,
      code,
      redirects: exchange.redirects,
    });
  }
  if (found.length === 0) {
    throw new OutboundFailureError(`could not resolve ${host}: ${dnsWords('ENODATA')}`, {
      kind: 'dns',
      target: url.origin,
      code: 'ENODATA',
      redirects: exchange.redirects,
    });
  }
  for (const entry of found) {
    const verdict = checkAddress(entry.address, exchange.policy);
    if (!verdict.allowed) {
      const others = found.length > 1 ? ` (one of its ${found.length} addresses; all must be allowed)` : '';
      throw new OutboundRefusedError(`${redirected}${url.origin} refused: ${host} resolves to ${verdict.reason}${others}; ${NOT_ALLOWED}`, {
        reason: 'address',
        target: url.origin,
        address: entry.address,
        range: verdict.range,
        redirects: exchange.redirects,
      });
    }
  }
  return found.map((entry) => ({ address: entry.address, family: isIP(entry.address) === 6 ? 6 : 4 }));
}

function untilAborted<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}

/** A `lookup` for net.connect that answers with the vetted addresses only, so Node never asks DNS again. */
function vettedLookup(addresses: readonly ResolvedAddress[]) {
  return (
    _hostname: string,
    options: LookupOptions,
    callback: (error: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void,
  ): void => {
    const wanted = options.family === 4 || options.family === 'IPv4' ? 4 : options.family === 6 || options.family === 'IPv6' ? 6 : 0;
    const usable = addresses.filter((entry) => wanted === 0 || entry.family === wanted);
    const first = usable[0];
    if (!first) {
      callback(dnsError('ENOTFOUND', _hostname), '', undefined);
      return;
    }
    // With autoSelectFamily (Node's default) net asks for all addresses and tries them in turn.
    if (options.all)
      callback(
        null,
        usable.map((entry) => ({ address: entry.address, family: entry.family })),
      );
    else callback(null, first.address, first.family);
  };
}

function send(
  url: URL,
  request: { method: string; headers: OutgoingHttpHeaders; body: string | Uint8Array | undefined },
  addresses: readonly ResolvedAddress[] | null,
  exchange: Exchange,
): Promise<Hop> {
  return new Promise<Hop>((resolve, reject) => {
    const secure = url.protocol === 'https:';
    let settled = false;
    let response: IncomingMessage | undefined;
    let certificate: CertificateInfo | undefined;
    let outgoing: http.ClientRequest | undefined;

    const settle = (act: () => void) => {
      if (settled) return;
      settled = true;
      exchange.signal.removeEventListener('abort', onAbort);
      act();
    };
    const fail = (error: Error) =>
      settle(() => {
        response?.destroy();
        outgoing?.destroy();
        reject(error);
      });
    const onAbort = () => fail(timeoutError(exchange));

    const headers: OutgoingHttpHeaders = { ...request.headers };
    if (request.body !== undefined) headers['content-length'] = Buffer.byteLength(request.body);
    try {
      outgoing = (secure ? https : http).request({
        protocol: url.protocol,
        hostname: hostOf(url),
        port: url.port || (secure ? 443 : 80),
        path: `${url.pathname}${url.search}`,
        method: request.method,
        headers,
        // A fresh connection per request: a pooled socket must never carry one tenant's request
        // to an address vetted for another name.
        agent: false,
        ...(addresses ? { lookup: vettedLookup(addresses) } : {}),
        ...(secure && exchange.ca ? { ca: exchange.ca as string | Buffer | Array<string | Buffer> } : {}),
      });
    } catch (error) {
      // Node validates method and header names and values up front; say which, never the value.
      const code = (error as NodeJS.ErrnoException).code;
      reject(
        new OutboundRefusedError(`the request to ${url.origin} is malformed (${code ?? 'invalid'}): ${headerNameOnly(error)}`, {
          reason: 'invalid-request',
          target: url.origin,
          redirects: exchange.redirects,
        }),
      );
      return;
    }
    const client = outgoing;
    if (exchange.signal.aborted) {
      onAbort();
      return;
    }
    exchange.signal.addEventListener('abort', onAbort, { once: true });
    exchange.phase = 'connecting';

    client.on('socket', (socket: Socket) => {
      socket.once('connect', () => {
        // Belt and braces: whatever path led here, the peer must pass the same policy.
        const verdict = checkAddress(socket.remoteAddress ?? '', exchange.policy);
        if (!verdict.allowed) {
          fail(
            new OutboundRefusedError(`${url.origin} refused at connect: ${verdict.reason}`, {
              reason: 'address',
              target: url.origin,
              address: socket.remoteAddress ?? '',
              range: verdict.range,
              redirects: exchange.redirects,
            }),
          );
          return;
        }
        exchange.phase = secure ? 'negotiating TLS' : 'waiting for the response headers';
      });
      if (secure) {
        socket.once('secureConnect', () => {
          exchange.phase = 'waiting for the response headers';
          certificate = certificateOf(socket as TLSSocket);
        });
      }
    });
    // `on`, not `once`: a destroyed request can emit a second error, and an unheard one would crash the process.
    client.on('error', (error: NodeJS.ErrnoException) => fail(classify(error, exchange)));

    client.on('response', (incoming: IncomingMessage) => {
      response = incoming;
      const status = incoming.statusCode ?? 0;
      const remoteAddress = incoming.socket?.remoteAddress ?? '';
      certificate ??= secure ? certificateOf(incoming.socket as TLSSocket) : undefined;
      const done = (body: Buffer, truncated: boolean): Hop => ({
        status,
        headers: incoming.headers,
        body,
        truncated,
        remoteAddress,
        ...(certificate ? { tls: certificate } : {}),
      });
      if (REDIRECT_STATUSES.has(status) && incoming.headers.location) {
        // The redirect's own body is of no use; do not spend the deadline reading it.
        settle(() => {
          incoming.destroy();
          client.destroy();
          resolve(done(Buffer.alloc(0), false));
        });
        return;
      }
      exchange.phase = 'reading the body';
      const declared = Number(incoming.headers['content-length']);
      if (exchange.oversize === 'fail' && Number.isFinite(declared) && declared > exchange.maxResponseBytes) {
        fail(tooLarge(exchange, `declares ${declared} bytes`));
        return;
      }
      const chunks: Buffer[] = [];
      let size = 0;
      incoming.on('data', (chunk: Buffer) => {
        if (settled) return;
        const room = exchange.maxResponseBytes - size;
        if (chunk.length <= room) {
          chunks.push(chunk);
          size += chunk.length;
          return;
        }
        if (exchange.oversize === 'fail') {
          fail(tooLarge(exchange, 'sent more'));
          return;
        }
        // Keep what fits, then hang up rather than download the rest.
        chunks.push(chunk.subarray(0, room));
        settle(() => {
          incoming.destroy();
          client.destroy();
          resolve(done(Buffer.concat(chunks), true));
        });
      });
      incoming.on('end', () => settle(() => resolve(done(Buffer.concat(chunks), false))));
      incoming.on('error', (error: NodeJS.ErrnoException) => fail(classify(error, exchange)));
      incoming.on('close', () => {
        if (!incoming.complete) {
          fail(
            new OutboundFailureError(`${exchange.target} closed the connection before the body was complete`, {
              kind: 'reset',
              target: exchange.target,
              code: 'ECONNRESET',
              redirects: exchange.redirects,
            }),
          );
        }
      });
    });

    client.end(request.body);
  });
}

function certificateOf(socket: TLSSocket): CertificateInfo | undefined {
  const certificate = socket.getPeerX509Certificate?.();
  if (!certificate) return undefined;
  const names = (text: string) => text.split('\n').filter(Boolean).join(', ');
  return {
    validFrom: certificate.validFromDate,
    validTo: certificate.validToDate,
    subject: names(certificate.subject),
    issuer: names(certificate.issuer),
    ...(certificate.subjectAltName ? { subjectAltName: certificate.subjectAltName } : {}),
    fingerprint256: certificate.fingerprint256,
  };
}

function requestHeaders(given: Record<string, string> | undefined): OutgoingHttpHeaders {
  const headers: OutgoingHttpHeaders = {};
  for (const [name, value] of Object.entries(given ?? {})) {
    const key = name.toLowerCase();
    if (!CONTROLLED_HEADERS.has(key)) headers[key] = value;
  }
  return headers;
}

function without(headers: OutgoingHttpHeaders, names: ReadonlySet<string>): OutgoingHttpHeaders {
  return Object.fromEntries(Object.entries(headers).filter(([name]) => !names.has(name)));
}

function headerNameOnly(error: unknown): string {
  const message = error instanceof Error ? error.message : '';
  // Node's messages name the header ("Invalid character in header content ["x-token"]") and never
  // the value; keep only the bracketed name to be certain.
  const name = /\["?([^"\]]+)"?\]/.exec(message)?.[1];
  return name ? `header "${name}" is not valid` : 'the method or a header is not valid';
}

function dnsError(code: string, hostname: string): NodeJS.ErrnoException {
  const error: NodeJS.ErrnoException = new Error(`${code} ${hostname}`);
  error.code = code;
  return error;
}

function dnsWords(code: string | undefined): string {
  switch (code) {
    case 'ENOTFOUND':
      return 'no such name (ENOTFOUND)';
    case 'ENODATA':
      return 'no A or AAAA records (ENODATA)';
    case 'EAI_AGAIN':
    case 'ETIMEOUT':
      return `the DNS server did not answer in time (${code})`;
    case 'ESERVFAIL':
      return 'the DNS server failed (ESERVFAIL)';
    case 'ECONNREFUSED':
      return 'the DNS server refused the query (ECONNREFUSED)';
    default:
      return code ? `DNS error ${code}` : 'DNS lookup failed';
  }
}

function timeoutError(exchange: Exchange): OutboundFailureError {
  return new OutboundFailureError(
    `${exchange.target || 'the target'} did not complete within ${exchange.timeoutMs} ms (timed out ${exchange.phase})`,
    {
      kind: 'timeout',
      target: exchange.target,
      redirects: exchange.redirects,
    },
  );
}

function tooLarge(exchange: Exchange, what: string): OutboundFailureError {
  return new OutboundFailureError(`the response from ${exchange.target} ${what} than the ${exchange.maxResponseBytes}-byte limit`, {
    kind: 'too-large',
    target: exchange.target,
    redirects: exchange.redirects,
  });
}

const CONNECT_CODES = new Set(['ECONNREFUSED', 'EHOSTUNREACH', 'ENETUNREACH', 'EHOSTDOWN', 'ENETDOWN', 'EADDRNOTAVAIL', 'EACCES', 'EPERM']);
const RESET_CODES = new Set(['ECONNRESET', 'EPIPE', 'ECONNABORTED', 'ERR_STREAM_PREMATURE_CLOSE']);
/** OpenSSL verification codes and Node's TLS and SSL error families. */
const TLS_CODE =
  /^(ERR_TLS_|ERR_SSL_|CERT_|UNABLE_TO_|DEPTH_ZERO_SELF_SIGNED_CERT|SELF_SIGNED_CERT_IN_CHAIN|INVALID_CA|PATH_LENGTH_EXCEEDED|INVALID_PURPOSE|HOSTNAME_MISMATCH|ERROR_IN_CERT_|EPROTO$)/;

function classify(error: NodeJS.ErrnoException, exchange: Exchange): OutboundFailureError {
  const code = error.code;
  const target = exchange.target;
  const make = (kind: FailureKind, message: string) =>
    new OutboundFailureError(message, { kind, target, code, redirects: exchange.redirects });
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return make('dns', `could not resolve ${target}: ${dnsWords(code)}`);
  if (code && TLS_CODE.test(code)) return make('tls', `TLS with ${target} failed: ${error.message} (${code})`);
  if (code && CONNECT_CODES.has(code)) return make('connect', `could not connect to ${target} (${code})`);
  if (code === 'ETIMEDOUT') return make('timeout', `connecting to ${target} timed out in the network (ETIMEDOUT)`);
  if (code === 'HPE_HEADER_OVERFLOW')
    return make('too-large', `the response headers from ${target} are larger than Node accepts (${code})`);
  if (code?.startsWith('HPE_')) return make('protocol', `${target} sent a malformed HTTP response (${code})`);
  if (code && RESET_CODES.has(code)) {
    return make('reset', `${target} closed the connection while ${exchange.phase} (${code})`);
  }
  // Unknown errors are attributed to the step that was under way, with the code for the curious.
  const kind: FailureKind = exchange.phase === 'connecting' ? 'connect' : exchange.phase === 'negotiating TLS' ? 'tls' : 'reset';
  return make(kind, `request to ${target} failed while ${exchange.phase}${code ? ` (${code})` : ''}`);
}
