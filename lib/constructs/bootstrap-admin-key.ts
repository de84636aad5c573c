import { CustomResource, Duration, type RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import { Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import type { CfnFunction } from 'aws-cdk-lib/aws-lambda';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { Provider } from 'aws-cdk-lib/custom-resources';
import { Construct } from 'constructs';
import { StewardFunction } from './steward-function.ts';
import type { StewardTable } from './steward-table.ts';

export interface BootstrapAdminKeyProps {
  stage: string;
  version: string;
  table: StewardTable;
  /** Encrypts the secret; the stack's key. */
  encryptionKey: IKey;
  logRetention: RetentionDays;
  removalPolicy: RemovalPolicy;
}

/**
 * The first admin API key. Secrets Manager generates it, so it is never in the template or on a
 * deployer's machine; a custom resource hashes it into the table at deploy time, through the same
 * command the local runtime uses for its bootstrap key.
 */
export class BootstrapAdminKey extends Construct {
  readonly secret: Secret;
  readonly function: StewardFunction;
  readonly registration: CustomResource;

  constructor(scope: Construct, id: string, props: BootstrapAdminKeyProps) {
    super(scope, id);

    this.secret = new Secret(this, 'Secret', {
      description: `Steward ${props.stage}: the bootstrap admin API key (send as "Authorization: Bearer <key>")`,
      encryptionKey: props.encryptionKey,
      generateSecretString: { excludePunctuation: true, passwordLength: 48 },
      removalPolicy: props.removalPolicy,
    });
    Validations.of(this.secret).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason:
        "An API key cannot be rotated behind its holders' backs: rotate it by creating a new admin key with POST /v1/api-keys and revoking this one (docs/deploy.md).",
    });

    this.function = new StewardFunction(this, 'Function', {
      handlerName: 'bootstrap-admin-key',
      stage: props.stage,
      version: props.version,
      logRetention: props.logRetention,
      removalPolicy: props.removalPolicy,
      memorySize: 256,
      timeout: Duration.seconds(30),
      environment: { BOOTSTRAP_SECRET_ARN: this.secret.secretArn },
    }).bindTable(props.table, 'RW', { writesKeyItems: true });
    // The only principal that may read the secret besides the account's administrators.
    this.secret.grantRead(this.function);

    // The provider framework's own function: an explicit role and log group, as for ours.
    const providerLogGroup = new LogGroup(this, 'ProviderLogGroup', { retention: props.logRetention, removalPolicy: props.removalPolicy });
    const providerRole = new Role(this, 'ProviderRole', {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description: `Steward ${props.stage} bootstrap admin key custom resource provider`,
    });
    providerLogGroup.grantWrite(providerRole);
    const provider = new Provider(this, 'Provider', {
      onEventHandler: this.function,
      frameworkOnEventRole: providerRole,
      logGroup: providerLogGroup,
    });
    const functionLogicalId = Stack.of(this).resolve((this.function.node.defaultChild as CfnFunction).logicalId) as string;
    Validations.of(providerRole).acknowledge({
      id: `AwsSolutions-IAM5[Resource::<${functionLogicalId}.Arn>:*]`,
      reason:
        'The provider framework may invoke any version of the onEvent function (lambda:InvokeFunction on its ARN and <ARN>:*); the wildcard covers versions of this one function only.',
    });

    this.registration = new CustomResource(this, 'Registration', {
      serviceToken: provider.serviceToken,
      resourceType: 'Custom::StewardBootstrapAdminKey',
      // A new secret or a new table registers the key again; otherwise updates do nothing.
      properties: { SecretArn: this.secret.secretArn, TableName: props.table.tableName },
    });
  }
}
