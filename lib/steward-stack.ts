import { CfnOutput, Duration, Stack, type StackProps } from 'aws-cdk-lib';
import { Key } from 'aws-cdk-lib/aws-kms';
import type { Construct } from 'constructs';
import { allContracts } from '#system/all-contracts';
import type { RouteGroup } from '#kernel/http/operation';
import { BootstrapAdminKey } from './constructs/bootstrap-admin-key.ts';
import { ContractDocuments } from './constructs/contract-documents.ts';
import { DeploymentWorkflow } from './constructs/deployment-workflow.ts';
import { Notifications } from './constructs/notifications.ts';
import { ScheduledJob } from './constructs/scheduled-job.ts';
import { StewardApi } from './constructs/steward-api.ts';
import { type HandlerName, StewardFunction } from './constructs/steward-function.ts';
import { StewardTable, type TableAccess } from './constructs/steward-table.ts';
import { SecretValues } from './secret-values.ts';
import { grantHealthProbes } from './health-probes.ts';
import { EventStream } from './constructs/event-stream.ts';
import { grantRateLimitBuckets } from './rate-limits.ts';
import { IdentityProvider } from './constructs/identity-provider.ts';
import { ConsoleHosting } from './constructs/console-hosting.ts';
import type { StageSettings } from './stage-settings.ts';

export interface StewardStackProps extends StackProps {
  settings: StageSettings;
  /** package.json's version, reported by the functions. */
  version: string;
}

/**
 * The Lambda of each route group and what it may do to the table: groups that only answer reads
 * get read-only grants, so a bug there cannot change data. Keyed by RouteGroup, so a new group
 * does not compile until someone decides its access here.
 */
export const ROUTE_GROUP_FUNCTIONS: Record<
  RouteGroup,
  { access: TableAccess; timeout?: Duration; writesKeyItems?: boolean; memorySize?: number }
> = {
  services: { access: 'RW' },
  versions: { access: 'RW' },
  // The one route group that may write API key items; every other writer is denied them.
  'api-keys': { access: 'RW', writesKeyItems: true },
  configs: { access: 'RO' },
  'config-writes': { access: 'RW' },
  'config-transfer': { access: 'RW' },
  secrets: { access: 'RW' },
  // Cancel, rollback and promote push weights to the user's router (5 s allowed) or a Lambda alias
  // besides the Step Functions and Secrets Manager calls; API Gateway gives up after 30 s.
  deployments: { access: 'RW', timeout: Duration.seconds(25) },
  // Run-now fetches the target (timeout at most 30 s, less than API Gateway's own limit in practice).
  'health-checks': { access: 'RW', timeout: Duration.seconds(29) },
  // Ingestion writes up to 1,000 samples in batches of 25; a query reads up to 7 days of hour buckets.
  metrics: { access: 'RW', timeout: Duration.seconds(25) },
  // Inference batches (up to 5,000 records) merge into a few cells each under conditional writes; reads
  // merge a window's cells (a week is 168 hour cells per version).
  models: { access: 'RW', timeout: Duration.seconds(25) },
  // Rule CRUD and acknowledgements (a batch acknowledges up to 100 alerts, one event each).
  alerts: { access: 'RW', timeout: Duration.seconds(25) },
  // Export and report read long stretches of the trail; API Gateway gives up after 30 s.
  audit: { access: 'RO', timeout: Duration.seconds(25) },
  // Validates and diffs OpenAPI documents of up to 10 MB (npm run bench: compat2MBSpecMs); CPU comes with memory.
  'api-contracts': { access: 'RW', timeout: Duration.seconds(29), memorySize: 2048 },
  // Validates uploaded OpenAPI documents (Ajv): up to 10 MB.
  'openapi-uploads': { access: 'RW', timeout: Duration.seconds(29), memorySize: 2048 },
  // Validates and diffs two documents sent in the body; stores nothing.
  'compatibility-checks': { access: 'RO', timeout: Duration.seconds(29), memorySize: 2048 },
  // Migration plans (issue 11): starts deployments of a plan; diffs the two contracts for the consumer actions.
  migrations: { access: 'RW', timeout: Duration.seconds(25), memorySize: 1024 },
  system: { access: 'RO' },
};

/**
 * Steward on AWS (docs/architecture.md §1): the table, the HTTP API and its functions, the bootstrap key,
 * the deployment workflow, and the scheduled reconciler and secret-expiry jobs.
 */
export class StewardStack extends Stack {
  readonly table: StewardTable;
  readonly api: StewardApi;
  readonly routeFunctions: Record<RouteGroup, StewardFunction>;
  readonly fallbackFunction: StewardFunction;
  readonly authorizerFunction: StewardFunction;
  readonly bootstrapAdminKey: BootstrapAdminKey;
  readonly reconciler: ScheduledJob;
  readonly apiKeyReconciler: ScheduledJob;
  readonly deploymentWorkflow: DeploymentWorkflow;
  readonly secretExpiry: ScheduledJob;
  readonly deprecationNotices: ScheduledJob;
  readonly modelAutoRollback: ScheduledJob;
  readonly migrationScheduler: ScheduledJob;
  readonly healthCheckRunner: ScheduledJob;
  readonly alertEvaluator: ScheduledJob;
  readonly secretValues: SecretValues;
  readonly notifications: Notifications;
  readonly contractDocuments: ContractDocuments;
  readonly eventStream: EventStream;
  readonly identityProvider: IdentityProvider;
  readonly console: ConsoleHosting;

  constructor(scope: Construct, id: string, props: StewardStackProps) {
    super(scope, id, props);
    const { settings, version } = props;
    const shared = {
      stage: settings.stage,
      version,
      logRetention: settings.logRetention,
      removalPolicy: settings.removalPolicy,
    };

    const key = new Key(this, 'DataKey', {
      description: `Steward ${settings.stage}: encrypts the table, the secrets and the deployment workflow's logs`,
      enableKeyRotation: true,
      // Follows the table: without the key, the table's backups could not be read.
      removalPolicy: settings.removalPolicy,
    });

    this.table = new StewardTable(this, 'Table', {
      encryptionKey: key,
      deletionProtection: settings.deletionProtection,
      removalPolicy: settings.removalPolicy,
    });

    const apiFunction = (
      handlerName: HandlerName,
      access: TableAccess,
      timeout = Duration.seconds(10),
      writesKeyItems = false,
      memorySize?: number,
    ) =>
      new StewardFunction(this, `${pascalCase(handlerName)}Function`, { ...shared, handlerName, timeout, memorySize }).bindTable(
        this.table,
        access,
        { writesKeyItems },
      );

    this.routeFunctions = Object.fromEntries(
      Object.entries(ROUTE_GROUP_FUNCTIONS).map(([group, { access, timeout, writesKeyItems, memorySize }]) => [
        group,
        apiFunction(group as RouteGroup, access, timeout, writesKeyItems, memorySize),
      ]),
    ) as Record<RouteGroup, StewardFunction>;
    this.fallbackFunction = apiFunction('fallback', 'RO');
    // Rate limits per principal (issue 12): a token bucket per key and route class, in the table.
    const rateLimits = String(this.node.tryGetContext('rateLimits') ?? 'on');
    for (const [group, fn] of Object.entries(this.routeFunctions)) {
      grantRateLimitBuckets(fn, this.table, rateLimits, { readOnly: ROUTE_GROUP_FUNCTIONS[group as RouteGroup].access === 'RO' });
    }
    // The authorizer sits in front of every authenticated route; API Gateway waits at most 10 s for it.
    this.authorizerFunction = apiFunction('authorizer', 'RO', Duration.seconds(5));

    // Secret values (issue 5) under steward/<stage>/, encrypted with the stack's key.
    this.secretValues = new SecretValues(this, settings.stage, key);
    this.secretValues.grantManage(this.routeFunctions.secrets);
    this.secretValues.grantWebhookSecrets(this.routeFunctions.alerts);

    // Deployments (issue 3): the workflow and its task functions; the API starts and stops it,
    // and pushes weights itself on cancel, rollback and promote.
    this.deploymentWorkflow = new DeploymentWorkflow(this, 'DeploymentWorkflow', {
      ...shared,
      table: this.table,
      encryptionKey: key,
      secretValues: this.secretValues,
      lambdaAliasFunctions: settings.lambdaAliasFunctions,
    });
    this.deploymentWorkflow.grantStartAndStop(this.routeFunctions.deployments);

    // API contracts (issue 11): OpenAPI documents in S3, their digests in the table. The versions
    // function reads them too: the release gate diffs a release's contract and freezes its report.
    this.contractDocuments = new ContractDocuments(this, 'ContractDocuments', {
      encryptionKey: key,
      removalPolicy: settings.removalPolicy,
    });
    this.contractDocuments.grantReadWrite(this.routeFunctions['api-contracts']);
    this.contractDocuments.grantReadWrite(this.routeFunctions['openapi-uploads']);
    // Documents past a Lambda request's 6 MB are PUT to S3 directly, on a URL this function presigns.
    this.contractDocuments.grantUploads(this.routeFunctions['openapi-uploads']);
    this.contractDocuments.grantReadWrite(this.routeFunctions.migrations);
    this.deploymentWorkflow.grantStartAndStop(this.routeFunctions.migrations);
    // Cancelling a running plan cancels its deployment, which puts the weights from before it back.
    this.deploymentWorkflow.grantTrafficDrivers(this.routeFunctions.migrations);
    this.contractDocuments.grantReadWrite(this.routeFunctions.versions);
    this.deploymentWorkflow.grantTrafficDrivers(this.routeFunctions.deployments, { writeRouterSecret: true });

    this.api = new StewardApi(this, 'Api', {
      stage: settings.stage,
      operations: allContracts,
      routeFunctions: this.routeFunctions,
      fallbackFunction: this.fallbackFunction,
      authorizerFunction: this.authorizerFunction,
      authorizerCacheTtl: settings.authorizerCacheTtl,
      throttle: settings.throttle,
      logRetention: settings.logRetention,
      removalPolicy: settings.removalPolicy,
    });

    this.bootstrapAdminKey = new BootstrapAdminKey(this, 'BootstrapAdminKey', { ...shared, table: this.table, encryptionKey: key });
    this.reconciler = new ScheduledJob(this, 'Reconciler', {
      ...shared,
      table: this.table,
      handlerName: 'reconcile',
      purpose: 'finish projections a crashed writer left behind and start deployments whose workflow never started',
      // Every minute: a deployment whose start was lost blocks its environment until this runs.
      every: Duration.minutes(1),
      retryAttempts: 0,
    });
    this.deploymentWorkflow.grantRecovery(this.reconciler.function);
    // API key events are finished apart: the reconciler may not write key items, and this job may
    // write them but projects nothing else.
    this.apiKeyReconciler = new ScheduledJob(this, 'ApiKeyReconciler', {
      ...shared,
      table: this.table,
      handlerName: 'reconcile-api-keys',
      purpose: 'finish the projections of API key events a crashed writer left behind',
      every: Duration.minutes(5),
      retryAttempts: 0,
      writesKeyItems: true,
    });
    this.secretExpiry = new ScheduledJob(this, 'SecretExpiry', {
      ...shared,
      table: this.table,
      handlerName: 'secret-expiry',
      purpose: 'raise notices for secrets near expiry or due for rotation',
      every: Duration.hours(1),
      retryAttempts: 2,
    });
    // Issue 10: sunset notices for deprecated versions, and a model's automatic retirement.
    this.deprecationNotices = new ScheduledJob(this, 'DeprecationNotices', {
      ...shared,
      table: this.table,
      handlerName: 'deprecation-notices',
      purpose: 'announce deprecated versions nearing their sunset and retire unused models past it',
      every: Duration.days(1),
      retryAttempts: 2,
    });
    // Issue 10: a model promotion rolled back when a critical alert fires within the policy's window.
    // It restores weights through the traffic drivers, as a rollback through the API does.
    this.modelAutoRollback = new ScheduledJob(this, 'ModelAutoRollback', {
      ...shared,
      table: this.table,
      handlerName: 'model-auto-rollback',
      purpose: 'roll back a model promoted to production when a critical alert fires within its policy window',
      every: Duration.minutes(1),
      retryAttempts: 0,
    });
    this.deploymentWorkflow.grantTrafficDrivers(this.modelAutoRollback.function);
    // Issue 11: scheduled migration plans started at their startAt (a deployment's execution), running ones completed.
    this.migrationScheduler = new ScheduledJob(this, 'MigrationScheduler', {
      ...shared,
      table: this.table,
      handlerName: 'migration-scheduler',
      purpose: 'start scheduled migration plans at their start time and complete running ones',
      every: Duration.minutes(1),
      // A missed run is not retried: the next one, a minute later, finds the same plans due.
      retryAttempts: 0,
    });
    this.deploymentWorkflow.grantStart(
      this.migrationScheduler.function,
      'The migration scheduler starts a plan’s deployment and reads whether its execution already runs',
    );
    this.healthCheckRunner = new ScheduledJob(this, 'HealthCheckRunner', {
      ...shared,
      table: this.table,
      handlerName: 'health-check-runner',
      // CPU scales with memory: a check costs about 2 ms of CPU (npm run bench), 1,000 of them 2 s
      // of a whole vCPU; at 256 MB (a sixth of one) that would stretch the response times the checks measure.
      memorySize: 1024,
      // Operational metrics (functions/kernel/operational-metrics.ts) as EMF: no IAM needed.
      environment: { POWERTOOLS_METRICS_NAMESPACE: 'Steward' },
      purpose: 'run the health checks that are due',
      every: Duration.minutes(1),
      // A missed tick is not retried: the next one, a minute later, runs whatever is due.
      retryAttempts: 0,
    });
    // Health checks' headers: credentials kept in the value store, and the service's secrets they name.
    this.secretValues.grantHealthCheckHeaders(this.routeFunctions['health-checks'], { write: true });
    this.secretValues.grantHealthCheckHeaders(this.healthCheckRunner.function, { write: false });
    this.alertEvaluator = new ScheduledJob(this, 'AlertEvaluator', {
      ...shared,
      table: this.table,
      handlerName: 'alert-evaluator',
      // Operational metrics (functions/kernel/operational-metrics.ts) as EMF: no IAM needed.
      environment: { POWERTOOLS_METRICS_NAMESPACE: 'Steward' },
      purpose: 'evaluate the alert rules',
      every: Duration.minutes(1),
      // A missed evaluation is not retried: the next one, a minute later, judges the same windows.
      retryAttempts: 0,
    });

    // Notifications (issue 4): table stream → publisher → SNS topic → email subscriptions and the webhook dispatcher.
    this.notifications = new Notifications(this, 'Notifications', {
      ...shared,
      table: this.table,
      encryptionKey: key,
      secretValues: this.secretValues,
    });
    this.notifications.grantSubscriptionsAndReplay(this.routeFunctions.alerts);
    this.notifications.grantPublishSweep(this.reconciler.function, this.table, key);
    // /health/deep (issue 12): the system function asks the state machine, the topic and the secret store.
    grantHealthProbes(this.routeFunctions.system, {
      stateMachine: this.deploymentWorkflow.stateMachine,
      topic: this.notifications.topic,
      secretValues: this.secretValues,
    });
    // Live events (issue 12): a WebSocket API fed by the same table-stream publisher.
    this.eventStream = new EventStream(this, 'EventStream', {
      ...shared,
      table: this.table,
      publisher: this.notifications.publisher,
      throttle: settings.throttle,
    });
    // JWT sign-in (issue 12): an OIDC issuer from CDK context, or a Cognito user pool made here.
    const context = (name: string) => this.node.tryGetContext(name) as string | undefined;
    this.identityProvider = new IdentityProvider(this, 'IdentityProvider', {
      stage: settings.stage,
      removalPolicy: settings.removalPolicy,
      context: {
        issuer: context('jwtIssuer'),
        audience: context('jwtAudience'),
        rolesClaim: context('jwtRolesClaim'),
        roleMap: context('jwtRoleMap'),
        jwksUrl: context('jwtJwksUrl'),
        consoleClientId: context('consoleClientId'),
        authorizationEndpoint: context('authorizationEndpoint'),
        tokenEndpoint: context('tokenEndpoint'),
        cognitoDomainPrefix: context('cognitoDomainPrefix'),
      },
    });
    // The web console (issue 12): S3 behind CloudFront, calling the API and the stream cross-origin,
    // signing people in at the identity provider (docs/deploy.md "Web console").
    const tokenEndpoint = this.identityProvider.tokenEndpoint;
    this.console = new ConsoleHosting(this, 'Console', {
      stage: settings.stage,
      connectSources: [this.api.url, this.eventStream.url, ...(tokenEndpoint ? [tokenEndpoint] : [])],
      logRetention: settings.logRetention,
      removalPolicy: settings.removalPolicy,
    });
    const signIn = this.identityProvider.addConsole(this.console.url);
    this.console.publish({ apiUrl: this.api.url, streamUrl: this.eventStream.url, signIn });
    this.api.allowBrowserOrigin(this.console.origin);
    for (const fn of [this.authorizerFunction, this.eventStream.authorizerFunction]) {
      this.identityProvider.configure(fn);
    }

    new CfnOutput(this, 'ApiUrl', { description: 'Base URL of the Steward API', value: this.api.url });
    new CfnOutput(this, 'DocsUrl', { description: 'The rendered API reference', value: `${this.api.url}docs` });
    new CfnOutput(this, 'ConsoleUrl', {
      description: 'The web console: sign in with an API key, or with the identity provider',
      value: this.console.url,
    });
    new CfnOutput(this, 'StreamUrl', {
      description: 'The live event stream (WebSocket): connect with ?key=<API key>',
      value: this.eventStream.url,
    });
    new CfnOutput(this, 'TableName', { description: 'The DynamoDB table', value: this.table.tableName });
    new CfnOutput(this, 'DeploymentStateMachineArn', {
      description: 'The deployment workflow; each execution is named by its deployment id',
      value: this.deploymentWorkflow.stateMachine.stateMachineArn,
    });
    new CfnOutput(this, 'NotificationTopicArn', {
      description: 'Every alert, incident, deployment and health check state event, with attributes eventType, service, severity',
      value: this.notifications.topic.topicArn,
    });
    new CfnOutput(this, 'NotificationDeadLetterQueueUrl', {
      description: 'Notifications and webhook deliveries that could not be handled; an alarm watches its depth',
      value: this.notifications.deadLetters.queueUrl,
    });
    new CfnOutput(this, 'SecretsPrefix', {
      description: 'Secrets Manager name prefix of the secret values Steward keeps',
      value: this.secretValues.prefix,
    });
    new CfnOutput(this, 'BootstrapAdminKeySecretArn', {
      // A description must be a literal, so the command looks the ARN up from this output.
      description:
        `The bootstrap admin API key. Read it with: aws secretsmanager get-secret-value --secret-id ` +
        `$(aws cloudformation describe-stacks --stack-name ${this.stackName} --query "Stacks[0].Outputs[?OutputKey=='BootstrapAdminKeySecretArn'].OutputValue" --output text) ` +
        `--query SecretString --output text`,
      value: this.bootstrapAdminKey.secret.secretArn,
    });
  }
}

function pascalCase(name: string): string {
  return name.replace(/(^|-)([a-z])/g, (_, _dash: string, letter: string) => letter.toUpperCase());
}
