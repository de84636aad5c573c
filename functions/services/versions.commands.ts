import { BadRequestError, ConflictError, NotFoundError, PayloadTooLargeError, ValidationError } from '#kernel/errors';
import type { LifecycleAction } from './lifecycle.domain.ts';
import { compareSemVer, parseSemVer, precedenceKey, type SemVer } from './semver.domain.ts';
import {
  addChanges,
  applyLifecycleAction,
  type Change,
  createVersion,
  type Deprecation,
  MAX_CHANGES,
  MAX_VERSION_BYTES,
  type NewVersion,
  patchVersion,
  type Version,
  type VersionPatch,
} from './version.domain.ts';
import { type CommandContext, checkIfMatch } from '#kernel/command-context';
import type { EventType } from '#kernel/events';
import { executeCommand } from '#kernel/store/event-log';
import { autoDeprecations, checkRetirement, releaseVerdict } from '#api-contracts/public';
import { keys } from '#kernel/store/keys';
import { digestEntry, ensureDigest, MAX_DIGEST_BYTES } from './digest.store.ts';
import { getService, type StoredService } from './services.store.ts';
import { getStoredVersion, getVersion, type StoredVersion, versionItem } from './versions.store.ts';

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

async function requireVersion(service: string, semver: SemVer): Promise<StoredVersion> {
  const stored = await getStoredVersion(service, precedenceKey(semver));
  if (!stored) throw new NotFoundError(`Service ${service} has no version ${semver.raw}.`);
  return stored;
}

function checkSize(version: Version): void {
  if (Buffer.byteLength(JSON.stringify(version)) > MAX_VERSION_BYTES) {
    throw new PayloadTooLargeError(
      `Version ${version.version} would be larger than ${MAX_VERSION_BYTES / 1000} KB; shorten its description, change log or metadata.`,
    );
  }
}

/**
 * Each version is its own aggregate (docs/architecture.md §3): registering, moving or amending one
 * version contends only with writers of that version. Its events set the version's entry in the
 * service's digest, from which the service's counts and latest released version are read.
 */
export async function registerVersion(serviceName: string, input: NewVersion, context: CommandContext): Promise<Version> {
  const semver = parseVersionOrThrow(input.version, '/body/version');
  const precedence = precedenceKey(semver);
  return executeCommand(keys.versionAggregate(serviceName, precedence), async () => {
    const stored = await requireService(serviceName);
    if (input.model) checkCardAllowed(stored);
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
    if ((stored.digest?.bytes ?? 0) > MAX_DIGEST_BYTES) {
      throw new ConflictError(
        `Service ${serviceName} holds as many versions as it can (${versionTotalOf(stored)}); register it under a new service.`,
      );
    }
    await ensureDigest(serviceName, stored.digest);
    const version = createVersion(serviceName, input, new Date().toISOString());
    checkSize(version);
    return {
      // A new version's aggregate has no events yet; if a crashed registration committed one, the
      // write conflicts, the event is projected, and the retry finds the version: 409.
      expectedSeq: 0,
      event: {
        type: 'version.registered',
        actor: context.actor,
        requestId: context.requestId,
        service: serviceName,
        subject: `version/${serviceName}@${version.version}`,
        changes: { before: null, after: version },
        effects: [digestEntry(serviceName, precedence, version.status, version.version), versionItem(version, precedence)],
      },
      result: () => version,
    };
  });
}

/** A model card only on a version of a model: else a 400 pointing at it. */
function checkCardAllowed(stored: StoredService): void {
  const { name, kind } = stored.service;
  if (kind === 'model') return;
  const message = `only versions of a service of kind model carry a model card; ${name} is of kind ${kind}`;
  throw new ValidationError(`Only versions of a model carry a model card: ${name} is of kind ${kind}.`, [
    { pointer: '/body/model', message },
  ]);
}

/**
 * Updates a draft (PATCH .../versions/{version}): each field sent replaces it whole, the model card
 * included. A version past draft is frozen (409); an update that changes nothing records nothing.
 */
export async function updateVersion(
  serviceName: string,
  rawVersion: string,
  patch: VersionPatch,
  context: CommandContext,
): Promise<Version> {
  const semver = parseVersionOrThrow(rawVersion, '/path/version');
  const precedence = precedenceKey(semver);
  return executeCommand<Version>(keys.versionAggregate(serviceName, precedence), async () => {
    const { version: current, seq } = await requireVersion(serviceName, semver);
    checkIfMatch(context.ifMatch, current.rev, `Version ${current.version}`);
    if (patch.model) checkCardAllowed(await requireService(serviceName));
    const { next, before, after } = patchVersion(current, patch, new Date().toISOString());
    if (Object.keys(after).length === 0) return { unchanged: current };
    checkSize(next);
    return {
      expectedSeq: seq,
      event: {
        type: 'version.updated',
        actor: context.actor,
        requestId: context.requestId,
        service: serviceName,
        subject: `version/${serviceName}@${current.version}`,
        changes: { before, after },
        // The status does not change, so the digest's entry stays as it is.
        effects: [versionItem(next, precedence)],
      },
      result: () => next,
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
  deprecation: Partial<Deprecation> & { acceptBreaking?: { reason: string }; force?: { reason: string } },
  context: CommandContext,
): Promise<Version> {
  const semver = parseVersionOrThrow(rawVersion, '/path/version');
  const precedence = precedenceKey(semver);
  return executeCommand(keys.versionAggregate(serviceName, precedence), async () => {
    const { version: current, seq, digest } = await requireVersion(serviceName, semver);
    checkIfMatch(context.ifMatch, current.rev, `Version ${current.version}`);
    // The replacement is another version (another aggregate): read, not locked. Once checked, a
    // deprecation stands even if its replacement moves on later, as it always has.
    if (deprecation.replacement) await checkReplacement(serviceName, semver, deprecation.replacement);
    let next = applyLifecycleAction(current, action, new Date().toISOString(), deprecation);
    // Consumers still calling it in the last 7 days (issue 11): a 409 naming them, unless forced.
    if (action === 'retire') await checkRetirement(serviceName, current.version, deprecation.force);
    if (action === 'release') {
      // The API contract's release gate (issue 11): a 409 for breaking changes under too small a step, else what to freeze.
      const verdict = await releaseVerdict({
        service: serviceName,
        version: current,
        acceptBreaking: deprecation.acceptBreaking,
        actor: context.actor.name,
      });
      next = { ...next, contract: verdict.contract, changes: [...next.changes, ...verdict.changes].slice(0, MAX_CHANGES) };
    }
    await ensureDigest(serviceName, digest);
    return {
      expectedSeq: seq,
      event: {
        type: ACTION_EVENTS[action],
        actor: context.actor,
        requestId: context.requestId,
        service: serviceName,
        subject: `version/${serviceName}@${current.version}`,
        changes: {
          before: lifecycleFields(current),
          after: { ...lifecycleFields(next), ...(action === 'retire' && deprecation.force ? { forced: deprecation.force } : {}) },
        },
        effects: [digestEntry(serviceName, precedence, next.status, next.version), versionItem(next, precedence)],
      },
      result: () => next,
    };
  });
}

/**
 * After a release: the version policy's automatic deprecations (issue 11 §6: releases of majors
 * beyond `supportedMajors`, when `autoDeprecateOnMajor`), each its own command on its own version.
 * One already moved on (deprecated meanwhile, retired) is left as it is.
 */
export async function deprecateBeyondSupportedMajors(serviceName: string, released: string, context: CommandContext): Promise<string[]> {
  const deprecated: string[] = [];
  for (const { version, reason, sunsetAt, replacement } of await autoDeprecations(serviceName, released)) {
    try {
      await moveVersion(serviceName, version, 'deprecate', { reason, sunsetAt, replacement }, { ...context, ifMatch: undefined });
      deprecated.push(version);
    } catch (error) {
      if (!(error instanceof ConflictError)) throw error;
    }
  }
  return deprecated;
}

function lifecycleFields(version: Version) {
  const { status, releasedAt, deprecatedAt, retiredAt, deprecation, contract } = version;
  return { status, releasedAt, deprecatedAt, retiredAt, deprecation, ...(contract ? { contract } : {}) };
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

export async function addVersionChanges(
  serviceName: string,
  rawVersion: string,
  changes: Change[],
  context: CommandContext,
): Promise<Version> {
  const semver = parseVersionOrThrow(rawVersion, '/path/version');
  return executeCommand(keys.versionAggregate(serviceName, precedenceKey(semver)), async () => {
    const { version: current, seq } = await requireVersion(serviceName, semver);
    checkIfMatch(context.ifMatch, current.rev, `Version ${current.version}`);
    const next = addChanges(current, changes, new Date().toISOString());
    checkSize(next);
    return {
      expectedSeq: seq,
      event: {
        type: 'version.changes_added',
        actor: context.actor,
        requestId: context.requestId,
        service: serviceName,
        subject: `version/${serviceName}@${current.version}`,
        changes: { before: { changeCount: current.changes.length }, after: { changeCount: next.changes.length, added: changes } },
        // The status does not change, so the digest's entry stays as it is.
        effects: [versionItem(next, precedenceKey(semver))],
      },
      result: () => next,
    };
  });
}

export async function readVersion(serviceName: string, rawVersion: string): Promise<Version> {
  return (await requireVersion(serviceName, parseVersionOrThrow(rawVersion, '/path/version'))).version;
}

function versionTotalOf(stored: StoredService): number {
  return Object.keys(stored.digest?.entries ?? {}).length;
}
