import { Duration, type RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import { Alarm, ComparisonOperator, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import { FilterCriteria, FilterRule, StartingPosition } from 'aws-cdk-lib/aws-lambda';
import { SqsDestination } from 'aws-cdk-lib/aws-lambda-destinations';
import { DynamoEventSource, SqsDlq } from 'aws-cdk-lib/aws-lambda-event-sources';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { LambdaSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { SecretValues } from '../secret-values.ts';
import { StewardFunction } from './steward-function.ts';
import type { StewardTable } from './steward-table.ts';

/** What publishing may change on an event item. */
export const PUBLISH_MARK_ATTRIBUTES = ['publishedAt', 'GSI4PK', 'GSI4SK'];

export interface NotificationsProps {
  stage: string;
  version: string;
  table: StewardTable;
  /** The stack's key: the topic's messages are encrypted with it at rest. */
  encryptionKey: IKey;
  secretValues: SecretValues;
  logRetention: RetentionDays;
  removalPolicy: RemovalPolicy;
}

/**
 * Issue 4 item 7 on AWS: every committed alert, incident, deployment and health check state
 * event goes from the table's stream through the publisher to ONE SNS topic (KMS-encrypted,
 * TLS-only) with the attributes `eventType`, `service`, `severity`; email subscriptions select
 * with filter policies, and the webhook dispatcher is subscribed to all of it. What cannot be
 * handled — a stream batch the publisher kept failing on, a notification the dispatcher could not
 * process, a delivery every attempt failed — lands in one SQS dead-letter queue with an alarm on
 * its depth.
 */
export class Notifications extends Construct {
  readonly topic: Topic;
  readonly deadLetters: Queue;
  readonly deadLetterAlarm: Alarm;
  readonly publisher: StewardFunction;
  readonly dispatcher: StewardFunction;

  constructor(scope: Construct, id: string, props: NotificationsProps) {
    super(scope, id);
    const shared = { stage: props.stage, version: props.version, logRetention: props.logRetention, removalPolicy: props.removalPolicy };

    this.topic = new Topic(this, 'Topic', {
      displayName: `Steward ${props.stage}`,
      masterKey: props.encryptionKey,
      enforceSSL: true,
    });

    // SSE-SQS: SNS (the subscription's own dead-letter queue) and Lambda can both write to it
    // without a key policy for their service principals; the messages hold no secret values.
    this.deadLetters = new Queue(this, 'DeadLetters', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
      removalPolicy: props.removalPolicy,
    });
    Validations.of(this.deadLetters).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason:
        'This queue IS the dead-letter queue: of the publisher stream mapping (on-failure destination), the dispatcher (async on-failure destination) and its SNS subscription. Nothing consumes it automatically; the alarm on its depth tells operators.',
    });
    this.deadLetterAlarm = new Alarm(this, 'DeadLettersAlarm', {
      alarmDescription: `Steward ${props.stage}: notifications or webhook deliveries could not be handled; see GET /v1/webhooks/{id}/dead-letters and the queue's messages.`,
      metric: this.deadLetters.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(1), statistic: 'Maximum' }),
      threshold: 1,
      evaluationPeriods: 1,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });

    this.publisher = new StewardFunction(this, 'Publisher', {
      ...shared,
      handlerName: 'event-publisher',
      description: `Steward ${props.stage}: publishes committed events to the notification topic`,
      memorySize: 256,
      timeout: Duration.seconds(30),
      environment: { NOTIFICATION_TOPIC_ARN: this.topic.topicArn },
    });
    Validations.of(this.publisher.executionRole).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'X-Ray (PutTraceSegments, PutTelemetryRecords) and dynamodb:ListStreams, which the stream event source needs and which takes no resource-level permission; the stream itself is read through the table stream ARN only.',
    });
    // The published mark, and the publish sweep's queue marker it clears (GSI4).
    props.table.grantAttributeUpdate(this.publisher, PUBLISH_MARK_ATTRIBUTES);
    this.publisher.addEnvironment('TABLE_NAME', props.table.tableName);
    this.publisher.addPolicy('Publish', publishStatements(this.topic, props.encryptionKey));
    this.publisher.addEventSource(
      new DynamoEventSource(props.table.table, {
        startingPosition: StartingPosition.LATEST,
        batchSize: 10,
        // Report the first failure and what follows: published records are not sent again.
        reportBatchItemFailures: true,
        retryAttempts: 10,
        maxRecordAge: Duration.days(1),
        onFailure: new SqsDlq(this.deadLetters),
        filters: [
          FilterCriteria.filter({
            eventName: FilterRule.isEqual('INSERT'),
            dynamodb: {
              NewImage: {
                // Every event: the live stream (functions/stream/fan-out.ts) carries all of them; the
                // publisher sends only published types to the topic.
                entity: { S: FilterRule.isEqual('event') },
              },
            },
          }),
        ],
      }),
    );

    // Each delivery may take up to a minute of attempts and backoff (functions/webhooks/dispatcher.ts).
    this.dispatcher = new StewardFunction(this, 'Dispatcher', {
      ...shared,
      handlerName: 'webhook-dispatcher',
      description: `Steward ${props.stage}: delivers notifications to webhooks, signed`,
      timeout: Duration.seconds(90),
      environment: { DEAD_LETTER_QUEUE_URL: this.deadLetters.queueUrl, POWERTOOLS_METRICS_NAMESPACE: 'Steward' },
    }).bindTable(props.table, 'RW');
    props.secretValues.grantWebhookSecretRead(this.dispatcher);
    this.deadLetters.grantSendMessages(this.dispatcher);
    this.dispatcher.configureAsyncInvoke({
      retryAttempts: 2,
      maxEventAge: Duration.hours(6),
      onFailure: new SqsDestination(this.deadLetters),
    });
    this.topic.addSubscription(new LambdaSubscription(this.dispatcher, { deadLetterQueue: this.deadLetters }));
  }

  /**
   * The reconciler also runs the publish sweep: it publishes events the stream's publisher never
   * got to (its retries gave up), so it may publish, and mark them like the publisher does.
   */
  grantPublishSweep(fn: StewardFunction, table: StewardTable, key: IKey): void {
    fn.addEnvironment('NOTIFICATION_TOPIC_ARN', this.topic.topicArn);
    table.grantAttributeUpdate(fn, PUBLISH_MARK_ATTRIBUTES);
    fn.addPolicy('Publish', publishStatements(this.topic, key));
  }

  /**
   * The alerts route group: manages email subscriptions (Subscribe with a filter policy, read
   * their confirmation state, change their filter policy, Unsubscribe) and replays parked deliveries.
   */
  grantSubscriptionsAndReplay(fn: StewardFunction): void {
    fn.addEnvironment('NOTIFICATION_TOPIC_ARN', this.topic.topicArn);
    fn.addEnvironment('DEAD_LETTER_QUEUE_URL', this.deadLetters.queueUrl);
    this.deadLetters.grantSendMessages(fn);
    const subscriptionsArn = `${this.topic.topicArn}:*`;
    fn.addPolicy(
      'NotificationSubscriptions',
      [
        new PolicyStatement({ actions: ['sns:Subscribe'], resources: [this.topic.topicArn] }),
        new PolicyStatement({
          actions: ['sns:Unsubscribe', 'sns:GetSubscriptionAttributes', 'sns:SetSubscriptionAttributes'],
          resources: [this.topic.topicArn, subscriptionsArn],
        }),
      ],
      [
        {
          resource: subscriptionsArn,
          reason:
            "A subscription's ARN is the topic's ARN followed by a random id; the wildcard stands for that id and matches only this topic's subscriptions.",
        },
      ],
    );
  }
}

/** Publish, and the key only as SNS uses it (grantPublish would allow GenerateDataKey* without a condition). */
function publishStatements(topic: Topic, key: IKey): PolicyStatement[] {
  return [
    new PolicyStatement({ actions: ['sns:Publish'], resources: [topic.topicArn] }),
    new PolicyStatement({
      actions: ['kms:GenerateDataKey', 'kms:Decrypt'],
      resources: [key.keyArn],
      conditions: { StringEquals: { 'kms:ViaService': `sns.${Stack.of(topic).region}.amazonaws.com` } },
    }),
  ];
}
