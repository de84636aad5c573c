import { type RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import { type CfnStage, WebSocketApi, WebSocketStage } from 'aws-cdk-lib/aws-apigatewayv2';
import { WebSocketLambdaAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { WebSocketLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { keys } from '#kernel/store/keys';
import { StewardFunction } from './steward-function.ts';
import { KEY_WRITE_ACTIONS, type StewardTable } from './steward-table.ts';

export interface EventStreamProps {
  stage: string;
  version: string;
  table: StewardTable;
  /** The table stream's publisher: it fans committed events out to the connections too. */
  publisher: StewardFunction;
  throttle: { rateLimit: number; burstLimit: number };
  logRetention: RetentionDays;
  removalPolicy: RemovalPolicy;
}

/**
 * The live event stream on AWS (issue 12; functions/stream/): an API Gateway WebSocket API whose
 * `$connect` is authorised with the same API key check as the HTTP API, `$disconnect` and
 * `$default` (subscribe, unsubscribe, ping) served by one function, connections remembered in the
 * table (STREAMCONNS, with a TTL), and the table-stream publisher posting each committed event to
 * the connections subscribed to it through the management API (a gone connection, 410, is removed).
 */
export class EventStream extends Construct {
  readonly api: WebSocketApi;
  readonly liveStage: WebSocketStage;
  readonly connectionFunction: StewardFunction;
  readonly authorizerFunction: StewardFunction;
  readonly accessLogGroup: LogGroup;

  constructor(scope: Construct, id: string, props: EventStreamProps) {
    super(scope, id);
    const shared = { stage: props.stage, version: props.version, logRetention: props.logRetention, removalPolicy: props.removalPolicy };

    this.authorizerFunction = new StewardFunction(this, 'Authorizer', {
      ...shared,
      handlerName: 'stream-authorizer',
      description: `Steward ${props.stage}: authorises stream connections with an API key`,
    }).bindTable(props.table, 'RO');
    this.connectionFunction = new StewardFunction(this, 'Connections', {
      ...shared,
      handlerName: 'stream',
      description: `Steward ${props.stage}: stream connections, subscriptions and replays`,
    }).bindTable(props.table, 'RO');
    grantConnectionItems(this.connectionFunction, props.table, ['dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem']);
    // Like every writer but key management (the publisher has it already).
    props.table.denyKeyItemWrites(this.connectionFunction);
    grantConnectionItems(props.publisher, props.table, ['dynamodb:DeleteItem']);

    const authorizer = new WebSocketLambdaAuthorizer('ApiKeyAuthorizer', this.authorizerFunction, {
      authorizerName: `steward-${props.stage}-stream-api-key`,
      // The key may come as ?key= or in the Authorization header: neither is required by API Gateway.
      identitySource: [],
    });
    const integration = new WebSocketLambdaIntegration('Connections', this.connectionFunction);
    this.api = new WebSocketApi(this, 'Api', {
      apiName: `steward-${props.stage}-stream`,
      description: `Steward live events (${props.stage})`,
      connectRouteOptions: { integration, authorizer },
      disconnectRouteOptions: { integration },
      defaultRouteOptions: { integration },
    });
    for (const route of ['$disconnect', '$default']) {
      const child = this.api.node.tryFindChild(`${route}-Route`);
      if (child) {
        Validations.of(child).acknowledge({
          id: 'AwsSolutions-APIG4',
          reason: `A WebSocket API authorises a connection once, at $connect; ${route} runs on a connection that was authorised there and reads its principal from the table.`,
        });
      }
    }

    this.accessLogGroup = new LogGroup(this, 'AccessLogs', { retention: props.logRetention, removalPolicy: props.removalPolicy });
    this.liveStage = new WebSocketStage(this, 'LiveStage', {
      webSocketApi: this.api,
      stageName: 'live',
      autoDeploy: true,
      throttle: props.throttle,
    });
    (this.liveStage.node.defaultChild as CfnStage).accessLogSettings = {
      destinationArn: this.accessLogGroup.logGroupArn,
      format: JSON.stringify({
        requestId: '$context.requestId',
        time: '$context.requestTime',
        ip: '$context.identity.sourceIp',
        routeKey: '$context.routeKey',
        eventType: '$context.eventType',
        connectionId: '$context.connectionId',
        status: '$context.status',
        keyId: '$context.authorizer.keyId',
        error: '$context.error.message',
      }),
    };

    const endpoint = this.liveStage.callbackUrl;
    for (const fn of [this.connectionFunction, props.publisher]) {
      fn.addEnvironment('STREAM_ENDPOINT', endpoint);
      const connectionsArn = this.api.arnForExecuteApiV2('@connections', this.liveStage.stageName);
      fn.addPolicy(
        'StreamConnections',
        [new PolicyStatement({ actions: ['execute-api:ManageConnections'], resources: [`${connectionsArn}/*`] })],
        [
          {
            resource: `${connectionsArn}/*`,
            reason:
              "Posting to a connection addresses it by its id, known only at run time; the wildcard stands for that id on this API's live stage only.",
          },
        ],
      );
    }
  }

  /** The URL clients connect to: wss://…/live. */
  get url(): string {
    return this.liveStage.url;
  }
}

/** Writes to the stream's connection items only (their partition), with the table key's use that writing needs. */
function grantConnectionItems(fn: StewardFunction, table: StewardTable, actions: string[]): void {
  fn.addPolicy('StreamConnectionItems', [
    new PolicyStatement({
      actions,
      resources: [table.table.tableArn],
      conditions: { 'ForAllValues:StringEquals': { 'dynamodb:LeadingKeys': [keys.streamConnectionsPartition] } },
    }),
    new PolicyStatement({
      actions: [...KEY_WRITE_ACTIONS],
      resources: [table.encryptionKey.keyArn],
      conditions: { StringEquals: { 'kms:ViaService': `dynamodb.${Stack.of(table).region}.amazonaws.com` } },
    }),
  ]);
}
