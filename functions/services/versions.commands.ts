import { BadRequestError, ConflictError, NotFoundError, PayloadTooLargeError, ValidationError } from '#kernel/errors';
import type { LifecycleAction, VersionStatus } from './lifecycle.domain.ts';
import { compareSemVer, parseSemVer, precedenceKey, type SemVer } from './semver.domain.ts';
import type { Service, VersionCounts } from './service.domain.ts';
import {
  addChanges,
  applyLifecycleAction,
  type Change,
  createVersion,
  type Deprecation,
  MAX_VERSION_BYTES,
  type NewVersion,
  type Version,
} from './version.domain.ts';
import { type CommandContext, checkIfMatch } from '#kernel/command-context';
import type { EventType } from '#kernel/events';
import { executeCommand } from '#kernel/store/event-log';
import { keys } from '#kernel/store/keys';
import { getService, serviceItem, type StoredService } from './services.store.ts';
import { getVersion, listVersions, versionItem } from './versions.store.ts';

/** Parses a version written by a client, or answers 400 saying why it is not SemVer. */
export function parseVersionOrThrow(raw: string, pointer: string): SemVer {
  const parsed = parseSemVer(raw);
  if (!parsed.ok) {
    const message = `"${raw}" is not a valid semantic version: ${parsed.reason}`;
    throw new ValidationError(`${message}.`, [{ pointer, message }]);
  }
  return parsed.value;
}

async function requireService(name: string): Promise<StoredService> {
  const stored = await getService(name);
  if (!stored) throw new NotFoundError(`There is no service named ${name}.`);
  return stored;
}

async function requireVersion(service: string, semver: SemVer): Promise<Version> {
  const version = await getVersion(service, precedenceKey(semver));
  if (!version) throw new NotFoundError(`Service ${service} has no version ${semver.raw}.`);
  return version;
}

function checkSize(version: Version): void {
  if (Buffer.byteLength(JSON.stringify(version)) > MAX_VERSION_BYTES) {
    throw new PayloadTooLargeError(
      `Version ${version.version} would be larger than ${MAX_VERSION_BYTES / 1000} KB; shorten its description, change log or metadata.`,
    );
  }
}

function withCounts(service: Service, from: VersionStatus | null, to: VersionStatus): VersionCounts {
  const counts = { ...service.versionCounts };
  if (from) counts[from] -= 1;
  counts[to] += 1;
  return counts;
}

export async function registerVersion(serviceName: string, input: NewVersion, context: CommandContext): Promise<Version> {
  const semver = parseVersionOrThrow(input.version, '/body/version');
  const precedence = precedenceKey(semver);
  return executeCommand(keys.serviceAggregate(serviceName), async () => {
    const stored = await requireService(serviceName);
    if (input.model && stored.service.kind !== 'model') {
      const message = `only versions of a service of kind model carry a model card; ${serviceName} is of kind ${stored.service.kind}`;
      throw new ValidationError(`Only versions of a model carry a model card: ${serviceName} is of kind ${stored.service.kind}.`, [
        { pointer: '/body/model', message },
      ]);
    }
    const existing = await getVersion(serviceName, precedence);
    if (existing) {
      const same = existing.version === input.version;
      throw new ConflictError(
        same
          ? `Service ${serviceName} already has version ${input.version}.`
          : `Service ${serviceName} already has version ${existing.version}, of equal precedence to ${input.version} (build metadata does not tell versions apart).`,
        { existingVersion: existing.version },
      );
    }
    const version = createVersion(serviceName, input, new Date().toISOString());
    checkSize(version);
    const service: Service = { ...stored.service, versionCounts: withCounts(stored.service, null, 'draft') };
    return {
      expectedSeq: stored.seq,
      event: {
        type: 'version.registered',
        actor: context.actor,
        requestId: context.requestId,
        service: serviceName,
        subject: `version/${serviceName}@${version.version}`,
        changes: { before: null, after: version },
        effects: [versionItem(version, precedence), serviceItem(service)],
      },
      result: () => version,
    };
  });
}

const ACTION_EVENTS: Record<LifecycleAction, EventType> = {
  release: 'version.released',
  deprecate: 'version.deprecated',
  retire: 'version.retired',
};

export async function moveVersion(
  serviceName: string,
  rawVersion: string,
  action: LifecycleAction,
  deprecation: Partial<Deprecation>,
  context: CommandContext,
): Promise<Version> {
  const semver = parseVersionOrThrow(rawVersion, '/path/version');
  return executeCommand(keys.serviceAggregate(serviceName), async () => {
    const stored = await requireService(serviceName);
    const current = await requireVersion(serviceName, semver);
    checkIfMatch(context.ifMatch, current.rev, `Version ${current.version}`);
    if (deprecation.replacement) await checkReplacement(serviceName, semver, deprecation.replacement);
    const next = applyLifecycleAction(current, action, new Date().toISOString(), deprecation);
    const service: Service = {
      ...stored.service,
      versionCounts: withCounts(stored.service, current.status, next.status),
      latestReleased: await latestReleasedAfter(stored.service, semver, next),
    };
    return {
      expectedSeq: stored.seq,
      event: {
        type: ACTION_EVENTS[action],
        actor: context.actor,
        requestId: context.requestId,
        service: serviceName,
        subject: `version/${serviceName}@${current.version}`,
        changes: { before: lifecycleFields(current), after: lifecycleFields(next) },
        effects: [versionItem(next, precedenceKey(semver)), serviceItem(service)],
      },
      result: () => next,
    };
  });
}

function lifecycleFields(version: Version) {
  const { status, releasedAt, deprecatedAt, retiredAt, deprecation } = version;
  return { status, releasedAt, deprecatedAt, retiredAt, deprecation };
}

async function checkReplacement(serviceName: string, deprecated: SemVer, replacement: string): Promise<void> {
  const parsed = parseSemVer(replacement);
  if (!parsed.ok) {
    const message = `"${replacement}" is not a valid semantic version: ${parsed.reason}`;
    throw new ValidationError(`The replacement ${message}.`, [{ pointer: '/body/replacement', message }]);
  }
  if (compareSemVer(parsed.value, deprecated) === 0) throw new BadRequestError('A version cannot be its own replacement.');
  const target = await getVersion(serviceName, precedenceKey(parsed.value));
  if (target?.status !== 'released') {
    throw new ConflictError(
      `The replacement ${replacement} must be a released version of ${serviceName}${target ? `; it is ${target.status}` : '; it is not registered'}.`,
    );
  }
}

/** The service's latest released version once `changed` has moved. */
async function latestReleasedAfter(service: Service, semver: SemVer, changed: Version): Promise<string | null> {
  const latest = service.latestReleased;
  if (changed.status === 'released') {
    if (latest === null) return changed.version;
    const latestParsed = parseSemVer(latest);
    return latestParsed.ok && compareSemVer(latestParsed.value, semver) >= 0 ? latest : changed.version;
  }
  if (latest !== changed.version) return latest;
  // The latest released version left "released": find the next one down.
  let cursor: string | undefined;
  do {
    const page = await listVersions(service.name, { limit: 25, cursor, status: 'released', consistent: true });
    const next = page.items.find((version) => version.version !== changed.version);
    if (next) return next.version;
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  return null;
}

export async function addVersionChanges(
  serviceName: string,
  rawVersion: string,
  changes: Change[],
  context: CommandContext,
): Promise<Version> {
  const semver = parseVersionOrThrow(rawVersion, '/path/version');
  return executeCommand(keys.serviceAggregate(serviceName), async () => {
    const stored = await requireService(serviceName);
    const current = await requireVersion(serviceName, semver);
    checkIfMatch(context.ifMatch, current.rev, `Version ${current.version}`);
    const next = addChanges(current, changes, new Date().toISOString());
    checkSize(next);
    return {
      expectedSeq: stored.seq,
      event: {
        type: 'version.changes_added',
        actor: context.actor,
        requestId: context.requestId,
        service: serviceName,
        subject: `version/${serviceName}@${current.version}`,
        changes: { before: { changeCount: current.changes.length }, after: { changeCount: next.changes.length, added: changes } },
        effects: [versionItem(next, precedenceKey(semver)), serviceItem(stored.service)],
      },
      result: () => next,
    };
  });
}

export async function readVersion(serviceName: string, rawVersion: string): Promise<Version> {
  return requireVersion(serviceName, parseVersionOrThrow(rawVersion, '/path/version'));
}
