import { ulid } from 'ulid';
import { healthCheckAlertEffects } from '#alerts/source-alerts';
import { type CommandContext, checkIfMatch } from '#kernel/command-context';
import { joinIncidentIfCritical } from '#incidents/incidents.commands';
import type { Alert } from '#alerts/alerts.domain';
import { assertValidConditions } from './conditions/index.ts';
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from '#kernel/errors';
import {
  DEFAULT_CHECK_TIMEOUT_MS,
  DEFAULT_FAILURE_THRESHOLD,
  DEFAULT_SUCCESS_THRESHOLD,
  type HeaderValue,
  type HealthCheck,
  type HealthCheckSettings,
  type HealthState,
  healthCheckSubject,
  isCredentialHeader,
  minIntervalSeconds,
  planHeaders,
  REDACTED,
  type SealedHeaders,
} from './health-check.domain.ts';
import type { Actor } from '#kernel/store/event-log';
import { executeCommand } from '#kernel/store/event-log';
import { LOST_RACE, retrying, TRY_AGAIN } from '#kernel/retry';
import { deleteRunState, getHealthCheck, healthCheckItem, runItem } from './health-checks.store.ts';
import { dropSealedHeaders, readSealedHeadersOrFail, storeSealedHeaders } from './check-headers.ts';
import { keys } from '#kernel/store/keys';
import { getService } from '#services/public';
import { secretUsable } from '#secrets/public';

/**
 * Health check commands: each change is one event on the check's own aggregate (`HCHK#<id>`),
 * its head last. A state change (healthy ↔ unhealthy) is an event too, and opens or resolves the
 * check's own alert in the same event; results are not events.
 */

/** What a client may set: every setting but `sealedHeaders`, which follows from `headers`. */
export type HealthCheckInput = Partial<Omit<HealthCheckSettings, 'sealedHeaders'>>;

/**
 * Whether the caller may make a check send credentials it did not give in this request (a
 * secret's value, or a credential stored before): the right to reveal the service's secrets, since
 * whoever chooses where a check sends them could read them there.
 */
export interface HeaderAccess {
  mayUseSecrets: boolean;
}

/** The settings as stored, audited and compared: credentials only as `***` and the value store's version. */
function settingsOf(check: HealthCheckSettings): HealthCheckSettings {
  const {
    environment,
    url,
    method,
    headers,
    sealedHeaders,
    body,
    timeoutMs,
    intervalSeconds,
    conditions,
    failureThreshold,
    successThreshold,
  } = check;
  return {
    environment,
    url,
    method,
    headers,
    sealedHeaders: sealedHeaders ?? null,
    body,
    timeoutMs,
    intervalSeconds,
    conditions,
    failureThreshold,
    successThreshold,
  };
}

function headerPointer(name: string): string {
  return `/body/headers/${name.replace(/~/g, '~0').replace(/\//g, '~1')}`;
}

function referencesOf(headers: Record<string, HeaderValue>): string {
  return JSON.stringify(
    Object.entries(headers)
      .filter(([, value]) => typeof value !== 'string')
      .sort(([a], [b]) => (a < b ? -1 : 1)),
  );
}

/**
 * The headers a create or PATCH makes, settled before its event: credentials written to the value
 * store (a new version only when they changed), secret references checked against the service's
 * secrets in the check's environment, and the caller's right to send credentials checked.
 */
async function settleHeaders(args: {
  id: string;
  service: string;
  environment: string;
  /** The headers as sent; undefined on a PATCH that leaves them as they are. */
  input: Record<string, HeaderValue> | undefined;
  current: HealthCheck | undefined;
  urlChanged: boolean;
  access: HeaderAccess;
}): Promise<Pick<HealthCheckSettings, 'headers' | 'sealedHeaders'>> {
  const { id, service, environment, current, urlChanged, access } = args;
  const environmentChanged = current !== undefined && current.environment !== environment;
  let headers: Record<string, HeaderValue>;
  let sealedHeaders: SealedHeaders | null;
  let kept: string[];
  if (args.input === undefined) {
    headers = current?.headers ?? {};
    sealedHeaders = current?.sealedHeaders ?? null;
    kept = sealedHeaders?.names ?? [];
  } else {
    const sendsBack = Object.entries(args.input).some(([name, value]) => value === REDACTED && isCredentialHeader(name));
    const before = sendsBack && current?.sealedHeaders ? await readSealedHeadersOrFail(id, current.sealedHeaders) : null;
    const plan = planHeaders(args.input, before);
    if (plan.errors.length > 0) {
      throw new ValidationError(
        'Some headers cannot be kept.',
        plan.errors.map(({ name, message }) => ({ pointer: headerPointer(name), message })),
      );
    }
    headers = plan.headers;
    kept = plan.kept;
    const names = Object.keys(plan.sealed);
    const unchanged =
      current?.sealedHeaders &&
      kept.length === names.length &&
      [...names].sort().join('\n') === [...current.sealedHeaders.names].sort().join('\n');
    sealedHeaders =
      names.length === 0
        ? null
        : unchanged
          ? (current?.sealedHeaders ?? null)
          : { versionId: await storeSealedHeaders(id, plan.sealed), names };
  }
  const references = Object.entries(headers).filter((entry): entry is [string, { secret: string }] => typeof entry[1] !== 'string');
  const referencesChanged = current === undefined || environmentChanged || referencesOf(headers) !== referencesOf(current.headers);
  if (!access.mayUseSecrets && ((references.length > 0 && (referencesChanged || urlChanged)) || (kept.length > 0 && urlChanged))) {
    throw new ForbiddenError(
      `A health check that sends ${references.length > 0 ? `the secrets of ${service}` : 'credentials stored before'} to a URL it is given may be set only by an admin, or a deployer key limited to services that include ${service}, as revealing those secrets would need.`,
    );
  }
  if (referencesChanged) {
    for (const [name, { secret }] of references) {
      if (!(await secretUsable({ service, environment, name: secret }))) {
        throw new ValidationError(`Header ${name} names a secret ${service} does not have in ${environment}.`, [
          {
            pointer: headerPointer(name),
            message: `no secret ${secret} of ${service} in ${environment} (or it is scheduled for deletion)`,
          },
        ]);
      }
    }
  }
  return { headers, sealedHeaders };
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
  access: HeaderAccess = { mayUseSecrets: false },
): Promise<HealthCheck> {
  const settings: HealthCheckSettings = {
    environment: input.environment,
    url: input.url,
    method: (input.method ?? 'GET').toUpperCase(),
    headers: {},
    sealedHeaders: null,
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
  // Credentials go to the value store before the event that names their version is committed.
  Object.assign(
    settings,
    await settleHeaders({
      id,
      service,
      environment: settings.environment,
      input: input.headers ?? {},
      current: undefined,
      urlChanged: true,
      access,
    }),
  );
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
  access: HeaderAccess = { mayUseSecrets: false },
): Promise<HealthCheck> {
  const { check: read } = await readHealthCheck(service, id);
  checkIfMatch(context.ifMatch, read.rev, `Health check ${id}`);
  const settled = await settleHeaders({
    id,
    service,
    environment: input.environment ?? read.environment,
    input: input.headers,
    current: read,
    urlChanged: input.url !== undefined && input.url !== read.url,
    access,
  });
  return executeCommand<HealthCheck>(keys.healthCheckAggregate(id), async () => {
    const { check: current, seq } = await readHealthCheck(service, id);
    checkIfMatch(context.ifMatch, current.rev, `Health check ${id}`);
    // Headers were settled against the check as read above: if they changed since, settle again.
    if (input.headers === undefined && JSON.stringify(current.headers) !== JSON.stringify(read.headers)) {
      throw new ConflictError(`Health check ${id}'s headers changed while this request was being answered; retry it.`);
    }
    const merged: HealthCheckSettings = {
      ...settingsOf(current),
      ...Object.fromEntries(Object.entries(input).filter(([, value]) => value !== undefined)),
      ...settled,
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
  await dropSealedHeaders(id);
}

/**
 * Reveals the credential values a check sends (an admin's right, the route says), recording who
 * did: the values are read first and handed out only once the reveal is committed, as for secrets.
 */
export async function revealHealthCheckHeaders(
  service: string,
  id: string,
  context: CommandContext,
): Promise<{ headers: Record<string, string>; revealedAt: string }> {
  return retrying(
    { ...LOST_RACE, attempts: 3 },
    async () => {
      const { check } = await readHealthCheck(service, id);
      if (!check.sealedHeaders) throw new NotFoundError(`Health check ${id} keeps no credential values: its headers show as they are.`);
      const sealed = check.sealedHeaders;
      const values = await readSealedHeadersOrFail(id, sealed);
      const revealedAt = new Date().toISOString();
      const outcome = await executeCommand<'revealed' | 'moved'>(keys.healthCheckAggregate(id), async () => {
        const { check: current, seq } = await readHealthCheck(service, id);
        // New values landed since the read: read again rather than record the wrong version.
        if (current.sealedHeaders?.versionId !== sealed.versionId) return { unchanged: 'moved' };
        return {
          expectedSeq: seq,
          event: {
            type: 'healthcheck.headers_revealed',
            actor: context.actor,
            requestId: context.requestId,
            service,
            subject: healthCheckSubject(service, id),
            changes: { before: null, after: { revealedHeaders: sealed.names, versionId: sealed.versionId, revealedAt } },
            effects: [healthCheckItem(current)],
          },
          result: () => 'revealed',
        };
      });
      return outcome === 'revealed' ? { headers: values, revealedAt } : TRY_AGAIN;
    },
    () => new ConflictError(`Health check ${id}'s credentials kept changing while being revealed; retry the request.`),
  );
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
