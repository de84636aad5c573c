import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { type RawData, type WebSocket, WebSocketServer } from 'ws';
import { principalOf } from '#identity/public';
import { bearerToken } from '#kernel/http/authorizer-context';
import type { Principal } from '#kernel/roles';
import type { StoredEvent } from '#kernel/store/event-log';
import {
  eventMessage,
  matchingTopics,
  RESYNC_CLOSE_CODE,
  refusedTopic,
  type ServerMessage,
  type StreamEvent,
  streamEventOf,
} from './stream.domain.ts';
import { ClientMessage, ConnectQuery, Topic } from './stream.schema.ts';
import { eventsAfter } from './stream.store.ts';

/** The path of the stream, on the API's own port. */
export const STREAM_PATH = '/v1/stream';

export interface LocalStreamOptions {
  /**
   * Messages a client may have waiting before it is cut off with `resync`: a slow client costs
   * this much memory at most, and never delays anyone else.
   */
  maxQueue?: number;
  /** Messages handed to a socket and not yet written out, before the rest wait in the queue. */
  maxInFlight?: number;
}

/**
 * The local stream (docs/architecture.md §2): `ws` on the API's port at `/v1/stream`, fed from
 * the event log's publisher hook with every committed event (on AWS: API Gateway's WebSocket API
 * fed from the table stream, functions/stream/fan-out.ts). Each client has a bounded queue;
 * publishing only appends to queues, so one slow client never slows the others.
 */
export class LocalStreamHub {
  private readonly server = new WebSocketServer({ noServer: true, maxPayload: 64 * 1024 });
  private readonly clients = new Set<StreamClient>();
  private readonly maxQueue: number;
  private readonly maxInFlight: number;

  constructor(options: LocalStreamOptions = {}) {
    this.maxQueue = options.maxQueue ?? 10_000;
    this.maxInFlight = options.maxInFlight ?? 256;
  }

  /** Clients connected now. */
  get connections(): number {
    return this.clients.size;
  }

  /** Takes over WebSocket upgrades of `/v1/stream` on the server; any other upgrade is a 404. */
  attach(server: Server): void {
    server.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => {
      void this.upgrade(request, socket, head).catch(() => socket.destroy());
    });
  }

  /** A committed event: every client subscribed to one of its topics, and allowed to see it, gets it. */
  publish(stored: StoredEvent): void {
    const event = streamEventOf(stored as unknown as Record<string, unknown>);
    // Clients with the same matching topics get the same text: serialised once, not once per client.
    const texts = new Map<string, string>();
    for (const client of this.clients) client.offer(event, texts);
  }

  async close(): Promise<void> {
    for (const client of this.clients) client.socket.terminate();
    this.clients.clear();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async upgrade(request: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    const url = new URL(request.url ?? '/', 'http://localhost');
    if (url.pathname !== STREAM_PATH) return refuse(socket, 404, 'Not found', `There is no WebSocket endpoint at ${url.pathname}.`);
    const query = ConnectQuery.safeParse(Object.fromEntries(url.searchParams));
    if (!query.success) return refuse(socket, 400, 'Invalid request', query.error.issues.map((issue) => issue.message).join('; '));
    const topics = (query.data.topics ?? '').split(',').filter((topic) => topic !== '');
    const badTopic = topics.find((topic) => !Topic.safeParse(topic).success);
    if (badTopic !== undefined) return refuse(socket, 400, 'Invalid request', `"${badTopic}" is not a topic.`);
    const key = url.searchParams.get('key') ?? undefined;
    const principal = await principalOf(key ?? bearerToken(request.headers.authorization));
    if (!principal) {
      return refuse(socket, 401, 'Unauthorized', 'Send an API key as "Authorization: Bearer <key>" or ?key=<key>.', {
        'www-authenticate': 'Bearer',
      });
    }
    const refused = refusedTopic(topics, principal);
    if (refused) return refuse(socket, 403, 'Forbidden', `Key "${principal.name}" may not see ${refused}.`);
    this.server.handleUpgrade(request, socket, head, (ws) => {
      const client = new StreamClient(ws, principal, this.maxQueue, this.maxInFlight);
      this.clients.add(client);
      ws.on('close', () => this.clients.delete(client));
      ws.on('error', () => ws.terminate());
      ws.on('message', (data, isBinary) => void client.receive(data, isBinary));
      if (topics.length > 0) void client.subscribe(topics, query.data.since);
    });
  }
}

/** Answers an upgrade request with a problem+json, as API Gateway answers a refused `$connect`. */
function refuse(socket: Duplex, status: number, title: string, detail: string, headers: Record<string, string> = {}): void {
  const body = JSON.stringify({ type: 'about:blank', title, status, detail });
  const lines = [
    `HTTP/1.1 ${status} ${title}`,
    'content-type: application/problem+json',
    `content-length: ${Buffer.byteLength(body)}`,
    'connection: close',
    ...Object.entries(headers).map(([name, value]) => `${name}: ${value}`),
  ];
  socket.end(`${lines.join('\r\n')}\r\n\r\n${body}`);
}

/** One connection: its principal, its topics, its bounded queue. */
class StreamClient {
  private readonly topics = new Set<string>();
  private readonly queue: Array<{ id: string | null; text: string }> = [];
  private inFlight = 0;
  /** The id of the last event handed to the socket: what `resync` tells the client to resume after. */
  private lastSentId: string | null = null;
  /** While a replay runs, live events wait here, so that they follow the replay in order and once. */
  private held: StreamEvent[] | null = null;
  private cutOff = false;

  constructor(
    readonly socket: WebSocket,
    private readonly principal: Principal,
    private readonly maxQueue: number,
    private readonly maxInFlight: number,
  ) {}

  offer(event: StreamEvent, texts?: Map<string, string>): void {
    if (this.cutOff) return;
    const topics = matchingTopics(event, this.topics, this.principal);
    if (topics.length === 0) return;
    if (this.held) {
      this.held.push(event);
      return;
    }
    const key = topics.join(' ');
    let text = texts?.get(key);
    if (text === undefined) {
      text = JSON.stringify(eventMessage(event, topics));
      texts?.set(key, text);
    }
    this.enqueueText(text, event.id);
  }

  async receive(data: RawData, isBinary: boolean): Promise<void> {
    if (isBinary) return this.send({ type: 'error', message: 'Send JSON text messages.' });
    let parsed: unknown;
    try {
      parsed = JSON.parse(data.toString());
    } catch {
      return this.send({ type: 'error', message: 'A message is a JSON object, e.g. {"action":"subscribe","topics":["alerts"]}.' });
    }
    const message = ClientMessage.safeParse(parsed);
    if (!message.success) return this.send({ type: 'error', message: message.error.issues.map((issue) => issue.message).join('; ') });
    if (message.data.action === 'ping') return this.send({ type: 'pong' });
    if (message.data.action === 'unsubscribe') {
      for (const topic of message.data.topics) this.topics.delete(topic);
      return this.send({ type: 'unsubscribed', topics: message.data.topics });
    }
    const refused = refusedTopic(message.data.topics, this.principal);
    if (refused) return this.send({ type: 'error', message: `This key may not see ${refused}.` });
    await this.subscribe(message.data.topics, message.data.since);
  }

  /** Subscribes; with `since`, first replays what the client missed on these topics, then goes on live. */
  async subscribe(topics: string[], since: string | undefined): Promise<void> {
    for (const topic of topics) this.topics.add(topic);
    this.send({ type: 'subscribed', topics });
    if (since === undefined) return;
    const wanted = new Set(topics);
    this.held ??= [];
    let replayed: Set<string>;
    try {
      const replay = await eventsAfter(since, (event) => matchingTopics(event, wanted, this.principal).length > 0);
      if (!replay.found) {
        this.send({ type: 'resync', since: null, reason: replay.reason });
        replayed = new Set();
      } else {
        for (const event of replay.events) this.enqueue(eventMessage(event, matchingTopics(event, this.topics, this.principal)), event.id);
        this.send({ type: 'replayed', since, count: replay.events.length });
        replayed = new Set(replay.events.map((event) => event.id));
      }
    } catch {
      this.send({ type: 'resync', since: null, reason: 'the event log could not be read' });
      replayed = new Set();
    }
    const held = this.held;
    this.held = null;
    for (const event of held) if (!replayed.has(event.id)) this.offer(event);
  }

  private send(message: ServerMessage): void {
    this.enqueue(message, null);
  }

  private enqueue(message: ServerMessage, id: string | null): void {
    this.enqueueText(JSON.stringify(message), id);
  }

  private enqueueText(text: string, id: string | null): void {
    if (this.cutOff) return;
    if (this.queue.length >= this.maxQueue) {
      this.overflow();
      return;
    }
    this.queue.push({ id, text });
    this.pump();
  }

  private pump(): void {
    while (this.queue.length > 0 && this.inFlight < this.maxInFlight && this.socket.readyState === this.socket.OPEN) {
      const next = this.queue.shift() as { id: string | null; text: string };
      this.inFlight++;
      if (next.id) this.lastSentId = next.id;
      this.socket.send(next.text, () => {
        this.inFlight--;
        this.pump();
      });
    }
  }

  /**
   * Too far behind: what waits is dropped, the client is told where to resume (the last event
   * handed to its socket, which it will have received before this) and the connection closes.
   */
  private overflow(): void {
    this.cutOff = true;
    this.queue.length = 0;
    const resync: ServerMessage = { type: 'resync', since: this.lastSentId, reason: 'the client fell too far behind' };
    this.socket.send(JSON.stringify(resync));
    this.socket.close(RESYNC_CLOSE_CODE, 'resync');
    // A client that reads nothing never completes the closing handshake.
    setTimeout(() => this.socket.terminate(), 5_000).unref();
  }
}
