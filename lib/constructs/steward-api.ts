import { type Duration, type RemovalPolicy, Validations } from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import { HttpApi, HttpMethod, HttpRoute, HttpRouteKey, HttpStage, LogGroupLogDestination } from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaAuthorizer, HttpLambdaResponseType } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import type { Contract, RouteGroup } from '#kernel/http/operation';

/** The header API keys arrive in; also the authorizer's cache key. */
export const AUTHORIZATION_IDENTITY_SOURCE = '$request.header.Authorization';

export interface StewardApiProps {
  stage: string;
  /** Every route of the API (`allContracts`): one HTTP API route each. */
  operations: readonly Contract[];
  /** The Lambda that serves each route group. */
  routeFunctions: Record<RouteGroup, IFunction>;
  /** Serves `$default`: a problem+json 404, or 405 with `Allow`, for anything no route matches. */
  fallbackFunction: IFunction;
  /** Resolves the API key into the caller's identity for the route handlers. */
  authorizerFunction: IFunction;
  /** How long API Gateway caches an authorizer answer per Authorization header. */
  authorizerCacheTtl: Duration;
  throttle: { rateLimit: number; burstLimit: number };
  logRetention: RetentionDays;
  /** For the access log group. */
  removalPolicy: RemovalPolicy;
}

/**
 * The HTTP API: one route per operation to the Lambda of its group, a Lambda authorizer on every
 * non-public route, `$default` to the fallback, JSON access logs and default-stage throttling.
 */
export class StewardApi extends Construct {
  readonly httpApi: HttpApi;
  readonly defaultStage: HttpStage;
  readonly accessLogGroup: LogGroup;
  readonly routes: HttpRoute[] = [];

  constructor(scope: Construct, id: string, props: StewardApiProps) {
    super(scope, id);

    this.httpApi = new HttpApi(this, 'HttpApi', {
      apiName: `steward-${props.stage}`,
      description: `Steward control plane (${props.stage})`,
      // The default stage is made below, because only an explicit stage takes throttling and access logs.
      createDefaultStage: false,
    });

    this.accessLogGroup = new LogGroup(this, 'AccessLogs', { retention: props.logRetention, removalPolicy: props.removalPolicy });
    this.defaultStage = new HttpStage(this, 'DefaultStage', {
      httpApi: this.httpApi,
      autoDeploy: true,
      throttle: props.throttle,
      accessLogSettings: { destination: new LogGroupLogDestination(this.accessLogGroup), format: accessLogFormat() },
    });

    const authorizer = new HttpLambdaAuthorizer('ApiKeyAuthorizer', props.authorizerFunction, {
      authorizerName: `steward-${props.stage}-api-key`,
      responseTypes: [HttpLambdaResponseType.SIMPLE],
      identitySource: [AUTHORIZATION_IDENTITY_SOURCE],
      resultsCacheTtl: props.authorizerCacheTtl,
    });

    // One integration (and one invoke permission) per function, shared by all of its routes:
    // per-route permissions would grow each function's resource policy with every route.
    const integrations = new Map<IFunction, HttpLambdaIntegration>();
    const integrationFor = (fn: IFunction) => {
      let integration = integrations.get(fn);
      if (!integration) {
        integration = new HttpLambdaIntegration(`${fn.node.id}Integration`, fn, { scopePermissionToRoute: false });
        integrations.set(fn, integration);
      }
      return integration;
    };

    for (const operation of props.operations) {
      const route = new HttpRoute(this, `Route-${operation.operationId}`, {
        httpApi: this.httpApi,
        routeKey: HttpRouteKey.with(operation.path, HttpMethod[operation.method]),
        integration: integrationFor(props.routeFunctions[operation.group]),
        authorizer: operation.access === 'public' ? undefined : authorizer,
      });
      if (operation.access === 'public') {
        Validations.of(route).acknowledge({
          id: 'AwsSolutions-APIG4',
          reason: `${operation.method} ${operation.path} is public by design (docs/architecture.md §4: /, /health*, /openapi.json and /docs* need no API key).`,
        });
      }
      this.routes.push(route);
    }

    const fallback = new HttpRoute(this, 'Route-default', {
      httpApi: this.httpApi,
      routeKey: HttpRouteKey.DEFAULT,
      integration: integrationFor(props.fallbackFunction),
    });
    Validations.of(fallback).acknowledge({
      id: 'AwsSolutions-APIG4',
      reason:
        '$default only answers 404/405 problem+json for requests no route matches; it reads no data, and an authorizer here would turn those answers into bare 401s.',
    });
    this.routes.push(fallback);
  }

  /** The API's base URL, ending in `/`. */
  get url(): string {
    return this.defaultStage.url;
  }
}

/** One JSON object per request; every value quoted so a missing one (`-`) still parses. */
function accessLogFormat(): AccessLogFormat {
  return AccessLogFormat.custom(
    JSON.stringify({
      requestId: '$context.requestId',
      time: '$context.requestTime',
      ip: '$context.identity.sourceIp',
      userAgent: '$context.identity.userAgent',
      method: '$context.httpMethod',
      routeKey: '$context.routeKey',
      path: '$context.path',
      protocol: '$context.protocol',
      status: '$context.status',
      responseLength: '$context.responseLength',
      responseLatencyMs: '$context.responseLatency',
      integrationLatencyMs: '$context.integrationLatency',
      integrationError: '$context.integrationErrorMessage',
      keyId: '$context.authorizer.keyId',
      authorizerError: '$context.authorizer.error',
      error: '$context.error.message',
    }),
  );
}
