import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type CfnResource, Stack, Validations } from 'aws-cdk-lib';
import { CfnPolicy, Role } from 'aws-cdk-lib/aws-iam';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import { beforeAll, describe, expect, it } from 'vitest';
import { allOperations } from '#system/all-routes';
import { routerSecretRef } from '#deployments/environments.commands';
import { TASKS, type TaskName } from '#deployments/tasks';
import type { RouteGroup } from '#kernel/http/operation';
import { INDEXES, PARTITION_KEY, SORT_KEY, TTL_ATTRIBUTE } from '#kernel/store/table-definition';
import { BUNDLED_ASSETS, HANDLER_BUNDLING, HANDLER_ENTRIES } from '../../lib/bundling.ts';
import { DEFINITION_PATH, taskArnSubstitution } from '../../lib/constructs/deployment-workflow.ts';
import { StewardFunction } from '../../lib/constructs/steward-function.ts';
import { TABLE_WRITE_ACTIONS } from '../../lib/constructs/steward-table.ts';
import { flattenResource } from '../../lib/nag.ts';
import { ROUTER_SIGNING_SECRET_NAME, SECRET_WRITE_ACTIONS, secretsPrefix } from '../../lib/secret-values.ts';
import { createStewardApp, type StewardApp } from '../../lib/steward-app.ts';
import { ROUTE_GROUP_FUNCTIONS, type StewardStack } from '../../lib/steward-stack.ts';

// Only the dev stack is bundled (esbuild, every function): the other stages differ in settings,
// not code, so they skip bundling to keep this file quick.
const SKIP_BUNDLING = { 'aws:cdk:bundling-stacks': [] };

const packageVersion = (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;

let dev: StewardApp;
let template: Template;

// Bundles every function with esbuild: minutes on a loaded two-core machine.
beforeAll(() => {
  dev = createStewardApp();
  // Synthesises the app, which runs the AwsSolutions checks: any unacknowledged error throws here.
  template = Template.fromStack(dev.stack);
}, 300_000);

function synth(context: Record<string, unknown>): { app: StewardApp; template: Template } {
  const app = createStewardApp({ context: { ...SKIP_BUNDLING, ...context } });
  return { app, template: Template.fromStack(app.stack) };
}

function logicalId(stack: StewardStack, construct: IConstruct): string {
  const resource = (construct.node.defaultChild ?? construct) as CfnResource;
  return stack.resolve(resource.logicalId) as string;
}

/** The template resource of a construct, which must exist. */
function resourceOf(templateOf: Template, stack: StewardStack, construct: IConstruct): { Properties: Record<string, unknown> } {
  const id = logicalId(stack, construct);
  const resource = templateOf.toJSON().Resources[id] as { Properties: Record<string, unknown> } | undefined;
  if (!resource) throw new Error(`no resource ${id} for ${construct.node.path}`);
  return resource;
}

function stewardFunctions(stack: StewardStack): StewardFunction[] {
  return stack.node.findAll().filter((construct): construct is StewardFunction => construct instanceof StewardFunction);
}

interface Statement {
  Action: string | string[];
  Resource: unknown;
  Effect: string;
  Condition?: Record<string, Record<string, unknown>>;
}

/** Every statement of the identity policies attached to the role. */
function roleStatements(stack: StewardStack, templateOf: Template, role: IConstruct): Statement[] {
  const roleId = logicalId(stack, role);
  const policies = templateOf.findResources('AWS::IAM::Policy', { Properties: { Roles: Match.arrayWith([{ Ref: roleId }]) } });
  return Object.values(policies).flatMap(
    (policy) => (policy as { Properties: { PolicyDocument: { Statement: Statement[] } } }).Properties.PolicyDocument.Statement,
  );
}

function actionsOf(statements: Statement[]): string[] {
  return statements.flatMap((statement) => (Array.isArray(statement.Action) ? statement.Action : [statement.Action]));
}

function resourcesOf(statement: Statement): unknown[] {
  return Array.isArray(statement.Resource) ? statement.Resource : [statement.Resource];
}

/** The statements of the role that allow any of these actions. */
function statementsFor(statements: Statement[], prefix: string): Statement[] {
  return statements.filter((statement) => actionsOf([statement]).some((action) => action.startsWith(prefix)));
}

/** Every role in the stack (functions, state machine, providers) with its statements. */
function allRoleStatements(stack: StewardStack, templateOf: Template): Array<{ role: Role; statements: Statement[] }> {
  return stack.node
    .findAll()
    .filter((construct): construct is Role => construct instanceof Role)
    .map((role) => ({ role, statements: roleStatements(stack, templateOf, role) }));
}

function variablesOf(templateOf: Template, stack: StewardStack, fn: StewardFunction): Record<string, unknown> {
  return (resourceOf(templateOf, stack, fn).Properties as { Environment: { Variables: Record<string, unknown> } }).Environment.Variables;
}

describe('table', () => {
  it('is built from the shared table definition', () => {
    const attributes = new Set([PARTITION_KEY, SORT_KEY, ...INDEXES.flatMap((index) => [index.partitionKey, index.sortKey])]);
    template.resourceCountIs('AWS::DynamoDB::Table', 1);
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      KeySchema: [
        { AttributeName: PARTITION_KEY, KeyType: 'HASH' },
        { AttributeName: SORT_KEY, KeyType: 'RANGE' },
      ],
      AttributeDefinitions: Match.arrayEquals([...attributes].map((name) => ({ AttributeName: name, AttributeType: 'S' }))),
      GlobalSecondaryIndexes: INDEXES.map((index) => ({
        IndexName: index.name,
        KeySchema: [
          { AttributeName: index.partitionKey, KeyType: 'HASH' },
          { AttributeName: index.sortKey, KeyType: 'RANGE' },
        ],
        Projection: { ProjectionType: index.projection },
      })),
      TimeToLiveSpecification: { AttributeName: TTL_ATTRIBUTE, Enabled: true },
    });
  });

  it('is on-demand, with point-in-time recovery, encrypted with a rotating customer-managed key', () => {
    const keyId = logicalId(dev.stack, dev.stack.table.encryptionKey);
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      BillingMode: 'PAY_PER_REQUEST',
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      SSESpecification: { SSEEnabled: true, SSEType: 'KMS', KMSMasterKeyId: { 'Fn::GetAtt': [keyId, 'Arn'] } },
    });
    template.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true });
  });

  it('can be deleted with the stack outside prod', () => {
    template.hasResource('AWS::DynamoDB::Table', {
      Properties: Match.objectLike({ DeletionProtectionEnabled: false }),
      DeletionPolicy: 'Delete',
      UpdateReplacePolicy: 'Delete',
    });
  });

  it('is protected from deletion in prod, table, key and secret alike', () => {
    const prod = synth({ stage: 'prod' });
    expect(prod.app.stack.stackName).toBe('Steward-prod');
    prod.template.hasResource('AWS::DynamoDB::Table', {
      Properties: Match.objectLike({ DeletionProtectionEnabled: true }),
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
    });
    prod.template.hasResource('AWS::KMS::Key', { DeletionPolicy: 'Retain' });
    prod.template.hasResource('AWS::SecretsManager::Secret', { DeletionPolicy: 'Retain' });
  });

  it('takes deletion protection from context, either way', () => {
    synth({ stage: 'prod', deletionProtection: 'false' }).template.hasResource('AWS::DynamoDB::Table', {
      Properties: Match.objectLike({ DeletionProtectionEnabled: false }),
      DeletionPolicy: 'Delete',
    });
    synth({ stage: 'staging', deletionProtection: 'true' }).template.hasResource('AWS::DynamoDB::Table', {
      Properties: Match.objectLike({ DeletionProtectionEnabled: true }),
      DeletionPolicy: 'Retain',
    });
  });

  it('refuses a stage name that cannot name a stack', () => {
    expect(() => createStewardApp({ context: { ...SKIP_BUNDLING, stage: 'Prod_1' } })).toThrow(/stage/);
  });
});

describe('functions', () => {
  it('one per route group, plus fallback, authorizer, the scheduled jobs, bootstrap and one per deployment task, all from HANDLER_ENTRIES', () => {
    const names = stewardFunctions(dev.stack).map((fn) => fn.handlerName);
    const groups = Object.keys(ROUTE_GROUP_FUNCTIONS);
    for (const operation of allOperations) expect(groups, operation.operationId).toContain(operation.group);
    const tasks = Object.keys(TASKS).map(() => 'deployment-task');
    expect(names.sort()).toEqual(
      [
        ...groups,
        'fallback',
        'authorizer',
        'reconcile',
        'reconcile-api-keys',
        'secret-expiry',
        'health-check-runner',
        'alert-evaluator',
        'deprecation-notices',
        'model-auto-rollback',
        'migration-scheduler',
        'bootstrap-admin-key',
        'event-publisher',
        'stream',
        'stream-authorizer',
        'webhook-dispatcher',
        ...tasks,
      ].sort(),
    );
    for (const name of names) expect(HANDLER_ENTRIES).toContain(name);
    // Every handler entry is deployed: a new one must be wired here before it ships.
    for (const entry of HANDLER_ENTRIES) expect(names, entry).toContain(entry);
  });

  it('run at Step Functions time scale 1 on AWS: no STEWARD_TIME_SCALE anywhere', () => {
    for (const fn of stewardFunctions(dev.stack)) {
      const variables = (resourceOf(template, dev.stack, fn).Properties as { Environment: { Variables: Record<string, unknown> } })
        .Environment.Variables;
      expect(variables, fn.node.path).not.toHaveProperty('STEWARD_TIME_SCALE');
    }
  });

  it('run Node.js 24 on arm64 with X-Ray tracing, their own log group and the Powertools environment', () => {
    const tableId = logicalId(dev.stack, dev.stack.table.table);
    for (const fn of stewardFunctions(dev.stack)) {
      const resource = resourceOf(template, dev.stack, fn);
      expect(resource.Properties, fn.handlerName).toMatchObject({
        Runtime: 'nodejs24.x',
        Architectures: ['arm64'],
        TracingConfig: { Mode: 'Active' },
        LoggingConfig: { LogGroup: { Ref: expect.any(String) } },
        Environment: {
          Variables: {
            POWERTOOLS_SERVICE_NAME: 'steward',
            NODE_OPTIONS: '--enable-source-maps',
            STAGE: 'dev',
            STEWARD_VERSION: packageVersion,
            TABLE_NAME: { Ref: tableId },
          },
        },
      });
      const logGroupId = (resource.Properties as { LoggingConfig: { LogGroup: { Ref: string } } }).LoggingConfig.LogGroup.Ref;
      expect(template.findResources('AWS::Logs::LogGroup')[logGroupId]?.Properties).toMatchObject({ RetentionInDays: 30 });
    }
  });

  it('give the health-check runner and alert evaluator the metrics namespace for their EMF operational metrics', () => {
    for (const job of [dev.stack.healthCheckRunner, dev.stack.alertEvaluator]) {
      expect(variablesOf(template, dev.stack, job.function), job.function.handlerName).toMatchObject({
        POWERTOOLS_METRICS_NAMESPACE: 'Steward',
        POWERTOOLS_SERVICE_NAME: 'steward',
        STAGE: 'dev',
      });
    }
  });

  it('are bundled with the settings bench measures: minified ESM with a source map', () => {
    const assemblyDir = dev.app.synth().directory;
    for (const fn of stewardFunctions(dev.stack)) {
      const resource = resourceOf(template, dev.stack, fn);
      // The code's S3 key is the asset hash, and the assembly keeps the bundle under asset.<hash>.
      const s3Key = (resource.Properties as { Code: { S3Key: string } }).Code.S3Key;
      const assetPath = `asset.${s3Key.replace(/\.zip$/, '')}`;
      const code = readFileSync(join(assemblyDir, assetPath, 'index.mjs'), 'utf8');
      expect(code.startsWith(HANDLER_BUNDLING.banner), fn.handlerName).toBe(true);
      expect(code).toMatch(/\/\/# sourceMappingURL=index\.mjs\.map\s*$/);
      expect(existsSync(join(assemblyDir, assetPath, 'index.mjs.map'))).toBe(true);
      // Minified: long lines (newlines survive only inside template literals), not one statement per line.
      expect(code.length / code.split('\n').length, fn.handlerName).toBeGreaterThan(500);
    }
  });

  it('copy the files a function reads at run time beside its bundle: the OpenAPI document, the API reference, the OpenAPI schemas', () => {
    const assemblyDir = dev.app.synth().directory;
    const withAssets = stewardFunctions(dev.stack).filter((fn) => BUNDLED_ASSETS[fn.handlerName]);
    expect(withAssets.map((fn) => fn.handlerName).sort()).toEqual(Object.keys(BUNDLED_ASSETS).sort());
    for (const fn of withAssets) {
      const s3Key = (resourceOf(template, dev.stack, fn).Properties as { Code: { S3Key: string } }).Code.S3Key;
      const assetPath = join(assemblyDir, `asset.${s3Key.replace(/\.zip$/, '')}`);
      for (const { from, to } of BUNDLED_ASSETS[fn.handlerName] ?? []) {
        const source = readFileSync(new URL(`../../${from}`, import.meta.url));
        expect(readFileSync(join(assetPath, to)).equals(source), `${fn.handlerName}: ${to}`).toBe(true);
      }
    }
  });

  it('grant read-only groups no write actions, and writers their writes', () => {
    const readOnly = [
      dev.stack.routeFunctions.system,
      dev.stack.routeFunctions.audit,
      dev.stack.routeFunctions.configs,
      dev.stack.routeFunctions['compatibility-checks'],
      dev.stack.authorizerFunction,
      dev.stack.eventStream.authorizerFunction,
      dev.stack.fallbackFunction,
    ];
    const readWrite = [
      dev.stack.routeFunctions.services,
      dev.stack.routeFunctions.versions,
      dev.stack.routeFunctions['api-keys'],
      dev.stack.routeFunctions['config-writes'],
      dev.stack.routeFunctions['config-transfer'],
      dev.stack.routeFunctions.secrets,
      dev.stack.routeFunctions.deployments,
      dev.stack.routeFunctions['health-checks'],
      dev.stack.routeFunctions.metrics,
      dev.stack.routeFunctions.alerts,
      dev.stack.routeFunctions['api-contracts'],
      dev.stack.routeFunctions['openapi-uploads'],
      dev.stack.routeFunctions.migrations,
      dev.stack.routeFunctions.models,
      dev.stack.eventStream.connectionFunction,
      dev.stack.reconciler.function,
      dev.stack.apiKeyReconciler.function,
      dev.stack.secretExpiry.function,
      dev.stack.healthCheckRunner.function,
      dev.stack.alertEvaluator.function,
      dev.stack.deprecationNotices.function,
      dev.stack.modelAutoRollback.function,
      dev.stack.migrationScheduler.function,
      dev.stack.bootstrapAdminKey.function,
      dev.stack.notifications.dispatcher,
      ...Object.values(dev.stack.deploymentWorkflow.taskFunctions),
    ];
    // The publisher reads, and may update only the `publishedAt` mark of an item (asserted under notifications).
    const markOnly = [dev.stack.notifications.publisher];
    expect(readOnly.length + readWrite.length + markOnly.length).toBe(stewardFunctions(dev.stack).length);
    for (const [group, { access }] of Object.entries(ROUTE_GROUP_FUNCTIONS)) {
      expect(access === 'RO' ? readOnly : readWrite, group).toContain(dev.stack.routeFunctions[group as RouteGroup]);
    }
    const writes = /^(dynamodb:(\*|Put|Update|Delete|BatchWrite|Create|TransactWrite)|kms:(\*|Encrypt|GenerateDataKey|ReEncrypt))/;
    // Rate-limit buckets: every API function may write RATE# items (and encrypt them), nothing else.
    const rateLimitOnly = (statement: Statement) => JSON.stringify(statement.Condition ?? {}).includes('RATE#');
    for (const fn of readOnly) {
      // Denies (the key-item deny, asserted below) grant nothing.
      const all = roleStatements(dev.stack, template, fn.executionRole).filter((statement) => statement.Effect === 'Allow');
      const limited = all.some(rateLimitOnly);
      const actions = actionsOf(all.filter((statement) => !rateLimitOnly(statement))).filter(
        (action) => !(limited && /^kms:(Encrypt|GenerateDataKey)/.test(action)),
      );
      expect(actions, fn.handlerName).toEqual(expect.arrayContaining(['dynamodb:GetItem', 'dynamodb:Query', 'kms:Decrypt']));
      expect(
        actions.filter((action) => writes.test(action)),
        fn.handlerName,
      ).toEqual([]);
      // The system function's /health/deep reads one probe secret (asserted under secrets); no other read-only function reads any.
      expect(
        actions.filter((action) => action.startsWith('secretsmanager:')),
        fn.handlerName,
      ).toEqual(fn === dev.stack.routeFunctions.system ? ['secretsmanager:GetSecretValue'] : []);
    }
    for (const fn of readWrite) {
      const actions = actionsOf(roleStatements(dev.stack, template, fn.executionRole));
      expect(actions, fn.handlerName).toEqual(expect.arrayContaining([...TABLE_WRITE_ACTIONS, 'kms:GenerateDataKey']));
    }
  });

  it('let only key management write API key items: every other writer is denied APIKEY# and KEYHASH# partitions', () => {
    const tableArn = { 'Fn::GetAtt': [logicalId(dev.stack, dev.stack.table.table), 'Arn'] };
    const keyManagers = [dev.stack.routeFunctions['api-keys'], dev.stack.apiKeyReconciler.function, dev.stack.bootstrapAdminKey.function];
    const denyKeyItems = {
      Effect: 'Deny',
      Action: [...TABLE_WRITE_ACTIONS],
      Resource: tableArn,
      Condition: { 'ForAnyValue:StringLike': { 'dynamodb:LeadingKeys': ['APIKEY#*', 'KEYHASH#*'] } },
    };
    const tableWrites = /^dynamodb:(\*|PutItem|UpdateItem|DeleteItem|BatchWriteItem)$/;
    const writers = stewardFunctions(dev.stack).filter((fn) =>
      roleStatements(dev.stack, template, fn.executionRole).some(
        (statement) => statement.Effect === 'Allow' && actionsOf([statement]).some((action) => tableWrites.test(action)),
      ),
    );
    // Every function that may write the table at all: the writers of the test above and the publisher.
    // Every function but the two authorizers and the fallback writes: API functions at least their rate-limit buckets (RATE#).
    expect(writers).toHaveLength(stewardFunctions(dev.stack).length - 3);
    for (const fn of writers) {
      const statements = roleStatements(dev.stack, template, fn.executionRole);
      const denies = statements.filter((statement) => statement.Effect === 'Deny');
      if (keyManagers.includes(fn)) expect(denies, fn.node.path).toEqual([]);
      else expect(denies, fn.node.path).toEqual([denyKeyItems]);
    }
    // Nothing else in the stack (state machine, providers) may write the table.
    for (const { role, statements } of allRoleStatements(dev.stack, template)) {
      if (stewardFunctions(dev.stack).some((fn) => fn.executionRole === role)) continue;
      const writes = statements.filter((statement) => actionsOf([statement]).some((action) => tableWrites.test(action)));
      expect(writes, role.node.path).toEqual([]);
    }
  });

  it('use the stack key only through DynamoDB, Secrets Manager, SNS or S3 (kms:ViaService), never directly', () => {
    for (const fn of stewardFunctions(dev.stack)) {
      for (const statement of roleStatements(dev.stack, template, fn.executionRole)) {
        if (!actionsOf([statement]).some((action) => action.startsWith('kms:'))) continue;
        // The one exception: reading the table's stream (CDK's grantStreamRead) decrypts its records.
        if (
          fn === dev.stack.notifications.publisher &&
          !statement.Condition &&
          actionsOf([statement]).every((action) => action === 'kms:Decrypt' || action === 'kms:DescribeKey')
        )
          continue;
        const viaService = JSON.stringify(statement.Condition?.StringEquals?.['kms:ViaService']);
        const publishes = fn === dev.stack.notifications.publisher || fn === dev.stack.reconciler.function;
        // S3: the contract documents bucket, for the functions that read or write OpenAPI documents.
        expect(viaService, fn.node.path).toMatch(publishes ? /"(dynamodb|sns)\."/ : /"(dynamodb|secretsmanager|s3)\."/);
      }
    }
  });

  it('never scan the table, and name each index rather than index/*', () => {
    for (const fn of stewardFunctions(dev.stack)) {
      const statements = roleStatements(dev.stack, template, fn.executionRole);
      expect(actionsOf(statements)).not.toContain('dynamodb:Scan');
      expect(JSON.stringify(statements)).not.toContain('/index/*');
    }
  });
});

describe('HTTP API', () => {
  const authorizerProps = {
    AuthorizerType: 'REQUEST',
    EnableSimpleResponses: true,
    AuthorizerPayloadFormatVersion: '2.0',
    IdentitySource: ['$request.header.Authorization'],
  };

  it('has a Lambda authorizer with simple responses, cached for 60 s per Authorization header', () => {
    // The HTTP API's, and the live-event WebSocket API's (test/infra/event-stream.test.ts).
    template.resourceCountIs('AWS::ApiGatewayV2::Authorizer', 2);
    template.hasResourceProperties('AWS::ApiGatewayV2::Authorizer', {
      ...authorizerProps,
      AuthorizerResultTtlInSeconds: 60,
      AuthorizerUri: Match.objectLike({
        'Fn::Join': Match.arrayWith([Match.arrayWith([{ 'Fn::GetAtt': [logicalId(dev.stack, dev.stack.authorizerFunction), 'Arn'] }])]),
      }),
    });
  });

  it('takes the authorizer cache TTL from context', () => {
    synth({ authorizerCacheTtlSeconds: '5' }).template.hasResourceProperties('AWS::ApiGatewayV2::Authorizer', {
      ...authorizerProps,
      AuthorizerResultTtlInSeconds: 5,
    });
  });

  it('routes each operation to the Lambda of its group, with the authorizer unless public', () => {
    const integrations = template.findResources('AWS::ApiGatewayV2::Integration');
    const webSocketApi = logicalId(dev.stack, dev.stack.eventStream.api);
    const routes = Object.values(template.findResources('AWS::ApiGatewayV2::Route'))
      .filter((route) => (route.Properties as { ApiId: { Ref?: string } }).ApiId.Ref !== webSocketApi)
      .map(
        (route) =>
          route.Properties as {
            RouteKey: string;
            AuthorizationType: string;
            AuthorizerId?: unknown;
            Target: { 'Fn::Join': [string, unknown[]] };
          },
      );
    expect(routes).toHaveLength(allOperations.length + 1);
    const functionOf = (route: (typeof routes)[number]) => {
      const integrationId = (route.Target['Fn::Join'][1][1] as { Ref: string }).Ref;
      const integration = integrations[integrationId] as { Properties: { IntegrationUri: { 'Fn::GetAtt': [string, string] } } } | undefined;
      return integration?.Properties.IntegrationUri['Fn::GetAtt'][0];
    };
    for (const operation of allOperations) {
      const route = routes.find((candidate) => candidate.RouteKey === `${operation.method} ${operation.path}`);
      expect(route, operation.operationId).toBeDefined();
      if (!route) continue;
      expect(functionOf(route), operation.operationId).toBe(logicalId(dev.stack, dev.stack.routeFunctions[operation.group as RouteGroup]));
      if (operation.access === 'public') {
        expect(route.AuthorizationType, operation.operationId).toBe('NONE');
      } else {
        expect(route.AuthorizationType, operation.operationId).toBe('CUSTOM');
        expect(route.AuthorizerId, operation.operationId).toEqual({ Ref: expect.stringMatching(/Authorizer/) });
      }
    }
    const fallback = routes.find((route) => route.RouteKey === '$default');
    expect(fallback?.AuthorizationType).toBe('NONE');
    expect(fallback && functionOf(fallback)).toBe(logicalId(dev.stack, dev.stack.fallbackFunction));
  });

  it('gives every route group routes, the three configuration groups included', () => {
    const routedGroups = new Set(allOperations.map((operation) => operation.group));
    for (const group of Object.keys(ROUTE_GROUP_FUNCTIONS)) expect(routedGroups, group).toContain(group);
    const configRoutes = (group: RouteGroup) => allOperations.filter((operation) => operation.group === group);
    // Reads (the fetch services make on a timer) never reach the writers, and the reader cannot write.
    expect(configRoutes('configs').length).toBeGreaterThan(0);
    for (const operation of configRoutes('configs')) expect(operation.method, operation.operationId).toBe('GET');
    expect(configRoutes('config-writes').length).toBeGreaterThan(0);
    expect(configRoutes('config-transfer').map((operation) => operation.path)).toEqual(
      expect.arrayContaining([expect.stringMatching(/\/configs\/export$/), expect.stringMatching(/\/configs\/import$/)]),
    );
    expect(ROUTE_GROUP_FUNCTIONS.configs.access).toBe('RO');
    expect(ROUTE_GROUP_FUNCTIONS['config-writes'].access).toBe('RW');
    expect(ROUTE_GROUP_FUNCTIONS['config-transfer'].access).toBe('RW');
  });

  it('writes JSON access logs to its own log group, and throttles the default stage', () => {
    const stages = Object.values(template.findResources('AWS::ApiGatewayV2::Stage')).filter(
      (stage) => (stage.Properties as { ApiId: { Ref?: string } }).ApiId.Ref !== logicalId(dev.stack, dev.stack.eventStream.api),
    );
    expect(stages).toHaveLength(1);
    const stage = stages[0]?.Properties as { AccessLogSettings: { DestinationArn: unknown; Format: string } };
    expect(stage).toMatchObject({
      StageName: '$default',
      AutoDeploy: true,
      DefaultRouteSettings: { ThrottlingRateLimit: 100, ThrottlingBurstLimit: 200 },
      AccessLogSettings: { DestinationArn: { 'Fn::GetAtt': [logicalId(dev.stack, dev.stack.api.accessLogGroup), 'Arn'] } },
    });
    const format = JSON.parse(stage.AccessLogSettings.Format) as Record<string, string>;
    expect(format).toMatchObject({ requestId: '$context.requestId', status: '$context.status', routeKey: '$context.routeKey' });
    template.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 30 });
  });

  it('takes throttling from context', () => {
    synth({ throttleRateLimit: '10', throttleBurstLimit: '20' }).template.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      DefaultRouteSettings: { ThrottlingRateLimit: 10, ThrottlingBurstLimit: 20 },
    });
  });
});

describe('bootstrap admin key', () => {
  it('is a generated secret encrypted with the stack key', () => {
    template.hasResourceProperties('AWS::SecretsManager::Secret', {
      GenerateSecretString: { ExcludePunctuation: true, PasswordLength: 48 },
      KmsKeyId: { 'Fn::GetAtt': [logicalId(dev.stack, dev.stack.table.encryptionKey), 'Arn'] },
    });
  });

  it('is registered by a custom resource running the bootstrap function', () => {
    const { secret, function: bootstrap } = dev.stack.bootstrapAdminKey;
    template.hasResourceProperties('Custom::StewardBootstrapAdminKey', {
      ServiceToken: { 'Fn::GetAtt': [Match.stringLikeRegexp('Provider'), 'Arn'] },
      SecretArn: { Ref: logicalId(dev.stack, secret) },
    });
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: { USER_ON_EVENT_FUNCTION_ARN: { 'Fn::GetAtt': [logicalId(dev.stack, bootstrap), 'Arn'] } } },
    });
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ BOOTSTRAP_SECRET_ARN: { Ref: logicalId(dev.stack, secret) } }) },
    });
  });

  it('can be read by the bootstrap function only', () => {
    const { secret, function: bootstrap } = dev.stack.bootstrapAdminKey;
    const secretRef = JSON.stringify({ Ref: logicalId(dev.stack, secret) });
    const readers = Object.values(template.findResources('AWS::IAM::Policy'))
      .filter((policy) => JSON.stringify(policy).includes(secretRef))
      .map((policy) => (policy.Properties as { Roles: unknown[] }).Roles);
    expect(readers).toEqual([[{ Ref: logicalId(dev.stack, bootstrap.executionRole) }]]);
    const bootstrapActions = actionsOf(roleStatements(dev.stack, template, bootstrap.executionRole));
    expect(bootstrapActions).toContain('secretsmanager:GetSecretValue');
  });
});

describe('reconciler', () => {
  it('runs every minute on an EventBridge schedule (a deployment whose start was lost waits for it)', () => {
    template.hasResourceProperties('AWS::Events::Rule', {
      ScheduleExpression: 'rate(1 minute)',
      State: 'ENABLED',
      Targets: [Match.objectLike({ Arn: { 'Fn::GetAtt': [logicalId(dev.stack, dev.stack.reconciler.function), 'Arn'] } })],
    });
  });

  it('leaves API key events to the key reconciler, which runs every 5 minutes', () => {
    template.hasResourceProperties('AWS::Events::Rule', {
      ScheduleExpression: 'rate(5 minutes)',
      State: 'ENABLED',
      Targets: [Match.objectLike({ Arn: { 'Fn::GetAtt': [logicalId(dev.stack, dev.stack.apiKeyReconciler.function), 'Arn'] } })],
    });
    expect(dev.stack.apiKeyReconciler.function.handlerName).toBe('reconcile-api-keys');
  });
});

/** A Task state's `${...}` placeholder, by state name, from the definition file. */
function definitionTasks(): Array<{ state: string; placeholder: string }> {
  const definition = JSON.parse(readFileSync(DEFINITION_PATH, 'utf8')) as { States: Record<string, { Type: string; Resource?: string }> };
  return Object.entries(definition.States)
    .filter(([, state]) => state.Type === 'Task')
    .map(([state, { Resource }]) => ({
      state,
      placeholder: /^\$\{(\w+)\}$/.exec(Resource ?? '')?.[1] ?? `not a placeholder: ${Resource}`,
    }));
}

describe('deployment workflow', () => {
  const workflow = () => dev.stack.deploymentWorkflow;
  const stateMachineId = () => logicalId(dev.stack, workflow().stateMachine);
  const taskFunctionArns = () => Object.values(workflow().taskFunctions).map((fn) => ({ 'Fn::GetAtt': [logicalId(dev.stack, fn), 'Arn'] }));

  it('is one Standard state machine, tracing on, logging ALL events without execution data to its own log group', () => {
    template.resourceCountIs('AWS::StepFunctions::StateMachine', 1);
    template.hasResourceProperties('AWS::StepFunctions::StateMachine', {
      StateMachineType: 'STANDARD',
      TracingConfiguration: { Enabled: true },
      LoggingConfiguration: {
        Level: 'ALL',
        IncludeExecutionData: false,
        Destinations: [{ CloudWatchLogsLogGroup: { LogGroupArn: { 'Fn::GetAtt': [logicalId(dev.stack, workflow().logGroup), 'Arn'] } } }],
      },
    });
  });

  it("encrypts its log group with the stack's key, which CloudWatch Logs may use for that log group only", () => {
    const keyId = logicalId(dev.stack, dev.stack.table.encryptionKey);
    const logGroup = resourceOf(template, dev.stack, workflow().logGroup).Properties as {
      KmsKeyId: unknown;
      LogGroupName: unknown;
      RetentionInDays: number;
    };
    expect(logGroup.KmsKeyId).toEqual({ 'Fn::GetAtt': [keyId, 'Arn'] });
    expect(logGroup.RetentionInDays).toBe(30);
    const logGroupName = flattenResource(logGroup.LogGroupName);
    expect(logGroupName).toMatch(/^\/aws\/vendedlogs\/states\/Steward-dev-deployments-/);
    const key = resourceOf(template, dev.stack, dev.stack.table.encryptionKey).Properties as {
      KeyPolicy: { Statement: Array<Statement & { Principal: unknown }> };
    };
    const forLogs = key.KeyPolicy.Statement.filter((statement) => JSON.stringify(statement.Principal).includes('"logs.'));
    expect(forLogs).toHaveLength(1);
    const context = forLogs[0]?.Condition?.ArnLike?.['kms:EncryptionContext:aws:logs:arn'];
    expect(flattenResource(context)).toBe(`arn:<AWS::Partition>:logs:<AWS::Region>:<AWS::AccountId>:log-group:${logGroupName}`);
  });

  it("substitutes every Task state's resource with its own task function's ARN", () => {
    const tasks = definitionTasks();
    expect(tasks.map(({ state }) => state).sort()).toEqual(Object.keys(TASKS).sort());
    const stateMachine = resourceOf(template, dev.stack, workflow().stateMachine).Properties as {
      DefinitionSubstitutions: Record<string, unknown>;
      DefinitionS3Location: { Key: string };
    };
    expect(Object.keys(stateMachine.DefinitionSubstitutions).sort()).toEqual(tasks.map(({ placeholder }) => placeholder).sort());
    for (const { state, placeholder } of tasks) {
      expect(placeholder).toBe(taskArnSubstitution(state as TaskName));
      const fn = workflow().taskFunctions[state as TaskName];
      expect(stateMachine.DefinitionSubstitutions[placeholder], state).toEqual({ 'Fn::GetAtt': [logicalId(dev.stack, fn), 'Arn'] });
      expect(variablesOf(template, dev.stack, fn).DEPLOYMENT_TASK, state).toBe(state);
    }
    // The definition deployed is the file, unchanged.
    const asset = join(dev.app.synth().directory, `asset.${stateMachine.DefinitionS3Location.Key}`);
    expect(readFileSync(asset, 'utf8')).toBe(readFileSync(DEFINITION_PATH, 'utf8'));
  });

  it('deploys functions/handlers/deployment-task.ts once per task, each with DEPLOYMENT_TASK naming it', () => {
    const taskFunctions = stewardFunctions(dev.stack).filter((fn) => fn.handlerName === 'deployment-task');
    expect(taskFunctions.map((fn) => variablesOf(template, dev.stack, fn).DEPLOYMENT_TASK).sort()).toEqual(Object.keys(TASKS).sort());
    for (const fn of taskFunctions)
      expect(variablesOf(template, dev.stack, fn).TABLE_NAME).toEqual({ Ref: logicalId(dev.stack, dev.stack.table.table) });
  });

  it('may invoke its task functions, unqualified, and nothing else; nobody else may invoke them', () => {
    const statements = roleStatements(dev.stack, template, workflow().stateMachine.role);
    const lambda = statementsFor(statements, 'lambda:');
    expect(actionsOf(lambda)).toEqual(['lambda:InvokeFunction']);
    expect(resourcesOf(lambda[0] as Statement)).toEqual(expect.arrayContaining(taskFunctionArns()));
    expect(resourcesOf(lambda[0] as Statement)).toHaveLength(Object.keys(TASKS).length);
    const taskIds = new Set(Object.values(workflow().taskFunctions).map((fn) => logicalId(dev.stack, fn)));
    for (const { role, statements: others } of allRoleStatements(dev.stack, template)) {
      if (role === workflow().stateMachine.role) continue;
      const invoking = statementsFor(others, 'lambda:InvokeFunction');
      for (const id of taskIds) expect(JSON.stringify(invoking), role.node.path).not.toContain(`"${id}"`);
    }
    const permissions = Object.values(template.findResources('AWS::Lambda::Permission')).map((permission) => JSON.stringify(permission));
    for (const id of taskIds) expect(permissions.filter((permission) => permission.includes(`"${id}"`))).toEqual([]);
  });

  it('is started and stopped by the deployments and migrations functions, started by the reconciler and the migration scheduler, and only this state machine', () => {
    const deployments = dev.stack.routeFunctions.deployments;
    const reconciler = dev.stack.reconciler.function;
    const scheduler = dev.stack.migrationScheduler.function;
    const executions = `arn:<AWS::Partition>:states:<AWS::Region>:<AWS::AccountId>:execution:<${stateMachineId()}.Name>:*`;
    const grants = (fn: StewardFunction) =>
      statementsFor(roleStatements(dev.stack, template, fn.executionRole), 'states:').map((statement) => [
        actionsOf([statement]),
        resourcesOf(statement).map(flattenResource),
      ]);
    // A migration plan (issue 11) starts and cancels its deployment as POST .../deployments does.
    const migrations = dev.stack.routeFunctions.migrations;
    for (const fn of [deployments, reconciler, migrations, scheduler]) {
      expect(variablesOf(template, dev.stack, fn).STATE_MACHINE_ARN, fn.handlerName).toEqual({ Ref: stateMachineId() });
    }
    for (const fn of [deployments, migrations]) {
      expect(grants(fn), fn.handlerName).toEqual([
        [['states:StartExecution'], [`<${stateMachineId()}>`]],
        [['states:StopExecution', 'states:DescribeExecution'], [executions]],
      ]);
    }
    // A deployment whose start was lost is started (same execution name) or failed; never stopped from here.
    // The migration scheduler starts a scheduled plan's deployment the same way, and never stops one either.
    for (const fn of [reconciler, scheduler]) {
      expect(grants(fn), fn.handlerName).toEqual([
        [['states:StartExecution'], [`<${stateMachineId()}>`]],
        [['states:DescribeExecution'], [executions]],
      ]);
    }
    for (const { role, statements } of allRoleStatements(dev.stack, template)) {
      if ([deployments, reconciler, migrations, scheduler].some((fn) => fn.executionRole === role)) continue;
      // /health/deep describes the state machine, and does nothing else with it.
      const expected = role === dev.stack.routeFunctions.system.executionRole ? ['states:DescribeStateMachine'] : [];
      expect(actionsOf(statementsFor(statements, 'states:')), role.node.path).toEqual(expected);
    }
  });

  it('gives each task only what it needs: all write the table, two drive traffic, one reads alarms', () => {
    const extra = (fn: StewardFunction) =>
      actionsOf(roleStatements(dev.stack, template, fn.executionRole))
        .filter((action) => !/^(logs|xray|dynamodb|kms):/.test(action))
        .sort();
    const tasks = workflow().taskFunctions;
    expect(extra(tasks.ShiftTraffic)).toEqual(['secretsmanager:GetSecretValue']);
    expect(extra(tasks.RollBack)).toEqual(['secretsmanager:GetSecretValue']);
    expect(extra(tasks.EvaluateGate)).toEqual(['cloudwatch:DescribeAlarms']);
    for (const task of ['Prepare', 'CheckApproval', 'Finish', 'MarkFailed'] as const) expect(extra(tasks[task]), task).toEqual([]);
    const alarmReaders = allRoleStatements(dev.stack, template).filter(
      ({ statements }) => statementsFor(statements, 'cloudwatch:').length > 0,
    );
    expect(alarmReaders.map(({ role }) => role)).toEqual([tasks.EvaluateGate.executionRole]);
  });
});

describe('lambda-alias driver', () => {
  const aliasGrants = (app: StewardApp, templateOf: Template) =>
    allRoleStatements(app.stack, templateOf)
      .map(({ role, statements }) => ({ role, statements: statementsFor(statements, 'lambda:UpdateAlias') }))
      .filter(({ statements }) => statements.length > 0);

  it('may update no alias at all unless lambdaAliasFunctions is set', () => {
    expect(dev.stack.deploymentWorkflow.aliasFunctionArns).toEqual([]);
    expect(aliasGrants(dev, template)).toEqual([]);
    expect(JSON.stringify(template.toJSON())).not.toContain('lambda:UpdateAlias');
  });

  it('may update aliases of the configured functions only, from ShiftTraffic, RollBack, the deployments and migrations APIs and the model auto-rollback', () => {
    const other = 'arn:aws:lambda:eu-west-1:123456789012:function:fn-b';
    const configured = synth({ lambdaAliasFunctions: 'fn-a, ' + other });
    const grants = aliasGrants(configured.app, configured.template);
    const { taskFunctions } = configured.app.stack.deploymentWorkflow;
    expect(grants.map(({ role }) => role).sort()).toEqual(
      [
        taskFunctions.ShiftTraffic.executionRole,
        taskFunctions.RollBack.executionRole,
        configured.app.stack.routeFunctions.deployments.executionRole,
        // Cancelling a running migration plan cancels its deployment, which restores the weights (issue 11).
        configured.app.stack.routeFunctions.migrations.executionRole,
        configured.app.stack.modelAutoRollback.function.executionRole,
      ].sort(),
    );
    for (const { role, statements } of grants) {
      expect(actionsOf(statements), role.node.path).toEqual(['lambda:UpdateAlias']);
      expect(statements.flatMap(resourcesOf).map(flattenResource).sort(), role.node.path).toEqual(
        ['arn:<AWS::Partition>:lambda:<AWS::Region>:<AWS::AccountId>:function:fn-a', other].sort(),
      );
    }
    expect(new AwsSolutionsChecks().validateScope(configured.app.app).violations).toEqual([]);
  });

  it('takes a JSON array from cdk.json as well, and refuses wildcards, qualified ARNs and anything else that is not one function', () => {
    const fromArray = createStewardApp({ context: { ...SKIP_BUNDLING, lambdaAliasFunctions: ['fn-a', 'fn-a', 'fn-b'] } });
    expect(fromArray.stack.deploymentWorkflow.aliasFunctionArns).toHaveLength(2);
    for (const value of [
      '*',
      'fn-*',
      'arn:aws:lambda:eu-west-1:123456789012:function:fn:live',
      'arn:aws:lambda:eu-west-1:123456789012:function:*',
      'bad name',
    ]) {
      expect(() => createStewardApp({ context: { ...SKIP_BUNDLING, lambdaAliasFunctions: value } }), value).toThrow(/lambdaAliasFunctions/);
    }
  });
});

describe('secrets', () => {
  const prefixArn = (stage: string) => `arn:<AWS::Partition>:secretsmanager:<AWS::Region>:<AWS::AccountId>:secret:${secretsPrefix(stage)}`;

  it("tell the secrets function where values live: the stage's prefix and the stack's key", () => {
    expect(variablesOf(template, dev.stack, dev.stack.routeFunctions.secrets)).toMatchObject({
      SECRETS_PREFIX: 'steward/dev/',
      SECRETS_KMS_KEY_ID: { 'Fn::GetAtt': [logicalId(dev.stack, dev.stack.table.encryptionKey), 'Arn'] },
    });
  });

  it('let the secrets function manage values under the prefix only, never deleting one without recovery', () => {
    const statements = roleStatements(dev.stack, template, dev.stack.routeFunctions.secrets.executionRole);
    const secretStatements = statementsFor(statements, 'secretsmanager:');
    expect(actionsOf(secretStatements).sort()).toEqual(
      [...SECRET_WRITE_ACTIONS, 'secretsmanager:DeleteSecret', 'secretsmanager:TagResource'].sort(),
    );
    for (const statement of secretStatements) expect(resourcesOf(statement).map(flattenResource)).toEqual([`${prefixArn('dev')}*`]);
    const deletes = secretStatements.find((statement) => actionsOf([statement]).includes('secretsmanager:DeleteSecret'));
    expect(deletes?.Condition).toEqual({ BoolIfExists: { 'secretsmanager:ForceDeleteWithoutRecovery': 'false' } });
    const tags = secretStatements.find((statement) => actionsOf([statement]).includes('secretsmanager:TagResource'));
    expect(tags?.Condition).toEqual({ 'ForAllValues:StringEquals': { 'aws:TagKeys': ['service', 'environment'] } });
    const viaSecretsManager = statementsFor(statements, 'kms:').filter((statement) =>
      JSON.stringify(statement.Condition).includes('secretsmanager.'),
    );
    expect(viaSecretsManager).toHaveLength(1);
    expect(actionsOf(viaSecretsManager).sort()).toEqual(['kms:Decrypt', 'kms:GenerateDataKey']);
    expect(resourcesOf(viaSecretsManager[0] as Statement)).toEqual([
      { 'Fn::GetAtt': [logicalId(dev.stack, dev.stack.table.encryptionKey), 'Arn'] },
    ]);
    expect(flattenResource(viaSecretsManager[0]?.Condition?.StringLike?.['kms:EncryptionContext:SecretARN'])).toBe(`${prefixArn('dev')}*`);
  });

  it("let the deployments function write only routers' signing secrets, and ShiftTraffic and RollBack only read them", () => {
    const routerSecrets = `${prefixArn('dev')}*/${ROUTER_SIGNING_SECRET_NAME}*`;
    expect(routerSecretRef('svc', 'env').name).toBe(ROUTER_SIGNING_SECRET_NAME);
    const { deployments } = dev.stack.routeFunctions;
    const { ShiftTraffic, RollBack } = dev.stack.deploymentWorkflow.taskFunctions;
    const writer = statementsFor(roleStatements(dev.stack, template, deployments.executionRole), 'secretsmanager:');
    expect(actionsOf(writer).sort()).toEqual([...SECRET_WRITE_ACTIONS, 'secretsmanager:TagResource'].sort());
    for (const fn of [deployments, ShiftTraffic, RollBack]) {
      const statements = statementsFor(roleStatements(dev.stack, template, fn.executionRole), 'secretsmanager:');
      for (const statement of statements) expect(resourcesOf(statement).map(flattenResource), fn.node.path).toEqual([routerSecrets]);
      expect(variablesOf(template, dev.stack, fn)).toMatchObject({ SECRETS_PREFIX: 'steward/dev/' });
    }
    for (const fn of [ShiftTraffic, RollBack]) {
      expect(actionsOf(statementsFor(roleStatements(dev.stack, template, fn.executionRole), 'secretsmanager:')), fn.node.path).toEqual([
        'secretsmanager:GetSecretValue',
      ]);
    }
  });

  it('reach no secret outside the prefix: only the bootstrap function reads its own secret, which is outside it', () => {
    const bootstrapRole = dev.stack.bootstrapAdminKey.function.executionRole;
    const secretRef = { Ref: logicalId(dev.stack, dev.stack.bootstrapAdminKey.secret) };
    const holders: string[] = [];
    for (const { role, statements } of allRoleStatements(dev.stack, template)) {
      for (const statement of statementsFor(statements, 'secretsmanager:')) {
        holders.push(role.node.path);
        for (const resource of resourcesOf(statement)) {
          if (role === bootstrapRole) expect(resource).toEqual(secretRef);
          else
            expect(flattenResource(resource), role.node.path).toMatch(
              new RegExp(`^${prefixArn('dev').replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`),
            );
        }
      }
    }
    expect([...new Set(holders)].sort()).toEqual(
      [
        dev.stack.routeFunctions.secrets,
        dev.stack.routeFunctions.deployments,
        dev.stack.routeFunctions.alerts,
        dev.stack.routeFunctions['health-checks'],
        dev.stack.healthCheckRunner.function,
        dev.stack.notifications.dispatcher,
        dev.stack.deploymentWorkflow.taskFunctions.ShiftTraffic,
        dev.stack.deploymentWorkflow.taskFunctions.RollBack,
        // A model promotion rolled back on a critical alert pushes weights through the traffic drivers (issue 10).
        dev.stack.modelAutoRollback.function,
        // A running migration plan's cancel cancels its deployment, restoring weights through the drivers (issue 11).
        dev.stack.routeFunctions.migrations,
        dev.stack.bootstrapAdminKey.function,
        // /health/deep asks the secret store for one probe secret that is never created.
        dev.stack.routeFunctions.system,
      ]
        .map((fn) => fn.executionRole.node.path)
        .sort(),
    );
    // CloudFormation names the bootstrap secret; it is never under steward/<stage>/.
    expect(resourceOf(template, dev.stack, dev.stack.bootstrapAdminKey.secret).Properties.Name).toBeUndefined();
  });

  it("let health checks read the secrets their headers name, and only the health-checks function keep checks' credentials", () => {
    const checkSecrets = `${prefixArn('dev')}steward-health-checks/steward/steward-check-headers-*`;
    const grants = (fn: StewardFunction) =>
      statementsFor(roleStatements(dev.stack, template, fn.executionRole), 'secretsmanager:')
        .map((statement) => [actionsOf([statement]).sort(), resourcesOf(statement).map(flattenResource)])
        .sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));
    expect(grants(dev.stack.healthCheckRunner.function)).toEqual([[['secretsmanager:GetSecretValue'], [`${prefixArn('dev')}*`]]]);
    const routeGrants = grants(dev.stack.routeFunctions['health-checks']);
    expect(routeGrants).toContainEqual([['secretsmanager:GetSecretValue'], [`${prefixArn('dev')}*`]]);
    const writes = routeGrants.filter(([actions]) => (actions as string[]).some((action) => action !== 'secretsmanager:GetSecretValue'));
    for (const [, resources] of writes) expect(resources).toEqual([checkSecrets]);
    expect(writes.flatMap(([actions]) => actions as string[]).sort()).toEqual(
      [...SECRET_WRITE_ACTIONS, 'secretsmanager:DeleteSecret', 'secretsmanager:TagResource'].sort(),
    );
    for (const fn of [dev.stack.healthCheckRunner.function, dev.stack.routeFunctions['health-checks']]) {
      expect(variablesOf(template, dev.stack, fn), fn.node.path).toMatchObject({ SECRETS_PREFIX: 'steward/dev/' });
    }
  });

  it('follow the stage: prod keeps its values under steward/prod/', () => {
    const prod = synth({ stage: 'prod' });
    const secrets = prod.app.stack.routeFunctions.secrets;
    expect(variablesOf(prod.template, prod.app.stack, secrets).SECRETS_PREFIX).toBe('steward/prod/');
    const resources = statementsFor(roleStatements(prod.app.stack, prod.template, secrets.executionRole), 'secretsmanager:').flatMap(
      resourcesOf,
    );
    expect(new Set(resources.map(flattenResource))).toEqual(new Set([`${prefixArn('prod')}*`]));
  });
});

describe('secret expiry', () => {
  it('runs every hour on an EventBridge schedule, with table access and no secret values', () => {
    const fn = dev.stack.secretExpiry.function;
    template.hasResourceProperties('AWS::Events::Rule', {
      ScheduleExpression: 'rate(1 hour)',
      State: 'ENABLED',
      Targets: [Match.objectLike({ Arn: { 'Fn::GetAtt': [logicalId(dev.stack, fn), 'Arn'] } })],
    });
    const actions = actionsOf(roleStatements(dev.stack, template, fn.executionRole));
    expect(actions).toEqual(expect.arrayContaining([...TABLE_WRITE_ACTIONS]));
    expect(actions.filter((action) => !/^(logs|xray|dynamodb|kms):/.test(action))).toEqual([]);
    expect(variablesOf(template, dev.stack, fn)).not.toHaveProperty('SECRETS_PREFIX');
  });

  it.each([
    // The runner also reads the secret values its checks' headers send (asserted under secrets).
    ['the health checks', () => dev.stack.healthCheckRunner.function, ['secretsmanager:GetSecretValue']],
    ['the alert rule evaluator', () => dev.stack.alertEvaluator.function, []],
    // Starts a scheduled migration plan's deployment (issue 11): starts executions, reads whether one runs; nothing else.
    ['the migration scheduler', () => dev.stack.migrationScheduler.function, ['states:DescribeExecution', 'states:StartExecution']],
  ])('runs %s every minute, with table access (and no more than it needs)', (_name, functionOf, more) => {
    const fn = functionOf();
    template.hasResourceProperties('AWS::Events::Rule', {
      ScheduleExpression: 'rate(1 minute)',
      State: 'ENABLED',
      Targets: [Match.objectLike({ Arn: { 'Fn::GetAtt': [logicalId(dev.stack, fn), 'Arn'] } })],
    });
    const actions = actionsOf(roleStatements(dev.stack, template, fn.executionRole));
    expect(actions).toEqual(expect.arrayContaining([...TABLE_WRITE_ACTIONS]));
    expect(actions.filter((action) => !/^(logs|xray|dynamodb|kms):/.test(action)).sort()).toEqual(more);
  });
});

describe('outputs', () => {
  it('give the API and docs URLs, the table, and the secret with the command that reads it', () => {
    template.hasOutput('ApiUrl', { Value: Match.anyValue() });
    template.hasOutput('DocsUrl', { Value: { 'Fn::Join': ['', Match.arrayWith(['/docs'])] } });
    template.hasOutput('TableName', { Value: { Ref: logicalId(dev.stack, dev.stack.table.table) } });
    template.hasOutput('BootstrapAdminKeySecretArn', {
      Value: { Ref: logicalId(dev.stack, dev.stack.bootstrapAdminKey.secret) },
      Description: Match.stringLikeRegexp(
        'aws secretsmanager get-secret-value --secret-id .*--stack-name Steward-dev.* --query SecretString --output text',
      ),
    });
    template.hasOutput('DeploymentStateMachineArn', { Value: { Ref: logicalId(dev.stack, dev.stack.deploymentWorkflow.stateMachine) } });
    template.hasOutput('SecretsPrefix', { Value: 'steward/dev/' });
  });
});

describe('cdk-nag AwsSolutions', () => {
  it('leaves no unacknowledged finding, error or warning', () => {
    const report = new AwsSolutionsChecks().validateScope(dev.app);
    expect(
      report.violations.map((violation) => `${violation.ruleName} ${violation.violatingResources.map((r) => r.constructPath).join(', ')}`),
    ).toEqual([]);
    expect(report.success).toBe(true);
    const annotations = Annotations.fromStack(dev.stack);
    expect(annotations.findError('*', Match.anyValue())).toEqual([]);
    expect(annotations.findWarning('*', Match.anyValue())).toEqual([]);
  });

  it('passes for prod too', () => {
    const prod = synth({ stage: 'prod' });
    expect(new AwsSolutionsChecks().validateScope(prod.app.app).violations).toEqual([]);
  });

  it('acknowledges each IAM5 finding (wildcard resource or action) on its own, where it arises: no blanket, no stale acknowledgement', () => {
    const acknowledged = (construct: IConstruct): string[] =>
      construct.node.metadata
        .filter((entry) => entry.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
        .flatMap((entry) => Object.keys(entry.data as Record<string, string>))
        // Recorded with the validation plugin's namespace, e.g. `Annotation::AwsSolutions-IAM5[...]`.
        .map((id) => id.replace(/^\w+::(?=AwsSolutions-)/, ''))
        .filter((id) => id.startsWith('AwsSolutions-IAM5'));
    const findings = new Map<IConstruct, string[]>();
    for (const policy of dev.stack.node.findAll().filter((construct): construct is CfnPolicy => construct instanceof CfnPolicy)) {
      const document = Stack.of(policy).resolve(policy.policyDocument) as { Statement: Statement[] };
      const allowed = document.Statement.filter((statement) => statement.Effect === 'Allow');
      const wildcards = allowed
        .flatMap(resourcesOf)
        .map(flattenResource)
        .filter((resource) => resource.includes('*'));
      // Wildcard actions: only BucketDeployment's grants (the console's files) have them.
      const wildcardActions = actionsOf(allowed).filter((action) => action.includes('*'));
      findings.set(policy, [
        ...[...new Set(wildcards)].map((resource) => `AwsSolutions-IAM5[Resource::${resource}]`),
        ...[...new Set(wildcardActions)].map((action) => `AwsSolutions-IAM5[Action::${action}]`),
      ]);
    }
    const ancestors = (construct: IConstruct) => construct.node.scopes;
    for (const [policy, ids] of findings) {
      const covering = ancestors(policy).flatMap(acknowledged);
      for (const id of ids) expect(covering, `${policy.node.path}: ${id}`).toContain(id);
    }
    for (const construct of dev.app.node.findAll()) {
      for (const id of acknowledged(construct)) {
        expect(id).toMatch(/^AwsSolutions-IAM5\[(Resource|Action)::.+\]$/);
        const beneath = [...findings].filter(([policy]) => ancestors(policy).includes(construct)).flatMap(([, ids]) => ids);
        expect(beneath, `${construct.node.path} acknowledges ${id}`).toContain(id);
      }
    }
  });

  it('gives every acknowledgement a specific reason', () => {
    const acknowledgements = dev.app.node
      .findAll()
      .flatMap((construct) => construct.node.metadata.filter((entry) => entry.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY))
      .flatMap((entry) => Object.entries(entry.data as Record<string, string>));
    expect(acknowledgements.length).toBeGreaterThan(0);
    for (const [id, reason] of acknowledgements) {
      expect(id).toMatch(/AwsSolutions-[A-Z]+\d+/);
      expect(typeof reason === 'string' && reason.trim().length, id).toBeGreaterThan(40);
    }
  });
});

describe('notifications', () => {
  const resourcesOfType = (type: string) =>
    Object.entries(template.toJSON().Resources as Record<string, { Type: string; Properties: Record<string, any> }>).filter(
      ([, resource]) => resource.Type === type,
    );

  it('has one SNS topic, encrypted with the stack key, that refuses publishing without TLS', () => {
    const topicId = logicalId(dev.stack, dev.stack.notifications.topic);
    template.resourceCountIs('AWS::SNS::Topic', 1);
    template.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^DataKey'), 'Arn'] } });
    template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      Topics: [{ Ref: topicId }],
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Action: 'sns:Publish', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        ]),
      },
    });
  });

  it('feeds the publisher from the table stream: every inserted event item (published types go to the topic, all to the live stream)', () => {
    template.hasResourceProperties('AWS::DynamoDB::Table', { StreamSpecification: { StreamViewType: 'NEW_IMAGE' } });
    const [mapping] = resourcesOfType('AWS::Lambda::EventSourceMapping').filter(([, resource]) =>
      JSON.stringify(resource.Properties.FunctionName).includes(logicalId(dev.stack, dev.stack.notifications.publisher)),
    );
    expect(mapping).toBeDefined();
    const properties = mapping?.[1].Properties as Record<string, any>;
    expect(properties).toMatchObject({
      StartingPosition: 'LATEST',
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      DestinationConfig: {
        OnFailure: { Destination: { 'Fn::GetAtt': [logicalId(dev.stack, dev.stack.notifications.deadLetters), 'Arn'] } },
      },
    });
    const pattern = JSON.parse(properties.FilterCriteria.Filters[0].Pattern);
    expect(pattern).toEqual({
      eventName: ['INSERT'],
      dynamodb: {
        NewImage: {
          entity: { S: ['event'] },
        },
      },
    });
  });

  it('lets the publisher publish to the topic and touch nothing in the table but the publishedAt mark', () => {
    // What it is allowed; its one deny (API key items) is asserted with every writer's under functions.
    const statements = roleStatements(dev.stack, template, dev.stack.notifications.publisher.executionRole).filter(
      (statement) => statement.Effect === 'Allow',
    );
    const actions = actionsOf(statements);
    expect(actions).toContain('sns:Publish');
    // DeleteItem: a WebSocket connection that is gone (410) is forgotten.
    expect(actions.filter((action) => /^dynamodb:(Put|Delete|BatchWrite)/.test(action))).toEqual(['dynamodb:DeleteItem']);
    const update = statements.find((statement) => actionsOf([statement]).includes('dynamodb:UpdateItem'));
    expect(update?.Condition).toEqual({
      'ForAllValues:StringEquals': { 'dynamodb:Attributes': [PARTITION_KEY, SORT_KEY, 'publishedAt', 'GSI4PK', 'GSI4SK'] },
      StringEqualsIfExists: { 'dynamodb:ReturnValues': 'NONE' },
    });
  });

  it('subscribes the dispatcher to the whole topic, retries it twice, and sends what fails to the dead-letter queue', () => {
    const dispatcherId = logicalId(dev.stack, dev.stack.notifications.dispatcher);
    const queueArn = { 'Fn::GetAtt': [logicalId(dev.stack, dev.stack.notifications.deadLetters), 'Arn'] };
    template.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'lambda',
      Endpoint: { 'Fn::GetAtt': [dispatcherId, 'Arn'] },
      RedrivePolicy: { deadLetterTargetArn: queueArn },
    });
    template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
      FunctionName: { Ref: dispatcherId },
      MaximumRetryAttempts: 2,
      DestinationConfig: { OnFailure: { Destination: queueArn } },
    });
    const actions = actionsOf(roleStatements(dev.stack, template, dev.stack.notifications.dispatcher.executionRole));
    expect(actions).toEqual(expect.arrayContaining(['sqs:SendMessage', 'secretsmanager:GetSecretValue']));
    expect(actions.filter((action) => /^secretsmanager:(Create|Put|Delete|Update)/.test(action))).toEqual([]);
  });

  it('encrypts the dead-letter queue, requires TLS, and alarms as soon as anything lands in it', () => {
    template.hasResourceProperties('AWS::SQS::Queue', { SqsManagedSseEnabled: true, MessageRetentionPeriod: 1_209_600 });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Namespace: 'AWS/SQS',
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      Dimensions: [
        { Name: 'QueueName', Value: { 'Fn::GetAtt': [logicalId(dev.stack, dev.stack.notifications.deadLetters), 'QueueName'] } },
      ],
    });
  });

  it('gives the health-check runner a whole 1 GB of memory (and its share of CPU); other scheduled jobs 256 MB', () => {
    expect(resourceOf(template, dev.stack, dev.stack.healthCheckRunner.function).Properties.MemorySize).toBe(1024);
    expect(resourceOf(template, dev.stack, dev.stack.alertEvaluator.function).Properties.MemorySize).toBe(256);
  });

  it('lets the reconciler publish what the stream publisher missed (the publish sweep)', () => {
    const actions = actionsOf(roleStatements(dev.stack, template, dev.stack.reconciler.function.executionRole));
    expect(actions).toContain('sns:Publish');
    expect(resourceOf(template, dev.stack, dev.stack.reconciler.function).Properties).toMatchObject({
      Environment: { Variables: { NOTIFICATION_TOPIC_ARN: { Ref: logicalId(dev.stack, dev.stack.notifications.topic) } } },
    });
  });

  it('lets the alerts function manage subscriptions of this topic only', () => {
    const topicRef = { Ref: logicalId(dev.stack, dev.stack.notifications.topic) };
    const statements = roleStatements(dev.stack, template, dev.stack.routeFunctions.alerts.executionRole);
    const subscribe = statements.find((statement) => actionsOf([statement]).includes('sns:Subscribe'));
    expect(resourcesOf(subscribe as Statement)).toEqual([topicRef]);
    const manage = statements.find((statement) => actionsOf([statement]).includes('sns:Unsubscribe'));
    expect(resourcesOf(manage as Statement)).toEqual([topicRef, { 'Fn::Join': ['', [topicRef, ':*']] }]);
    expect(actionsOf([manage as Statement]).sort()).toEqual([
      'sns:GetSubscriptionAttributes',
      'sns:SetSubscriptionAttributes',
      'sns:Unsubscribe',
    ]);
    expect(actionsOf(statements)).not.toContain('sns:Publish');
  });
});

describe('contract documents (issue 11)', () => {
  it('keep OpenAPI documents in a private, versioned, KMS-encrypted, TLS-only bucket with access logs', () => {
    const bucket = resourceOf(template, dev.stack, dev.stack.contractDocuments.bucket).Properties;
    expect(bucket).toMatchObject({
      BucketEncryption: {
        ServerSideEncryptionConfiguration: [
          { ServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: expect.anything() }, BucketKeyEnabled: true },
        ],
      },
      VersioningConfiguration: { Status: 'Enabled' },
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      },
      LoggingConfiguration: { DestinationBucketName: { Ref: logicalId(dev.stack, dev.stack.contractDocuments.accessLogs) } },
    });
    // Direct uploads are read once, when completed: gone a day later.
    expect((bucket as { LifecycleConfiguration: { Rules: unknown[] } }).LifecycleConfiguration.Rules).toContainEqual(
      expect.objectContaining({ Prefix: 'uploads/', ExpirationInDays: 1, Status: 'Enabled' }),
    );
    const policy = template.toJSON().Resources[logicalId(dev.stack, dev.stack.contractDocuments.bucket.policy!)].Properties.PolicyDocument;
    expect(JSON.stringify(policy)).toContain('"aws:SecureTransport":"false"');
  });

  it('let only the contract functions and the release gate (versions) read or write documents, under their two prefixes, never list or delete', () => {
    const bucketArn = { 'Fn::GetAtt': [logicalId(dev.stack, dev.stack.contractDocuments.bucket), 'Arn'] };
    const allowed = [
      dev.stack.routeFunctions['api-contracts'],
      dev.stack.routeFunctions['openapi-uploads'],
      dev.stack.routeFunctions.migrations,
      dev.stack.routeFunctions.versions,
    ];
    const uploads = { 'Fn::Join': ['', [bucketArn, '/uploads/*']] };
    for (const fn of stewardFunctions(dev.stack)) {
      const statements = roleStatements(dev.stack, template, fn.executionRole).filter((statement) =>
        actionsOf([statement]).some((action) => action.startsWith('s3:')),
      );
      if (!allowed.includes(fn)) {
        expect(statements, fn.node.path).toEqual([]);
        continue;
      }
      const documents = statements.filter((statement) => JSON.stringify(resourcesOf(statement)) !== JSON.stringify([uploads]));
      expect(actionsOf(documents).sort(), fn.node.path).toEqual(['s3:GetObject', 's3:PutObject']);
      expect(resourcesOf(documents[0] as Statement)).toEqual([
        { 'Fn::Join': ['', [bucketArn, '/openapi/*']] },
        { 'Fn::Join': ['', [bucketArn, '/reports/*']] },
      ]);
      // Direct uploads (documents past a Lambda request's 6 MB): only the openapi-uploads function presigns and reads them.
      const direct = statements.filter((statement) => JSON.stringify(resourcesOf(statement)) === JSON.stringify([uploads]));
      if (fn === dev.stack.routeFunctions['openapi-uploads']) {
        expect(direct.map((statement) => actionsOf([statement]).sort())).toEqual([['s3:GetObject', 's3:PutObject']]);
      } else {
        expect(direct, fn.node.path).toEqual([]);
      }
      expect(resourceOf(template, dev.stack, fn).Properties).toMatchObject({
        Environment: { Variables: { CONTRACTS_BUCKET: { Ref: logicalId(dev.stack, dev.stack.contractDocuments.bucket) } } },
      });
    }
  });
});
