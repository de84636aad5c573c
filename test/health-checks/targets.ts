import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A real local HTTP server standing in for the services health checks watch. */
export interface Targets {
  url: string;
  /** The status `/flip` answers with. */
  flip: { status: number };
  close: () => Promise<void>;
}

export async function startTargets(): Promise<Targets> {
  const flip = { status: 200 };
  const server: Server = createServer((request, response) => {
    const path = new URL(request.url ?? '/', 'http://localhost').pathname;
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
    json(404, { error: 'not found' });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    flip,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
