/** What one run of an HTTP health check observed: what conditions are evaluated against. */
export interface CheckResult {
  /** HTTP status (0 when there was no response). */
  status: number;
  responseTimeMs: number;
  /** The response body as text; read as JSON for `[BODY]` paths, `len()` and `has()` when it is JSON. */
  body: string | undefined;
  /** Time left before the server certificate expires; absent when there was none (plain HTTP). */
  certificateExpirationMs?: number;
  /** Whether a connection to the target was established. */
  connected: boolean;
}

/** A check result with its body read as JSON at most once, however many conditions look at it. */
export interface Subject {
  result: CheckResult;
  /** The body as JSON, or `{ ok: false }` when there is no body or it is not JSON. */
  json(): { ok: true; value: unknown } | { ok: false };
}

export function subjectOf(result: CheckResult): Subject {
  let parsed: { ok: true; value: unknown } | { ok: false } | undefined;
  return {
    result,
    json() {
      if (parsed === undefined) {
        parsed = { ok: false };
        if (typeof result.body === 'string') {
          try {
            parsed = { ok: true, value: JSON.parse(result.body) };
          } catch {
            // Not JSON: [BODY] still reads as text; paths into it are missing.
          }
        }
      }
      return parsed;
    },
  };
}
