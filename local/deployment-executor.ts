import { readFileSync } from 'node:fs';
import { StateMachine } from 'aws-local-stepfunctions';
import { type DeploymentOrchestrator, type StartOutcome, workflowInput } from '#deployments/workflow';
import { timeScale } from '#kernel/clock';
import { markFailed, restore, TASKS } from '#deployments/tasks';
import type { Deployment } from '#deployments/deployment.domain';
import { getEnvironment, listActiveDeployments } from '#deployments/environments.store';

const DEFINITION_FILE = new URL('../statemachines/deployment.asl.json', import.meta.url);

/** The Retry intervals of the definition, in seconds, scaled like every other wait. */
const RETRY_INTERVAL_SECONDS = 2;

/** One execution's event log (states entered and exited, retries), as aws-local-stepfunctions produces it. */
export type ExecutionEventLogs = ReturnType<StateMachine['run']>['eventLogs'];

/**
 * Runs statemachines/deployment.asl.json with aws-local-stepfunctions: Task states call the same
 * task functions the Lambdas run; Waits end at the timestamps the tasks compute (scaled by
 * STEWARD_TIME_SCALE), so the definition is the one deployed, unchanged.
 */
export class LocalDeploymentExecutor implements DeploymentOrchestrator {
  private readonly machine: StateMachine;
  private readonly running = new Map<string, { abort: () => void; done: Promise<unknown> }>();
  /** Deployments whose workflow ran in this process and ended: as in Step Functions, a name is used once. */
  private readonly ended = new Set<string>();
  /**
   * Called with each execution's event log as it starts (the bench counts state transitions
   * from it). Unset, nothing reads the log: aws-local-stepfunctions keeps it either way.
   */
  onExecution?: (deploymentId: string, eventLogs: ExecutionEventLogs) => void;

  constructor() {
    // Task resources are `${...FunctionArn}` substitutions, filled by CloudFormation on AWS; locally
    // any well-formed ARN will do, since every Task is overridden by its local function.
    const text = readFileSync(DEFINITION_FILE, 'utf8').replace(
      /\$\{(\w+)FunctionArn\}/g,
      'arn:aws:lambda:us-east-1:000000000000:function:steward-$1',
    );
    this.machine = new StateMachine(JSON.parse(text));
  }

  async start(deployment: Deployment): Promise<StartOutcome> {
    if (this.running.has(deployment.id)) return 'running';
    if (this.ended.has(deployment.id)) return 'ended';
    const retryMs = RETRY_INTERVAL_SECONDS * 1000 * timeScale();
    const execution = this.machine.run(workflowInput(deployment), {
      overrides: {
        taskResourceLocalHandlers: TASKS as unknown as NonNullable<
          NonNullable<Parameters<StateMachine['run']>[1]>['overrides']
        >['taskResourceLocalHandlers'],
        retryIntervalOverrides: Object.fromEntries(Object.keys(TASKS).map((name) => [name, retryMs])),
      },
      noThrowOnAbort: true,
    });
    this.onExecution?.(deployment.id, execution.eventLogs);
    const done = execution.result
      .catch((error: unknown) => {
        // The definition ends every path in Done or RollbackFailed; anything else is a fault here.
        console.error(
          JSON.stringify({ message: 'local deployment workflow ended with an error', deploymentId: deployment.id, error: String(error) }),
        );
      })
      .finally(() => {
        this.running.delete(deployment.id);
        this.ended.add(deployment.id);
      });
    this.running.set(deployment.id, { abort: execution.abort, done });
    return 'started';
  }

  async stop(deployment: Deployment): Promise<void> {
    const execution = this.running.get(deployment.id);
    if (!execution) return;
    execution.abort();
    this.running.delete(deployment.id);
    this.ended.add(deployment.id);
  }

  /** Waits for every running workflow (tests and shutdown). */
  async settle(): Promise<void> {
    await Promise.all([...this.running.values()].map((execution) => execution.done));
  }

  /** Stops every workflow; used when the runtime closes. */
  stopAll(): void {
    for (const execution of this.running.values()) execution.abort();
    this.running.clear();
  }

  /**
   * A workflow cannot resume after the process that ran it stopped, so at start-up every
   * deployment left in progress is rolled back, with that reason recorded, never left stuck.
   */
  async reconcile(): Promise<number> {
    let settled = 0;
    for (const deployment of await listActiveDeployments()) {
      if (this.running.has(deployment.id)) continue;
      const stored = await getEnvironment(deployment.service, deployment.environment);
      if (!stored) continue;
      const type = deployment.status === 'in_progress' ? 'deployment.rolled_back' : 'deployment.cancelled';
      const reason = 'The local runtime stopped while this deployment was running.';
      try {
        await restore(deployment, stored.environment, type, reason);
      } catch (error) {
        // The previous weights could not be put back (its router is gone, say): record that for a
        // person to step in, as the workflow's MarkFailed does, rather than fail to start.
        await markFailed({
          ...workflowInput(deployment),
          error: { Error: (error as Error).name, Cause: `${reason} ${(error as Error).message}` },
        });
      }
      settled++;
    }
    return settled;
  }
}
