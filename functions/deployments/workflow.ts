import type { Deployment } from './deployment.domain.ts';

/**
 * What starting a deployment's workflow found: it started one, one by the deployment's id was
 * running already (a retried start), or one by that id ran and has ended.
 */
export type StartOutcome = 'started' | 'running' | 'ended';

/**
 * Runs deployment workflows: Step Functions on AWS (execution name = deployment id, so a
 * retried start cannot run twice), aws-local-stepfunctions in the local runtime — the same
 * statemachines/deployment.asl.json either way.
 */
export interface DeploymentOrchestrator {
  /** Starts the deployment's workflow unless one by its id exists; safe to call again. */
  start(deployment: Deployment): Promise<StartOutcome>;
  /** Stops a running workflow; stopping one that has ended is not an error. */
  stop(deployment: Deployment, reason: string): Promise<void>;
}

/** The workflow's input: enough to find the deployment. */
export function workflowInput(deployment: Deployment) {
  return { deploymentId: deployment.id, service: deployment.service, environment: deployment.environment };
}
