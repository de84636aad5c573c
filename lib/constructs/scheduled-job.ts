import { Duration, type RemovalPolicy } from 'aws-cdk-lib';
import { Rule, Schedule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import type { HANDLER_ENTRIES } from '../bundling.ts';
import { StewardFunction } from './steward-function.ts';
import type { StewardTable } from './steward-table.ts';

export interface ScheduledJobProps {
  /** The handler under functions/handlers. */
  handlerName: (typeof HANDLER_ENTRIES)[number];
  /** What the job does, for the rule's description. */
  purpose: string;
  every: Duration;
  /**
   * How often EventBridge retries a failed run: 0 when the next run does the same work anyway,
   * more when a run judges the time it was scheduled for.
   */
  retryAttempts: number;
  stage: string;
  version: string;
  table: StewardTable;
  logRetention: RetentionDays;
  removalPolicy: RemovalPolicy;
  /** @default 256 MB */
  memorySize?: number;
  /** Extra environment for the function (e.g. POWERTOOLS_METRICS_NAMESPACE for a job that emits metrics). */
  environment?: Record<string, string>;
  /** May write API key items (the key reconciler only); every other job is denied them. */
  writesKeyItems?: boolean;
}

/**
 * A function on an EventBridge schedule with read-write access to the table and nothing else:
 * the reconciler (finishes projections a crashed writer left behind, docs/architecture.md §3) and the
 * secret expiry job (raises `secret.expiring` / `secret.rotation_due`; it never touches a
 * secret value, so it has no Secrets Manager permission) are two of these.
 */
export class ScheduledJob extends Construct {
  readonly function: StewardFunction;
  readonly rule: Rule;

  constructor(scope: Construct, id: string, props: ScheduledJobProps) {
    super(scope, id);
    this.function = new StewardFunction(this, 'Function', {
      handlerName: props.handlerName,
      stage: props.stage,
      version: props.version,
      logRetention: props.logRetention,
      removalPolicy: props.removalPolicy,
      memorySize: props.memorySize ?? 256,
      timeout: Duration.seconds(60),
      environment: props.environment,
    }).bindTable(props.table, 'RW', { writesKeyItems: props.writesKeyItems });
    this.rule = new Rule(this, 'Schedule', {
      description: `Steward ${props.stage}: ${props.purpose}`,
      schedule: Schedule.rate(props.every),
      targets: [new LambdaFunction(this.function, { retryAttempts: props.retryAttempts })],
    });
  }
}
