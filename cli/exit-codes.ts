/**
 * The CLI's exit codes (README "CLI"), so that a pipeline can tell what went wrong. A deployment
 * that ends rolled back, failed or cancelled is never 0.
 */
export const EXIT = {
  ok: 0,
  /** Anything unexpected. */
  error: 1,
  /** Wrong command, option or argument (commander's usage errors), or no login. */
  usage: 2,
  /** The API refused the request: 400, 404, 409, 412, 413, 415, 422 (the problem's detail is printed). */
  refused: 3,
  /** No valid key (401) or too small a role or scope (403). */
  auth: 4,
  /** The deployment rolled back (its gate failed, or someone rolled it back). */
  rolledBack: 5,
  /** The deployment failed (it could not restore the previous weights) or was cancelled. */
  failed: 6,
  /** Steward could not be reached, answered 5xx, or throttled us (429) past our retries. */
  unavailable: 7,
  /** `--wait` gave up before the deployment ended (`--timeout`). */
  timeout: 8,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** An error that says which exit code it means. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: ExitCode,
    readonly body?: unknown,
  ) {
    super(message);
    this.name = 'CliError';
  }
}
