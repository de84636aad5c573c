import WebSocket from 'ws';

/** A test client of /v1/stream: collects every message, and waits for the ones a test expects. */
export interface StreamTestClient {
  socket: WebSocket;
  messages: any[];
  events(): any[];
  send(message: unknown): void;
  /** Resolves with the first message (from the start) that matches, waiting for it if need be. */
  next(predicate: (message: any) => boolean, timeoutMs?: number): Promise<any>;
  /** Resolves when `count` event messages have arrived. */
  eventCount(count: number, timeoutMs?: number): Promise<any[]>;
  closed: Promise<{ code: number; reason: string }>;
  close(): void;
}

export function streamUrl(baseUrl: string, query: Record<string, string> = {}): string {
  const url = new URL('/v1/stream', baseUrl.replace(/^http/, 'ws'));
  for (const [name, value] of Object.entries(query)) url.searchParams.set(name, value);
  return url.toString();
}

export function connectStream(
  baseUrl: string,
  query: Record<string, string> = {},
  headers: Record<string, string> = {},
): Promise<StreamTestClient> {
  const socket = new WebSocket(streamUrl(baseUrl, query), { headers });
  const messages: any[] = [];
  const waiters = new Set<() => void>();
  socket.on('message', (data) => {
    messages.push(JSON.parse(data.toString()));
    for (const wake of waiters) wake();
  });
  const closed = new Promise<{ code: number; reason: string }>((resolve) => {
    socket.on('close', (code, reason) => {
      resolve({ code, reason: reason.toString() });
      for (const wake of waiters) wake();
    });
  });
  const waitFor = <T>(check: () => T | undefined, what: string, timeoutMs: number): Promise<T> =>
    new Promise((resolve, reject) => {
      const wake = () => {
        const found = check();
        if (found !== undefined) {
          waiters.delete(wake);
          clearTimeout(timer);
          resolve(found);
        }
      };
      const timer = setTimeout(() => {
        waiters.delete(wake);
        reject(new Error(`timed out waiting for ${what}; got ${JSON.stringify(messages.slice(-3)).slice(0, 500)}`));
      }, timeoutMs);
      waiters.add(wake);
      wake();
    });
  const client: StreamTestClient = {
    socket,
    messages,
    events: () => messages.filter((message) => message.type === 'event'),
    send: (message) => socket.send(JSON.stringify(message)),
    next: (predicate, timeoutMs = 10_000) => waitFor(() => messages.find(predicate), 'a message', timeoutMs),
    eventCount: (count, timeoutMs = 10_000) =>
      waitFor(() => (client.events().length >= count ? client.events() : undefined), `${count} events`, timeoutMs),
    closed,
    close: () => socket.close(),
  };
  return new Promise((resolve, reject) => {
    socket.once('open', () => resolve(client));
    socket.once('unexpected-response', (_request, response) => {
      let body = '';
      response.on('data', (chunk: Buffer) => {
        body += chunk.toString();
      });
      response.on('end', () =>
        reject(Object.assign(new Error(`upgrade refused: ${response.statusCode}`), { status: response.statusCode, body })),
      );
    });
    socket.once('error', reject);
  });
}
