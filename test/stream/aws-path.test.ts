import {
  ApiGatewayManagementApiClient,
  DeleteConnectionCommand,
  GoneException,
  PostToConnectionCommand,
} from '@aws-sdk/client-apigatewaymanagementapi';
import { marshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDBRecord } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { handler as publishFromStream } from '../../functions/handlers/event-publisher.ts';
import { handler as connections } from '../../functions/handlers/stream.ts';
import { handler as authorize } from '../../functions/handlers/stream-authorizer.ts';
import { getConnection, listConnections } from '../../functions/stream/connections.store.ts';
import { configureStreamClient } from '../../functions/stream/fan-out.ts';
import { type Runtime, startRuntime } from '../../local/runtime.ts';
import { eventItems } from '../helpers/event-items.ts';
import { type ApiClient, api } from '../helpers/http-client.ts';

/**
 * The stream on AWS with everything real except API Gateway's management API (mocked, the exact
 * commands asserted): the $connect authorizer, the connection routes against the table, and the
 * table-stream publisher fanning committed events out to the subscribed connections.
 */

const management = mockClient(ApiGatewayManagementApiClient);
const METHOD_ARN = 'arn:aws:execute-api:eu-west-1:123456789012:abc123/live/$connect';

let runtime: Runtime;
let client: ApiClient;
let limitedKey: string;
const previousEndpoint = process.env.STREAM_ENDPOINT;

beforeAll(async () => {
  runtime = await startRuntime({ memory: true, port: 0, reconcileEveryMs: 3_600_000, tickSeconds: 3600 });
  client = api(runtime);
  process.env.STREAM_ENDPOINT = 'https://abc123.execute-api.eu-west-1.amazonaws.com/live';
  configureStreamClient(new ApiGatewayManagementApiClient({ region: 'eu-west-1', endpoint: process.env.STREAM_ENDPOINT }));
  for (const name of ['aws-a', 'aws-b']) expect((await client.post('/v1/services', { name, kind: 'api' })).status).toBe(201);
  limitedKey = (await client.post('/v1/api-keys', { name: 'aws-a-only', role: 'viewer', services: ['aws-a'] })).json.key;
});

afterAll(async () => {
  configureStreamClient(undefined);
  if (previousEndpoint === undefined) delete process.env.STREAM_ENDPOINT;
  else process.env.STREAM_ENDPOINT = previousEndpoint;
  management.restore();
  await runtime?.close();
});

beforeEach(() => {
  management.reset();
  management.on(PostToConnectionCommand).resolves({});
});

/** What was posted to a connection, parsed. */
function posted(connectionId: string): any[] {
  return management
    .commandCalls(PostToConnectionCommand)
    .filter((call) => call.args[0].input.ConnectionId === connectionId)
    .map((call) => JSON.parse(Buffer.from(call.args[0].input.Data as Uint8Array).toString()));
}

async function connect(connectionId: string, key: string, query: Record<string, string> = {}) {
  const authorized = await authorize({ methodArn: METHOD_ARN, queryStringParameters: { key, ...query } });
  return connections({
    requestContext: { routeKey: '$connect', connectionId, authorizer: authorized.context },
    queryStringParameters: { key, ...query },
  });
}

function message(connectionId: string, body: unknown) {
  return connections({ requestContext: { routeKey: '$default', connectionId }, body: JSON.stringify(body) });
}

/** The table stream's records for these event items, as Lambda gets them. */
function streamRecords(items: Array<Record<string, unknown>>): { Records: DynamoDBRecord[] } {
  return {
    Records: items.map((item, index) => ({
      eventName: 'INSERT',
      dynamodb: { SequenceNumber: String(index + 1), NewImage: marshall(item, { removeUndefinedValues: true }) as never },
    })),
  };
}

async function registerVersion(service: string, version: string): Promise<Record<string, unknown>> {
  expect((await client.post(`/v1/services/${service}/versions`, { version })).status).toBe(201);
  const items = await eventItems('version.registered', service);
  return items.find((item) => (item.subject as string).endsWith(`@${version}`)) as Record<string, unknown>;
}

describe('$connect', () => {
  it('the authorizer refuses a missing or bad key (401) and passes a valid one on', async () => {
    await expect(authorize({ methodArn: METHOD_ARN })).rejects.toThrow('Unauthorized');
    await expect(authorize({ methodArn: METHOD_ARN, queryStringParameters: { key: 'stw_nope' } })).rejects.toThrow('Unauthorized');
    const byHeader = await authorize({ methodArn: METHOD_ARN, headers: { Authorization: `Bearer ${runtime.adminKey}` } });
    expect(byHeader.policyDocument.Statement).toEqual([{ Action: 'execute-api:Invoke', Effect: 'Allow', Resource: METHOD_ARN }]);
    expect(byHeader.context).toMatchObject({ role: 'admin', services: 'null' });
  });

  it('remembers the connection with its principal, topics and a TTL; $disconnect forgets it', async () => {
    expect(await connect('conn-1', limitedKey, { topics: 'services/aws-a' })).toEqual({ statusCode: 200 });
    const stored = await getConnection('conn-1');
    expect(stored).toMatchObject({
      connectionId: 'conn-1',
      topics: ['services/aws-a'],
      principal: { name: 'aws-a-only', services: ['aws-a'] },
    });
    expect(await connect('conn-2', limitedKey, { topics: 'services/aws-b' })).toEqual({ statusCode: 403 });
    expect(await connect('conn-3', limitedKey, { topics: 'nonsense' })).toEqual({ statusCode: 400 });
    await connections({ requestContext: { routeKey: '$disconnect', connectionId: 'conn-1' } });
    expect(await getConnection('conn-1')).toBeUndefined();
  });
});

describe('fan-out from the table stream', () => {
  it('posts each event, in order, to the connections subscribed to it and allowed to see it', async () => {
    await connect('admin-all', runtime.adminKey);
    await message('admin-all', { action: 'subscribe', topics: ['*'] });
    expect(posted('admin-all')).toEqual([{ type: 'subscribed', topics: ['*'] }]);
    await connect('limited', limitedKey);
    await message('limited', { action: 'subscribe', topics: ['*'] });
    await connect('b-only', runtime.adminKey, { topics: 'services/aws-b' });
    management.reset();
    management.on(PostToConnectionCommand).resolves({});

    const first = await registerVersion('aws-a', '1.0.0');
    const second = await registerVersion('aws-b', '1.0.0');
    const third = await registerVersion('aws-a', '1.0.1');
    expect(await publishFromStream(streamRecords([first, second, third]) as never)).toEqual({ batchItemFailures: [] });

    expect(posted('admin-all').map((sent) => sent.id)).toEqual([first.eventId, second.eventId, third.eventId]);
    expect(posted('admin-all')[0]).toMatchObject({ type: 'event', topics: ['*'], event: { type: 'version.registered', service: 'aws-a' } });
    expect(posted('limited').map((sent) => sent.id)).toEqual([first.eventId, third.eventId]);
    expect(posted('b-only')).toEqual([expect.objectContaining({ id: second.eventId, topics: ['services/aws-b'] })]);
  });

  it('removes a connection that is gone (410) and keeps serving the others', async () => {
    await connect('gone', runtime.adminKey, { topics: 'services/aws-a' });
    await connect('alive', runtime.adminKey, { topics: 'services/aws-a' });
    management.reset();
    management
      .on(PostToConnectionCommand, { ConnectionId: 'gone' })
      .rejects(new GoneException({ message: 'gone', $metadata: { httpStatusCode: 410 } }))
      .on(PostToConnectionCommand, { ConnectionId: 'alive' })
      .resolves({});
    const item = await registerVersion('aws-a', '2.0.0');
    await publishFromStream(streamRecords([item]) as never);
    expect(posted('alive').map((sent) => sent.id)).toEqual([item.eventId]);
    expect(await getConnection('gone')).toBeUndefined();
    expect((await listConnections()).map((connection) => connection.connectionId)).toContain('alive');
  });

  it('closes a connection it cannot post to (throttled), so that the client resumes with since', async () => {
    await connect('throttled', runtime.adminKey, { topics: 'services/aws-b' });
    management.reset();
    management.on(PostToConnectionCommand).resolves({});
    management
      .on(PostToConnectionCommand, { ConnectionId: 'throttled' })
      .rejects(Object.assign(new Error('slow down'), { name: 'LimitExceededException' }));
    management.on(DeleteConnectionCommand).resolves({});
    const item = await registerVersion('aws-b', '2.0.0');
    await publishFromStream(streamRecords([item]) as never);
    expect(management.commandCalls(DeleteConnectionCommand).map((call) => call.args[0].input)).toEqual([{ ConnectionId: 'throttled' }]);
    expect(await getConnection('throttled')).toBeUndefined();
  });
});

describe('subscribe with since', () => {
  it('replays the missed events of those topics in order, then says so', async () => {
    const seen = await registerVersion('aws-b', '3.0.0');
    const missed1 = await registerVersion('aws-b', '3.0.1');
    await registerVersion('aws-a', '3.0.0');
    const missed2 = await registerVersion('aws-b', '3.0.2');
    await connect('resumer', runtime.adminKey);
    await message('resumer', { action: 'subscribe', topics: ['services/aws-b'], since: seen.eventId });
    const sent = posted('resumer');
    expect(sent[0]).toEqual({ type: 'subscribed', topics: ['services/aws-b'] });
    expect(sent.slice(1, -1).map((entry) => entry.id)).toEqual([missed1.eventId, missed2.eventId]);
    expect(sent.at(-1)).toEqual({ type: 'replayed', since: seen.eventId, count: 2 });
  });

  it('answers a bad message with an error, and a limited key naming another service is refused', async () => {
    await connect('checker', limitedKey);
    await message('checker', { action: 'subscribe', topics: ['services/aws-b'] });
    await connections({ requestContext: { routeKey: '$default', connectionId: 'checker' }, body: 'not json' });
    await message('checker', { action: 'ping' });
    const sent = posted('checker');
    expect(sent.map((entry) => entry.type)).toEqual(['error', 'error', 'pong']);
    expect(sent[0].message).toContain('aws-b');
    expect((await getConnection('checker'))?.topics).toEqual([]);
  });
});
