import { readFileSync } from 'node:fs';
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Node } from 'constructs';

/** Everything that differs between deployments of the same code, read from CDK context. */
export interface StageSettings {
  /** `-c stage=<name>`; names the stack `Steward-<stage>`. */
  stage: string;
  /** Table deletion protection; on by default for `prod` only. */
  deletionProtection: boolean;
  /** What happens to data-bearing resources when the stack is deleted. Follows deletion protection. */
  removalPolicy: RemovalPolicy;
  /** How long API Gateway keeps an authorizer answer: a revoked key keeps working for at most this long. */
  authorizerCacheTtl: Duration;
  /** Default-stage throttling of the HTTP API. */
  throttle: { rateLimit: number; burstLimit: number };
  /** Retention of function and access logs. */
  logRetention: RetentionDays;
  /**
   * The Lambda functions whose aliases the `lambda-alias` traffic driver may shift
   * (`lambda:UpdateAlias`), as names in this stack's account and region or as full unqualified
   * function ARNs. Empty (the default): no function may update any alias.
   */
  lambdaAliasFunctions: string[];
}

/** The context keys `cdk synth|deploy -c key=value` accepts, with what they default to. */
export const CONTEXT_KEYS = {
  stage: 'stage',
  deletionProtection: 'deletionProtection',
  authorizerCacheTtlSeconds: 'authorizerCacheTtlSeconds',
  throttleRateLimit: 'throttleRateLimit',
  throttleBurstLimit: 'throttleBurstLimit',
  logRetentionDays: 'logRetentionDays',
  lambdaAliasFunctions: 'lambdaAliasFunctions',
} as const;

export const DEFAULT_STAGE = 'dev';
export const DEFAULT_AUTHORIZER_CACHE_TTL_SECONDS = 60;
export const DEFAULT_THROTTLE = { rateLimit: 100, burstLimit: 200 } as const;

/** Reads the stage settings from context; values given with `-c` arrive as strings. */
export function stageSettings(node: Node): StageSettings {
  const stage = String(node.tryGetContext(CONTEXT_KEYS.stage) ?? DEFAULT_STAGE);
  // It becomes part of the stack name and of the STAGE every function reports, so keep it plain.
  if (!/^[a-z][a-z0-9-]{0,19}$/.test(stage)) {
    throw new Error(`stage "${stage}" must be 1-20 lowercase letters, digits or dashes, starting with a letter`);
  }
  const isProd = stage === 'prod';
  const deletionProtection = booleanContext(node, CONTEXT_KEYS.deletionProtection) ?? isProd;
  const cacheTtlSeconds = integerContext(node, CONTEXT_KEYS.authorizerCacheTtlSeconds, 0, 3600) ?? DEFAULT_AUTHORIZER_CACHE_TTL_SECONDS;
  const logRetentionDays =
    integerContext(node, CONTEXT_KEYS.logRetentionDays, 1, 3653) ?? (isProd ? RetentionDays.ONE_YEAR : RetentionDays.ONE_MONTH);
  if (!Object.values(RetentionDays).includes(logRetentionDays)) {
    throw new Error(
      `${CONTEXT_KEYS.logRetentionDays}=${logRetentionDays} is not a retention CloudWatch Logs offers (1, 3, 5, 7, 14, 30, 60, 90, ...)`,
    );
  }
  return {
    stage,
    deletionProtection,
    removalPolicy: deletionProtection ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
    authorizerCacheTtl: Duration.seconds(cacheTtlSeconds),
    throttle: {
      rateLimit: integerContext(node, CONTEXT_KEYS.throttleRateLimit, 1, 100_000) ?? DEFAULT_THROTTLE.rateLimit,
      burstLimit: integerContext(node, CONTEXT_KEYS.throttleBurstLimit, 1, 100_000) ?? DEFAULT_THROTTLE.burstLimit,
    },
    logRetention: logRetentionDays as RetentionDays,
    lambdaAliasFunctions: lambdaAliasFunctionsContext(node, CONTEXT_KEYS.lambdaAliasFunctions),
  };
}

/** A Lambda function name, as UpdateAlias accepts it. */
const FUNCTION_NAME = /^[A-Za-z0-9_-]{1,64}$/;
/** An unqualified function ARN: no version or alias, no wildcard. */
const FUNCTION_ARN = /^arn:aws[a-z-]*:lambda:[a-z]{2}(-[a-z]+)+-\d:\d{12}:function:[A-Za-z0-9_-]{1,64}$/;

/**
 * `-c lambdaAliasFunctions=fn-a,fn-b` (or a JSON array under `context` in cdk.json): each entry a
 * function name or an unqualified function ARN. Wildcards, qualified ARNs and partial ARNs are
 * refused, because each entry becomes an IAM resource that `lambda:UpdateAlias` is allowed on.
 */
function lambdaAliasFunctionsContext(node: Node, key: string): string[] {
  const value: unknown = node.tryGetContext(key);
  if (value === undefined || value === null) return [];
  const entries = Array.isArray(value) ? value : typeof value === 'string' ? value.split(',') : undefined;
  if (!entries || entries.some((entry) => typeof entry !== 'string')) {
    throw new Error(`${key} must be a comma-separated list of Lambda function names or ARNs, not ${JSON.stringify(value)}`);
  }
  const names = (entries as string[]).map((entry) => entry.trim()).filter((entry) => entry.length > 0);
  for (const name of names) {
    if (!FUNCTION_NAME.test(name) && !FUNCTION_ARN.test(name)) {
      throw new Error(
        `${key}: "${name}" is neither a Lambda function name (letters, digits, "-" and "_", at most 64) nor an unqualified function ARN (arn:aws:lambda:<region>:<account>:function:<name>); wildcards and versions are not allowed`,
      );
    }
  }
  return [...new Set(names)];
}

/** The version the functions report (`/system/info`, OpenAPI): package.json's. */
export function packageVersion(): string {
  const packageJson = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };
  return packageJson.version;
}

function booleanContext(node: Node, key: string): boolean | undefined {
  const value: unknown = node.tryGetContext(key);
  if (value === undefined) return undefined;
  if (value === true || value === 'true') return true;
  if (value === false || value === 'false') return false;
  throw new Error(`${key} must be true or false, not ${JSON.stringify(value)}`);
}

function integerContext(node: Node, key: string, min: number, max: number): number | undefined {
  const value: unknown = node.tryGetContext(key);
  if (value === undefined) return undefined;
  const number = typeof value === 'number' ? value : Number(value);
  if (!Number.isInteger(number) || number < min || number > max) {
    throw new Error(`${key} must be a whole number from ${min} to ${max}, not ${JSON.stringify(value)}`);
  }
  return number;
}
