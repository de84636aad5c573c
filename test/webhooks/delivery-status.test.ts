import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Runtime, startRuntime } from '../../local/runtime.ts';
import { settleNotifications } from '../../functions/notifications/local-topic.ts';
import { configureWebhookDelivery } from '../../functions/webhooks/dispatcher.ts';
import { type ApiClient, api, expectNoServerErrors } from '../helpers/http-client.ts';
import { type Receiver, startReceiver } from './receiver.ts';

/**
 * Issue 15 finding 6: a receiver's 4xx answer (other than 408 and 429) says the request is wrong,
 * so no retry can mend it: the event goes to the dead letters after one attempt. 408 and 429
 * (and 5xx) are retried as before. Through the local runtime, against a real local receiver.
 */

process.env.STEWARD_TIME_SCALE = '0.01';

let runtime: Runtime;
let client: ApiClient;
let receiver: Receiver;
let services = 0;

beforeAll(async () => {
  runtime = await startRuntime({ memory: true, port: 0, reconcileEveryMs: 3_600_000, tickSeconds: 3600 });
  client = api(runtime);
  receiver = await startReceiver();
  configureWebhookDelivery({ attempts: 3, baseDelayMs: 10, maxDelayMs: 40, timeoutMs: 400, disableAfter: 100 });
});

afterAll(async () => {
  expectNoServerErrors(client.log);
  await settleNotifications();
  configureWebhookDelivery(null);
  await receiver?.close();
  await runtime?.close();
});

/** Registers a webhook answering `status` for incidents, opens one incident, waits for delivery to settle. */
async function deliverTo(status: number) {
  const path = `/status/${status}/${++services}`;
  const created = await client.post('/v1/webhooks', { url: receiver.url(path), events: ['incident.*'] });
  expect(created.status, created.text).toBe(201);
  const service = `answered-${status}-${services}`;
  expect((await client.post('/v1/services', { name: service, kind: 'api' })).status).toBe(201);
  expect((await client.post('/v1/incidents', { service, title: 'Checkout errors' })).status).toBe(201);
  await settleNotifications();
  const letters = (await client.get(`/v1/webhooks/${created.json.id}/dead-letters`)).json.items as Array<{
    attempts: number;
    error: string;
  }>;
  return { sent: receiver.on(path).length, letters };
}

describe('a receiver answering 4xx', () => {
  for (const status of [400, 401, 403, 404, 410, 422]) {
    it(`parks the event after one attempt when it answers ${status}`, async () => {
      const { sent, letters } = await deliverTo(status);

      expect(sent).toBe(1);
      expect(letters).toHaveLength(1);
      expect(letters[0]).toMatchObject({
        attempts: 1,
        error: `the receiver answered ${status}; a 4xx other than 408 and 429 is not retried`,
      });
    });
  }

  for (const status of [408, 429, 503]) {
    it(`retries every attempt when it answers ${status}`, async () => {
      const { sent, letters } = await deliverTo(status);

      expect(sent).toBe(3);
      expect(letters[0]).toMatchObject({ attempts: 3, error: `the receiver answered ${status}` });
    });
  }
});
