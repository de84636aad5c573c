import { SFNClient, StartExecutionCommand, StopExecutionCommand } from '@aws-sdk/client-sfn';
import { type DeploymentOrchestrator, workflowInput } from './workflow.ts';
import type { Deployment } from './deployment.domain.ts';

/** AWS Step Functions adapter. */
export class StepFunctionsOrchestrator implements DeploymentOrchestrator {
  private readonly client = new SFNClient({});

  constructor(private readonly stateMachineArn: string) {}

  async start(deployment: Deployment): Promise<void> {
    try {
      await this.client.send(
        new StartExecutionCommand({
          stateMachineArn: this.stateMachineArn,
          name: deployment.id,
          input: JSON.stringify(workflowInput(deployment)),
        }),
      );
    } catch (error) {
      // Same name, same input: the execution is already running, which is what we wanted.
      if ((error as Error).name !== 'ExecutionAlreadyExists') throw error;
    }
  }

  async stop(deployment: Deployment, reason: string): Promise<void> {
    const executionArn = `${this.stateMachineArn.replace(':stateMachine:', ':execution:')}:${deployment.id}`;
    try {
      await this.client.send(new StopExecutionCommand({ executionArn, cause: reason.slice(0, 32_000), error: 'Cancelled' }));
    } catch (error) {
      if ((error as Error).name !== 'ExecutionDoesNotExist') throw error;
    }
  }
}
