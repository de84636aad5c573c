/**
 * How the web console (console/) is served, one definition for both places that serve it
 * (docs/architecture.md §2): CloudFront on AWS (lib/constructs/console-hosting.ts) and the local
 * server (local/console-files.ts). Plain data and string builders, no CDK: values may be CDK
 * tokens (the API's URL), which stay tokens inside the strings built here.
 */

/** Where the console lives, on both origins: `/console/` (index.html), `/console/app.js`, `/console/config.json`. */
export const CONSOLE_PREFIX = '/console/';

/** The file the console reads to find the API, the stream and the identity provider, next to index.html. */
export const CONSOLE_CONFIG_FILE = 'config.json';

/**
 * Files the console loads from node_modules (a charting library, say), by their name under
 * `/console/`: the local server serves them from node_modules and the stack deploys them beside
 * console/. Add an entry here when console/ references one, e.g.
 * `'vendor/uPlot.min.js': 'node_modules/uplot/dist/uPlot.iife.min.js'`.
 */
export const CONSOLE_VENDOR_FILES: Readonly<Record<string, string>> = {};

/** Content type by file extension; anything else is `application/octet-stream`. */
export const CONSOLE_CONTENT_TYPES: Readonly<Record<string, string>> = {
  html: 'text/html; charset=utf-8',
  js: 'text/javascript; charset=utf-8',
  mjs: 'text/javascript; charset=utf-8',
  css: 'text/css; charset=utf-8',
  json: 'application/json; charset=utf-8',
  map: 'application/json; charset=utf-8',
  svg: 'image/svg+xml',
  png: 'image/png',
  ico: 'image/x-icon',
  woff2: 'font/woff2',
  txt: 'text/plain; charset=utf-8',
};

export function consoleContentType(path: string): string {
  const extension = /\.([a-z0-9]+)$/i.exec(path)?.[1]?.toLowerCase() ?? '';
  return CONSOLE_CONTENT_TYPES[extension] ?? 'application/octet-stream';
}

/**
 * Every file is revalidated before use (by its ETag): the names carry no content hash, so a new
 * console must reach a browser on its next load. CloudFront's edge copies are invalidated on each deploy.
 */
export const CONSOLE_CACHE_CONTROL = 'no-cache';

/** HSTS on AWS (two years, subdomains). Not sent locally: browsers ignore it over plain HTTP. */
export const CONSOLE_HSTS_MAX_AGE_SECONDS = 63_072_000;

/** The headers besides the CSP that both origins send with every console file. */
export const CONSOLE_SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
};

/**
 * The console's Content-Security-Policy. Scripts only from the console's own origin (no inline
 * script, no eval); styles from it too, plus inline style attributes (the console sizes bars
 * with them); connections only to the console's origin and the origins named in `connect`: the
 * API, the stream and the identity provider's token endpoint. Never framed.
 */
export function consoleContentSecurityPolicy(connect: ReadonlyArray<string>): string {
  return [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data:",
    "font-src 'self'",
    `connect-src ${["'self'", ...connect].join(' ')}`,
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; ');
}

/** What the console may ask the identity provider for. */
export const CONSOLE_SIGN_IN_SCOPES = ['openid', 'email', 'profile'] as const;

/**
 * `signIn` of config.json: an OAuth 2.0 Authorization Code flow with PKCE against the identity
 * provider, by a public client (no secret). The console sends the ID token it gets as its bearer
 * token: its audience is `clientId`, which the authorizer accepts.
 */
export interface ConsoleSignIn {
  issuer: string;
  clientId: string;
  authorizationEndpoint: string;
  tokenEndpoint: string;
  scopes: string[];
}

/**
 * `/console/config.json`. `apiUrl` is the API's base URL (empty: the console's own origin, as
 * locally); `streamUrl` the live stream's WebSocket URL; `signIn` null when the console offers
 * API keys only.
 */
export interface ConsoleConfig {
  apiUrl: string;
  streamUrl: string;
  signIn: ConsoleSignIn | null;
}

/**
 * What the HTTP API allows the console's origin (it calls the API cross-origin on AWS): the
 * request headers the console sends, and the response headers its code must be able to read.
 */
export const CONSOLE_CORS = {
  allowHeaders: ['authorization', 'content-type', 'if-match', 'idempotency-key'],
  exposeHeaders: ['etag', 'location', 'retry-after', 'ratelimit', 'ratelimit-policy'],
  /** Browsers keep a preflight's answer this long (Chromium caps it at 2 hours). */
  maxAgeSeconds: 3600,
} as const;
