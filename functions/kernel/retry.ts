/**
 * The one retry policy: how many tries, and how long to wait before each retry — exponential
 * backoff with full jitter (a random wait below base × 2^(retry−1), capped), so writers racing
 * for one item, or batches DynamoDB left unprocessed, spread out instead of colliding again.
 */
export interface RetryPolicy {
  /** Tries in all, the first included. */
  attempts: number;
  baseMs: number;
  maxMs: number;
}

/** Items a batch call left unprocessed (throttling): DynamoDB's own advice, about a second at most. */
export const UNPROCESSED_ITEMS: RetryPolicy = { attempts: 8, baseMs: 25, maxMs: 1_000 };
/** Conditional writes that lost a race: retry soon, on the new state. */
export const LOST_RACE: RetryPolicy = { attempts: 12, baseMs: 5, maxMs: 100 };

/** The longest wait before retry number `retry` (1 for the first retry). */
export function backoffCeilingMs(policy: Pick<RetryPolicy, 'baseMs' | 'maxMs'>, retry: number): number {
  return Math.min(policy.maxMs, policy.baseMs * 2 ** Math.max(0, retry - 1));
}

/** The wait before retry number `retry`: anywhere below the ceiling (full jitter). */
export function backoffMs(policy: Pick<RetryPolicy, 'baseMs' | 'maxMs'>, retry: number, random: () => number = Math.random): number {
  return random() * backoffCeilingMs(policy, retry);
}

/** All the waits of a policy that runs out, at their ceilings: how long it can take at most. */
export function worstCaseWaitMs(policy: RetryPolicy): number {
  let total = 0;
  for (let retry = 1; retry < policy.attempts; retry++) total += backoffCeilingMs(policy, retry);
  return total;
}

export const pause = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** What a try returns to ask for another. */
export const TRY_AGAIN: unique symbol = Symbol('try again');

/**
 * Calls `attempt(n)` (n from 0) until it returns something other than TRY_AGAIN, waiting per the
 * policy between tries; when the tries run out, throws what `exhausted()` makes. An error thrown
 * by `attempt` is not retried: it ends the loop.
 */
export async function retrying<T>(
  policy: RetryPolicy,
  attempt: (n: number) => Promise<T | typeof TRY_AGAIN>,
  exhausted: () => Error,
): Promise<T> {
  for (let n = 0; n < policy.attempts; n++) {
    if (n > 0) await pause(backoffMs(policy, n));
    const outcome = await attempt(n);
    if (outcome !== TRY_AGAIN) return outcome;
  }
  throw exhausted();
}
