import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { marshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDBRecord, SNSEvent } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { Webhook as Verifier } from 'standardwebhooks';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { handler as publishFromStream } from '../../functions/handlers/event-publisher.ts';
import { handler as dispatchFromTopic } from '../../functions/handlers/webhook-dispatcher.ts';
import { configureDeadLetterQueue, sqsDeadLetterQueue } from '../../functions/webhooks/dead-letter-queue.ts';
import { configureNotificationTopic, snsTopic } from '../../functions/notifications/topic.ts';
import { configureWebhookDelivery } from '../../functions/webhooks/dispatcher.ts';
import { configureEventPublisher } from '../../functions/kernel/store/event-log.ts';
import { type Runtime, startRuntime } from '../../local/runtime.ts';
import { eventItems } from '../helpers/event-items.ts';
import { type ApiClient, api, expectNoServerErrors } from '../helpers/http-client.ts';
import { type Receiver, startReceiver } from '../webhooks/receiver.ts';

/**
 * The AWS notification path with everything real except SNS and SQS (which cannot run here, so
 * their clients are mocked and the exact commands asserted): committed events read back from
 * the table become the table stream's records, the publisher Lambda's handler publishes them
 * once, the published message becomes the SNS event the dispatcher Lambda's handler gets, and
 * it delivers to a real receiver, signed, once; what it cannot deliver goes to the queue.
 */

const TOPIC_ARN = 'arn:aws:sns:eu-west-1:123456789012:steward-notifications';
const QUEUE_URL = 'https://sqs.eu-west-1.amazonaws.com/123456789012/steward-dead-letters';
const sns = mockClient(SNSClient);
const sqs = mockClient(SQSClient);

let runtime: Runtime;
let client: ApiClient;
let receiver: Receiver;
let services = 0;

beforeAll(async () => {
  runtime = await startRuntime({ memory: true, port: 0, reconcileEveryMs: 3_600_000, tickSeconds: 3600 });
  client = api(runtime);
  receiver = await startReceiver();
  // The table stream stands in for the in-process hook: nothing publishes unless a test feeds the handler.
  configureEventPublisher(null);
  configureNotificationTopic(snsTopic(TOPIC_ARN, new SNSClient({ region: 'eu-west-1' })));
  configureDeadLetterQueue(sqsDeadLetterQueue(QUEUE_URL, new SQSClient({ region: 'eu-west-1' })));
  configureWebhookDelivery({ attempts: 2, baseDelayMs: 5, maxDelayMs: 10, timeoutMs: 400, disableAfter: 5 });
});

afterAll(async () => {
  expectNoServerErrors(client.log);
  configureWebhookDelivery(null);
  configureDeadLetterQueue(null);
  configureNotificationTopic(null);
  sns.restore();
  sqs.restore();
  await receiver?.close();
  await runtime?.close();
});

beforeEach(() => {
  sns.reset();
  sqs.reset();
  sns.on(PublishCommand).resolves({ MessageId: 'message-1' });
  sqs.on(SendMessageCommand).resolves({ MessageId: 'dead-1' });
});

/** Opens an incident by hand on a new service; returns the service. */
async function openIncident(title: string): Promise<string> {
  const service = `aws-path-${++services}`;
  expect((await client.post('/v1/services', { name: service, kind: 'api' })).status).toBe(201);
  const opened = await client.post('/v1/incidents', { service, title, severity: 'critical' });
  expect(opened.status, opened.text).toBe(201);
  return service;
}

/** The committed event items of a type for a service, as the stream would carry them (INSERT, new image). */
async function streamRecords(type: string, service: string): Promise<DynamoDBRecord[]> {
  const Items = await eventItems(type, service);
  return Items.map((item, index) => ({
    eventName: 'INSERT',
    dynamodb: {
      // The image of the insert: before any later update (the projection marker's removal).
      NewImage: marshall({ ...item, publishedAt: undefined }, { removeUndefinedValues: true }) as never,
      SequenceNumber: `${Date.now()}${index}`,
    },
  }));
}

function snsEventOf(input: { Message?: string; Subject?: string } | undefined): SNSEvent {
  const message = JSON.parse(String(input?.Message)) as { default: string };
  return {
    Records: [
      {
        EventSource: 'aws:sns',
        EventVersion: '1.0',
        EventSubscriptionArn: `${TOPIC_ARN}:sub`,
        Sns: {
          Type: 'Notification',
          MessageId: 'message-1',
          TopicArn: TOPIC_ARN,
          Subject: String(input?.Subject),
          Message: message.default,
          Timestamp: new Date().toISOString(),
          SignatureVersion: '1',
          Signature: '',
          SigningCertUrl: '',
          UnsubscribeUrl: '',
          MessageAttributes: {},
        },
      },
    ],
  };
}

describe('publisher (table stream → SNS)', () => {
  it('publishes a committed event once, with its attributes, readable text for email and the JSON body for machines', async () => {
    const service = await openIncident('Checkout is failing');
    const [record] = await streamRecords('incident.opened', service);
    expect(record).toBeDefined();

    expect(await publishFromStream({ Records: [record as DynamoDBRecord] })).toEqual({ batchItemFailures: [] });
    const calls = sns.commandCalls(PublishCommand);
    expect(calls).toHaveLength(1);
    const input = calls[0]?.args[0].input;
    expect(input).toMatchObject({
      TopicArn: TOPIC_ARN,
      MessageStructure: 'json',
      Subject: `Steward critical: incident.opened (${service})`,
      MessageAttributes: {
        eventType: { DataType: 'String', StringValue: 'incident.opened' },
        service: { DataType: 'String', StringValue: service },
        severity: { DataType: 'String', StringValue: 'critical' },
      },
    });
    const message = JSON.parse(String(input?.Message)) as { default: string; email: string };
    const body = JSON.parse(message.default);
    expect(body).toMatchObject({ type: 'incident.opened', data: { service, subject: expect.stringContaining('incident/') } });
    expect(body.data.changes.after).toMatchObject({ title: 'Checkout is failing', severity: 'critical' });
    expect(message.email).toContain('An incident was opened');
    expect(message.email).toContain(`Service:  ${service}`);

    // The stream delivers the record again (a retried batch): nothing is published twice.
    expect(await publishFromStream({ Records: [record as DynamoDBRecord] })).toEqual({ batchItemFailures: [] });
    expect(sns.commandCalls(PublishCommand)).toHaveLength(1);
  });

  it('reports the failed record and every one after it, then publishes each exactly once on the retry', async () => {
    const first = await openIncident('First');
    const second = await openIncident('Second');
    const records = [...(await streamRecords('incident.opened', first)), ...(await streamRecords('incident.opened', second))];
    expect(records).toHaveLength(2);
    sns
      .on(PublishCommand)
      .rejectsOnce(Object.assign(new Error('Rate exceeded'), { name: 'ThrottledException' }))
      .resolves({ MessageId: 'm' });

    const failed = await publishFromStream({ Records: records });
    expect(failed.batchItemFailures.map((item) => item.itemIdentifier)).toEqual(records.map((record) => record.dynamodb?.SequenceNumber));
    expect(sns.commandCalls(PublishCommand)).toHaveLength(1); // the one that was refused

    expect(await publishFromStream({ Records: records })).toEqual({ batchItemFailures: [] });
    expect(await publishFromStream({ Records: records })).toEqual({ batchItemFailures: [] });
    const published = sns.commandCalls(PublishCommand).slice(1);
    expect(published.map((call) => call.args[0].input.MessageAttributes?.service?.StringValue)).toEqual([first, second]);
  });
});

describe('dispatcher (SNS → webhooks)', () => {
  it('delivers a published notification signed to the matching webhook, once however often SNS delivers it', async () => {
    const created = await client.post('/v1/webhooks', { url: receiver.url('/ok/aws'), events: ['incident.*'] });
    expect(created.status, created.text).toBe(201);
    const unrelated = await client.post('/v1/webhooks', { url: receiver.url('/ok/aws-deployments'), events: ['deployment.*'] });
    expect(unrelated.status).toBe(201);
    const service = await openIncident('Latency');
    await publishFromStream({ Records: await streamRecords('incident.opened', service) });
    const notification = snsEventOf(sns.commandCalls(PublishCommand)[0]?.args[0].input);

    const first = await dispatchFromTopic(notification);
    expect(first).toMatchObject({ delivered: 1, parked: 0 });
    const [received] = receiver.on('/ok/aws');
    expect(received).toBeDefined();
    const verified = new Verifier(created.json.secret).verify(received?.body as string, {
      'webhook-id': String(received?.headers['webhook-id']),
      'webhook-timestamp': String(received?.headers['webhook-timestamp']),
      'webhook-signature': String(received?.headers['webhook-signature']),
    }) as { type: string; data: { service: string } };
    expect(verified).toMatchObject({ type: 'incident.opened', data: { service } });

    // SNS delivers at least once: the second copy sends nothing.
    expect(await dispatchFromTopic(notification)).toMatchObject({ delivered: 0, duplicates: 1 });
    expect(receiver.on('/ok/aws')).toHaveLength(1);
    expect(receiver.on('/ok/aws-deployments')).toHaveLength(0);
  });

  it('parks what it cannot deliver in the list and sends it to the dead-letter queue', async () => {
    const created = await client.post('/v1/webhooks', { url: receiver.url('/fail/aws'), events: ['incident.opened'] });
    const service = await openIncident('Errors');
    await publishFromStream({ Records: await streamRecords('incident.opened', service) });
    const notification = snsEventOf(sns.commandCalls(PublishCommand)[0]?.args[0].input);
    const eventId = JSON.parse(notification.Records[0]?.Sns.Message as string).id as string;

    expect(await dispatchFromTopic(notification)).toMatchObject({ parked: 1 });
    expect(receiver.on('/fail/aws')).toHaveLength(2); // both attempts
    const sent = sqs.commandCalls(SendMessageCommand);
    expect(sent).toHaveLength(1);
    const input = sent[0]?.args[0].input;
    expect(input?.QueueUrl).toBe(QUEUE_URL);
    expect(input?.MessageAttributes).toEqual({
      webhookId: { DataType: 'String', StringValue: created.json.id },
      eventType: { DataType: 'String', StringValue: 'incident.opened' },
    });
    expect(JSON.parse(input?.MessageBody as string)).toMatchObject({
      kind: 'webhook-delivery-parked',
      webhookId: created.json.id,
      eventId,
      attempts: 2,
      error: 'the receiver answered 500',
    });
    const parked = await client.get(`/v1/webhooks/${created.json.id}/dead-letters`);
    expect(parked.json.items.map((item: { eventId: string }) => item.eventId)).toEqual([eventId]);
  });
});
