import { Agent, request } from 'node:http';
import { closedLoop, type LoopOptions, type LoopResult } from './stats.ts';

/**
 * A small closed-loop HTTP load generator: keep-alive connections (one per worker), a fixed
 * number of requests with a time cap, loopback only. Each request must answer the expected
 * status, or the run fails: a benchmark of error responses would be misleading.
 */

export interface HttpRequestSpec {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** Path and query, e.g. `/v1/services/x/versions?limit=100`; a function to vary it per request. */
  path: string | ((seq: number, worker: number) => string);
  headers?: Record<string, string>;
  /** A JSON body, or a function making one per request (e.g. a fresh version number). */
  body?: object | ((seq: number, worker: number) => object);
  expectStatus: number;
}

export interface HttpLoadOptions extends LoopOptions {
  /** The runtime's base URL; must be a loopback address. */
  baseUrl: string;
}

const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]', '::1']);

export async function httpLoad(options: HttpLoadOptions, spec: HttpRequestSpec): Promise<LoopResult> {
  const base = new URL(options.baseUrl);
  if (!LOOPBACK.has(base.hostname)) throw new Error(`The bench only loads loopback addresses, not ${base.hostname}.`);
  if (base.protocol !== 'http:') throw new Error('The bench speaks plain HTTP to the local runtime.');
  // Connect by address, so no request waits on a name lookup (and localhost cannot mean ::1).
  const host = base.hostname === 'localhost' ? '127.0.0.1' : base.hostname.replace(/^\[|\]$/g, '');
  const port = Number(base.port || 80);
  const agent = new Agent({ keepAlive: true, maxSockets: options.concurrency, maxFreeSockets: options.concurrency });
  try {
    return await closedLoop(options, (seq, worker) => send(agent, host, port, spec, seq, worker));
  } finally {
    agent.destroy();
  }
}

function send(agent: Agent, host: string, port: number, spec: HttpRequestSpec, seq: number, worker: number): Promise<void> {
  const path = typeof spec.path === 'function' ? spec.path(seq, worker) : spec.path;
  const bodyValue = typeof spec.body === 'function' ? spec.body(seq, worker) : spec.body;
  const payload = bodyValue === undefined ? undefined : Buffer.from(JSON.stringify(bodyValue));
  const headers: Record<string, string | number> = { ...spec.headers };
  if (payload) {
    headers['content-type'] = 'application/json';
    headers['content-length'] = payload.byteLength;
  }
  return new Promise((resolve, reject) => {
    const req = request({ agent, host, port, method: spec.method, path, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('error', reject);
      res.on('end', () => {
        if (res.statusCode === spec.expectStatus) return resolve();
        const text = Buffer.concat(chunks).toString('utf8').slice(0, 500);
        reject(new Error(`${spec.method} ${path} answered ${res.statusCode}, expected ${spec.expectStatus}: ${text}`));
      });
    });
    req.on('error', reject);
    req.end(payload);
  });
}
