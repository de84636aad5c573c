import type { Deployment } from '#domain/deployment';

/**
 * Runs deployment workflows: Step Functions on AWS (execution name = deployment id, so a
 * retried start cannot run twice), aws-local-stepfunctions in the local runtime — the same
 * statemachines/deployment.asl.json either way.
 */
export interface DeploymentOrchestrator {
  start(deployment: Deployment): Promise<void>;
  /** Stops a running workflow; stopping one that has ended is not an error. */
  stop(deployment: Deployment, reason: string): Promise<void>;
}

let current: DeploymentOrchestrator | undefined;

export function configureOrchestrator(next: DeploymentOrchestrator): void {
  current = next;
}

export async function orchestrator(): Promise<DeploymentOrchestrator> {
  if (!current) {
    const { StepFunctionsOrchestrator } = await import('#deployments/step-functions-orchestrator');
    const arn = process.env.STATE_MACHINE_ARN;
    if (!arn) throw new Error('STATE_MACHINE_ARN is not set');
    current = new StepFunctionsOrchestrator(arn);
  }
  return current;
}

/** The workflow's input: enough to find the deployment. */
export function workflowInput(deployment: Deployment) {
  return { deploymentId: deployment.id, service: deployment.service, environment: deployment.environment };
}
