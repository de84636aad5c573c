import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';

/** A real local HTTP server standing in for the services health checks watch. */
export interface Targets {
  url: string;
  /** The status `/flip` answers with. */
  flip: { status: number };
  close: () => Promise<void>;
}

/**
 * With `tls` the same routes are served over https with that certificate (and key), on 127.0.0.1:
 * issue it for `127.0.0.1` (test/outbound/helpers/certificates.ts).
 */
export async function startTargets(options: { tls?: { cert: string; key: string } } = {}): Promise<Targets> {
  const flip = { status: 200 };
  const handler = (request: IncomingMessage, response: ServerResponse) => {
    const url = new URL(request.url ?? '/', 'http://localhost');
    const path = url.pathname;
    const json = (status: number, body: unknown) => {
      response.writeHead(status, { 'content-type': 'application/json' });
      response.end(JSON.stringify(body));
    };
    if (path === '/up') return json(200, { status: 'UP', items: [{ id: 'a' }] });
    if (path === '/down') return json(500, { status: 'DOWN' });
    if (path === '/wrong') return json(200, { status: 'DEGRADED', items: [] });
    if (path === '/flip') return json(flip.status, { status: flip.status === 200 ? 'UP' : 'DOWN' });
    if (path.startsWith('/slow/')) {
      const delay = Number(path.slice('/slow/'.length));
      const timer = setTimeout(() => json(200, { status: 'UP' }), delay);
      response.on('close', () => clearTimeout(timer));
      return;
    }
    // `/redirect?to=<path or URL>`: a 302 to it; without `to`, to itself (a loop).
    if (path === '/redirect') {
      response.writeHead(302, { location: url.searchParams.get('to') ?? '/redirect' });
      return response.end();
    }
    json(404, { error: 'not found' });
  };
  const server: Server = options.tls ? createHttpsServer(options.tls, handler) : createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as AddressInfo;
  return {
    url: `${options.tls ? 'https' : 'http'}://127.0.0.1:${port}`,
    flip,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
