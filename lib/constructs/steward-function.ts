import { fileURLToPath } from 'node:url';
import { Duration, type RemovalPolicy, Validations } from 'aws-cdk-lib';
import { type IRole, Policy, type PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Architecture, Runtime, Tracing } from 'aws-cdk-lib/aws-lambda';
import { LogLevel, NodejsFunction, type NodejsFunctionProps, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import { BUNDLED_ASSETS, HANDLER_BUNDLING, type HANDLER_ENTRIES } from '../bundling.ts';
import { acknowledgeWildcardResource } from '../nag.ts';
import type { StewardTable, TableAccess, TableAccessOptions } from './steward-table.ts';

/** A handler module under functions/handlers. */
export type HandlerName = (typeof HANDLER_ENTRIES)[number];

export interface StewardFunctionProps {
  /** The handler module: functions/handlers/<handlerName>.ts. */
  handlerName: HandlerName;
  stage: string;
  /** Reported as STEWARD_VERSION (`/system/info`, the OpenAPI document). */
  version: string;
  logRetention: RetentionDays;
  /** For the function's log group. */
  removalPolicy: RemovalPolicy;
  description?: string;
  /** @default 10 seconds */
  timeout?: Duration;
  /** @default 512 MB: more memory is also more CPU, which is what a cold start spends. */
  memorySize?: number;
  environment?: Record<string, string>;
}

const PROJECT_ROOT = fileURLToPath(new URL('../../', import.meta.url));

/**
 * Every Steward Lambda: Node.js 24 on arm64, bundled with the settings `npm run bench` measures,
 * with its own log group and role (no AWS managed policy), X-Ray tracing and Powertools logging.
 */
export class StewardFunction extends NodejsFunction {
  readonly handlerName: HandlerName;
  /** The function's own role (`role` of a Function is optional in its type). */
  readonly executionRole: IRole;

  constructor(scope: Construct, id: string, props: StewardFunctionProps) {
    super(scope, id, StewardFunction.functionProps(scope, id, props));
    this.handlerName = props.handlerName;
    if (!this.role) throw new Error(`${this.node.path}: a StewardFunction always has its role`);
    this.executionRole = this.role;
    Validations.of(this.executionRole).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'X-Ray tracing: xray:PutTraceSegments and xray:PutTelemetryRecords do not support resource-level permissions, so their resource is "*".',
    });
  }

  /** Grants table access at the given level and tells the function which table to use. */
  bindTable(table: StewardTable, access: TableAccess, options: TableAccessOptions = {}): this {
    table.grantAccess(this, access, options);
    this.addEnvironment('TABLE_NAME', table.tableName);
    return this;
  }

  /**
   * Attaches a policy for one purpose (`<function id><name>Policy`, beside the role) to the
   * function's role. Each wildcard resource it needs is acknowledged on that policy alone, with the
   * reason given here, so a finding the purpose does not explain still stops the synth.
   */
  addPolicy(name: string, statements: PolicyStatement[], wildcards: ReadonlyArray<{ resource: string; reason: string }> = []): Policy {
    const scope = this.node.scope as Construct | undefined;
    if (!scope) throw new Error(`${this.node.path}: a StewardFunction always has a scope`);
    const policy = new Policy(scope, `${this.node.id}${name}Policy`, { roles: [this.executionRole], statements });
    for (const { resource, reason } of wildcards) acknowledgeWildcardResource(policy, resource, reason);
    return policy;
  }

  /**
   * The role and log group are made beside the function (a constructor cannot create children
   * before `super`): an explicit role so that only this function's log group is writable, instead
   * of AWSLambdaBasicExecutionRole's every log group.
   */
  private static functionProps(scope: Construct, id: string, props: StewardFunctionProps): NodejsFunctionProps {
    const logGroup = new LogGroup(scope, `${id}LogGroup`, { retention: props.logRetention, removalPolicy: props.removalPolicy });
    const role = new Role(scope, `${id}Role`, {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description: `Steward ${props.stage} ${props.handlerName} function`,
    });
    logGroup.grantWrite(role);
    const assets = BUNDLED_ASSETS[props.handlerName] ?? [];
    return {
      entry: `${PROJECT_ROOT}functions/handlers/${props.handlerName}.ts`,
      handler: 'handler',
      projectRoot: PROJECT_ROOT,
      depsLockFilePath: `${PROJECT_ROOT}package-lock.json`,
      runtime: Runtime.NODEJS_24_X,
      architecture: Architecture.ARM_64,
      memorySize: props.memorySize ?? 512,
      timeout: props.timeout ?? Duration.seconds(10),
      tracing: Tracing.ACTIVE,
      role,
      logGroup,
      description: props.description ?? `Steward ${props.stage}: ${props.handlerName}`,
      environment: {
        POWERTOOLS_SERVICE_NAME: 'steward',
        NODE_OPTIONS: '--enable-source-maps',
        STAGE: props.stage,
        STEWARD_VERSION: props.version,
        ...props.environment,
      },
      bundling: {
        target: HANDLER_BUNDLING.target,
        format: HANDLER_BUNDLING.format === 'esm' ? OutputFormat.ESM : OutputFormat.CJS,
        minify: HANDLER_BUNDLING.minify,
        sourceMap: HANDLER_BUNDLING.sourceMap,
        externalModules: [...HANDLER_BUNDLING.external],
        banner: HANDLER_BUNDLING.banner,
        logLevel: LogLevel.ERROR,
        ...(assets.length > 0
          ? {
              commandHooks: {
                beforeBundling: () => [],
                beforeInstall: () => [],
                afterBundling: (inputDir: string, outputDir: string) =>
                  // mkdir: an asset may go into a folder of its own.
                  assets.map(
                    ({ from, to }) => `mkdir -p "$(dirname "${outputDir}/${to}")" && cp "${inputDir}/${from}" "${outputDir}/${to}"`,
                  ),
              },
            }
          : {}),
      },
    };
  }
}
