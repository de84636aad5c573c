import { Match, Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { flattenResource } from '../../lib/nag.ts';
import { createStewardApp, type StewardApp } from '../../lib/steward-app.ts';

/**
 * The AWS side of issue 12: the live stream's WebSocket API and the deep health probe's grants.
 * Synthesising runs cdk-nag (AwsSolutions): any unacknowledged finding throws in beforeAll.
 */

let app: StewardApp;
let template: Template;
let resources: Record<string, { Type: string; Properties: Record<string, any> }>;

beforeAll(() => {
  app = createStewardApp({ context: { 'aws:cdk:bundling-stacks': [] } });
  template = Template.fromStack(app.stack);
  resources = template.toJSON().Resources;
}, 120_000);

const ofType = (type: string) => Object.values(resources).filter((resource) => resource.Type === type);
const resolved = (value: unknown) => flattenResource(app.stack.resolve(value));
const logicalId = (construct: { node: { defaultChild?: unknown } }) =>
  app.stack.resolve((construct.node.defaultChild as { logicalId: string }).logicalId) as string;

/** Every statement of the policies attached to a function's role. */
function statementsOf(fn: { role?: { node: { defaultChild?: unknown } } }): Array<Record<string, any>> {
  const roleId = logicalId(fn.role as { node: { defaultChild?: unknown } });
  return ofType('AWS::IAM::Policy')
    .filter((policy) => (policy.Properties.Roles as Array<{ Ref: string }>).some((role) => role.Ref === roleId))
    .flatMap((policy) => policy.Properties.PolicyDocument.Statement as Array<Record<string, any>>);
}
const actionsOf = (statement: Record<string, any>) => [statement.Action].flat() as string[];

describe('the stream WebSocket API', () => {
  it('routes $connect (behind the API key authorizer), $disconnect and $default to the connection function', () => {
    template.hasResourceProperties('AWS::ApiGatewayV2::Api', {
      ProtocolType: 'WEBSOCKET',
      RouteSelectionExpression: '$request.body.action',
    });
    const routes = Object.fromEntries(
      ofType('AWS::ApiGatewayV2::Route')
        .filter((route) => ['$connect', '$disconnect'].includes(route.Properties.RouteKey))
        .map((route) => [route.Properties.RouteKey, route.Properties]),
    );
    expect(routes.$connect.AuthorizationType).toBe('CUSTOM');
    expect(routes.$disconnect.AuthorizationType ?? 'NONE').toBe('NONE');
    template.hasResourceProperties('AWS::ApiGatewayV2::Authorizer', { AuthorizerType: 'REQUEST', Name: 'steward-dev-stream-api-key' });
  });

  it('logs every connection and message of its live stage, and throttles it', () => {
    template.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      StageName: 'live',
      AutoDeploy: true,
      AccessLogSettings: { DestinationArn: Match.anyValue(), Format: Match.stringLikeRegexp('connectionId') },
      DefaultRouteSettings: Match.objectLike({ ThrottlingRateLimit: Match.anyValue(), ThrottlingBurstLimit: Match.anyValue() }),
    });
  });

  it('lets the publisher and the connection function post to connections of the live stage only', () => {
    const stream = app.stack.eventStream;
    for (const fn of [stream.connectionFunction, app.stack.notifications.publisher]) {
      const manage = statementsOf(fn).filter((statement) => actionsOf(statement).includes('execute-api:ManageConnections'));
      expect(manage).toHaveLength(1);
      expect(resolved(manage[0]?.Resource)).toMatch(
        /^arn:<AWS::Partition>:execute-api:<AWS::Region>:<AWS::AccountId>:<.*Api.*>\/live\/@connections\/\*$/,
      );
      const variables = resources[logicalId(fn)]?.Properties.Environment.Variables;
      expect(resolved(variables.STREAM_ENDPOINT)).toMatch(/^https:\/\/<.*Api.*>\.execute-api\.<AWS::Region>\.<AWS::URLSuffix>\/live$/);
    }
  });

  it('lets them write connection items (STREAMCONNS) and no other item', () => {
    const stream = app.stack.eventStream;
    for (const [fn, expected] of [
      [stream.connectionFunction, ['dynamodb:DeleteItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem']],
      [app.stack.notifications.publisher, ['dynamodb:DeleteItem']],
    ] as const) {
      const writes = statementsOf(fn).filter(
        (statement) =>
          statement.Effect === 'Allow' && actionsOf(statement).some((action) => /dynamodb:(Put|Delete|BatchWrite)Item/.test(action)),
      );
      expect(writes).toHaveLength(1);
      expect([...actionsOf(writes[0] ?? {})].sort()).toEqual(expected);
      expect(writes[0]?.Condition).toEqual({ 'ForAllValues:StringEquals': { 'dynamodb:LeadingKeys': ['STREAMCONNS'] } });
    }
  });

  it('feeds the publisher every inserted event, so the stream carries all of them', () => {
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      FilterCriteria: {
        Filters: [{ Pattern: JSON.stringify({ eventName: ['INSERT'], dynamodb: { NewImage: { entity: { S: ['event'] } } } }) }],
      },
    });
  });

  it('says where to connect', () => {
    template.hasOutput('StreamUrl', { Value: Match.anyValue() });
  });
});

describe('the deep health probe', () => {
  it('may describe the state machine, read the topic and one never-created secret', () => {
    const statements = statementsOf(app.stack.routeFunctions.system);
    const byAction = (action: string) => statements.filter((statement) => actionsOf(statement).includes(action));
    expect(byAction('states:DescribeStateMachine')).toHaveLength(1);
    expect(byAction('sns:GetTopicAttributes')).toHaveLength(1);
    const secret = byAction('secretsmanager:GetSecretValue');
    expect(secret).toHaveLength(1);
    expect(resolved(secret[0]?.Resource)).toMatch(/secret:steward\/dev\/steward-health\/probe\/probe\*$/);
  });
});

describe('rate limits', () => {
  it('are on in every API function, which may write bucket items (RATE#…) and, read-only ones, nothing else', () => {
    for (const fn of Object.values(app.stack.routeFunctions)) {
      const variables = resources[logicalId(fn)]?.Properties.Environment.Variables;
      expect(variables.STEWARD_RATE_LIMITS).toBe('on');
      const buckets = statementsOf(fn).filter((statement) => statement.Condition?.['ForAllValues:StringLike']?.['dynamodb:LeadingKeys']);
      expect(buckets).toHaveLength(1);
      expect(buckets[0]?.Condition['ForAllValues:StringLike']['dynamodb:LeadingKeys']).toEqual(['RATE#*']);
      expect([...actionsOf(buckets[0] ?? {})].sort()).toEqual(['dynamodb:GetItem', 'dynamodb:PutItem']);
    }
    const audit = statementsOf(app.stack.routeFunctions.audit).filter(
      (statement) => statement.Effect === 'Allow' && actionsOf(statement).includes('dynamodb:PutItem'),
    );
    expect(audit.every((statement) => statement.Condition?.['ForAllValues:StringLike'])).toBe(true);
  });
});

describe('JWT sign-in', () => {
  it('makes a Cognito user pool (MFA, strong passwords, no self sign-up) with a group per role when no issuer is named', () => {
    template.hasResourceProperties('AWS::Cognito::UserPool', {
      MfaConfiguration: 'ON',
      AdminCreateUserConfig: { AllowAdminCreateUserOnly: true },
      Policies: { PasswordPolicy: Match.objectLike({ MinimumLength: 12, RequireSymbols: true }) },
    });
    const groups = ofType('AWS::Cognito::UserPoolGroup').map((group) => group.Properties.GroupName);
    expect(groups.sort()).toEqual(['steward-admin', 'steward-deployer', 'steward-ingest', 'steward-viewer']);
  });

  it("tells both authorizers the pool's issuer, client and group claim", () => {
    for (const fn of [app.stack.authorizerFunction, app.stack.eventStream.authorizerFunction]) {
      const variables = resources[logicalId(fn)]?.Properties.Environment.Variables;
      expect(resolved(variables.STEWARD_JWT_ISSUER)).toMatch(/^https:\/\/cognito-idp\.<AWS::Region>\.amazonaws\.com\/<.*UserPool.*>$/);
      expect(resolved(variables.STEWARD_JWT_AUDIENCE)).toMatch(/^<.*Client.*>$/);
      expect(variables.STEWARD_JWT_ROLES_CLAIM).toBe('cognito:groups');
    }
  });

  it('uses an issuer named in CDK context instead, and makes no pool', () => {
    const named = createStewardApp({
      context: {
        'aws:cdk:bundling-stacks': [],
        jwtIssuer: 'https://login.example.com/realms/ops',
        jwtAudience: 'steward',
        jwtRolesClaim: 'roles',
      },
    });
    const namedTemplate = Template.fromStack(named.stack);
    namedTemplate.resourceCountIs('AWS::Cognito::UserPool', 0);
    const fnId = named.stack.resolve(
      (named.stack.authorizerFunction.node.defaultChild as unknown as { logicalId: string }).logicalId,
    ) as string;
    expect(namedTemplate.toJSON().Resources[fnId].Properties.Environment.Variables).toMatchObject({
      STEWARD_JWT_ISSUER: 'https://login.example.com/realms/ops',
      STEWARD_JWT_AUDIENCE: 'steward',
      STEWARD_JWT_ROLES_CLAIM: 'roles',
    });
  }, 120_000);
});
