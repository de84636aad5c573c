import { ArnFormat, Stack } from 'aws-cdk-lib';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import type { Construct } from 'constructs';
import type { StewardFunction } from './constructs/steward-function.ts';

/**
 * Where the functions keep secret values on AWS (issue 5): one Secrets Manager secret per Steward
 * secret, named `steward/<stage>/<service>/<environment>/<name>` and encrypted with the stack's
 * key (functions/kernel/secret-values/secrets-manager-store.ts). IAM allows that prefix only, so the bootstrap
 * admin key secret (named by CloudFormation, outside the prefix) and every other secret in the
 * account stay out of reach.
 */
export function secretsPrefix(stage: string): string {
  return `steward/${stage}/`;
}

/** The name under which an environment's HTTP router signing secret is kept (`routerSecretRef` in functions/deployments/environments.commands.ts). */
export const ROUTER_SIGNING_SECRET_NAME = 'steward-router-signing-secret';

/** The tags the store puts on each secret; TagResource may set these keys and no others. */
export const SECRET_TAG_KEYS = ['service', 'environment'] as const;

/** What SecretsManagerStore sends, by what a function does with secret values. */
export const SECRET_READ_ACTIONS = ['secretsmanager:GetSecretValue'] as const;
export const SECRET_WRITE_ACTIONS = [
  'secretsmanager:DescribeSecret',
  'secretsmanager:CreateSecret',
  'secretsmanager:PutSecretValue',
  'secretsmanager:GetSecretValue',
  'secretsmanager:RestoreSecret',
] as const;

/**
 * Secrets Manager uses the key with the caller's permissions: GenerateDataKey to write a value,
 * Decrypt to read one (and to compare on an idempotent PutSecretValue). It never needs Encrypt.
 */
const KEY_ACTIONS_TO_READ = ['kms:Decrypt'];
const KEY_ACTIONS_TO_WRITE = ['kms:GenerateDataKey', 'kms:Decrypt'];

/** Grants a function what it needs to read or write secret values under the stage's prefix. */
export class SecretValues {
  /** `steward/<stage>/`: SECRETS_PREFIX. */
  readonly prefix: string;
  /** ARN pattern of every secret value Steward keeps for this stage. */
  readonly allSecretsArn: string;
  /** ARN pattern of the HTTP routers' signing secrets only. */
  readonly routerSecretsArn: string;
  /** Webhook signing secrets, which Steward keeps under a reserved service name. */
  readonly webhookSecretsArn: string;
  /** Health checks' credential header values, which Steward keeps under a reserved service name. */
  readonly healthCheckHeaderSecretsArn: string;

  constructor(
    scope: Construct,
    stage: string,
    /** The stack's key: every value is encrypted with it (SECRETS_KMS_KEY_ID). */
    readonly key: IKey,
  ) {
    this.prefix = secretsPrefix(stage);
    const stack = Stack.of(scope);
    const secretArn = (name: string) =>
      stack.formatArn({ service: 'secretsmanager', resource: 'secret', resourceName: name, arnFormat: ArnFormat.COLON_RESOURCE_NAME });
    // A secret's ARN ends in "-" and six random characters.
    this.allSecretsArn = secretArn(`${this.prefix}*`);
    // `*` also matches the ARN's random suffix; IAM's `*` crosses "/", so it spans <service>/<environment>.
    this.routerSecretsArn = secretArn(`${this.prefix}*/${ROUTER_SIGNING_SECRET_NAME}*`);
    this.webhookSecretsArn = secretArn(`${this.prefix}steward-webhooks/steward/steward-webhook-*`);
    this.healthCheckHeaderSecretsArn = secretArn(`${this.prefix}steward-health-checks/steward/steward-check-headers-*`);
  }

  /**
   * Health checks (functions/health-checks/check-headers.ts): the runner, and the health-checks
   * function's run-now, read the values a check's headers send, its own credentials and the secrets
   * of its service it names, so any value under the prefix; the health-checks function (`write`)
   * also stores, restores and schedules the deletion of checks' credential values, and nothing else.
   */
  grantHealthCheckHeaders(fn: StewardFunction, { write }: { write: boolean }): void {
    this.bind(fn);
    const read = [
      new PolicyStatement({ actions: [...SECRET_READ_ACTIONS], resources: [this.allSecretsArn] }),
      this.keyStatement(KEY_ACTIONS_TO_READ, this.allSecretsArn),
    ];
    const writes = write
      ? [
          new PolicyStatement({ actions: [...SECRET_WRITE_ACTIONS], resources: [this.healthCheckHeaderSecretsArn] }),
          this.tagStatement(this.healthCheckHeaderSecretsArn),
          new PolicyStatement({
            actions: ['secretsmanager:DeleteSecret'],
            resources: [this.healthCheckHeaderSecretsArn],
            conditions: { BoolIfExists: { 'secretsmanager:ForceDeleteWithoutRecovery': 'false' } },
          }),
          this.keyStatement(KEY_ACTIONS_TO_WRITE, this.healthCheckHeaderSecretsArn),
        ]
      : [];
    fn.addPolicy(
      'HealthCheckSecrets',
      [...read, ...writes],
      [
        {
          resource: this.allSecretsArn,
          reason: `A health check's header may name any secret of its service in its environment (${this.prefix}<service>/<environment>/<name>, named at run time), read when the check runs; GetSecretValue only, under the stage's prefix and nothing outside it.`,
        },
        ...(write
          ? [
              {
                resource: this.healthCheckHeaderSecretsArn,
                reason: `Each health check's credential header values are ${this.prefix}steward-health-checks/steward/steward-check-headers-<id>, named at run time; the wildcard stands for the check id (and the random ARN suffix) and matches no other secret.`,
              },
            ]
          : []),
      ],
    );
  }

  /** The secrets route group: create, update, reveal, schedule deletion of and restore any value under the prefix. */
  grantManage(fn: StewardFunction): void {
    this.bind(fn);
    fn.addPolicy(
      'SecretValues',
      [
        new PolicyStatement({ actions: [...SECRET_WRITE_ACTIONS], resources: [this.allSecretsArn] }),
        this.tagStatement(this.allSecretsArn),
        // DELETE schedules deletion with a recovery window; never an immediate, unrecoverable delete.
        new PolicyStatement({
          actions: ['secretsmanager:DeleteSecret'],
          resources: [this.allSecretsArn],
          conditions: { BoolIfExists: { 'secretsmanager:ForceDeleteWithoutRecovery': 'false' } },
        }),
        this.keyStatement(KEY_ACTIONS_TO_WRITE, this.allSecretsArn),
      ],
      [
        {
          resource: this.allSecretsArn,
          reason: `Steward creates one Secrets Manager secret per secret a user stores, named at run time under the stage's prefix ${this.prefix}<service>/<environment>/<name>; the wildcard is that prefix (plus the random ARN suffix), and nothing outside it, not even the bootstrap admin key secret, is reachable.`,
        },
      ],
    );
  }

  /** The deployments route group: PUT of an environment with the http driver writes its router's signing secret; cancel, rollback and promote read it. */
  grantRouterSecretWrite(fn: StewardFunction): void {
    this.bind(fn);
    fn.addPolicy(
      'RouterSecrets',
      [
        new PolicyStatement({ actions: [...SECRET_WRITE_ACTIONS], resources: [this.routerSecretsArn] }),
        this.tagStatement(this.routerSecretsArn),
        this.keyStatement(KEY_ACTIONS_TO_WRITE, this.routerSecretsArn),
      ],
      [
        {
          resource: this.routerSecretsArn,
          reason: `An environment whose traffic driver is http gets its router signing secret at ${this.prefix}<service>/<environment>/${ROUTER_SIGNING_SECRET_NAME}, named at run time; the wildcards stand for the service and environment (and the random ARN suffix) and match no other Steward secret.`,
        },
      ],
    );
  }

  /** The webhooks routes (in the alerts function): create a webhook's signing secret, read it to sign, schedule its deletion. */
  grantWebhookSecrets(fn: StewardFunction): void {
    this.bind(fn);
    fn.addPolicy(
      'WebhookSecrets',
      [
        new PolicyStatement({ actions: [...SECRET_WRITE_ACTIONS], resources: [this.webhookSecretsArn] }),
        this.tagStatement(this.webhookSecretsArn),
        new PolicyStatement({
          actions: ['secretsmanager:DeleteSecret'],
          resources: [this.webhookSecretsArn],
          conditions: { BoolIfExists: { 'secretsmanager:ForceDeleteWithoutRecovery': 'false' } },
        }),
        this.keyStatement(KEY_ACTIONS_TO_WRITE, this.webhookSecretsArn),
      ],
      [
        {
          resource: this.webhookSecretsArn,
          reason: `Each webhook's signing secret is ${this.prefix}steward-webhooks/steward/steward-webhook-<id>, named at run time; the wildcard stands for the webhook id (and the random ARN suffix) and matches no other secret.`,
        },
      ],
    );
  }

  /** The webhook dispatcher: reads signing secrets to sign deliveries; never writes them. */
  grantWebhookSecretRead(fn: StewardFunction): void {
    this.bind(fn);
    fn.addPolicy(
      'WebhookSecrets',
      [
        new PolicyStatement({ actions: [...SECRET_READ_ACTIONS], resources: [this.webhookSecretsArn] }),
        this.keyStatement(KEY_ACTIONS_TO_READ, this.webhookSecretsArn),
      ],
      [
        {
          resource: this.webhookSecretsArn,
          reason: `The dispatcher signs each delivery with the webhook's signing secret, read from ${this.prefix}steward-webhooks/steward/steward-webhook-<id>; the wildcard stands for the webhook id (and the random ARN suffix), read-only.`,
        },
      ],
    );
  }

  /** Task functions that push weights through the http driver: read the router's signing secret to sign the request. */
  grantRouterSecretRead(fn: StewardFunction): void {
    this.bind(fn);
    fn.addPolicy(
      'RouterSecrets',
      [
        new PolicyStatement({ actions: [...SECRET_READ_ACTIONS], resources: [this.routerSecretsArn] }),
        this.keyStatement(KEY_ACTIONS_TO_READ, this.routerSecretsArn),
      ],
      [
        {
          resource: this.routerSecretsArn,
          reason: `The http traffic driver signs each weight change with the environment's router signing secret, read from ${this.prefix}<service>/<environment>/${ROUTER_SIGNING_SECRET_NAME}; the wildcards stand for the service and environment (and the random ARN suffix), read-only.`,
        },
      ],
    );
  }

  private bind(fn: StewardFunction): void {
    fn.addEnvironment('SECRETS_PREFIX', this.prefix);
    fn.addEnvironment('SECRETS_KMS_KEY_ID', this.key.keyArn);
  }

  private tagStatement(secretsArn: string): PolicyStatement {
    // CreateSecret with Tags needs TagResource; only the store's own tag keys.
    return new PolicyStatement({
      actions: ['secretsmanager:TagResource'],
      resources: [secretsArn],
      conditions: { 'ForAllValues:StringEquals': { 'aws:TagKeys': [...SECRET_TAG_KEYS] } },
    });
  }

  /** The key, only when Secrets Manager uses it on the function's behalf, and only for these secrets. */
  private keyStatement(actions: string[], secretsArn: string): PolicyStatement {
    return new PolicyStatement({
      actions,
      resources: [this.key.keyArn],
      conditions: {
        StringEquals: { 'kms:ViaService': `secretsmanager.${Stack.of(this.key).region}.amazonaws.com` },
        StringLike: { 'kms:EncryptionContext:SecretARN': secretsArn },
      },
    });
  }
}
