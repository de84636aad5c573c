import { ulid } from 'ulid';
import { healthCheckAlertEffects } from '#alerts/source-alerts';
import { type CommandContext, checkIfMatch } from '#kernel/command-context';
import { joinIncidentIfCritical } from '#incidents/incidents.commands';
import type { Alert } from '#alerts/alerts.domain';
import { assertValidConditions } from './conditions/index.ts';
import { NotFoundError, ValidationError } from '#kernel/errors';
import {
  DEFAULT_CHECK_TIMEOUT_MS,
  DEFAULT_FAILURE_THRESHOLD,
  DEFAULT_SUCCESS_THRESHOLD,
  type HealthCheck,
  type HealthCheckSettings,
  type HealthState,
  healthCheckSubject,
  minIntervalSeconds,
} from './health-check.domain.ts';
import type { Actor } from '#kernel/store/event-log';
import { executeCommand } from '#kernel/store/event-log';
import { deleteRunState, getHealthCheck, healthCheckItem, runItem } from './health-checks.store.ts';
import { keys } from '#kernel/store/keys';
import { getService } from '#services/public';

/**
 * Health check commands: each change is one event on the check's own aggregate (`HCHK#<id>`),
 * its head last. A state change (healthy ↔ unhealthy) is an event too, and opens or resolves the
 * check's own alert in the same event; results are not events.
 */

export type HealthCheckInput = Partial<HealthCheckSettings>;

function settingsOf(check: HealthCheckSettings): HealthCheckSettings {
  const { environment, url, method, headers, body, timeoutMs, intervalSeconds, conditions, failureThreshold, successThreshold } = check;
  return { environment, url, method, headers, body, timeoutMs, intervalSeconds, conditions, failureThreshold, successThreshold };
}

/** Rules zod cannot see: the condition language, and the least interval of this deployment. */
function checkSettings(settings: HealthCheckSettings): void {
  assertValidConditions(settings.conditions);
  const least = minIntervalSeconds();
  if (settings.intervalSeconds < least) {
    throw new ValidationError(`A health check runs at most once every ${least} seconds here.`, [
      { pointer: '/body/intervalSeconds', message: `must be at least ${least} (the runner is scheduled once a minute on AWS)` },
    ]);
  }
  if (settings.timeoutMs > settings.intervalSeconds * 1000) {
    throw new ValidationError('The timeout is longer than the interval.', [
      { pointer: '/body/timeoutMs', message: `must not exceed the interval (${settings.intervalSeconds * 1000} ms)` },
    ]);
  }
}

async function requireService(service: string): Promise<void> {
  if (!(await getService(service))) throw new NotFoundError(`There is no service named ${service}.`);
}

function notFound(service: string, id: string): NotFoundError {
  return new NotFoundError(`Service ${service} has no health check ${id}.`);
}

/** A live check of this service, or 404 (a check of another service is not found here either). */
export async function readHealthCheck(service: string, id: string): Promise<{ check: HealthCheck; seq: number }> {
  const stored = await getHealthCheck(id);
  if (!stored || stored.check.service !== service || stored.check.deletedAt) throw notFound(service, id);
  return stored;
}

export async function createHealthCheck(
  service: string,
  input: HealthCheckInput & Pick<HealthCheckSettings, 'environment' | 'url' | 'intervalSeconds' | 'conditions'>,
  context: CommandContext,
): Promise<HealthCheck> {
  const settings: HealthCheckSettings = {
    environment: input.environment,
    url: input.url,
    method: (input.method ?? 'GET').toUpperCase(),
    headers: input.headers ?? {},
    body: input.body ?? null,
    timeoutMs: input.timeoutMs ?? DEFAULT_CHECK_TIMEOUT_MS,
    intervalSeconds: input.intervalSeconds,
    conditions: input.conditions,
    failureThreshold: input.failureThreshold ?? DEFAULT_FAILURE_THRESHOLD,
    successThreshold: input.successThreshold ?? DEFAULT_SUCCESS_THRESHOLD,
  };
  if (settings.timeoutMs > settings.intervalSeconds * 1000 && input.timeoutMs === undefined) {
    settings.timeoutMs = settings.intervalSeconds * 1000;
  }
  checkSettings(settings);
  await requireService(service);
  const id = ulid();
  return executeCommand<HealthCheck>(keys.healthCheckAggregate(id), async () => {
    const now = new Date().toISOString();
    const check: HealthCheck = {
      ...settings,
      id,
      service,
      state: 'unknown',
      stateChangedAt: null,
      createdAt: now,
      updatedAt: now,
      rev: 1,
      deletedAt: null,
    };
    return {
      expectedSeq: 0,
      event: {
        type: 'healthcheck.created',
        actor: context.actor,
        requestId: context.requestId,
        service,
        subject: healthCheckSubject(service, id),
        changes: { before: null, after: settings },
        // Due at once: the first run happens on the next tick.
        effects: [runItem(id, now), healthCheckItem(check)],
      },
      result: () => check,
    };
  });
}

export async function updateHealthCheck(
  service: string,
  id: string,
  input: HealthCheckInput,
  context: CommandContext,
): Promise<HealthCheck> {
  return executeCommand<HealthCheck>(keys.healthCheckAggregate(id), async () => {
    const { check: current, seq } = await readHealthCheck(service, id);
    checkIfMatch(context.ifMatch, current.rev, `Health check ${id}`);
    const merged: HealthCheckSettings = {
      ...settingsOf(current),
      ...Object.fromEntries(Object.entries(input).filter(([, value]) => value !== undefined)),
    };
    merged.method = merged.method.toUpperCase();
    checkSettings(merged);
    const before = settingsOf(current);
    if (JSON.stringify(before) === JSON.stringify(merged)) return { unchanged: current };
    const next: HealthCheck = { ...current, ...merged, updatedAt: new Date().toISOString(), rev: current.rev + 1 };
    return {
      expectedSeq: seq,
      event: {
        type: 'healthcheck.updated',
        actor: context.actor,
        requestId: context.requestId,
        service,
        subject: healthCheckSubject(service, id),
        changes: { before, after: merged },
        effects: [healthCheckItem(next)],
      },
      result: () => next,
    };
  });
}

export async function deleteHealthCheck(service: string, id: string, context: CommandContext): Promise<void> {
  await executeCommand<HealthCheck>(keys.healthCheckAggregate(id), async () => {
    const { check: current, seq } = await readHealthCheck(service, id);
    checkIfMatch(context.ifMatch, current.rev, `Health check ${id}`);
    const now = new Date().toISOString();
    const next: HealthCheck = { ...current, deletedAt: now, updatedAt: now, rev: current.rev + 1 };
    // A deleted check's open alert resolves with it.
    const alert = await healthCheckAlertEffects(current, 'unknown', now, 'The health check was deleted.');
    return {
      expectedSeq: seq,
      event: {
        type: 'healthcheck.deleted',
        actor: context.actor,
        requestId: context.requestId,
        service,
        subject: healthCheckSubject(service, id),
        changes: { before: settingsOf(current), after: null },
        effects: [...alert.effects, healthCheckItem(next)],
      },
      result: () => next,
    };
  });
  // Off the schedule now; if this fails, the runner drops the run item when it next finds it due.
  await deleteRunState(id).catch(() => undefined);
}

export interface StateChange {
  from: HealthState;
  to: HealthState;
  consecutiveFailures: number;
  consecutiveSuccesses: number;
  /** The failing conditions of the run that tipped it, with what they resolved to. */
  failingConditions: Array<{ condition: string; resolved: string }>;
  reason: string | null;
  detail: string | null;
  resultId: string;
}

/**
 * Records a state change, decided against the head as it is now: a change another run already
 * recorded (or a check deleted meanwhile) records nothing. Returns whether this call recorded it.
 */
export async function recordStateChange(checkId: string, change: StateChange, actor: Actor, requestId: string): Promise<boolean> {
  // The alert the recorded change opened: a critical one opens or joins an incident right after.
  let opened: Alert | null = null;
  const recorded = await executeCommand<boolean>(keys.healthCheckAggregate(checkId), async () => {
    opened = null;
    const stored = await getHealthCheck(checkId);
    if (!stored || stored.check.deletedAt || stored.check.state === change.to) return { unchanged: false };
    const now = new Date().toISOString();
    const next: HealthCheck = { ...stored.check, state: change.to, stateChangedAt: now };
    // Unhealthy opens the check's own alert (no rule needed); healthy resolves it: same event, same aggregate.
    const summary =
      change.to === 'unhealthy'
        ? `${stored.check.method} ${stored.check.url} failed ${change.consecutiveFailures} times in a row${change.detail ? `: ${change.detail}` : ''}`
        : `${stored.check.method} ${stored.check.url} is healthy again`;
    const alert = await healthCheckAlertEffects(stored.check, change.to, now, summary);
    opened = alert.opened;
    return {
      expectedSeq: stored.seq,
      event: {
        type: 'healthcheck.state_changed',
        actor,
        requestId,
        service: stored.check.service,
        subject: healthCheckSubject(stored.check.service, checkId),
        changes: {
          before: { state: stored.check.state },
          after: {
            state: change.to,
            environment: stored.check.environment,
            consecutiveFailures: change.consecutiveFailures,
            consecutiveSuccesses: change.consecutiveSuccesses,
            failingConditions: change.failingConditions,
            reason: change.reason,
            detail: change.detail,
            resultId: change.resultId,
            alertId: alert.alertId,
          },
        },
        effects: [...alert.effects, healthCheckItem(next)],
      },
      result: () => true,
    };
  });
  if (recorded) await joinIncidentIfCritical(opened, actor, requestId);
  return recorded;
}
