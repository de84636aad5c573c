import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StoredEvent } from '../../functions/kernel/store/event-log.ts';
import { type Runtime, startRuntime } from '../../local/runtime.ts';
import { type ApiClient, api } from '../helpers/http-client.ts';
import { connectStream, type StreamTestClient } from '../helpers/stream-client.ts';

/** The live stream at /v1/stream (issue 12 item 1): ordering, resume with since, scope, 1,000 clients, a slow client. */

let runtime: Runtime;
let client: ApiClient;
let limitedKey: string;

beforeAll(async () => {
  runtime = await startRuntime({ memory: true, port: 0, reconcileEveryMs: 3_600_000 });
  client = api(runtime);
  for (const name of ['stream-a', 'stream-b']) expect((await client.post('/v1/services', { name, kind: 'api' })).status).toBe(201);
  limitedKey = (await client.post('/v1/api-keys', { name: 'a-only', role: 'viewer', services: ['stream-a'] })).json.key;
});

afterAll(async () => {
  await runtime?.close();
});

async function registerVersions(service: string, versions: string[]): Promise<void> {
  for (const version of versions) expect((await client.post(`/v1/services/${service}/versions`, { version })).status).toBe(201);
}

describe('connecting', () => {
  it('refuses the upgrade without a valid key: 401 problem+json', async () => {
    const error = await connectStream(runtime.url, { topics: 'alerts' }).catch((failure) => failure);
    expect(error.status).toBe(401);
    expect(JSON.parse(error.body)).toMatchObject({ status: 401, title: 'Unauthorized' });
    expect((await connectStream(runtime.url, { key: 'stw_not-a-key' }).catch((failure) => failure)).status).toBe(401);
  });

  it('takes the key from ?key= or the Authorization header', async () => {
    const byQuery = await connectStream(runtime.url, { key: runtime.adminKey });
    const byHeader = await connectStream(runtime.url, {}, { authorization: `Bearer ${runtime.adminKey}` });
    byQuery.send({ action: 'ping' });
    byHeader.send({ action: 'ping' });
    await byQuery.next((message) => message.type === 'pong');
    await byHeader.next((message) => message.type === 'pong');
    byQuery.close();
    byHeader.close();
  });

  it('refuses a bad topic or since with 400, another service with 403', async () => {
    expect((await connectStream(runtime.url, { key: runtime.adminKey, topics: 'everything' }).catch((e) => e)).status).toBe(400);
    expect((await connectStream(runtime.url, { key: runtime.adminKey, since: 'nope' }).catch((e) => e)).status).toBe(400);
    expect((await connectStream(runtime.url, { key: limitedKey, topics: 'services/stream-b' }).catch((e) => e)).status).toBe(403);
  });

  it('answers a malformed message with an error and keeps the connection', async () => {
    const stream = await connectStream(runtime.url, { key: runtime.adminKey });
    stream.socket.send('not json');
    stream.send({ action: 'subscribe', topics: ['nope'] });
    stream.send({ action: 'ping' });
    await stream.next((message) => message.type === 'pong');
    expect(stream.messages.filter((message) => message.type === 'error')).toHaveLength(2);
    stream.close();
  });
});

describe('events', () => {
  it('arrive in commit order, each with its event id, on every topic they belong to', async () => {
    const stream = await connectStream(runtime.url, { key: runtime.adminKey, topics: 'services/stream-a' });
    await stream.next((message) => message.type === 'subscribed');
    await registerVersions('stream-a', ['1.0.0', '1.0.1', '1.0.2', '1.0.3', '1.0.4']);
    const events = await stream.eventCount(5);
    expect(events.map((message) => message.event.subject)).toEqual([
      'version/stream-a@1.0.0',
      'version/stream-a@1.0.1',
      'version/stream-a@1.0.2',
      'version/stream-a@1.0.3',
      'version/stream-a@1.0.4',
    ]);
    for (const message of events) {
      expect(message.id).toMatch(/^[0-9A-Z]{26}$/);
      expect(message.id).toBe(message.event.id);
      expect(message.topics).toEqual(['services/stream-a']);
      expect(message.event).toMatchObject({ type: 'version.registered', service: 'stream-a', actor: { name: expect.any(String) } });
    }
    expect([...events.map((message) => message.id)].sort()).toEqual(events.map((message) => message.id));
    // The same ids as the audit trail's.
    const audit = await client.get('/v1/audit', { query: { service: 'stream-a', type: 'version.registered', limit: 5 } });
    expect(new Set(audit.json.items.map((record: { id: string }) => record.id))).toEqual(new Set(events.map((message) => message.id)));
    stream.close();
  });

  it('unsubscribe stops them; other services are not sent', async () => {
    const stream = await connectStream(runtime.url, { key: runtime.adminKey, topics: 'services/stream-a' });
    await stream.next((message) => message.type === 'subscribed');
    await registerVersions('stream-b', ['2.0.0']);
    stream.send({ action: 'unsubscribe', topics: ['services/stream-a'] });
    await stream.next((message) => message.type === 'unsubscribed');
    await registerVersions('stream-a', ['2.0.0']);
    stream.send({ action: 'ping' });
    await stream.next((message) => message.type === 'pong');
    expect(stream.events()).toEqual([]);
    stream.close();
  });

  it("a key limited to a service gets only that service's events, even on '*'", async () => {
    const limited = await connectStream(runtime.url, { key: limitedKey, topics: '*' });
    const admin = await connectStream(runtime.url, { key: runtime.adminKey, topics: '*' });
    await limited.next((message) => message.type === 'subscribed');
    await admin.next((message) => message.type === 'subscribed');
    await registerVersions('stream-b', ['3.0.0']);
    await registerVersions('stream-a', ['3.0.0']);
    await admin.eventCount(2);
    const [only] = await limited.eventCount(1);
    expect(only.event.subject).toBe('version/stream-a@3.0.0');
    limited.send({ action: 'ping' });
    await limited.next((message) => message.type === 'pong');
    expect(limited.events()).toHaveLength(1);
    limited.send({ action: 'subscribe', topics: ['services/stream-b'] });
    await limited.next((message) => message.type === 'error' && /stream-b/.test(message.message));
    limited.close();
    admin.close();
  });
});

describe('resuming with since', () => {
  it('replays what was missed, in order, then goes on live', async () => {
    const first = await connectStream(runtime.url, { key: runtime.adminKey, topics: 'services/stream-b' });
    await first.next((message) => message.type === 'subscribed');
    await registerVersions('stream-b', ['4.0.0', '4.0.1']);
    const seen = await first.eventCount(2);
    first.close();
    await first.closed;

    await registerVersions('stream-b', ['4.0.2', '4.0.3', '4.0.4']);
    await registerVersions('stream-a', ['4.0.0']); // another topic's event, not replayed

    const resumed = await connectStream(runtime.url, { key: runtime.adminKey, topics: 'services/stream-b', since: seen[1].id });
    const replayed = await resumed.next((message) => message.type === 'replayed');
    expect(replayed).toEqual({ type: 'replayed', since: seen[1].id, count: 3 });
    expect(resumed.events().map((message) => message.event.subject)).toEqual([
      'version/stream-b@4.0.2',
      'version/stream-b@4.0.3',
      'version/stream-b@4.0.4',
    ]);
    // The replay comes before the `replayed` marker, and live events follow it.
    const markerAt = resumed.messages.indexOf(replayed);
    expect(resumed.messages.slice(0, markerAt).filter((message) => message.type === 'event')).toHaveLength(3);
    await registerVersions('stream-b', ['4.0.5']);
    const all = await resumed.eventCount(4);
    expect(all[3].event.subject).toBe('version/stream-b@4.0.5');
    resumed.close();
  });

  it('a subscribe message may carry since too', async () => {
    const anchor = await connectStream(runtime.url, { key: runtime.adminKey, topics: 'services/stream-a' });
    await anchor.next((message) => message.type === 'subscribed');
    await registerVersions('stream-a', ['5.0.0']);
    const [mark] = await anchor.eventCount(1);
    anchor.close();
    await registerVersions('stream-a', ['5.0.1']);
    const stream = await connectStream(runtime.url, { key: runtime.adminKey });
    stream.send({ action: 'subscribe', topics: ['services/stream-a'], since: mark.id });
    await stream.next((message) => message.type === 'replayed');
    expect(stream.events().map((message) => message.event.subject)).toEqual(['version/stream-a@5.0.1']);
    stream.close();
  });

  it('an unknown since is answered with resync (reload, then follow live)', async () => {
    const stream = await connectStream(runtime.url, { key: runtime.adminKey, topics: 'alerts', since: '01ARZ3NDEKTSV4RRFFQ69G5FAV' });
    const resync = await stream.next((message) => message.type === 'resync');
    expect(resync).toMatchObject({ since: null, reason: expect.stringContaining('01ARZ3NDEKTSV4RRFFQ69G5FAV') });
    stream.close();
  });
});

describe('1,000 concurrent connections', () => {
  it('each gets the event', async () => {
    const clients: StreamTestClient[] = [];
    for (let batch = 0; batch < 10; batch++) {
      clients.push(
        ...(await Promise.all(
          Array.from({ length: 100 }, () => connectStream(runtime.url, { key: runtime.adminKey, topics: 'services/stream-b' })),
        )),
      );
    }
    expect(runtime.stream.connections).toBeGreaterThanOrEqual(1_000);
    await Promise.all(clients.map((stream) => stream.next((message) => message.type === 'subscribed')));
    await registerVersions('stream-b', ['6.0.0']);
    const received = await Promise.all(clients.map((stream) => stream.eventCount(1)));
    expect(new Set(received.map((events) => events[0].id)).size).toBe(1);
    expect(received.every((events) => events[0].event.subject === 'version/stream-b@6.0.0')).toBe(true);
    for (const stream of clients) stream.close();
    await Promise.all(clients.map((stream) => stream.closed));
  }, 60_000);
});

describe('a slow client', () => {
  let small: Runtime;

  beforeAll(async () => {
    small = await startRuntime({ memory: true, port: 0, reconcileEveryMs: 3_600_000, stream: { maxQueue: 100, maxInFlight: 8 } });
  });

  afterAll(async () => {
    await small?.close();
  });

  it('never slows the others: it is cut off with resync naming the last event it got', async () => {
    const fast = await connectStream(small.url, { key: small.adminKey, topics: 'services/bulk' });
    const slow = await connectStream(small.url, { key: small.adminKey, topics: 'services/bulk' });
    await fast.next((message) => message.type === 'subscribed');
    await slow.next((message) => message.type === 'subscribed');
    // The slow client stops reading: what the server sends piles up in the socket buffers, then its queue.
    const rawSocket = (slow.socket as unknown as { _socket: { pause(): void; resume(): void } })._socket;
    rawSocket.pause();
    const padding = 'x'.repeat(64 * 1024);
    const total = 400; // 25 MB: far more than the socket buffers hold
    const event = (index: number) =>
      ({
        eventId: `01K0000000${String(index).padStart(16, '0')}`,
        type: 'version.registered',
        at: new Date().toISOString(),
        aggregate: 'SVC#bulk',
        seq: index + 1,
        actor: { keyId: 'k', name: 'bench' },
        requestId: 'r',
        service: 'bulk',
        subject: `version/bulk@${index}.0.0`,
        changes: { before: null, after: { padding } },
        effects: [],
      }) as StoredEvent;
    // Published in bursts of 20: the reading client keeps up with each burst while the other is stuck.
    for (let index = 0; index < total; index++) {
      small.stream.publish(event(index));
      if ((index + 1) % 20 === 0) await fast.eventCount(index + 1, 10_000);
    }
    const events = fast.events();
    expect(events.map((message) => message.event.seq)).toEqual(Array.from({ length: total }, (_, index) => index + 1));
    rawSocket.resume();
    const closed = await slow.closed;
    expect(closed.code).toBe(4000);
    const resync = slow.messages.find((message) => message.type === 'resync');
    const received = slow.events();
    expect(received.length).toBeLessThan(total);
    expect(received.map((message) => message.event.seq)).toEqual(Array.from({ length: received.length }, (_, index) => index + 1));
    expect(resync).toEqual({ type: 'resync', since: received.at(-1).id, reason: 'the client fell too far behind' });
    expect(slow.messages.at(-1)).toBe(resync);
    fast.close();
  }, 60_000);
});
