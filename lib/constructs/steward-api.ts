import { type CfnResource, Duration, type RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import { type CfnApi, HttpApi, HttpMethod, HttpRoute, HttpRouteKey, HttpStage, LogGroupLogDestination } from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaAuthorizer, HttpLambdaResponseType } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import { PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import { AwsCustomResource, AwsCustomResourcePolicy, Logging, PhysicalResourceId } from 'aws-cdk-lib/custom-resources';
import { Construct } from 'constructs';
import type { Contract, RouteGroup } from '#kernel/http/operation';
import { CONSOLE_CORS } from '../console-policy.ts';

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
  /** Sets the API's CORS configuration once the browser origin (the console's) is known: `allowBrowserOrigin`. */
  cors?: AwsCustomResource;
  private readonly props: StewardApiProps;

  constructor(scope: Construct, id: string, props: StewardApiProps) {
    super(scope, id);
    this.props = props;

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
        '$default only answers 404/405 problem+json for requests no route matches (and 204 to a CORS preflight for a route that exists); it reads no data, and an authorizer here would turn those answers into bare 401s.',
    });
    this.routes.push(fallback);
  }

  /**
   * Lets a browser page at `origin` (the web console's CloudFront origin, and only it) call the
   * API: API Gateway answers preflights itself and adds the CORS headers to every response, the
   * authorizer's 401 and 403 included. Methods are the API's own; request headers
   * Authorization, Content-Type, If-Match and Idempotency-Key; readable response headers ETag,
   * Location, Retry-After and the RateLimit pair; no cookies (credentials are bearer tokens).
   *
   * Set after the API exists, by a custom resource calling UpdateApi: the console's origin is
   * the distribution's domain, and the distribution's CSP names this API's URL, so writing the
   * origin into the API's own CORS property would make the two resources wait for each other.
   * The call is made again whenever the origin, the settings or the API's own properties change
   * (a CloudFormation update of the API may reset what it does not know).
   */
  allowBrowserOrigin(origin: string): AwsCustomResource {
    if (this.cors) throw new Error('one browser origin is allowed');
    const api = this.httpApi.node.defaultChild as CfnApi;
    const stack = Stack.of(this);
    const apiId = this.httpApi.apiId;
    const methods = [...new Set(this.props.operations.map((operation) => operation.method))].sort();
    const corsConfiguration = {
      AllowOrigins: [origin],
      AllowMethods: methods,
      AllowHeaders: [...CONSOLE_CORS.allowHeaders],
      ExposeHeaders: [...CONSOLE_CORS.exposeHeaders],
      MaxAge: CONSOLE_CORS.maxAgeSeconds,
      AllowCredentials: false,
    };
    const update = {
      service: 'ApiGatewayV2',
      action: 'UpdateApi',
      parameters: { ApiId: apiId, CorsConfiguration: corsConfiguration },
      physicalResourceId: PhysicalResourceId.of(`${apiId}-cors`),
      logging: Logging.withDataHidden(),
    };
    const apiArn = `arn:${stack.partition}:apigateway:${stack.region}::/apis/${apiId}`;
    const logGroup = new LogGroup(this, 'CorsLogs', { retention: this.props.logRetention, removalPolicy: this.props.removalPolicy });
    const role = new Role(this, 'CorsRole', {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description: `Steward ${this.props.stage}: sets the HTTP API's CORS configuration`,
    });
    logGroup.grantWrite(role);
    this.cors = new AwsCustomResource(this, 'Cors', {
      resourceType: 'Custom::StewardApiCors',
      onCreate: update,
      onUpdate: update,
      onDelete: {
        service: 'ApiGatewayV2',
        action: 'DeleteCorsConfiguration',
        parameters: { ApiId: apiId },
        ignoreErrorCodesMatching: 'NotFoundException',
      },
      policy: AwsCustomResourcePolicy.fromStatements([
        new PolicyStatement({ actions: ['apigateway:PATCH'], resources: [apiArn] }),
        new PolicyStatement({ actions: ['apigateway:DELETE'], resources: [`${apiArn}/cors`] }),
      ]),
      role,
      logGroup,
      installLatestAwsSdk: false,
      timeout: Duration.minutes(1),
    });
    // Run again after any update of the API resource itself.
    const custom = this.cors.node.findChild('Resource').node.defaultChild as CfnResource;
    custom.addPropertyOverride('ApiProperties', { Name: api.name, Description: api.description, ProtocolType: api.protocolType });
    return this.cors;
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
