import {
  GetSubscriptionAttributesCommand,
  InvalidParameterException,
  NotFoundException,
  SetSubscriptionAttributesCommand,
  SNSClient,
  SubscribeCommand,
  UnsubscribeCommand,
} from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  configureSubscriptionGateway,
  localSubscriptionGateway,
  SubscriptionChangeRefused,
  snsSubscriptionGateway,
  subscriptionGateway,
} from '../../functions/notifications/subscription-gateway.ts';
import { type Runtime, startRuntime } from '../../local/runtime.ts';
import { type ApiClient, api, expectNoServerErrors, expectProblem } from '../helpers/http-client.ts';

/**
 * The SNS side of email subscriptions, which cannot run here: the SNS client is mocked and the
 * exact commands asserted, for the gateway alone and behind the API (pending until the
 * recipient confirms, the live status read from SNS, unsubscribed on delete).
 */

const TOPIC_ARN = 'arn:aws:sns:eu-west-1:123456789012:steward-notifications';
const SUBSCRIPTION_ARN = `${TOPIC_ARN}:0f6a5c1e-3b8e-4a57-9d0e-5b7f1c2d3e4f`;
const sns = mockClient(SNSClient);
const client = () => new SNSClient({ region: 'eu-west-1' });
const snsError = <T>(Type: new (options: { message: string; $metadata: object }) => T, message: string) =>
  new Type({ message, $metadata: {} });

beforeEach(() => {
  sns.reset();
});

afterAll(() => {
  sns.restore();
});

describe('the SNS subscription gateway', () => {
  it('subscribes the address to the topic with the filter policy on the message attributes, pending', async () => {
    sns.on(SubscribeCommand).resolves({ SubscriptionArn: SUBSCRIPTION_ARN });
    const gateway = snsSubscriptionGateway(TOPIC_ARN, client());
    const policy = { eventType: [{ prefix: 'alert.' }, 'deployment.rolled_back'], severity: ['critical'] };
    expect(await gateway.subscribe('oncall@example.com', policy)).toEqual({
      providerArn: SUBSCRIPTION_ARN,
      status: 'pending_confirmation',
    });
    expect(sns.commandCalls(SubscribeCommand).map((call) => call.args[0].input)).toEqual([
      {
        TopicArn: TOPIC_ARN,
        Protocol: 'email',
        Endpoint: 'oncall@example.com',
        Attributes: {
          FilterPolicy: '{"eventType":[{"prefix":"alert."},"deployment.rolled_back"],"severity":["critical"]}',
          FilterPolicyScope: 'MessageAttributes',
        },
        ReturnSubscriptionArn: true,
      },
    ]);
  });

  it('sets no filter policy for a filter that narrows nothing (SNS refuses an empty one)', async () => {
    sns.on(SubscribeCommand).resolves({ SubscriptionArn: SUBSCRIPTION_ARN });
    await snsSubscriptionGateway(TOPIC_ARN, client()).subscribe('all@example.com', {});
    expect(sns.commandCalls(SubscribeCommand)[0]?.args[0].input).toEqual({
      TopicArn: TOPIC_ARN,
      Protocol: 'email',
      Endpoint: 'all@example.com',
      ReturnSubscriptionArn: true,
    });
  });

  it('refuses an answer without a subscription ARN', async () => {
    sns.on(SubscribeCommand).resolves({ SubscriptionArn: 'pending confirmation' });
    await expect(snsSubscriptionGateway(TOPIC_ARN, client()).subscribe('x@example.com', {})).rejects.toThrow(/without a subscription ARN/);
  });

  it('reads the status from PendingConfirmation; a subscription SNS no longer has is unsubscribed', async () => {
    const gateway = snsSubscriptionGateway(TOPIC_ARN, client());
    sns
      .on(GetSubscriptionAttributesCommand)
      .resolvesOnce({ Attributes: { PendingConfirmation: 'true' } })
      .resolvesOnce({ Attributes: { PendingConfirmation: 'false' } })
      .rejects(snsError(NotFoundException, 'Subscription does not exist'));
    expect(await gateway.status(SUBSCRIPTION_ARN)).toBe('pending_confirmation');
    expect(await gateway.status(SUBSCRIPTION_ARN)).toBe('confirmed');
    expect(await gateway.status(SUBSCRIPTION_ARN)).toBe('unsubscribed');
    expect(sns.commandCalls(GetSubscriptionAttributesCommand).map((call) => call.args[0].input)).toEqual([
      { SubscriptionArn: SUBSCRIPTION_ARN },
      { SubscriptionArn: SUBSCRIPTION_ARN },
      { SubscriptionArn: SUBSCRIPTION_ARN },
    ]);
  });

  it('unsubscribes; gone already or still pending (SNS may keep those until they expire) is not an error', async () => {
    const gateway = snsSubscriptionGateway(TOPIC_ARN, client());
    sns
      .on(UnsubscribeCommand)
      .resolvesOnce({})
      .rejectsOnce(snsError(NotFoundException, 'Subscription does not exist'))
      .rejectsOnce(snsError(InvalidParameterException, 'Invalid parameter: SubscriptionArn'))
      .rejects(new Error('throttled'));
    await gateway.unsubscribe(SUBSCRIPTION_ARN);
    await gateway.unsubscribe(SUBSCRIPTION_ARN);
    await gateway.unsubscribe(SUBSCRIPTION_ARN);
    expect(sns.commandCalls(UnsubscribeCommand).map((call) => call.args[0].input)).toEqual([
      { SubscriptionArn: SUBSCRIPTION_ARN },
      { SubscriptionArn: SUBSCRIPTION_ARN },
      { SubscriptionArn: SUBSCRIPTION_ARN },
    ]);
    await expect(gateway.unsubscribe(SUBSCRIPTION_ARN)).rejects.toThrow('throttled');
    await gateway.unsubscribe(null); // a local subscription: nothing to ask
    expect(sns.commandCalls(UnsubscribeCommand)).toHaveLength(4);
  });

  it('sets a new filter policy with its scope, and removes the policy (an empty value) for a filter that narrows nothing', async () => {
    sns.on(SetSubscriptionAttributesCommand).resolves({});
    const gateway = snsSubscriptionGateway(TOPIC_ARN, client());
    await gateway.setFilterPolicy(SUBSCRIPTION_ARN, { service: ['payments'], severity: ['critical'] });
    await gateway.setFilterPolicy(SUBSCRIPTION_ARN, {});
    await gateway.setFilterPolicy(null, { service: ['payments'] }); // a local subscription: nothing to ask
    expect(sns.commandCalls(SetSubscriptionAttributesCommand).map((call) => call.args[0].input)).toEqual([
      {
        SubscriptionArn: SUBSCRIPTION_ARN,
        AttributeName: 'FilterPolicy',
        AttributeValue: '{"service":["payments"],"severity":["critical"]}',
      },
      { SubscriptionArn: SUBSCRIPTION_ARN, AttributeName: 'FilterPolicyScope', AttributeValue: 'MessageAttributes' },
      { SubscriptionArn: SUBSCRIPTION_ARN, AttributeName: 'FilterPolicy', AttributeValue: '' },
    ]);
  });

  it('reports a refused change (pending confirmation: InvalidParameter) and a gone subscription (NotFound) as refusals', async () => {
    const gateway = snsSubscriptionGateway(TOPIC_ARN, client());
    sns
      .on(SetSubscriptionAttributesCommand)
      .rejectsOnce(snsError(InvalidParameterException, 'Invalid parameter: SubscriptionArn'))
      .rejectsOnce(snsError(NotFoundException, 'Subscription does not exist'))
      .rejects(new Error('throttled'));
    const refused = await gateway.setFilterPolicy(SUBSCRIPTION_ARN, { service: ['a'] }).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(SubscriptionChangeRefused);
    expect(refused).toMatchObject({ reason: 'refused', message: expect.stringContaining('Invalid parameter') });
    const gone = await gateway.setFilterPolicy(SUBSCRIPTION_ARN, {}).catch((error: unknown) => error);
    expect(gone).toMatchObject({ reason: 'gone' });
    await expect(gateway.setFilterPolicy(SUBSCRIPTION_ARN, {})).rejects.toThrow('throttled');
    // The scope is not set after the policy was refused.
    expect(sns.commandCalls(SetSubscriptionAttributesCommand).map((call) => call.args[0].input.AttributeName)).toEqual([
      'FilterPolicy',
      'FilterPolicy',
      'FilterPolicy',
    ]);
  });

  it('is chosen by NOTIFICATION_TOPIC_ARN, the local one without it', async () => {
    const saved = process.env.NOTIFICATION_TOPIC_ARN;
    try {
      delete process.env.NOTIFICATION_TOPIC_ARN;
      configureSubscriptionGateway(null);
      expect(subscriptionGateway()).toBe(localSubscriptionGateway);
      process.env.NOTIFICATION_TOPIC_ARN = TOPIC_ARN;
      configureSubscriptionGateway(null);
      sns.on(SubscribeCommand).resolves({ SubscriptionArn: SUBSCRIPTION_ARN });
      expect(await subscriptionGateway().subscribe('env@example.com', {})).toMatchObject({ providerArn: SUBSCRIPTION_ARN });
      expect(sns.commandCalls(SubscribeCommand)[0]?.args[0].input).toMatchObject({ TopicArn: TOPIC_ARN });
    } finally {
      if (saved === undefined) delete process.env.NOTIFICATION_TOPIC_ARN;
      else process.env.NOTIFICATION_TOPIC_ARN = saved;
      configureSubscriptionGateway(null);
    }
  });
});

describe('subscriptions through the API on SNS', () => {
  let runtime: Runtime;
  let http: ApiClient;

  beforeAll(async () => {
    runtime = await startRuntime({ memory: true, port: 0, reconcileEveryMs: 3_600_000, tickSeconds: 3600 });
    http = api(runtime);
    configureSubscriptionGateway(snsSubscriptionGateway(TOPIC_ARN, client()));
  });

  afterAll(async () => {
    expectNoServerErrors(http.log);
    configureSubscriptionGateway(null);
    await runtime?.close();
  });

  it('is pending until SNS says the address confirmed, and unsubscribes on delete', async () => {
    sns.on(SubscribeCommand).resolves({ SubscriptionArn: SUBSCRIPTION_ARN });
    const created = await http.post('/v1/subscriptions', {
      protocol: 'email',
      endpoint: 'oncall@example.com',
      filter: { eventTypes: ['incident.*'], services: ['payments'], minSeverity: 'critical' },
    });
    expect(created.status, created.text).toBe(201);
    expect(created.json).toMatchObject({ status: 'pending_confirmation', providerArn: SUBSCRIPTION_ARN });
    expect(sns.commandCalls(SubscribeCommand)[0]?.args[0].input).toEqual({
      TopicArn: TOPIC_ARN,
      Protocol: 'email',
      Endpoint: 'oncall@example.com',
      Attributes: {
        FilterPolicy: '{"eventType":[{"prefix":"incident."}],"service":["payments"],"severity":["critical"]}',
        FilterPolicyScope: 'MessageAttributes',
      },
      ReturnSubscriptionArn: true,
    });

    sns
      .on(GetSubscriptionAttributesCommand)
      .resolvesOnce({ Attributes: { PendingConfirmation: 'true' } })
      .resolves({ Attributes: { PendingConfirmation: 'false' } });
    expect((await http.get(`/v1/subscriptions/${created.json.id}`)).json.status).toBe('pending_confirmation');
    expect((await http.get(`/v1/subscriptions/${created.json.id}`)).json.status).toBe('confirmed');
    // Remembered: the list (which does not ask SNS) shows it too.
    const listed = (await http.get('/v1/subscriptions')).json.items.find((item: { id: string }) => item.id === created.json.id);
    expect(listed.status).toBe('confirmed');

    // The same address again: a 409 before SNS is asked.
    expectProblem(await http.post('/v1/subscriptions', { protocol: 'email', endpoint: 'oncall@example.com' }), 409);
    expect(sns.commandCalls(SubscribeCommand)).toHaveLength(1);

    sns.on(UnsubscribeCommand).resolves({});
    expect((await http.delete(`/v1/subscriptions/${created.json.id}`)).status).toBe(204);
    expect(sns.commandCalls(UnsubscribeCommand).map((call) => call.args[0].input)).toEqual([{ SubscriptionArn: SUBSCRIPTION_ARN }]);
    expectProblem(await http.get(`/v1/subscriptions/${created.json.id}`), 404);
  });

  it('shows a subscription the recipient left as unsubscribed, and deletes it without error', async () => {
    const arn = `${TOPIC_ARN}:11111111-2222-3333-4444-555555555555`;
    sns.on(SubscribeCommand).resolves({ SubscriptionArn: arn });
    const created = await http.post('/v1/subscriptions', { protocol: 'email', endpoint: 'left@example.com' });
    expect(created.status, created.text).toBe(201);
    sns.on(GetSubscriptionAttributesCommand).rejects(snsError(NotFoundException, 'Subscription does not exist'));
    expect((await http.get(`/v1/subscriptions/${created.json.id}`)).json.status).toBe('unsubscribed');
    sns.on(UnsubscribeCommand).rejects(snsError(NotFoundException, 'Subscription does not exist'));
    expect((await http.delete(`/v1/subscriptions/${created.json.id}`)).status).toBe(204);
  });

  it('changes the SNS filter policy before recording the change, and answers 409 when SNS refuses it', async () => {
    const arn = `${TOPIC_ARN}:66666666-7777-8888-9999-000000000000`;
    sns.on(SubscribeCommand).resolves({ SubscriptionArn: arn });
    const created = await http.post('/v1/subscriptions', {
      protocol: 'email',
      endpoint: 'changer@example.com',
      filter: { services: ['payments'] },
    });
    expect(created.status, created.text).toBe(201);
    const path = `/v1/subscriptions/${created.json.id}`;

    // Pending confirmation: SNS refuses, Steward answers 409 and records nothing.
    sns.on(SetSubscriptionAttributesCommand).rejects(snsError(InvalidParameterException, 'Invalid parameter: SubscriptionArn'));
    const refused = expectProblem(await http.patch(path, { filter: { minSeverity: 'critical' } }), 409);
    expect(refused.detail).toMatch(/pending confirmation/);
    expect(refused.subscriptionId).toBe(created.json.id);
    expect((await http.get(path)).json).toMatchObject({ filter: { services: ['payments'] }, etag: '"1"' });

    sns.reset();
    sns.on(GetSubscriptionAttributesCommand).resolves({ Attributes: { PendingConfirmation: 'false' } });
    sns.on(SetSubscriptionAttributesCommand).resolves({});
    const patched = await http.patch(path, { filter: { minSeverity: 'critical' } }, { headers: { 'if-match': '"1"' } });
    expect(patched.status, patched.text).toBe(200);
    expect(patched.json).toMatchObject({ filter: { minSeverity: 'critical' }, filterPolicy: { severity: ['critical'] }, etag: '"2"' });
    // The same filter again asks SNS nothing.
    expect((await http.patch(path, { filter: { minSeverity: 'critical' } })).status).toBe(200);
    // Everything: the policy is removed.
    expect((await http.patch(path, { filter: {} })).json).toMatchObject({ filterPolicy: {}, etag: '"3"' });
    expect(sns.commandCalls(SetSubscriptionAttributesCommand).map((call) => call.args[0].input)).toEqual([
      { SubscriptionArn: arn, AttributeName: 'FilterPolicy', AttributeValue: '{"severity":["critical"]}' },
      { SubscriptionArn: arn, AttributeName: 'FilterPolicyScope', AttributeValue: 'MessageAttributes' },
      { SubscriptionArn: arn, AttributeName: 'FilterPolicy', AttributeValue: '' },
    ]);
    // A stale ETag is a 412 before SNS is asked.
    expectProblem(await http.patch(path, { filter: { services: ['orders'] } }, { headers: { 'if-match': '"1"' } }), 412);
    expect(sns.commandCalls(SetSubscriptionAttributesCommand)).toHaveLength(3);

    // The recipient left: SNS no longer has it, a 409 that says so.
    sns.on(SetSubscriptionAttributesCommand).rejects(snsError(NotFoundException, 'Subscription does not exist'));
    expect(expectProblem(await http.patch(path, { filter: { services: ['orders'] } }), 409).detail).toMatch(/no longer has/);

    sns.on(UnsubscribeCommand).resolves({});
    expect((await http.delete(path)).status).toBe(204);
  });

  it('answers 5xx and records nothing when SNS refuses the subscription', async () => {
    sns.on(SubscribeCommand).rejects(new Error('SNS is down'));
    const refused = await http.post('/v1/subscriptions', { protocol: 'email', endpoint: 'down@example.com' });
    expect(refused.status).toBeGreaterThanOrEqual(500);
    http.log.pop(); // an expected server error
    const listed = (await http.get('/v1/subscriptions')).json.items as Array<{ endpoint: string }>;
    expect(listed.some((item) => item.endpoint === 'down@example.com')).toBe(false);
  });
});
