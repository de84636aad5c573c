import type { DeploymentOrchestrator } from './workflow.ts';

/** The workflow engine in use: set by the local runtime, else Step Functions from STATE_MACHINE_ARN. */
let current: DeploymentOrchestrator | undefined;

export function configureOrchestrator(next: DeploymentOrchestrator): void {
  current = next;
}

export async function orchestrator(): Promise<DeploymentOrchestrator> {
  if (!current) {
    const { StepFunctionsOrchestrator } = await import('./step-functions-orchestrator.ts');
    const arn = process.env.STATE_MACHINE_ARN;
    if (!arn) throw new Error('STATE_MACHINE_ARN is not set');
    current = new StepFunctionsOrchestrator(arn);
  }
  return current;
}
