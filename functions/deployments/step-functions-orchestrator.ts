import { DescribeExecutionCommand, SFNClient, StartExecutionCommand, StopExecutionCommand } from '@aws-sdk/client-sfn';
import { type DeploymentOrchestrator, type StartOutcome, workflowInput } from './workflow.ts';
import type { Deployment } from './deployment.domain.ts';

/** AWS Step Functions adapter. */
export class StepFunctionsOrchestrator implements DeploymentOrchestrator {
  private readonly client = new SFNClient({});

  constructor(private readonly stateMachineArn: string) {}

  /**
   * StartExecution is idempotent for a Standard workflow: the same name and input as a running
   * execution succeeds and changes nothing. ExecutionAlreadyExists means an execution by that
   * name has closed (or had another input): DescribeExecution says whether it still runs.
   */
  async start(deployment: Deployment): Promise<StartOutcome> {
    try {
      await this.client.send(
        new StartExecutionCommand({
          stateMachineArn: this.stateMachineArn,
          name: deployment.id,
          input: JSON.stringify(workflowInput(deployment)),
        }),
      );
      return 'started';
    } catch (error) {
      if ((error as Error).name !== 'ExecutionAlreadyExists') throw error;
    }
    const { status } = await this.client.send(new DescribeExecutionCommand({ executionArn: this.executionArn(deployment) }));
    return status === 'RUNNING' || status === 'PENDING_REDRIVE' ? 'running' : 'ended';
  }

  async stop(deployment: Deployment, reason: string): Promise<void> {
    try {
      await this.client.send(
        new StopExecutionCommand({ executionArn: this.executionArn(deployment), cause: reason.slice(0, 32_000), error: 'Cancelled' }),
      );
    } catch (error) {
      if ((error as Error).name !== 'ExecutionDoesNotExist') throw error;
    }
  }

  private executionArn(deployment: Deployment): string {
    return `${this.stateMachineArn.replace(':stateMachine:', ':execution:')}:${deployment.id}`;
  }
}
