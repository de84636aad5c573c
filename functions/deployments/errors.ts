import { StewardError } from '#kernel/errors';

/**
 * Errors the deployment workflow's Retry and Catch match by `name` (Step Functions and the
 * local engine alike): transient ones are retried, the rest roll back.
 */

/** A router or AWS call failed in a way worth retrying (5xx, timeout, throttling). */
export class TransientError extends Error {
  override name = 'TransientError';
}

/** The deployment ended (cancelled, rolled back) while a workflow step was under way. */
export class DeploymentFinishedError extends Error {
  override name = 'DeploymentFinishedError';
}

/**
 * The traffic driver failed while serving an API request (a manual rollback): not the client's
 * fault; the problem says what failed, and that nothing was recorded.
 */
export class TrafficDriverError extends StewardError {
  constructor(detail: string) {
    super(502, 'Traffic driver failed', detail);
  }
}
