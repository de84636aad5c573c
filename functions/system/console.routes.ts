import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { implement } from '#kernel/http/operation';
import * as contracts from './console.contract.ts';

/**
 * Serves the console's few static files: from beside the system function's bundle on AWS (the
 * stack copies them there: lib/bundling.ts BUNDLED_ASSETS), from the project's console/ folder
 * when run from source. They are read once per process.
 */
const cache = new Map<string, string>();

function consoleFile(name: string): string {
  let text = cache.get(name);
  if (text === undefined) {
    const bundled = fileURLToPath(new URL(`./console/${name}`, import.meta.url));
    const source = fileURLToPath(new URL(`../../console/${name}`, import.meta.url));
    text = readFileSync(existsSync(bundled) ? bundled : source, 'utf8');
    cache.set(name, text);
  }
  return text;
}

const CONTENT_TYPES: Record<string, string> = { js: 'text/javascript; charset=utf-8', css: 'text/css; charset=utf-8' };

/** Only this origin's scripts and styles; the API and the stream (its own origin, or the WebSocket API's on AWS). */
function securityHeaders(): Record<string, string> {
  const stream = process.env.STEWARD_STREAM_URL ? ` ${new URL(process.env.STEWARD_STREAM_URL).origin.replace(/^http/, 'ws')}` : '';
  return {
    'content-security-policy': `default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self' ws: wss:${stream}; frame-ancestors 'none'; base-uri 'none'`,
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer',
    'cache-control': 'no-cache',
  };
}

export const consoleOperations = [
  implement(contracts.getConsole, async () => ({
    status: 200,
    contentType: 'text/html; charset=utf-8',
    // Where the stream is when it is not this origin's /v1/stream (the WebSocket API on AWS).
    body: consoleFile('index.html').replace('content="" data-stream', `content="${process.env.STEWARD_STREAM_URL ?? ''}" data-stream`),
    headers: securityHeaders(),
  })),

  implement(contracts.getConsoleFile, async ({ params }) => ({
    status: 200,
    contentType: CONTENT_TYPES[params.file.split('.').pop() ?? ''] ?? 'text/plain',
    body: consoleFile(params.file),
    headers: securityHeaders(),
  })),
];
