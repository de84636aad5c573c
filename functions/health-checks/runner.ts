import { ulid } from 'ulid';
import { recordStateChange } from './health-checks.commands.ts';
import { type CheckResult, evaluateConditions } from './conditions/index.ts';
import {
  countResult,
  type FailureReason,
  type HealthCheck,
  type HealthCheckResult,
  type HealthState,
  nextState,
} from './health-check.domain.ts';
import type { MetricSample } from '#metrics/metrics.domain';
import { logger } from '#kernel/logger';
import { OutboundFailureError, OutboundRefusedError, type SafeResponse, safeFetch } from '#kernel/outbound/safe-fetch';
import type { Actor } from '#kernel/store/event-log';
import { LOST_RACE, retrying, TRY_AGAIN } from '#kernel/retry';
import { batchWriteAll, type WriteRequest } from '#kernel/store/batch';
import {
  claimRun,
  completeRun,
  deleteRunState,
  getHealthCheckHead,
  getHealthCheckHeads,
  getRunState,
  listDueRuns,
  putResult,
  type RunState,
  resultWrites,
  sweepExpiredResults,
} from './health-checks.store.ts';
import { putSamples, sampleWrites } from '#metrics/public';
import { HeaderValueError, resolveHeaders } from './check-headers.ts';
import { recordCheckRuns } from '#kernel/operational-metrics';

/**
 * The health-check runner: once a tick (EventBridge every minute on AWS, the local runtime's
 * timer), find the checks that are due with one Query, claim each, and run them with bounded
 * concurrency so that one slow target holds one slot, never the others. A failing target is a
 * failed result with its reason; it never fails the run.
 */

/**
 * Checks in flight at once, unless STEWARD_HEALTH_CHECK_CONCURRENCY says otherwise (see
 * runnerConcurrency). A check is mostly waiting (a socket, at most one buffered 1 MiB body), but
 * it also costs about 2 ms of CPU here (`npm run bench`: the SDK's calls, the HTTP exchange,
 * conditions), which does not shrink with the bound. On the runner's 1 GB Lambda (about 0.6
 * vCPU) 30 checks in flight keep the CPU below saturation against 100 ms targets, so the response
 * times the checks measure are not stretched by a busy event loop, while a tick of
 * MAX_CHECKS_PER_TICK checks answering in 1 s still takes 34 s, within the 60 s timeout. Raise it
 * together with the function's memory.
 */
export const RUNNER_CONCURRENCY = 30;
/** The most a deployment can set: beyond this, sockets and buffered bodies crowd a small Lambda. */
const MAX_RUNNER_CONCURRENCY = 200;

/** The runner's concurrency bound: STEWARD_HEALTH_CHECK_CONCURRENCY (1–200) when set, else RUNNER_CONCURRENCY. */
export function runnerConcurrency(env: NodeJS.ProcessEnv = process.env): number {
  const raw = env.STEWARD_HEALTH_CHECK_CONCURRENCY;
  if (raw === undefined || raw === '') return RUNNER_CONCURRENCY;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1 || value > MAX_RUNNER_CONCURRENCY) {
    throw new Error(`STEWARD_HEALTH_CHECK_CONCURRENCY must be a whole number from 1 to ${MAX_RUNNER_CONCURRENCY}, not ${raw}.`);
  }
  return value;
}

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

/** Heads read per BatchGet during a tick; the next chunk is read as the current one starts. */
const HEAD_CHUNK = 100;

/**
 * The heads of the due checks, read 100 to a BatchGet as the tick reaches them rather than one
 * GetItem each: a head is at most one chunk's run time older than a per-check read would be, and
 * a check deleted meanwhile is still caught, by its claim (deleting removes the run item).
 */
function headReader(ids: readonly string[]): (index: number) => Promise<HealthCheck | undefined> {
  const chunks = new Map<number, Promise<Map<string, HealthCheck>>>();
  const chunk = (n: number) => {
    let read = chunks.get(n);
    if (!read && n * HEAD_CHUNK < ids.length) {
      read = getHealthCheckHeads(ids.slice(n * HEAD_CHUNK, (n + 1) * HEAD_CHUNK));
      read.catch(() => undefined); // whoever awaits it handles the failure
      chunks.set(n, read);
    }
    return read;
  };
  return async (index) => {
    const id = ids[index] as string;
    const n = Math.floor(index / HEAD_CHUNK);
    const read = chunk(n) as Promise<Map<string, HealthCheck>>;
    chunk(n + 1);
    // A failed BatchGet costs its checks nothing but a GetItem each.
    return read.then((heads) => heads.get(id)).catch(() => getHealthCheckHead(id));
  };
}

/**
 * The heads runs of a tick re-read to decide on a state change, gathered for one event-loop turn
 * into one consistent BatchGet: each is read after its own completion, as a GetItem would be, and
 * checks whose targets answer together (most of a wave) share the call.
 */
class HeadRereads {
  private pending = new Map<string, Array<{ resolve: (check: HealthCheck | undefined) => void; reject: (error: unknown) => void }>>();

  get(id: string): Promise<HealthCheck | undefined> {
    return new Promise((resolve, reject) => {
      if (this.pending.size === 0) setImmediate(() => void this.flush());
      const waiting = this.pending.get(id);
      if (waiting) waiting.push({ resolve, reject });
      else this.pending.set(id, [{ resolve, reject }]);
    });
  }

  private async flush(): Promise<void> {
    const batch = this.pending;
    this.pending = new Map();
    const ids = [...batch.keys()];
    try {
      const heads = await getHealthCheckHeads(ids).catch(async () => {
        // A failed BatchGet costs its checks nothing but a GetItem each.
        const one = await Promise.all(ids.map(async (id) => [id, await getHealthCheckHead(id)] as const));
        return new Map(one.filter((entry): entry is readonly [string, HealthCheck] => entry[1] !== undefined));
      });
      for (const [id, waiting] of batch) for (const { resolve } of waiting) resolve(heads.get(id));
    } catch (error) {
      for (const waiting of batch.values()) for (const { reject } of waiting) reject(error);
    }
  }
}

/** BatchWrite's most requests a call. */
const WRITE_BATCH = 25;

/**
 * The unconditional puts of a tick (results, their day-bucket markers, the health metric samples
 * and their hour-bucket markers), written 25 to a BatchWrite as they gather instead of a Put or
 * two and a BatchWrite per check. Requests are deduplicated by key (a BatchWrite must not name an
 * item twice; every check's samples share the hour's markers). A result reaches its bucket a few
 * checks later than its run item, and at the latest before the tick returns; a failed batch is
 * logged and never fails a run, as recording the metrics alone never did.
 */
class TickWrites {
  private pending = new Map<string, WriteRequest>();
  private readonly batches: Promise<void>[] = [];

  add(writes: readonly WriteRequest[]): void {
    for (const write of writes) {
      const key = 'PutRequest' in write ? write.PutRequest.Item : write.DeleteRequest.Key;
      this.pending.set(`${String(key.PK)}\u0000${String(key.SK)}`, write);
    }
    while (this.pending.size >= WRITE_BATCH) this.flush(WRITE_BATCH);
  }

  /** Writes what is left, and waits for every batch of the tick. */
  async close(): Promise<void> {
    while (this.pending.size > 0) this.flush(WRITE_BATCH);
    await Promise.all(this.batches);
  }

  private flush(size: number): void {
    const batch: WriteRequest[] = [];
    for (const [key, write] of this.pending) {
      if (batch.length === size) break;
      batch.push(write);
      this.pending.delete(key);
    }
    this.batches.push(
      batchWriteAll(batch).catch((error) =>
        logger.error('health check results and metrics not recorded', { items: batch.length, error: String(error) }),
      ),
    );
  }
}

/** One tick: runs every due check once, and counts the runs and failed results (operational metrics). `now` is the tick's scheduled time. */
export async function runDueChecks(
  now: Date = new Date(),
  options: { concurrency?: number; requestId?: string } = {},
): Promise<{ due: number; ran: number; failed: number }> {
  const due = await listDueRuns(now, MAX_CHECKS_PER_TICK);
  const headOf = headReader(due.map((run) => run.checkId));
  const writes = new TickWrites();
  const rereads = new HeadRereads();
  let ran = 0;
  let failed = 0;
  try {
    await pool(
      due.map((run, index) => ({ run, index })),
      options.concurrency ?? runnerConcurrency(),
      async ({ run, index }) => {
        const check = await headOf(index);
        if (!check || check.deletedAt) {
          await deleteRunState(run.checkId);
          return;
        }
        const claimed = await claimRun(check.id, run.dueKey, nextSlot(run.nextRunAt, check.intervalSeconds, now));
        if (!claimed) return;
        const { result } = await runCheck(check, options.requestId ?? `health-check-runner-${now.toISOString()}`, {
          claimed,
          writes,
          rereads,
        });
        ran++;
        if (!result.ok) failed++;
      },
    );
  } finally {
    await writes.close();
  }
  recordCheckRuns(ran, failed);
  return { due: due.length, ran, failed };
}

/**
 * Runs one check now and records the result, the counters and a state change if there is one.
 * The runner's tick passes the run item its claim returned (so a completion usually needs no
 * read first), its batched writes and its batched head reads; a run on its own writes its
 * result before it returns.
 */
export async function runCheck(
  check: HealthCheck,
  requestId: string,
  options: { claimed?: RunState; writes?: TickWrites; rereads?: HeadRereads } = {},
): Promise<RunOutcome> {
  const result = await execute(check);
  let claimed = options.claimed;
  return retrying(
    { ...LOST_RACE, attempts: 10 },
    async () => {
      // The claim's run item first; after a lost completion (another run completed first), a fresh read.
      const run = claimed ?? (await getRunState(check.id));
      claimed = undefined;
      if (!run) {
        // Deleted meanwhile: keep the result (it happened) but nothing else.
        if (options.writes) options.writes.add(resultWrites(result, null));
        else await putResult(result, null);
        return { result, state: check.state, stateChanged: false };
      }
      const counters = countResult(run, result.ok);
      if (!(await completeRun(run, counters, result))) return TRY_AGAIN; // another run completed first: count on top of it
      if (options.writes) {
        options.writes.add([...resultWrites(result, run.lastBucket), ...sampleWrites(healthSamples(check, result))]);
      } else {
        await putResult(result, run.lastBucket);
        await recordHealthMetrics(check, result);
      }
      // Decide on the head as it is now, not as the run began: another run may have moved it.
      // The head alone is enough to decide on; recordStateChange reads it again, in full, to append.
      const current = (await (options.rereads?.get(check.id) ?? getHealthCheckHead(check.id))) ?? check;
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
    },
    () => new Error(`health check ${check.id}: too many concurrent runs`),
  );
}

/**
 * Every result is also two metric samples, `health.latency_ms` and `health.success` (1 or 0),
 * labelled with the service, environment and check.
 */
function healthSamples(check: HealthCheck, result: HealthCheckResult): MetricSample[] {
  const labels = { service: check.service, environment: check.environment, check: check.id };
  return [
    { name: 'health.latency_ms', type: 'gauge', value: result.latencyMs, labels, timestamp: result.at },
    { name: 'health.success', type: 'gauge', value: result.ok ? 1 : 0, labels, timestamp: result.at },
  ];
}

/** Writes a result's metric samples now; losing them never fails the run. */
async function recordHealthMetrics(check: HealthCheck, result: HealthCheckResult): Promise<void> {
  try {
    await putSamples(healthSamples(check, result));
  } catch (error) {
    logger.warn('health check metrics not recorded', { checkId: check.id, error: String(error) });
  }
}

/**
 * Header values read from the value store, by store version (a version's value never changes): a
 * warm runner does not read the same credentials again every minute.
 */
const headerValues = new Map<string, string>();
const MAX_CACHED_HEADER_VALUES = 1_000;

/** Fetches the target and evaluates the conditions. Never throws for anything the target does. */
async function execute(check: HealthCheck): Promise<HealthCheckResult> {
  const started = performance.now();
  let response: SafeResponse | undefined;
  let reason: FailureReason | null = null;
  let detail: string | null = null;
  try {
    if (headerValues.size > MAX_CACHED_HEADER_VALUES) headerValues.clear();
    // Credentials and secrets are read here, when the check runs, and nowhere else.
    const headers = await resolveHeaders(check, headerValues);
    response = await safeFetch(check.url, {
      method: check.method,
      headers,
      body: check.body ?? undefined,
      timeoutMs: check.timeoutMs,
    });
  } catch (error) {
    if (error instanceof HeaderValueError) {
      reason = 'secret';
      detail = error.message;
    } else if (error instanceof OutboundRefusedError) {
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
