import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { gzipSync } from 'node:zlib';
import WebSocket from 'ws';
import { round, summarize } from '../stats.ts';
import type { BenchContext, Suite, SuiteResult } from '../suite.ts';

/**
 * The live stream (issue 12): how long a committed change takes to reach a subscribed WebSocket
 * client (a version registered over HTTP → the event on /v1/stream), with one client and with
 * 1,000 held at once. Measured from just before the POST to the message's arrival, in this
 * process (clients and runtime share the two cores, so the figures are pessimistic).
 */

const SERVICE = 'bench-stream';
const SINGLE_EVENTS = 200;
const HELD_CONNECTIONS = 1_000;
const HELD_EVENTS = 20;

interface Client {
  socket: WebSocket;
  /** Resolves with the arrival time of the event whose subject ends with the given version. */
  arrival(version: string): Promise<number>;
}

async function connect(url: string, key: string): Promise<Client> {
  const socket = new WebSocket(`${url.replace(/^http/, 'ws')}/v1/stream?key=${encodeURIComponent(key)}&topics=services/${SERVICE}`);
  const arrived = new Map<string, number>();
  const waiting = new Map<string, (at: number) => void>();
  let subscribed: () => void = () => undefined;
  const ready = new Promise<void>((resolve) => {
    subscribed = resolve;
  });
  socket.on('message', (data) => {
    const at = performance.now();
    const message = JSON.parse(data.toString()) as { type: string; event?: { subject: string } };
    if (message.type === 'subscribed') subscribed();
    if (message.type !== 'event' || !message.event) return;
    const version = message.event.subject.split('@')[1] ?? '';
    const wake = waiting.get(version);
    if (wake) {
      waiting.delete(version);
      wake(at);
    } else arrived.set(version, at);
  });
  await new Promise<void>((resolve, reject) => {
    socket.once('open', () => resolve());
    socket.once('error', reject);
  });
  await ready;
  return {
    socket,
    arrival: (version) => {
      const at = arrived.get(version);
      if (at !== undefined) return Promise.resolve(at);
      return new Promise((resolve) => waiting.set(version, resolve));
    },
  };
}

async function register(url: string, key: string, version: string): Promise<void> {
  const response = await fetch(`${url}/v1/services/${SERVICE}/versions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body: JSON.stringify({ version }),
  });
  if (response.status !== 201) throw new Error(`registering ${version}: ${response.status} ${await response.text()}`);
}

async function runStream(context: BenchContext): Promise<SuiteResult> {
  const runtime = await context.runtime();
  const { url, adminKey } = runtime;
  await fetch(`${url}/v1/services`, {
    method: 'POST',
    headers: { authorization: `Bearer ${adminKey}`, 'content-type': 'application/json' },
    body: JSON.stringify({ name: SERVICE, kind: 'api' }),
  });
  const scale = context.settings.scale;
  let patch = 0;

  // One client, one change at a time.
  context.progress('stream: one subscribed client');
  const single = await connect(url, adminKey);
  const singleEvents = Math.max(20, Math.round(SINGLE_EVENTS * scale));
  const singleLatencies: number[] = [];
  for (let index = 0; index < singleEvents; index++) {
    const version = `1.0.${patch++}`;
    const started = performance.now();
    const arrival = single.arrival(version);
    await register(url, adminKey, version);
    singleLatencies.push((await arrival) - started);
  }
  single.socket.close();
  const one = summarize(singleLatencies.slice(Math.min(10, singleLatencies.length / 4)));

  // Many clients held open, each change delivered to all of them.
  const held = Math.max(100, Math.round(HELD_CONNECTIONS * scale));
  context.progress(`stream: ${held} connections held`);
  const clients: Client[] = [];
  for (let batch = 0; batch < held; batch += 100) {
    clients.push(...(await Promise.all(Array.from({ length: Math.min(100, held - batch) }, () => connect(url, adminKey)))));
  }
  const connectionsHeld = runtime.stream.connections;
  const deliveries: number[] = [];
  const heldEvents = Math.max(5, Math.round(HELD_EVENTS * scale));
  for (let index = 0; index < heldEvents; index++) {
    const version = `2.0.${patch++}`;
    const started = performance.now();
    const arrivals = clients.map((client) => client.arrival(version));
    await register(url, adminKey, version);
    for (const at of await Promise.all(arrivals)) deliveries.push(at - started);
  }
  for (const client of clients) client.socket.terminate();
  const many = summarize(deliveries);

  // The web console as a browser downloads it (console/: HTML, CSS, ES modules), gzipped.
  const consoleBytes = ['index.html', 'app.js', 'app.css'].reduce(
    (total, file) => total + gzipSync(readFileSync(new URL(`../../console/${file}`, import.meta.url))).byteLength,
    0,
  );

  return {
    figures: {
      consoleGzipKB: round(consoleBytes / 1024, 1),
      eventToClientP50Ms: round(one.p50Ms, 2),
      eventToClientP99Ms: round(one.p99Ms, 2),
      streamConnectionsHeld: connectionsHeld,
      streamDeliveryP50Ms: round(many.p50Ms, 2),
      streamDeliveryP99Ms: round(many.p99Ms, 2),
    },
    tables: [
      {
        title: 'Live stream: a registered version → the event on /v1/stream',
        rows: [
          ['clients', 'events', 'deliveries', 'p50 ms', 'p99 ms', 'max ms'],
          ['1', String(singleEvents), String(one.count), one.p50Ms.toFixed(2), one.p99Ms.toFixed(2), one.maxMs.toFixed(2)],
          [
            String(connectionsHeld),
            String(heldEvents),
            String(many.count),
            many.p50Ms.toFixed(2),
            many.p99Ms.toFixed(2),
            many.maxMs.toFixed(2),
          ],
        ],
        notes: [
          'From just before the POST to the message at the client: the HTTP request, the commit, the fan-out and the socket.',
          `Clients run in the bench's own process; machine load average ${loadavg()[0]?.toFixed(1)} at the end (2 cores).`,
        ],
      },
    ],
  };
}

export const streamSuite: Suite = {
  name: 'stream',
  targets: [
    { figure: 'eventToClientP50Ms', op: '<', value: 50, description: 'a mutation to a subscribed WebSocket client, p50' },
    { figure: 'streamConnectionsHeld', op: '>=', value: 1000, description: 'connections held open at once' },
    { figure: 'streamDeliveryP99Ms', op: '<', value: 250, description: 'delivery to each of them, p99' },
    { figure: 'consoleGzipKB', op: '<', value: 250, description: 'the web console, gzipped' },
  ],
  run: runStream,
};
