import { ulid } from 'ulid';
import { recordStateChange } from '#commands/health-checks';
import { type CheckResult, evaluateConditions } from '#domain/conditions/index';
import {
  countResult,
  type FailureReason,
  type HealthCheck,
  type HealthCheckResult,
  type HealthState,
  nextState,
} from '#domain/health-check';
import { logger } from '#http/logger';
import { OutboundFailureError, OutboundRefusedError, type SafeResponse, safeFetch } from '#outbound/safe-fetch';
import type { Actor } from '#store/event-log';
import {
  claimRun,
  completeRun,
  deleteRunState,
  getHealthCheck,
  getRunState,
  listDueRuns,
  putResult,
  sweepExpiredResults,
} from '#store/health-checks';
import { putSamples } from '#store/metrics';

/**
 * The health-check runner: once a tick (EventBridge every minute on AWS, the local runtime's
 * timer), find the checks that are due with one Query, claim each, and run them with bounded
 * concurrency so that one slow target holds one slot, never the others. A failing target is a
 * failed result with its reason; it never fails the run.
 */

export const RUNNER_CONCURRENCY = 20;
/** Checks taken per tick; the rest stay due and go first on the next one. */
export const MAX_CHECKS_PER_TICK = 1000;

const RUNNER_ACTOR: Actor = { keyId: 'system', name: 'health-check-runner' };

export interface RunOutcome {
  result: HealthCheckResult;
  state: HealthState;
  stateChanged: boolean;
}

/** Runs `tasks` with at most `limit` in flight; each task's failure is its own. */
async function pool<T>(items: readonly T[], limit: number, task: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const item = items[next++] as T;
      await task(item).catch((error) => logger.error('health check run failed', { error: String(error) }));
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

/** The check's next slot: a whole interval after the slot it was due in, never in the past. */
function nextSlot(dueAt: string, intervalSeconds: number, now: Date): string {
  const interval = intervalSeconds * 1000;
  let next = Date.parse(dueAt) + interval;
  if (next <= now.getTime()) next = now.getTime() + interval;
  return new Date(next).toISOString();
}

/** One tick: runs every due check once. `now` is the tick's scheduled time. */
export async function runDueChecks(
  now: Date = new Date(),
  options: { concurrency?: number; requestId?: string } = {},
): Promise<{ due: number; ran: number }> {
  const due = await listDueRuns(now, MAX_CHECKS_PER_TICK);
  let ran = 0;
  await pool(due, options.concurrency ?? RUNNER_CONCURRENCY, async (run) => {
    const stored = await getHealthCheck(run.checkId);
    if (!stored || stored.check.deletedAt) {
      await deleteRunState(run.checkId);
      return;
    }
    const check = stored.check;
    if (!(await claimRun(check.id, run.dueKey, nextSlot(run.nextRunAt, check.intervalSeconds, now)))) return;
    await runCheck(check, options.requestId ?? `health-check-runner-${now.toISOString()}`);
    ran++;
  });
  return { due: due.length, ran };
}

/** Runs one check now and records the result, the counters and a state change if there is one. */
export async function runCheck(check: HealthCheck, requestId: string): Promise<RunOutcome> {
  const result = await execute(check);
  for (let attempt = 0; attempt < 10; attempt++) {
    const run = await getRunState(check.id);
    if (!run) {
      // Deleted meanwhile: keep the result (it happened) but nothing else.
      await putResult(result, null);
      return { result, state: check.state, stateChanged: false };
    }
    const counters = countResult(run, result.ok);
    if (!(await completeRun(run, counters, result))) continue; // another run completed first: count on top of it
    await putResult(result, run.lastBucket);
    await recordHealthMetrics(check, result);
    // Decide on the head as it is now, not as the run began: another run may have moved it.
    const current = (await getHealthCheck(check.id))?.check ?? check;
    const state = nextState(current.state, counters, current);
    let stateChanged = false;
    if (state !== current.state) {
      stateChanged = await recordStateChange(
        check.id,
        {
          from: current.state,
          to: state,
          ...counters,
          failingConditions: result.conditions.filter((c) => !c.ok).map(({ condition, resolved }) => ({ condition, resolved })),
          reason: result.reason,
          detail: result.detail,
          resultId: result.id,
        },
        RUNNER_ACTOR,
        requestId,
      );
    }
    return { result, state, stateChanged };
  }
  throw new Error(`health check ${check.id}: too many concurrent runs`);
}

/**
 * Every result is also two metric samples, `health.latency_ms` and `health.success` (1 or 0),
 * labelled with the service, environment and check. Losing them never fails the run.
 */
async function recordHealthMetrics(check: HealthCheck, result: HealthCheckResult): Promise<void> {
  const labels = { service: check.service, environment: check.environment, check: check.id };
  try {
    await putSamples([
      { name: 'health.latency_ms', type: 'gauge', value: result.latencyMs, labels, timestamp: result.at },
      { name: 'health.success', type: 'gauge', value: result.ok ? 1 : 0, labels, timestamp: result.at },
    ]);
  } catch (error) {
    logger.warn('health check metrics not recorded', { checkId: check.id, error: String(error) });
  }
}

/** Fetches the target and evaluates the conditions. Never throws for anything the target does. */
async function execute(check: HealthCheck): Promise<HealthCheckResult> {
  const started = performance.now();
  let response: SafeResponse | undefined;
  let reason: FailureReason | null = null;
  let detail: string | null = null;
  try {
    response = await safeFetch(check.url, {
      method: check.method,
      headers: check.headers,
      body: check.body ?? undefined,
      timeoutMs: check.timeoutMs,
    });
  } catch (error) {
    if (error instanceof OutboundRefusedError) {
      reason = 'refused';
      detail = error.message;
    } else if (error instanceof OutboundFailureError) {
      reason = error.kind;
      detail = error.message;
    } else {
      reason = 'protocol';
      detail = error instanceof Error ? error.message : String(error);
    }
  }
  const at = new Date();
  const latencyMs = Math.round(response?.latencyMs ?? performance.now() - started);
  const observed: CheckResult = {
    status: response?.status ?? 0,
    responseTimeMs: latencyMs,
    body: response ? response.body.toString('utf8') : undefined,
    certificateExpirationMs: response?.tls ? response.tls.validTo.getTime() - at.getTime() : undefined,
    connected: response !== undefined,
  };
  const conditions = evaluateConditions(check.conditions, observed).map(({ condition, ok, resolved, error }) => ({
    condition,
    ok,
    resolved,
    ...(error ? { error } : {}),
  }));
  const ok = response !== undefined && conditions.every((condition) => condition.ok);
  if (response && !ok) {
    reason = 'conditions';
    const failed = conditions.filter((condition) => !condition.ok);
    detail = `${failed.length} of ${conditions.length} conditions failed: ${failed.map((c) => c.resolved).join('; ')}`;
  }
  return {
    id: ulid(),
    checkId: check.id,
    at: at.toISOString(),
    ok,
    status: observed.status,
    latencyMs,
    conditions,
    reason,
    detail,
    certificateExpiresAt: response?.tls ? response.tls.validTo.toISOString() : null,
  };
}

/** The local stand-in for DynamoDB TTL, on the runner's tick. */
export async function sweepResults(now: Date = new Date()) {
  return sweepExpiredResults(now);
}
