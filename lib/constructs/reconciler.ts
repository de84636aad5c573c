import { Duration, type RemovalPolicy } from 'aws-cdk-lib';
import { Rule, Schedule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { StewardFunction } from './steward-function.ts';
import type { StewardTable } from './steward-table.ts';

export interface ReconcilerProps {
  stage: string;
  version: string;
  table: StewardTable;
  /** @default 5 minutes */
  every?: Duration;
  logRetention: RetentionDays;
  removalPolicy: RemovalPolicy;
}

/**
 * Finishes projecting events whose writer stopped between committing the event and applying its
 * projections (DESIGN.md §3), on an EventBridge schedule.
 */
export class Reconciler extends Construct {
  readonly function: StewardFunction;
  readonly rule: Rule;

  constructor(scope: Construct, id: string, props: ReconcilerProps) {
    super(scope, id);
    this.function = new StewardFunction(this, 'Function', {
      handlerName: 'reconcile',
      stage: props.stage,
      version: props.version,
      logRetention: props.logRetention,
      removalPolicy: props.removalPolicy,
      memorySize: 256,
      timeout: Duration.seconds(60),
    }).bindTable(props.table, 'RW');
    this.rule = new Rule(this, 'Schedule', {
      description: `Steward ${props.stage}: finish projections a crashed writer left behind`,
      schedule: Schedule.rate(props.every ?? Duration.minutes(5)),
      // A missed run is not retried: the next one is minutes away and does the same work.
      targets: [new LambdaFunction(this.function, { retryAttempts: 0 })],
    });
  }
}
