import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { ArnFormat, Duration, Fn, type RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import { PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import { DefinitionBody, LogLevel, StateMachine, StateMachineType } from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import type { TaskName } from '#deployments/tasks';
import type { SecretValues } from '../secret-values.ts';
import { StewardFunction } from './steward-function.ts';
import type { StewardTable } from './steward-table.ts';

/** statemachines/deployment.asl.json, deployed as it is and run locally by aws-local-stepfunctions. */
export const DEFINITION_PATH = fileURLToPath(new URL('../../statemachines/deployment.asl.json', import.meta.url));

interface TaskSettings {
  timeout: Duration;
  /** Pushes weights through the environment's traffic driver (http: signing secret; lambda-alias: UpdateAlias). */
  drivesTraffic?: boolean;
  /** Reads the health gate's CloudWatch alarms. */
  readsAlarms?: boolean;
}

/**
 * Each Task state of the definition, deployed as its own function (functions/handlers/deployment-task.ts
 * with DEPLOYMENT_TASK=<name>) with only what that step needs. Keyed by TaskName, so a new task does
 * not compile until someone decides its permissions here. All of them record progress in the table.
 */
export const DEPLOYMENT_TASKS: Record<TaskName, TaskSettings> = {
  Prepare: { timeout: Duration.seconds(10) },
  CheckApproval: { timeout: Duration.seconds(10) },
  // The http driver gives a router 5 s; UpdateAlias, the secret read and the table write come on top.
  ShiftTraffic: { timeout: Duration.seconds(30), drivesTraffic: true },
  // Three probes in a row, each allowed up to twice the gate's maxLatencyMs (at most 60 s), then the alarms.
  EvaluateGate: { timeout: Duration.minutes(7), readsAlarms: true },
  Finish: { timeout: Duration.seconds(10) },
  RollBack: { timeout: Duration.seconds(30), drivesTraffic: true },
  MarkFailed: { timeout: Duration.seconds(10) },
};

/** The definition substitution that names a task's function: `${<Task>FunctionArn}`. */
export function taskArnSubstitution(task: TaskName): string {
  return `${task}FunctionArn`;
}

export interface DeploymentWorkflowProps {
  stage: string;
  version: string;
  table: StewardTable;
  /** The stack's key: encrypts the workflow's log group. */
  encryptionKey: IKey;
  secretValues: SecretValues;
  /** Functions whose aliases the lambda-alias driver may update (`-c lambdaAliasFunctions=`); none when empty. */
  lambdaAliasFunctions: readonly string[];
  logRetention: RetentionDays;
  removalPolicy: RemovalPolicy;
}

/**
 * The deployment workflow (issue 3): a Standard state machine from statemachines/deployment.asl.json
 * whose Task states invoke one function per task, logging every event (without execution data) to
 * an encrypted log group, with X-Ray tracing.
 */
export class DeploymentWorkflow extends Construct {
  readonly stateMachine: StateMachine;
  readonly taskFunctions: Record<TaskName, StewardFunction>;
  readonly logGroup: LogGroup;
  /** The unqualified ARNs `lambda:UpdateAlias` is allowed on; empty when none are configured. */
  readonly aliasFunctionArns: string[];
  /** The same functions by name, as the lambda-alias driver configuration names them. */
  readonly aliasFunctionNames: string[];
  private readonly secretValues: SecretValues;

  constructor(scope: Construct, id: string, props: DeploymentWorkflowProps) {
    super(scope, id);
    const stack = Stack.of(this);
    this.secretValues = props.secretValues;
    this.aliasFunctionNames = props.lambdaAliasFunctions.map((entry) => entry.split(':').at(-1) ?? entry);
    this.aliasFunctionArns = props.lambdaAliasFunctions.map((entry) =>
      entry.startsWith('arn:')
        ? entry
        : stack.formatArn({ service: 'lambda', resource: 'function', resourceName: entry, arnFormat: ArnFormat.COLON_RESOURCE_NAME }),
    );

    const tasks = Object.entries(DEPLOYMENT_TASKS) as Array<[TaskName, TaskSettings]>;
    this.taskFunctions = Object.fromEntries(
      tasks.map(([task, settings]) => {
        const fn = new StewardFunction(this, `${task}Function`, {
          handlerName: 'deployment-task',
          stage: props.stage,
          version: props.version,
          logRetention: props.logRetention,
          removalPolicy: props.removalPolicy,
          description: `Steward ${props.stage}: deployment workflow task ${task}`,
          timeout: settings.timeout,
          environment: { DEPLOYMENT_TASK: task },
        }).bindTable(props.table, 'RW');
        if (settings.drivesTraffic) this.grantTrafficDrivers(fn);
        if (settings.readsAlarms) {
          fn.addPolicy(
            'Alarms',
            [new PolicyStatement({ actions: ['cloudwatch:DescribeAlarms'], resources: ['*'] })],
            [
              {
                resource: '*',
                reason:
                  'The health gate reads the CloudWatch alarms a deployment names, metric and composite alike, and DescribeAlarms returns composite alarms only to a permission scoped to "*"; the action is read-only.',
              },
            ],
          );
        }
        return [task, fn];
      }),
    ) as Record<TaskName, StewardFunction>;

    this.logGroup = this.encryptedLogGroup(props);

    const substitutions = Object.fromEntries(tasks.map(([task]) => [taskArnSubstitution(task), this.taskFunctions[task].functionArn]));
    checkPlaceholders(Object.keys(substitutions));
    this.stateMachine = new StateMachine(this, 'StateMachine', {
      stateMachineType: StateMachineType.STANDARD,
      definitionBody: DefinitionBody.fromFile(DEFINITION_PATH),
      definitionSubstitutions: substitutions,
      // Every event, but not its input and output: the workflow state and a Catch's error cause
      // can carry probe and router URLs (with whatever tokens their query strings hold). What
      // happened, with the evidence, is in the deployment's events, behind the API's roles.
      logs: { destination: this.logGroup, level: LogLevel.ALL, includeExecutionData: false },
      tracingEnabled: true,
    });
    // Substitutions grant nothing: the state machine may invoke exactly these functions, unqualified.
    this.stateMachine.addToRolePolicy(
      new PolicyStatement({ actions: ['lambda:InvokeFunction'], resources: tasks.map(([task]) => this.taskFunctions[task].functionArn) }),
    );
    Validations.of(this.stateMachine.role).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'Step Functions log delivery (logs:CreateLogDelivery, GetLogDelivery, UpdateLogDelivery, DeleteLogDelivery, ListLogDeliveries, PutResourcePolicy, DescribeResourcePolicies, DescribeLogGroups) and X-Ray (PutTraceSegments, PutTelemetryRecords, GetSamplingRules, GetSamplingTargets) take no resource-level permissions.',
    });
  }

  /**
   * The deployments route group: starts a deployment's execution (named by the deployment id) and
   * stops it on cancel; cancel, rollback and promote push weights through the drivers themselves.
   */
  grantStartAndStop(fn: StewardFunction): void {
    const executions = this.executionsArn();
    fn.addEnvironment('STATE_MACHINE_ARN', this.stateMachine.stateMachineArn);
    // Lets PUT environment refuse a lambda-alias function this stack may not update, with a clear 400.
    fn.addEnvironment('LAMBDA_ALIAS_FUNCTIONS', this.aliasFunctionNames.join(','));
    fn.addPolicy(
      'Workflow',
      [
        new PolicyStatement({ actions: ['states:StartExecution'], resources: [this.stateMachine.stateMachineArn] }),
        new PolicyStatement({ actions: ['states:StopExecution', 'states:DescribeExecution'], resources: [executions] }),
      ],
      [
        {
          resource: executions,
          reason:
            "Cancel stops the running execution of one deployment, and a retried start reads whether its execution still runs; executions are named by deployment id at run time, so StopExecution and DescribeExecution are allowed on this state machine's executions (execution:<name>:*) and no other state machine's.",
        },
      ],
    );
  }

  /**
   * The reconciler: starts the workflow of a deployment left pending because the process that
   * accepted it stopped before starting it (the same execution name, so never twice), and reads
   * whether an execution by that name still runs. It never stops one.
   */
  grantRecovery(fn: StewardFunction): void {
    this.grantStart(fn, "The reconciler reads whether a stuck deployment's execution still runs");
  }

  /**
   * Starts executions (named by deployment id, so never twice) and reads whether one by that name
   * still runs; never stops one. The reconciler, and the migration scheduler, which starts the
   * deployments of scheduled migration plans (issue 11).
   */
  grantStart(fn: StewardFunction, why: string): void {
    const executions = this.executionsArn();
    fn.addEnvironment('STATE_MACHINE_ARN', this.stateMachine.stateMachineArn);
    fn.addPolicy(
      'Workflow',
      [
        new PolicyStatement({ actions: ['states:StartExecution'], resources: [this.stateMachine.stateMachineArn] }),
        new PolicyStatement({ actions: ['states:DescribeExecution'], resources: [executions] }),
      ],
      [
        {
          resource: executions,
          reason: `${why}; executions are named by deployment id at run time, so DescribeExecution (read-only) is allowed on this state machine's executions (execution:<name>:*) and no other state machine's.`,
        },
      ],
    );
  }

  private executionsArn(): string {
    return Stack.of(this).formatArn({
      service: 'states',
      resource: 'execution',
      resourceName: `${this.stateMachine.stateMachineName}:*`,
      arnFormat: ArnFormat.COLON_RESOURCE_NAME,
    });
  }

  /**
   * What the traffic drivers need: the http driver reads the router signing secret (the
   * deployments function also writes it, for PUT of an http environment); the lambda-alias driver
   * calls UpdateAlias, only on the configured functions (nothing when none are).
   */
  grantTrafficDrivers(fn: StewardFunction, { writeRouterSecret = false } = {}): void {
    if (writeRouterSecret) this.secretValues.grantRouterSecretWrite(fn);
    else this.secretValues.grantRouterSecretRead(fn);
    if (this.aliasFunctionArns.length > 0) {
      fn.addPolicy('LambdaAliases', [new PolicyStatement({ actions: ['lambda:UpdateAlias'], resources: this.aliasFunctionArns })]);
    }
  }

  /**
   * The workflow's log group, encrypted with the stack's key. Its name is unique per stack
   * instance (the stack id's last group), so a retained log group never blocks a redeploy, and the
   * key lets CloudWatch Logs use it for exactly this log group.
   */
  private encryptedLogGroup(props: DeploymentWorkflowProps): LogGroup {
    const stack = Stack.of(this);
    const stackIdSuffix = Fn.select(4, Fn.split('-', Fn.select(2, Fn.split('/', stack.stackId))));
    // /aws/vendedlogs/ keeps Step Functions' log delivery from growing the account's CloudWatch Logs resource policy.
    const logGroupName = `/aws/vendedlogs/states/${stack.stackName}-deployments-${stackIdSuffix}`;
    props.encryptionKey.addToResourcePolicy(
      new PolicyStatement({
        principals: [new ServicePrincipal(`logs.${stack.region}.amazonaws.com`)],
        actions: ['kms:Encrypt*', 'kms:Decrypt*', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:Describe*'],
        resources: ['*'],
        conditions: {
          ArnLike: {
            'kms:EncryptionContext:aws:logs:arn': stack.formatArn({
              service: 'logs',
              resource: 'log-group',
              resourceName: logGroupName,
              arnFormat: ArnFormat.COLON_RESOURCE_NAME,
            }),
          },
        },
      }),
    );
    return new LogGroup(this, 'Logs', {
      logGroupName,
      encryptionKey: props.encryptionKey,
      retention: props.logRetention,
      removalPolicy: props.removalPolicy,
    });
  }
}

/** The definition's `${...}` placeholders must be exactly the task substitutions: a typo would deploy a Task with no function. */
function checkPlaceholders(substitutions: string[]): void {
  const definition = readFileSync(DEFINITION_PATH, 'utf8');
  const placeholders = new Set([...definition.matchAll(/\$\{([^}]+)\}/g)].map((match) => match[1] as string));
  const missing = [...placeholders].filter((name) => !substitutions.includes(name));
  const unused = substitutions.filter((name) => !placeholders.has(name));
  if (missing.length > 0 || unused.length > 0) {
    throw new Error(
      `${DEFINITION_PATH}: placeholders without a task function: [${missing.join(', ')}]; task functions the definition does not use: [${unused.join(', ')}]`,
    );
  }
}
