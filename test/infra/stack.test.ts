import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type CfnResource, Validations } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import { beforeAll, describe, expect, it } from 'vitest';
import { allOperations } from '#api/index';
import type { RouteGroup } from '#http/operation';
import { INDEXES, PARTITION_KEY, SORT_KEY, TTL_ATTRIBUTE } from '#store/table-definition';
import { HANDLER_BUNDLING, HANDLER_ENTRIES } from '../../lib/bundling.ts';
import { StewardFunction } from '../../lib/constructs/steward-function.ts';
import { TABLE_WRITE_ACTIONS } from '../../lib/constructs/steward-table.ts';
import { createStewardApp, type StewardApp } from '../../lib/steward-app.ts';
import { ROUTE_GROUP_FUNCTIONS, type StewardStack } from '../../lib/steward-stack.ts';

// Only the dev stack is bundled (esbuild, every function): the other stages differ in settings,
// not code, so they skip bundling to keep this file quick.
const SKIP_BUNDLING = { 'aws:cdk:bundling-stacks': [] };

const packageVersion = (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;

let dev: StewardApp;
let template: Template;

beforeAll(() => {
  dev = createStewardApp();
  // Synthesises the app, which runs the AwsSolutions checks: any unacknowledged error throws here.
  template = Template.fromStack(dev.stack);
});

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
  it('one per route group, plus fallback, authorizer, reconcile and bootstrap, all from HANDLER_ENTRIES', () => {
    const names = stewardFunctions(dev.stack).map((fn) => fn.handlerName);
    const groups = Object.keys(ROUTE_GROUP_FUNCTIONS);
    for (const operation of allOperations) expect(groups, operation.operationId).toContain(operation.group);
    expect(names.sort()).toEqual([...groups, 'fallback', 'authorizer', 'reconcile', 'bootstrap-admin-key'].sort());
    for (const name of names) expect(HANDLER_ENTRIES).toContain(name);
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

  it('grant read-only groups no write actions, and writers their writes', () => {
    const readOnly = [
      dev.stack.routeFunctions.system,
      dev.stack.routeFunctions.audit,
      dev.stack.authorizerFunction,
      dev.stack.fallbackFunction,
    ];
    const readWrite = [
      dev.stack.routeFunctions.services,
      dev.stack.routeFunctions.versions,
      dev.stack.routeFunctions['api-keys'],
      dev.stack.reconciler.function,
      dev.stack.bootstrapAdminKey.function,
    ];
    const writes = /^(dynamodb:(\*|Put|Update|Delete|BatchWrite|Create|TransactWrite)|kms:(\*|Encrypt|GenerateDataKey|ReEncrypt))/;
    for (const fn of readOnly) {
      const actions = actionsOf(roleStatements(dev.stack, template, fn.executionRole));
      expect(actions, fn.handlerName).toEqual(expect.arrayContaining(['dynamodb:GetItem', 'dynamodb:Query', 'kms:Decrypt']));
      expect(
        actions.filter((action) => writes.test(action)),
        fn.handlerName,
      ).toEqual([]);
      expect(
        actions.filter((action) => action.startsWith('secretsmanager:')),
        fn.handlerName,
      ).toEqual([]);
    }
    for (const fn of readWrite) {
      const actions = actionsOf(roleStatements(dev.stack, template, fn.executionRole));
      expect(actions, fn.handlerName).toEqual(expect.arrayContaining([...TABLE_WRITE_ACTIONS, 'kms:GenerateDataKey']));
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
    template.resourceCountIs('AWS::ApiGatewayV2::Authorizer', 1);
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
    const routes = Object.values(template.findResources('AWS::ApiGatewayV2::Route')).map(
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

  it('writes JSON access logs to its own log group, and throttles the default stage', () => {
    const stages = Object.values(template.findResources('AWS::ApiGatewayV2::Stage'));
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
  it('runs every 5 minutes on an EventBridge schedule', () => {
    template.hasResourceProperties('AWS::Events::Rule', {
      ScheduleExpression: 'rate(5 minutes)',
      State: 'ENABLED',
      Targets: [Match.objectLike({ Arn: { 'Fn::GetAtt': [logicalId(dev.stack, dev.stack.reconciler.function), 'Arn'] } })],
    });
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
