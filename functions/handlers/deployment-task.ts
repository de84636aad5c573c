import { TASKS, type TaskName, type WorkflowState } from '#deployments/tasks';

/**
 * One task of the deployment workflow. The stack deploys this entry once per Task state, each
 * function with DEPLOYMENT_TASK naming its step (and only the permissions that step needs).
 * Errors keep their `name`, which the definition's Retry and Catch match.
 */
export async function handler(state: WorkflowState): Promise<WorkflowState> {
  const task = process.env.DEPLOYMENT_TASK as TaskName | undefined;
  if (!task || !(task in TASKS)) throw new Error(`DEPLOYMENT_TASK must be one of ${Object.keys(TASKS).join(', ')}`);
  return TASKS[task](state);
}
