import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Validations } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { CONSOLE_CACHE_CONTROL, CONSOLE_CORS, consoleContentSecurityPolicy, consoleContentType } from '../../lib/console-policy.ts';
import { CONSOLE_SOURCE_DIR } from '../../lib/constructs/console-hosting.ts';
import { flattenResource } from '../../lib/nag.ts';
import { createStewardApp, type StewardApp } from '../../lib/steward-app.ts';

/**
 * The web console on AWS (issue 12): a private bucket behind CloudFront (Origin Access Control,
 * HTTPS only, the console's CSP and HSTS), its files and generated config.json deployed there,
 * the HTTP API's CORS for that origin only, and sign-in with the identity provider. Synthesising
 * runs cdk-nag (AwsSolutions): any unacknowledged finding throws in `synth`.
 */

const NO_BUNDLING = { 'aws:cdk:bundling-stacks': [] };

interface Synth {
  app: StewardApp;
  template: Template;
  resources: Record<string, { Type: string; Properties: Record<string, any>; DependsOn?: string | string[] }>;
  /** A value as cdk-nag prints it: `Ref`s as `<Id>`, `Fn::GetAtt`s as `<Id.Attribute>`. */
  flat: (value: unknown) => string;
  ofType: (type: string) => Array<{ id: string; Properties: Record<string, any> }>;
  logicalId: (construct: { node: { defaultChild?: unknown } }) => string;
}

function synth(context: Record<string, unknown> = {}): Synth {
  const app = createStewardApp({ context: { ...NO_BUNDLING, ...context } });
  const template = Template.fromStack(app.stack);
  const resources = template.toJSON().Resources as Synth['resources'];
  return {
    app,
    template,
    resources,
    flat: (value) => flattenResource(app.stack.resolve(value)),
    ofType: (type) =>
      Object.entries(resources)
        .filter(([, resource]) => resource.Type === type)
        .map(([id, resource]) => ({ id, Properties: resource.Properties })),
    logicalId: (construct) => app.stack.resolve((construct.node.defaultChild as { logicalId: string }).logicalId) as string,
  };
}

/** The config.json the deployment writes: its asset with the deploy-time markers replaced by what they stand for. */
function deployedConfig(s: Synth): Record<string, any> {
  const [deployment] = s.ofType('Custom::CDKBucketDeployment');
  const keys = deployment?.Properties.SourceObjectKeys as string[];
  const markers = deployment?.Properties.SourceMarkers as Array<Record<string, unknown>>;
  const index = markers.findIndex((entry) => Object.keys(entry).length > 0);
  const dir = join(s.app.app.synth().directory, `asset.${(keys[index] as string).replace(/\.zip$/, '')}`);
  expect(readdirSync(dir)).toEqual(['config.json']);
  let text = readFileSync(join(dir, 'config.json'), 'utf8');
  for (const [marker, value] of Object.entries(markers[index] as Record<string, unknown>)) text = text.split(marker).join(s.flat(value));
  return JSON.parse(text);
}

/** Every dependency cycle among a template's resources (Ref, Fn::GetAtt, Fn::Sub, DependsOn). */
function cycles(resources: Record<string, { Properties?: unknown; DependsOn?: string | string[] }>): string[][] {
  const ids = new Set(Object.keys(resources));
  const edges = new Map<string, Set<string>>();
  const collect = (node: unknown, into: Set<string>): void => {
    if (Array.isArray(node)) for (const item of node) collect(item, into);
    else if (node && typeof node === 'object') {
      const value = node as Record<string, unknown>;
      if (typeof value.Ref === 'string' && ids.has(value.Ref)) into.add(value.Ref);
      const getAtt = value['Fn::GetAtt'];
      if (Array.isArray(getAtt) && ids.has(String(getAtt[0]))) into.add(String(getAtt[0]));
      if (typeof value['Fn::Sub'] === 'string')
        for (const [, id] of value['Fn::Sub'].matchAll(/\$\{([^}.!]+)/g)) if (ids.has(id as string)) into.add(id as string);
      for (const child of Object.values(value)) collect(child, into);
    }
  };
  for (const [id, resource] of Object.entries(resources)) {
    const into = new Set<string>([resource.DependsOn ?? []].flat());
    collect(resource.Properties, into);
    edges.set(id, into);
  }
  const found: string[][] = [];
  const state = new Map<string, 'open' | 'done'>();
  const path: string[] = [];
  const visit = (id: string): void => {
    state.set(id, 'open');
    path.push(id);
    for (const next of edges.get(id) ?? []) {
      if (state.get(next) === 'open') found.push([...path.slice(path.indexOf(next)), next]);
      else if (!state.has(next)) visit(next);
    }
    path.pop();
    state.set(id, 'done');
  };
  for (const id of ids) if (!state.has(id)) visit(id);
  return found;
}

/** An `Fn::Join` of literal text (kept as it is: JSON, say) and references (as `<Id>`, `<Id.Attribute>`). */
function joined(value: unknown): string {
  if (typeof value === 'string') return value;
  const join = (value as { 'Fn::Join'?: [string, unknown[]] })['Fn::Join'];
  if (!join) return dev.flat(value);
  return join[1].map((part) => (typeof part === 'string' ? part : dev.flat(part))).join(join[0]);
}

/** A CloudFront Function's code, run here: it is plain JavaScript (cloudfront-js-2.0). */
function edgeHandler(code: string): (event: unknown) => any {
  return new Function(`${code}\nreturn handler;`)() as (event: unknown) => any;
}

let dev: Synth;

beforeAll(() => {
  dev = synth();
}, 120_000);

describe('the console bucket', () => {
  it('is private: public access blocked, objects owned by the bucket, encrypted, versioned, TLS only, with access logs', () => {
    const bucketId = dev.logicalId(dev.app.stack.console.bucket);
    const bucket = dev.resources[bucketId]?.Properties;
    expect(bucket).toMatchObject({
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      },
      OwnershipControls: { Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] },
      BucketEncryption: { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] },
      VersioningConfiguration: { Status: 'Enabled' },
      LoggingConfiguration: { DestinationBucketName: { Ref: dev.logicalId(dev.app.stack.console.logs) }, LogFilePrefix: 'console-bucket/' },
    });
    expect(bucket).not.toHaveProperty('WebsiteConfiguration');
  });

  it('lets only this distribution read it (Origin Access Control, scoped by AWS:SourceArn); everything else is denied without TLS', () => {
    const bucketId = dev.logicalId(dev.app.stack.console.bucket);
    const distributionId = dev.logicalId(dev.app.stack.console.distribution);
    const [policy] = dev.ofType('AWS::S3::BucketPolicy').filter((p) => p.Properties.Bucket.Ref === bucketId);
    const statements = policy?.Properties.PolicyDocument.Statement as Array<Record<string, any>>;
    const allows = statements.filter((statement) => statement.Effect === 'Allow');
    const cloudFront = allows.filter((statement) => statement.Principal?.Service === 'cloudfront.amazonaws.com');
    expect(cloudFront).toHaveLength(1);
    expect(cloudFront[0]?.Action).toEqual(['s3:GetObject', 's3:ListBucket']);
    expect(dev.flat(cloudFront[0]?.Condition.StringEquals['AWS:SourceArn'])).toBe(
      `arn:<AWS::Partition>:cloudfront::<AWS::AccountId>:distribution/<${distributionId}>`,
    );
    // Besides CloudFront, only the stack's empty-on-delete helper (dev stages) is allowed anything; nobody is allowed as "*".
    for (const statement of allows.filter((s) => s !== cloudFront[0])) {
      expect(dev.flat(statement.Principal.AWS)).toMatch(/^<CustomS3AutoDeleteObjectsCustomResourceProviderRole\w+\.Arn>$/);
    }
    expect(statements.find((s) => s.Effect === 'Deny')).toMatchObject({
      Action: 's3:*',
      Condition: { Bool: { 'aws:SecureTransport': 'false' } },
    });
  });

  it('keeps its objects when the prod stack is deleted: no empty-on-delete helper there', () => {
    const prod = synth({ stage: 'prod' });
    const bucketId = prod.logicalId(prod.app.stack.console.bucket);
    expect(prod.resources[bucketId]).toMatchObject({ DeletionPolicy: 'Retain' });
    const [policy] = prod.ofType('AWS::S3::BucketPolicy').filter((p) => p.Properties.Bucket.Ref === bucketId);
    if (!policy) throw new Error('no bucket policy');
    const allows = (policy.Properties.PolicyDocument.Statement as Array<Record<string, any>>).filter((s) => s.Effect === 'Allow');
    expect(allows.map((s) => s.Principal)).toEqual([{ Service: 'cloudfront.amazonaws.com' }]);
  }, 120_000);
});

describe('the distribution', () => {
  const distribution = () => dev.resources[dev.logicalId(dev.app.stack.console.distribution)]?.Properties.DistributionConfig;

  it('reaches the bucket through Origin Access Control (no OAI), over HTTPS only, GET and HEAD, with standard logs', () => {
    const config = distribution();
    const [origin] = config.Origins;
    expect(dev.flat(origin.DomainName)).toBe(`<${dev.logicalId(dev.app.stack.console.bucket)}.RegionalDomainName>`);
    expect(origin.OriginAccessControlId).toBeDefined();
    expect(origin.S3OriginConfig.OriginAccessIdentity).toBe('');
    dev.template.hasResourceProperties('AWS::CloudFront::OriginAccessControl', {
      OriginAccessControlConfig: { OriginAccessControlOriginType: 's3', SigningBehavior: 'always', SigningProtocol: 'sigv4' },
    });
    dev.template.resourceCountIs('AWS::CloudFront::CloudFrontOriginAccessIdentity', 0);
    expect(config.DefaultCacheBehavior).toMatchObject({ ViewerProtocolPolicy: 'https-only', AllowedMethods: ['GET', 'HEAD'] });
    expect(dev.flat(config.Logging.Bucket)).toBe(`<${dev.logicalId(dev.app.stack.console.logs)}.RegionalDomainName>`);
  });

  it('sends the console CSP (scripts from itself only; connections to the API, the stream and the token endpoint only; never framed), HSTS and no-cache', () => {
    const policyId = distribution().DefaultCacheBehavior.ResponseHeadersPolicyId.Ref;
    const config = dev.resources[policyId]?.Properties.ResponseHeadersPolicyConfig;
    const stack = dev.app.stack;
    const csp = dev.flat(config.SecurityHeadersConfig.ContentSecurityPolicy.ContentSecurityPolicy);
    const api = dev.flat(stack.api.url);
    const streamUrl = dev.flat(stack.eventStream.url);
    const tokenEndpoint = dev.flat(stack.identityProvider.tokenEndpoint);
    expect(api).toBe(`https://<${dev.logicalId(stack.api.httpApi)}>.execute-api.<AWS::Region>.<AWS::URLSuffix>/`);
    expect(streamUrl).toBe(`wss://<${dev.logicalId(stack.eventStream.api)}>.execute-api.<AWS::Region>.<AWS::URLSuffix>/live`);
    expect(tokenEndpoint).toBe('https://steward-dev-<AWS::AccountId>.auth.<AWS::Region>.amazoncognito.com/oauth2/token');
    expect(csp).toBe(consoleContentSecurityPolicy([api, streamUrl, tokenEndpoint]));
    expect(csp).toContain("script-src 'self';");
    expect(csp).toContain(`connect-src 'self' ${api} ${streamUrl} ${tokenEndpoint};`);
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toMatch(/unsafe-eval|script-src[^;]*unsafe-inline|\*/);
    expect(config.SecurityHeadersConfig).toMatchObject({
      ContentSecurityPolicy: { Override: true },
      StrictTransportSecurity: { AccessControlMaxAgeSec: 63_072_000, IncludeSubdomains: true, Override: true },
      ContentTypeOptions: { Override: true },
      FrameOptions: { FrameOption: 'DENY', Override: true },
      ReferrerPolicy: { ReferrerPolicy: 'no-referrer', Override: true },
    });
    expect(config.CustomHeadersConfig.Items).toEqual([{ Header: 'Cache-Control', Value: CONSOLE_CACHE_CONTROL, Override: true }]);
  });

  it('redirects / and /console to /console/, serves a folder as its index.html, and leaves other paths alone', () => {
    const [association] = distribution().DefaultCacheBehavior.FunctionAssociations.filter((a: any) => a.EventType === 'viewer-request');
    const routing = edgeHandler(dev.resources[association.FunctionARN['Fn::GetAtt'][0]]?.Properties.FunctionCode);
    for (const uri of ['/', '/console']) {
      expect(routing({ request: { uri } }), uri).toEqual({
        statusCode: 302,
        statusDescription: 'Found',
        headers: { location: { value: '/console/' } },
      });
    }
    expect(routing({ request: { uri: '/console/' } })).toEqual({ uri: '/console/index.html' });
    expect(routing({ request: { uri: '/console/app.js' } })).toEqual({ uri: '/console/app.js' });
    expect(routing({ request: { uri: '/package.json' } })).toEqual({ uri: '/package.json' });
  });

  it('labels each file with the content type the local server sends', () => {
    const [association] = distribution().DefaultCacheBehavior.FunctionAssociations.filter((a: any) => a.EventType === 'viewer-response');
    const types = edgeHandler(dev.resources[association.FunctionARN['Fn::GetAtt'][0]]?.Properties.FunctionCode);
    const label = (uri: string, statusCode = 200) =>
      types({ request: { uri }, response: { statusCode, headers: {} } }).headers['content-type']?.value;
    for (const uri of [
      '/console/app.js',
      '/console/app.css',
      '/console/index.html',
      '/console/config.json',
      '/console/vendor/x.MJS',
      '/console/logo.png',
      '/console/data.bin',
    ]) {
      expect(label(uri), uri).toBe(consoleContentType(uri));
    }
    expect(label('/console/')).toBe('text/html; charset=utf-8');
    expect(label('/console/missing.js', 404)).toBeUndefined();
  });

  it('is acknowledged for geo restriction, WAF and the default certificate’s TLS policy, with reasons', () => {
    const acknowledged = dev.app.stack.console.distribution.node.metadata
      .filter((entry) => entry.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
      .flatMap((entry) => Object.keys(entry.data as Record<string, string>))
      .map((id) => id.replace(/^\w+::/, ''));
    expect(acknowledged.sort()).toEqual(['AwsSolutions-CFR1', 'AwsSolutions-CFR2', 'AwsSolutions-CFR4']);
  });
});

describe('the deployed files', () => {
  it('are console/ as it is plus config.json, under console/, pruned, the distribution invalidated', () => {
    const [deployment] = dev.ofType('Custom::CDKBucketDeployment');
    expect(deployment?.Properties).toMatchObject({
      DestinationBucketKeyPrefix: 'console/',
      Prune: true,
      DistributionPaths: ['/console/*'],
      DistributionId: { Ref: dev.logicalId(dev.app.stack.console.distribution) },
      DestinationBucketName: { Ref: dev.logicalId(dev.app.stack.console.bucket) },
    });
    const keys = deployment?.Properties.SourceObjectKeys as string[];
    const staged = join(dev.app.app.synth().directory, `asset.${(keys[0] as string).replace(/\.zip$/, '')}`);
    expect(readdirSync(staged).sort()).toEqual(readdirSync(CONSOLE_SOURCE_DIR).sort());
  });

  it('include config.json naming the API, the stream and Cognito sign-in (the console client, the hosted domain)', () => {
    const stack = dev.app.stack;
    const pool = dev.logicalId(stack.identityProvider.userPool as never);
    const domain = dev.logicalId(stack.identityProvider.domain as never);
    const hosted = `https://<${domain}>.auth.<AWS::Region>.amazoncognito.com`;
    expect(deployedConfig(dev)).toEqual({
      apiUrl: dev.flat(stack.api.url),
      streamUrl: dev.flat(stack.eventStream.url),
      signIn: {
        issuer: `https://cognito-idp.<AWS::Region>.amazonaws.com/<${pool}>`,
        clientId: `<${dev.logicalId(stack.identityProvider.consoleClient as never)}>`,
        authorizationEndpoint: `${hosted}/oauth2/authorize`,
        tokenEndpoint: `${hosted}/oauth2/token`,
        scopes: ['openid', 'email', 'profile'],
      },
    });
  });
});

describe('the HTTP API for the console', () => {
  it("allows the distribution's origin, and only it, with the console's headers and the API's methods", () => {
    const [cors] = dev.ofType('Custom::StewardApiCors');
    const apiId = dev.logicalId(dev.app.stack.api.httpApi);
    for (const phase of ['Create', 'Update']) {
      const call = JSON.parse(joined(cors?.Properties[phase]));
      expect(call, phase).toMatchObject({ service: 'ApiGatewayV2', action: 'UpdateApi' });
      expect(call.parameters).toEqual({
        ApiId: `<${apiId}>`,
        CorsConfiguration: {
          AllowOrigins: [`https://<${dev.logicalId(dev.app.stack.console.distribution)}.DomainName>`],
          AllowMethods: ['DELETE', 'GET', 'PATCH', 'POST', 'PUT'],
          AllowHeaders: ['authorization', 'content-type', 'if-match', 'idempotency-key'],
          ExposeHeaders: ['etag', 'location', 'retry-after', 'ratelimit', 'ratelimit-policy'],
          MaxAge: CONSOLE_CORS.maxAgeSeconds,
          AllowCredentials: false,
        },
      });
    }
    expect(JSON.parse(joined(cors?.Properties.Delete))).toMatchObject({
      action: 'DeleteCorsConfiguration',
      parameters: { ApiId: `<${apiId}>` },
    });
    // Run again whenever the API resource itself changes.
    expect(cors?.Properties.ApiProperties).toEqual({
      Name: 'steward-dev',
      Description: 'Steward control plane (dev)',
      ProtocolType: 'HTTP',
    });
  });

  it('may change the CORS configuration of this API only', () => {
    const role = dev.logicalId(dev.app.stack.api.node.findChild('CorsRole') as never);
    const statements = dev
      .ofType('AWS::IAM::Policy')
      .filter((policy) => policy.Properties.Roles.some((r: { Ref: string }) => r.Ref === role))
      .flatMap((policy) => policy.Properties.PolicyDocument.Statement as Array<Record<string, any>>);
    const apiArn = `arn:<AWS::Partition>:apigateway:<AWS::Region>::/apis/<${dev.logicalId(dev.app.stack.api.httpApi)}>`;
    const apiStatements = statements.filter((s) => [s.Action].flat().some((a: string) => a.startsWith('apigateway:')));
    expect(apiStatements.map((s) => [s.Action, dev.flat(s.Resource)])).toEqual([
      ['apigateway:PATCH', apiArn],
      ['apigateway:DELETE', `${apiArn}/cors`],
    ]);
  });

  it('leaves CORS off the API resource, so the API and the distribution (whose CSP names the API) do not wait for each other', () => {
    expect(dev.resources[dev.logicalId(dev.app.stack.api.httpApi)]?.Properties).not.toHaveProperty('CorsConfiguration');
    expect(cycles(dev.resources)).toEqual([]);
    // The check finds a cycle where there is one.
    expect(cycles({ A: { Properties: { x: { Ref: 'B' } } }, B: { Properties: { y: { 'Fn::GetAtt': ['A', 'Arn'] } } } })).toEqual([
      ['A', 'B', 'A'],
    ]);
  });

  it('no longer serves the console from the system function', () => {
    const routes = dev.ofType('AWS::ApiGatewayV2::Route').map((route) => route.Properties.RouteKey as string);
    expect(routes.filter((key) => key.includes('/console'))).toEqual([]);
    const system = dev.resources[dev.logicalId(dev.app.stack.routeFunctions.system)]?.Properties.Environment.Variables;
    expect(system).not.toHaveProperty('STEWARD_STREAM_URL');
  });
});

describe('sign-in from the console', () => {
  it('with the Cognito pool: a public app client for the Authorization Code flow, its callback and logout the console URL', () => {
    const stack = dev.app.stack;
    const client = dev.resources[dev.logicalId(stack.identityProvider.consoleClient as never)]?.Properties;
    const consoleUrl = `https://<${dev.logicalId(stack.console.distribution)}.DomainName>/console/`;
    expect(client).toMatchObject({
      GenerateSecret: false,
      AllowedOAuthFlowsUserPoolClient: true,
      AllowedOAuthFlows: ['code'],
      AllowedOAuthScopes: ['openid', 'email', 'profile'],
      SupportedIdentityProviders: ['COGNITO'],
      ClientName: 'steward-dev-console',
    });
    expect(client?.CallbackURLs.map(dev.flat)).toEqual([consoleUrl]);
    expect(client?.LogoutURLs.map(dev.flat)).toEqual([consoleUrl]);
    expect(dev.flat(dev.template.toJSON().Outputs.ConsoleUrl.Value)).toBe(consoleUrl);
  });

  it('keeps the SRP client off the hosted domain (no OAuth flows), and the domain prefix from context or steward-<stage>-<account>', () => {
    const srp = dev.resources[dev.logicalId(dev.app.stack.identityProvider.client as never)]?.Properties;
    expect(srp?.AllowedOAuthFlowsUserPoolClient).toBe(false);
    expect(srp).not.toHaveProperty('CallbackURLs');
    const [domain] = dev.ofType('AWS::Cognito::UserPoolDomain');
    expect(dev.flat(domain?.Properties.Domain)).toBe('steward-dev-<AWS::AccountId>');
    const named = synth({ cognitoDomainPrefix: 'acme-steward' });
    expect(named.ofType('AWS::Cognito::UserPoolDomain')[0]?.Properties.Domain).toBe('acme-steward');
    expect(named.flat(named.app.stack.identityProvider.tokenEndpoint)).toBe(
      'https://acme-steward.auth.<AWS::Region>.amazoncognito.com/oauth2/token',
    );
    expect(() => synth({ cognitoDomainPrefix: 'my-cognito-login' })).toThrow(/may not contain aws, amazon or cognito/);
    expect(() => synth({ cognitoDomainPrefix: 'Steward' })).toThrow(/lowercase/);
  }, 180_000);

  it("has both authorizers accept the console client's ID tokens beside the SRP client's", () => {
    const stack = dev.app.stack;
    const audiences = `<${dev.logicalId(stack.identityProvider.client as never)}>,<${dev.logicalId(stack.identityProvider.consoleClient as never)}>`;
    for (const fn of [stack.authorizerFunction, stack.eventStream.authorizerFunction]) {
      expect(dev.flat(dev.resources[dev.logicalId(fn)]?.Properties.Environment.Variables.STEWARD_JWT_AUDIENCE)).toBe(audiences);
    }
  });

  it('with an issuer named in context: the console client and endpoints from context, accepted as an audience too', () => {
    const named = synth({
      jwtIssuer: 'https://login.example.com/realms/ops',
      jwtAudience: 'steward',
      consoleClientId: 'steward-console',
      authorizationEndpoint: 'https://login.example.com/realms/ops/protocol/openid-connect/auth',
      tokenEndpoint: 'https://login.example.com/realms/ops/protocol/openid-connect/token',
    });
    expect(deployedConfig(named).signIn).toEqual({
      issuer: 'https://login.example.com/realms/ops',
      clientId: 'steward-console',
      authorizationEndpoint: 'https://login.example.com/realms/ops/protocol/openid-connect/auth',
      tokenEndpoint: 'https://login.example.com/realms/ops/protocol/openid-connect/token',
      scopes: ['openid', 'email', 'profile'],
    });
    const authorizer = named.resources[named.logicalId(named.app.stack.authorizerFunction)]?.Properties.Environment.Variables;
    expect(authorizer.STEWARD_JWT_AUDIENCE).toBe('steward,steward-console');
    const [headers] = named.ofType('AWS::CloudFront::ResponseHeadersPolicy');
    expect(
      named.flat(headers?.Properties.ResponseHeadersPolicyConfig.SecurityHeadersConfig.ContentSecurityPolicy.ContentSecurityPolicy),
    ).toContain(' https://login.example.com/realms/ops/protocol/openid-connect/token;');
    named.template.resourceCountIs('AWS::Cognito::UserPool', 0);
  }, 120_000);

  it('with an issuer named in context and no console client: API keys only (signIn null), and half the settings is refused', () => {
    const named = synth({ jwtIssuer: 'https://login.example.com/realms/ops', jwtAudience: 'steward' });
    expect(deployedConfig(named).signIn).toBeNull();
    const [headers] = named.ofType('AWS::CloudFront::ResponseHeadersPolicy');
    const csp = named.flat(
      headers?.Properties.ResponseHeadersPolicyConfig.SecurityHeadersConfig.ContentSecurityPolicy.ContentSecurityPolicy,
    );
    expect(csp).not.toContain('login.example.com');
    expect(() =>
      synth({ jwtIssuer: 'https://login.example.com/realms/ops', jwtAudience: 'steward', consoleClientId: 'steward-console' }),
    ).toThrow(/missing: authorizationEndpoint, tokenEndpoint/);
  }, 180_000);
});
