import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Annotations, DefaultStackSynthesizer, Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import {
  AccessLevel,
  AllowedMethods,
  CachePolicy,
  Distribution,
  Function as EdgeFunction,
  FunctionCode,
  FunctionEventType,
  FunctionRuntime,
  HeadersFrameOption,
  HeadersReferrerPolicy,
  HttpVersion,
  PriceClass,
  ResponseHeadersPolicy,
  ViewerProtocolPolicy,
} from 'aws-cdk-lib/aws-cloudfront';
import { S3BucketOrigin } from 'aws-cdk-lib/aws-cloudfront-origins';
import { Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import { BlockPublicAccess, Bucket, BucketEncryption, ObjectOwnership } from 'aws-cdk-lib/aws-s3';
import { BucketDeployment, type ISource, Source } from 'aws-cdk-lib/aws-s3-deployment';
import { Construct } from 'constructs';
import { acknowledgeWildcardResource } from '../nag.ts';
import {
  CONSOLE_CACHE_CONTROL,
  CONSOLE_CONFIG_FILE,
  CONSOLE_CONTENT_TYPES,
  CONSOLE_HSTS_MAX_AGE_SECONDS,
  CONSOLE_PREFIX,
  CONSOLE_VENDOR_FILES,
  type ConsoleConfig,
  consoleContentSecurityPolicy,
} from '../console-policy.ts';

/** The project's console/ folder, deployed as it is. */
export const CONSOLE_SOURCE_DIR = fileURLToPath(new URL('../../console/', import.meta.url));
const PROJECT_ROOT = fileURLToPath(new URL('../../', import.meta.url));

export interface ConsoleHostingProps {
  stage: string;
  /** Origins the console's scripts may connect to besides its own: the API, the stream, the token endpoint. */
  connectSources: string[];
  logRetention: RetentionDays;
  removalPolicy: RemovalPolicy;
}

/**
 * The web console on AWS (issue 12): console/ in a private S3 bucket, read only by a CloudFront
 * distribution through Origin Access Control, HTTPS only, every response with the headers of
 * lib/console-policy.ts (the same the local server sends: CSP, nosniff, no framing, no referrer,
 * `Cache-Control: no-cache`, the content type by extension) plus HSTS. `/` and `/console` redirect
 * to `/console/`, which is index.html. `publish` deploys the files with the generated config.json.
 * Logs: CloudFront's standard logs and the bucket's server access logs go to a log bucket.
 */
export class ConsoleHosting extends Construct {
  readonly bucket: Bucket;
  readonly logs: Bucket;
  readonly distribution: Distribution;
  readonly responseHeadersPolicy: ResponseHeadersPolicy;
  deployment?: BucketDeployment;
  private readonly props: ConsoleHostingProps;

  constructor(scope: Construct, id: string, props: ConsoleHostingProps) {
    super(scope, id);
    this.props = props;
    // Log delivery to the log bucket is allowed by its bucket policy (server access logs) and by the ACL CloudFront sets.
    this.node.setContext('@aws-cdk/aws-s3:serverAccessLogsUseBucketPolicy', true);
    const autoDeleteObjects = props.removalPolicy === RemovalPolicy.DESTROY;

    this.logs = new Bucket(this, 'Logs', {
      // CloudFront's standard logs need ACLs on the bucket they go to and an S3-managed key.
      objectOwnership: ObjectOwnership.BUCKET_OWNER_PREFERRED,
      encryption: BucketEncryption.S3_MANAGED,
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      lifecycleRules: [{ expiration: Duration.days(Math.min(props.logRetention, 3653)) }],
      removalPolicy: props.removalPolicy,
      autoDeleteObjects,
    });
    Validations.of(this.logs).acknowledge({
      id: 'AwsSolutions-S1',
      reason: "This bucket receives the console distribution's and the console bucket's access logs; logging it again would log the logs.",
    });

    this.bucket = new Bucket(this, 'Bucket', {
      encryption: BucketEncryption.S3_MANAGED,
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
      // A bad console can be put back from the previous versions for a month.
      versioned: true,
      lifecycleRules: [{ noncurrentVersionExpiration: Duration.days(30) }],
      serverAccessLogsBucket: this.logs,
      serverAccessLogsPrefix: 'console-bucket/',
      removalPolicy: props.removalPolicy,
      autoDeleteObjects,
    });

    this.responseHeadersPolicy = new ResponseHeadersPolicy(this, 'Headers', {
      responseHeadersPolicyName: `steward-${props.stage}-console-${Stack.of(this).region}`,
      comment: `Steward ${props.stage} console: CSP, HSTS and the other security headers`,
      securityHeadersBehavior: {
        contentSecurityPolicy: { contentSecurityPolicy: consoleContentSecurityPolicy(props.connectSources), override: true },
        strictTransportSecurity: {
          accessControlMaxAge: Duration.seconds(CONSOLE_HSTS_MAX_AGE_SECONDS),
          includeSubdomains: true,
          override: true,
        },
        contentTypeOptions: { override: true },
        frameOptions: { frameOption: HeadersFrameOption.DENY, override: true },
        referrerPolicy: { referrerPolicy: HeadersReferrerPolicy.NO_REFERRER, override: true },
      },
      customHeadersBehavior: { customHeaders: [{ header: 'Cache-Control', value: CONSOLE_CACHE_CONTROL, override: true }] },
      removeHeaders: ['Server'],
    });

    const runtime = FunctionRuntime.JS_2_0;
    const routing = new EdgeFunction(this, 'Routing', {
      comment: 'Redirects / and /console to /console/; a path ending in / is its index.html',
      code: FunctionCode.fromInline(VIEWER_REQUEST_CODE),
      runtime,
    });
    const contentTypes = new EdgeFunction(this, 'ContentTypes', {
      comment: 'Content-Type by extension, as the local server sends it (lib/console-policy.ts)',
      code: FunctionCode.fromInline(viewerResponseCode()),
      runtime,
    });

    this.distribution = new Distribution(this, 'Distribution', {
      comment: `Steward ${props.stage} web console`,
      defaultBehavior: {
        // Read only the bucket's objects, and list it so that a missing file is a 404 rather than a 403.
        origin: S3BucketOrigin.withOriginAccessControl(this.bucket, { originAccessLevels: [AccessLevel.READ, AccessLevel.LIST] }),
        viewerProtocolPolicy: ViewerProtocolPolicy.HTTPS_ONLY,
        allowedMethods: AllowedMethods.ALLOW_GET_HEAD,
        cachePolicy: CachePolicy.CACHING_OPTIMIZED,
        responseHeadersPolicy: this.responseHeadersPolicy,
        compress: true,
        functionAssociations: [
          { eventType: FunctionEventType.VIEWER_REQUEST, function: routing },
          { eventType: FunctionEventType.VIEWER_RESPONSE, function: contentTypes },
        ],
      },
      httpVersion: HttpVersion.HTTP2_AND_3,
      priceClass: PriceClass.PRICE_CLASS_100,
      enableLogging: true,
      logBucket: this.logs,
      logFilePrefix: 'cloudfront/',
    });
    // Listing lets S3 answer 404 for a missing file; a listing itself would be a request for `/`, which the routing function redirects.
    Annotations.of(this.distribution.node.findChild('Origin1')).acknowledgeWarning(
      '@aws-cdk/aws-cloudfront-origins:listBucketSecurityRisk',
      'The viewer-request function redirects / to /console/, so no request for the bucket root (a listing) reaches the origin.',
    );
    const distribution = Validations.of(this.distribution);
    distribution.acknowledge({
      id: 'AwsSolutions-CFR1',
      reason: 'The console is for operators wherever they are; the API it calls authenticates every request, so no country is refused.',
    });
    distribution.acknowledge({
      id: 'AwsSolutions-CFR2',
      reason:
        'The distribution serves a few static files and no data; the API it calls has its own authorizer, rate limits and stage throttling. A web ACL is a cost the operator may add.',
    });
    distribution.acknowledge({
      id: 'AwsSolutions-CFR4',
      reason:
        'Viewers reach the default *.cloudfront.net domain, whose certificate CloudFront serves with its own fixed TLS policy; a minimum protocol version (TLSv1.2_2021) can be set only with a custom domain and certificate, which the operator may add.',
    });
  }

  /** The console's origin, e.g. https://d111111abcdef8.cloudfront.net (what the API's CORS allows). */
  get origin(): string {
    return `https://${this.distribution.distributionDomainName}`;
  }

  /** The console's URL: its index, and the sign-in's callback and logout URL. */
  get url(): string {
    return `${this.origin}${CONSOLE_PREFIX}`;
  }

  /**
   * Deploys console/ (as it is), the vendor files it loads from node_modules and the generated
   * config.json under `console/`, removes files no longer there, and invalidates the distribution's copies.
   */
  publish(config: ConsoleConfig): BucketDeployment {
    if (this.deployment) throw new Error('the console is published once');
    const sources: ISource[] = [
      Source.asset(CONSOLE_SOURCE_DIR),
      ...Object.entries(CONSOLE_VENDOR_FILES).map(([name, from]) => Source.data(name, readFileSync(`${PROJECT_ROOT}${from}`, 'utf8'))),
      Source.jsonData(CONSOLE_CONFIG_FILE, config),
    ];
    // The deployment's function: an explicit role and log group, as for the stack's own functions.
    const logGroup = new LogGroup(this, 'DeploymentLogs', { retention: this.props.logRetention, removalPolicy: this.props.removalPolicy });
    const role = new Role(this, 'DeploymentRole', {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description: `Steward ${this.props.stage}: copies the web console into its bucket`,
    });
    logGroup.grantWrite(role);
    this.deployment = new BucketDeployment(this, 'Files', {
      sources,
      destinationBucket: this.bucket,
      destinationKeyPrefix: CONSOLE_PREFIX.slice(1),
      prune: true,
      distribution: this.distribution,
      distributionPaths: [`${CONSOLE_PREFIX}*`],
      role,
      logGroup,
      memoryLimit: 256,
    });
    const policy = role.node.findChild('DefaultPolicy');
    const reason =
      "BucketDeployment's grants: it reads the console's asset zips from the CDK assets bucket, syncs them into this bucket (get, list, put, delete), and invalidates the distribution (CloudFront's invalidation actions are granted on *).";
    for (const resource of this.deploymentWildcards()) acknowledgeWildcardResource(policy, resource, reason);
    for (const action of ['s3:GetObject*', 's3:GetBucket*', 's3:List*', 's3:DeleteObject*', 's3:Abort*']) {
      Validations.of(policy).acknowledge({ id: `AwsSolutions-IAM5[Action::${action}]`, reason });
    }
    // The deployment's function is a singleton at the stack's root, made by CDK with the runtime its AWS CLI layer is built for.
    const handler = Stack.of(this).node.children.find((child) => child.node.id.startsWith('Custom::CDKBucketDeployment'));
    if (handler) {
      Validations.of(handler).acknowledge({
        id: 'AwsSolutions-L1',
        reason:
          "CDK's BucketDeployment function runs on the Python runtime CDK pins for its AWS CLI layer; it runs only during deployments, never on a request.",
      });
    }
    return this.deployment;
  }

  /** The wildcard resources BucketDeployment's grants name: the assets bucket's objects, this bucket's, and `*` (invalidations). */
  private deploymentWildcards(): string[] {
    const stack = Stack.of(this);
    const qualifier = stack.synthesizer.bootstrapQualifier ?? DefaultStackSynthesizer.DEFAULT_QUALIFIER;
    return [`arn:${stack.partition}:s3:::cdk-${qualifier}-assets-${stack.account}-${stack.region}/*`, `${this.bucket.bucketArn}/*`, '*'];
  }
}

/**
 * CloudFront Function (viewer request): `/` and `/console` redirect to `/console/`; a path ending
 * in `/` gets its index.html (S3 has no directory index behind Origin Access Control).
 */
const VIEWER_REQUEST_CODE = `function handler(event) {
  var request = event.request;
  var uri = request.uri;
  if (uri === '/' || uri === '${CONSOLE_PREFIX.slice(0, -1)}') {
    return { statusCode: 302, statusDescription: 'Found', headers: { location: { value: '${CONSOLE_PREFIX}' } } };
  }
  if (uri.charAt(uri.length - 1) === '/') request.uri = uri + 'index.html';
  return request;
}`;

/** CloudFront Function (viewer response): the content type by extension, from the same table as the local server's. */
function viewerResponseCode(): string {
  return `var TYPES = ${JSON.stringify(CONSOLE_CONTENT_TYPES)};
function handler(event) {
  var response = event.response;
  if (response.statusCode !== 200) return response;
  var uri = event.request.uri;
  if (uri.charAt(uri.length - 1) === '/') uri = uri + 'index.html';
  var match = /\\.([a-z0-9]+)$/i.exec(uri);
  var type = match ? TYPES[match[1].toLowerCase()] : undefined;
  response.headers['content-type'] = { value: type || 'application/octet-stream' };
  return response;
}`;
}
