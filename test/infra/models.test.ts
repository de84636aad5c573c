import { type CfnResource, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { createStewardApp, type StewardApp } from '../../lib/steward-app.ts';

/**
 * Issue 10 in the stack: the models route group's function, its routes behind the authorizer (the
 * ingest route among them: nothing public), and the daily deprecation job. Synthesised without
 * bundling (test/infra/stack.test.ts bundles every function once).
 */

let app: StewardApp;
let template: Template;

beforeAll(() => {
  app = createStewardApp({ context: { 'aws:cdk:bundling-stacks': [] } });
  template = Template.fromStack(app.stack);
}, 120_000);

const logicalId = (construct: { node: { defaultChild?: unknown } }) =>
  Stack.of(app.stack).resolve(((construct.node.defaultChild ?? construct) as CfnResource).logicalId) as string;

describe('the models feature on AWS', () => {
  it('routes every model route to the models function, behind the Lambda authorizer', () => {
    // Act
    const routes = Object.values(template.findResources('AWS::ApiGatewayV2::Route')).map(
      (route) => route.Properties as { RouteKey: string; AuthorizationType?: string },
    );

    // Assess
    for (const key of [
      'POST /v1/services/{name}/inferences',
      'GET /v1/services/{name}/versions/{version}/performance',
      'GET /v1/services/{name}/versions/{version}/evaluation',
      'GET /v1/services/{name}/compare',
      'PUT /v1/services/{name}/model-policy',
      'PUT /v1/services/{name}/aliases/{alias}',
      'GET /v1/services/{name}/versions/{version}/deployability',
      'GET /v1/models',
      'GET /v1/deprecations',
    ]) {
      expect(routes.find((route) => route.RouteKey === key)?.AuthorizationType, key).toBe('CUSTOM');
    }
    expect(app.stack.routeFunctions.models).toBeDefined();
  });

  it('runs the automatic rollback every minute', () => {
    // Assess
    template.hasResourceProperties('AWS::Events::Rule', {
      ScheduleExpression: 'rate(1 minute)',
      State: 'ENABLED',
      Targets: [Match.objectLike({ Arn: { 'Fn::GetAtt': [logicalId(app.stack.modelAutoRollback.function), 'Arn'] } })],
    });
  });

  it('runs the deprecation notices daily on an EventBridge schedule', () => {
    // Assess
    template.hasResourceProperties('AWS::Events::Rule', {
      ScheduleExpression: 'rate(1 day)',
      State: 'ENABLED',
      Targets: [Match.objectLike({ Arn: { 'Fn::GetAtt': [logicalId(app.stack.deprecationNotices.function), 'Arn'] } })],
    });
  });
});
