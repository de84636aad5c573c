import { Duration, type RemovalPolicy } from 'aws-cdk-lib';
import { Rule, Schedule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { StewardFunction } from './steward-function.ts';
import type { StewardTable } from './steward-table.ts';

export interface SecretExpiryProps {
  stage: string;
  version: string;
  table: StewardTable;
  /** @default 1 hour */
  every?: Duration;
  logRetention: RetentionDays;
  removalPolicy: RemovalPolicy;
}

/**
 * Raises `secret.expiring` and `secret.rotation_due` events (issue 5) on an EventBridge schedule.
 * It reads and writes secret metadata in the table only: it never touches a secret value, so it
 * has no Secrets Manager or secrets-prefix permission at all.
 */
export class SecretExpiry extends Construct {
  readonly function: StewardFunction;
  readonly rule: Rule;

  constructor(scope: Construct, id: string, props: SecretExpiryProps) {
    super(scope, id);
    this.function = new StewardFunction(this, 'Function', {
      handlerName: 'secret-expiry',
      stage: props.stage,
      version: props.version,
      logRetention: props.logRetention,
      removalPolicy: props.removalPolicy,
      memorySize: 256,
      timeout: Duration.seconds(60),
    }).bindTable(props.table, 'RW');
    this.rule = new Rule(this, 'Schedule', {
      description: `Steward ${props.stage}: raise notices for secrets near expiry or due for rotation`,
      schedule: Schedule.rate(props.every ?? Duration.hours(1)),
      // A retried run judges the time it was scheduled for, and raises each notice once per value.
      targets: [new LambdaFunction(this.function, { retryAttempts: 2 })],
    });
  }
}
