import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Notification } from '../../functions/notifications/notifications.domain.ts';
import { publishEvent, publishStranded } from '../../functions/notifications/publisher.ts';
import { configureNotificationTopic } from '../../functions/notifications/topic.ts';
import { documentClient, tableName } from '../../functions/kernel/store/client.ts';
import { configureEventPublisher, reconcile } from '../../functions/kernel/store/event-log.ts';
import { type Runtime, startRuntime } from '../../local/runtime.ts';
import { installCrashSwitch } from '../helpers/crash-switch.ts';
import { eventItems } from '../helpers/event-items.ts';
import { type ApiClient, api } from '../helpers/http-client.ts';

/**
 * "Published once" when publishers die: an event of a published type waits in the publish
 * sweep's queue (GSI4 UNPUBLISHED) from its projection until the topic has it, so a process that
 * stopped between the commit and the publish — or a stream whose retries gave up — loses no
 * notification: the sweep (with the reconciler) sends it, once.
 */

let runtime: Runtime;
let client: ApiClient;
let services = 0;
const published: Notification[] = [];

beforeAll(async () => {
  runtime = await startRuntime({ memory: true, port: 0, reconcileEveryMs: 3_600_000, tickSeconds: 3600 });
  client = api(runtime);
  // As if each committing process died before its publish: only the sweep (or a test) publishes.
  configureEventPublisher(null);
  configureNotificationTopic({ publish: async (notification) => void published.push(notification) });
});

afterAll(async () => {
  configureNotificationTopic(null);
  await runtime?.close();
});

beforeEach(() => {
  published.length = 0;
});

async function newService(): Promise<string> {
  const service = `sweep-${++services}`;
  expect((await client.post('/v1/services', { name: service, kind: 'api' })).status).toBe(201);
  return service;
}

/** The one event item of a type for a service, read back whole. */
async function eventItem(type: string, service: string): Promise<Record<string, unknown>> {
  const Items = await eventItems(type, service);
  expect(Items).toHaveLength(1);
  const { Item } = await documentClient().send(
    new GetCommand({ TableName: tableName(), Key: { PK: Items[0]?.PK, SK: Items[0]?.SK }, ConsistentRead: true }),
  );
  return Item as Record<string, unknown>;
}

describe('the publish sweep', () => {
  it('queues a projected event of a published type until the topic has it, and sends a stranded one once', async () => {
    const service = await newService();
    expect((await client.post('/v1/incidents', { service, title: 'Never announced' })).status).toBe(201);

    expect(await eventItem('incident.opened', service)).toMatchObject({ GSI4PK: 'UNPUBLISHED' });
    expect((await eventItem('service.created', service)).GSI4PK).toBeUndefined(); // audit only: not queued

    // Too young to be stranded: the live publisher may still be on it.
    expect(await publishStranded({ olderThanMs: 60_000 })).toEqual({ published: 0 });
    expect(published).toHaveLength(0);

    expect(await publishStranded({ olderThanMs: 0 })).toEqual({ published: 1 });
    expect(published.map((notification) => [notification.attributes.eventType, notification.attributes.service])).toEqual([
      ['incident.opened', service],
    ]);
    const item = await eventItem('incident.opened', service);
    expect(item.publishedAt).toEqual(expect.any(String));
    expect(item.GSI4PK).toBeUndefined();

    expect(await publishStranded({ olderThanMs: 0 })).toEqual({ published: 0 });
    expect(published).toHaveLength(1);
  });

  it('keeps the reconciler queue when the publisher gets there before the projections, and never re-queues', async () => {
    const service = await newService();
    const crash = installCrashSwitch();
    crash.crashAfterWrites(1); // the event commits; its projections fail
    try {
      expect((await client.post('/v1/incidents', { service, title: 'Half written' })).status).toBe(201);
    } finally {
      crash.revive();
    }
    const committed = await eventItem('incident.opened', service);
    expect(committed.GSI4PK).toBe('UNPROJECTED');

    // The stream's publisher is fast: it publishes before anyone finishes the projections.
    expect(await publishEvent(committed as never)).toBe('published');
    const marked = await eventItem('incident.opened', service);
    expect(marked).toMatchObject({ GSI4PK: 'UNPROJECTED', publishedAt: expect.any(String) });

    expect((await reconcile()).projected).toBeGreaterThanOrEqual(1);
    expect((await eventItem('incident.opened', service)).GSI4PK).toBeUndefined(); // projected and published: no queue
    expect((await client.get('/v1/incidents', { query: { service } })).json.items).toHaveLength(1);

    expect(await publishStranded({ olderThanMs: 0 })).toEqual({ published: 0 });
    expect(await publishEvent(committed as never)).toBe('already');
    expect(published).toHaveLength(1);
  });
});
