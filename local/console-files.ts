import { createHash } from 'node:crypto';
import { readFileSync, realpathSync, statSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  CONSOLE_CACHE_CONTROL,
  CONSOLE_CONFIG_FILE,
  CONSOLE_PREFIX,
  CONSOLE_SECURITY_HEADERS,
  CONSOLE_SIGN_IN_SCOPES,
  CONSOLE_VENDOR_FILES,
  type ConsoleConfig,
  consoleContentSecurityPolicy,
  consoleContentType,
} from '../lib/console-policy.ts';
import { DEV_AUDIENCE, DEV_ISSUER, type DevIssuer } from './dev-issuer.ts';
import { DEV_SIGN_IN_PATHS } from './dev-sign-in.ts';

/**
 * The web console from the local server (docs/architecture.md §2), as CloudFront serves it on AWS
 * (lib/constructs/console-hosting.ts): `/console` redirects to `/console/` (index.html), the files
 * of console/ (and the vendor files of lib/console-policy.ts) under `/console/`, and a generated
 * `/console/config.json`. The same content types, `Cache-Control: no-cache` with ETags, and the
 * same CSP and security headers; nothing outside console/ is reachable.
 */

const CONSOLE_DIR = realpathSync(fileURLToPath(new URL('../console/', import.meta.url)));
const PROJECT_ROOT = fileURLToPath(new URL('../', import.meta.url));

/** `Host` as a browser sends it: a name or an address, and a port. Anything else is refused. */
const HOST = /^(?:[a-z0-9.-]+|\[[0-9a-f:.]+\])(?::\d{1,5})?$/i;

export interface LocalConsoleOptions {
  /** The development issuer, when on: config.json then offers sign-in with it (local/dev-sign-in.ts). */
  devIssuer: DevIssuer | null;
}

/** The origin the browser used, from `Host` (and `X-Forwarded-Proto` behind a TLS proxy); undefined when `Host` is not one. */
export function requestOrigin(request: IncomingMessage): { http: string; ws: string } | undefined {
  const host = request.headers.host ?? '';
  if (!HOST.test(host)) return undefined;
  const secure = request.headers['x-forwarded-proto'] === 'https';
  return { http: `${secure ? 'https' : 'http'}://${host}`, ws: `${secure ? 'wss' : 'ws'}://${host}` };
}

/** config.json for a console opened at `origin`: the API on the same origin, the stream at /v1/stream. */
export function localConsoleConfig(origin: { http: string; ws: string }, devIssuer: DevIssuer | null): ConsoleConfig {
  return {
    apiUrl: '',
    streamUrl: `${origin.ws}/v1/stream`,
    signIn: devIssuer
      ? {
          issuer: DEV_ISSUER,
          clientId: DEV_AUDIENCE,
          authorizationEndpoint: `${origin.http}${DEV_SIGN_IN_PATHS.authorize}`,
          tokenEndpoint: `${origin.http}${DEV_SIGN_IN_PATHS.token}`,
          scopes: [...CONSOLE_SIGN_IN_SCOPES],
        }
      : null,
  };
}

/**
 * Answers the request when its path is the console's (`/console` or under `/console/`); false
 * otherwise, for the API to answer.
 */
export function serveConsole(request: IncomingMessage, response: ServerResponse, options: LocalConsoleOptions): boolean {
  const path = new URL(request.url ?? '/', 'http://localhost').pathname;
  if (path !== CONSOLE_PREFIX.slice(0, -1) && !path.startsWith(CONSOLE_PREFIX)) return false;
  const method = request.method ?? 'GET';
  if (method !== 'GET' && method !== 'HEAD') {
    plain(response, 405, 'Method not allowed', { allow: 'GET, HEAD' });
    return true;
  }
  if (path === CONSOLE_PREFIX.slice(0, -1)) {
    response.writeHead(302, { location: CONSOLE_PREFIX, 'content-length': 0 });
    response.end();
    return true;
  }
  const origin = requestOrigin(request);
  if (!origin) {
    plain(response, 400, 'Bad Host header');
    return true;
  }
  const config = localConsoleConfig(origin, options.devIssuer);
  const name = path.slice(CONSOLE_PREFIX.length) || 'index.html';
  const body = name === CONSOLE_CONFIG_FILE ? Buffer.from(JSON.stringify(config)) : consoleFile(name);
  if (!body) {
    plain(response, 404, 'Not found');
    return true;
  }
  const etag = `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"`;
  const headers = { ...consoleHeaders(config), etag };
  if (request.headers['if-none-match'] === etag) {
    response.writeHead(304, headers);
    response.end();
    return true;
  }
  response.writeHead(200, { ...headers, 'content-type': consoleContentType(name), 'content-length': body.byteLength });
  response.end(method === 'HEAD' ? undefined : body);
  return true;
}

/** What every console response carries, as CloudFront's response headers policy adds it (HSTS aside: plain HTTP here). */
export function consoleHeaders(config: ConsoleConfig): Record<string, string> {
  const connect = [config.apiUrl, config.streamUrl, config.signIn?.tokenEndpoint].filter((source): source is string => !!source);
  return {
    'content-security-policy': consoleContentSecurityPolicy(connect),
    ...CONSOLE_SECURITY_HEADERS,
    'cache-control': CONSOLE_CACHE_CONTROL,
  };
}

/**
 * A file of console/ (or a vendor file) by its name under /console/, or undefined: the name is
 * decoded once, and must be plain segments (no `.`/`..`, no dot files, no backslashes) that
 * resolve, links followed, to a regular file inside console/.
 */
function consoleFile(encoded: string): Buffer | undefined {
  let name: string;
  try {
    name = decodeURIComponent(encoded);
  } catch {
    return undefined;
  }
  const vendor = CONSOLE_VENDOR_FILES[name];
  if (vendor) return readFileSync(`${PROJECT_ROOT}${vendor}`);
  const segments = name.split('/');
  if (segments.some((segment) => segment === '' || segment.startsWith('.') || segment.includes('\\') || segment.includes('\0')))
    return undefined;
  try {
    const file = realpathSync(`${CONSOLE_DIR}${sep}${segments.join(sep)}`);
    if (!file.startsWith(`${CONSOLE_DIR}${sep}`) || !statSync(file).isFile()) return undefined;
    return readFileSync(file);
  } catch {
    return undefined;
  }
}

function plain(response: ServerResponse, status: number, text: string, extra: Record<string, string> = {}): void {
  const body = Buffer.from(`${text}\n`);
  response.writeHead(status, {
    'content-type': 'text/plain; charset=utf-8',
    'content-length': body.byteLength,
    'x-content-type-options': 'nosniff',
    ...extra,
  });
  response.end(body);
}
