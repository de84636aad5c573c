import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';

/**
 * Real local HTTP fixtures for the deployment end-to-end tests: versions of a service that
 * answer on 127.0.0.1, and a small weighted router driven by Steward's `http` traffic driver.
 *
 * The router accepts only weight changes signed as Standard Webhooks with the environment's
 * signing secret (verified with the `standardwebhooks` library), keeps the newest weights, and
 * proxies every other request to a version chosen by those weights.
 */

async function listen(server: Server): Promise<string> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

async function shut(server: Server): Promise<void> {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
}

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    request.on('error', reject);
  });
}

function json(response: ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { 'content-type': 'application/json' });
  response.end(JSON.stringify(body));
}

export interface VersionService {
  version: string;
  url: string;
  /** The URL a health gate probes. */
  healthUrl: string;
  /** Whether GET /health answers 200 (else 500). */
  healthy: boolean;
  /** Requests served, health probes included. */
  requests: number;
  healthChecks: number;
  close(): Promise<void>;
}

/** One version of a service: GET /health (200, or 500 when unhealthy) and anything else answers `{ version }`. */
export async function startVersionService(version: string, options: { healthy?: boolean } = {}): Promise<VersionService> {
  const server = createServer((request, response) => {
    service.requests++;
    if (request.url?.startsWith('/health')) {
      service.healthChecks++;
      if (service.healthy) json(response, 200, { status: 'ok', version });
      else json(response, 500, { status: 'failing', version });
      return;
    }
    json(response, service.healthy ? 200 : 500, { version });
  });
  const url = await listen(server);
  const service: VersionService = {
    version,
    url,
    healthUrl: `${url}/health`,
    healthy: options.healthy ?? true,
    requests: 0,
    healthChecks: 0,
    close: () => shut(server),
  };
  return service;
}

/** A weight change as the router received it (the `data` of Steward's `routing.weights` message). */
export interface ReceivedChange {
  service: string;
  environment: string;
  weights: Record<string, number>;
  revision: number;
  deploymentId: string | null;
}

/** What the router does with a correctly signed weight change: apply it, answer 500, or never answer. */
export type RouterBehaviour = 'ok' | 500 | 'hang';

export interface WeightedRouter {
  url: string;
  /** Where Steward POSTs weight changes. */
  weightsUrl: string;
  /** The weights in effect. */
  weights: Record<string, number>;
  revision: number;
  /** Every change applied, in order. */
  applied: ReceivedChange[];
  /** Every POST to the weights URL, whatever became of it. */
  attempts: number;
  /** POSTs refused for a missing or wrong signature. */
  rejected: number;
  /** The signing secret (whsec_…) Steward returned when the environment was defined. */
  setSecret(secret: string): void;
  /** Decides, per signed change, what the router does (a promise holds the request until it settles); the default applies every change. */
  behave(decide: (change: ReceivedChange) => RouterBehaviour | Promise<RouterBehaviour>): void;
  /** Sends `count` requests through the router; how many each version answered. */
  sample(count: number): Promise<Record<string, number>>;
  close(): Promise<void>;
}

/**
 * Starts the router. `upstreams` maps a version to the service answering for it. The pick is a
 * smooth weighted round robin, so `sample(100)` follows the weights exactly.
 */
export async function startWeightedRouter(upstreams: Record<string, string>): Promise<WeightedRouter> {
  let webhook: Webhook | null = null;
  let decide: (change: ReceivedChange) => RouterBehaviour | Promise<RouterBehaviour> = () => 'ok';
  const current: Record<string, number> = {};

  function pick(): string | null {
    const entries = Object.entries(router.weights).filter(([, weight]) => weight > 0);
    if (entries.length === 0) return null;
    const total = entries.reduce((sum, [, weight]) => sum + weight, 0);
    for (const [version, weight] of entries) current[version] = (current[version] ?? 0) + weight;
    const [chosen] = entries.reduce((best, entry) => ((current[entry[0]] ?? 0) > (current[best[0]] ?? 0) ? entry : best));
    current[chosen] = (current[chosen] ?? 0) - total;
    return chosen;
  }

  async function receive(request: IncomingMessage, response: ServerResponse): Promise<void> {
    router.attempts++;
    const body = await readBody(request);
    let message: { type: string; data: ReceivedChange };
    try {
      if (!webhook) throw new Error('no signing secret yet');
      message = webhook.verify(body, request.headers as Record<string, string>) as { type: string; data: ReceivedChange };
    } catch (error) {
      router.rejected++;
      json(response, 401, { error: `signature refused: ${(error as Error).message}` });
      return;
    }
    if (message.type !== 'routing.weights') return json(response, 400, { error: `unexpected message type ${message.type}` });
    const change = message.data;
    const behaviour = await decide(change);
    if (behaviour === 'hang') return; // never answers: Steward's timeout has to deal with it
    if (behaviour === 500) return json(response, 500, { error: 'router unavailable' });
    // A change that arrives late (an older revision) is ignored, as the driver's contract allows.
    if (change.revision > router.revision) {
      router.weights = { ...change.weights };
      router.revision = change.revision;
      router.applied.push(change);
      for (const key of Object.keys(current)) delete current[key];
    }
    response.writeHead(204);
    response.end();
  }

  async function proxy(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const version = pick();
    const upstream = version ? upstreams[version] : undefined;
    if (!upstream) return json(response, 503, { error: 'no version takes traffic' });
    const answer = await fetch(`${upstream}${request.url ?? '/'}`, { method: request.method });
    response.writeHead(answer.status, {
      'content-type': answer.headers.get('content-type') ?? 'application/octet-stream',
      'x-routed-to': version as string,
    });
    response.end(Buffer.from(await answer.arrayBuffer()));
  }

  const server = createServer((request, response) => {
    const handle = request.method === 'POST' && request.url === '/weights' ? receive : proxy;
    handle(request, response).catch((error: unknown) => {
      if (!response.headersSent) json(response, 502, { error: String(error) });
      else response.destroy();
    });
  });
  const url = await listen(server);
  const router: WeightedRouter = {
    url,
    weightsUrl: `${url}/weights`,
    weights: {},
    revision: 0,
    applied: [],
    attempts: 0,
    rejected: 0,
    setSecret(secret) {
      webhook = new Webhook(secret);
    },
    behave(next) {
      decide = next;
    },
    async sample(count) {
      const served: Record<string, number> = {};
      for (let i = 0; i < count; i++) {
        const answer = await fetch(url);
        const body = (await answer.json()) as { version?: string };
        const key = answer.status === 503 ? 'none' : (body.version ?? 'unknown');
        served[key] = (served[key] ?? 0) + 1;
      }
      return served;
    },
    close: () => shut(server),
  };
  return router;
}
