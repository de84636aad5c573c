import type { Deployment } from './deployment.domain.ts';

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

/** The workflow's input: enough to find the deployment. */
export function workflowInput(deployment: Deployment) {
  return { deploymentId: deployment.id, service: deployment.service, environment: deployment.environment };
}
