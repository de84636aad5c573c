import { ConflictError, NotFoundError, ValidationError } from '#kernel/errors';
import { parseSemVer, precedenceKey } from '#services/semver.domain';
import type { Environment } from '#deployments/deployment.domain';
import { listEnvironments } from '#deployments/public';
import { getService, getVersion, listVersions } from '#services/public';
import type { Version } from '#services/version.domain';
import { getAlias, getModelSettings } from './models.store.ts';
import { type Placement, type ServingStatus, servingStatusOf } from './serving.domain.ts';
import { type Cell, mergeCells, resolveWindow, type TelemetryWindow } from './telemetry.domain.ts';
import { readCells, type StoredCell } from './telemetry.store.ts';

/** Reads the model routes share: the model, a version named by SemVer or `@alias`, a window's cells. */

/**
 * What ingestion and the telemetry reads look up on every request, kept for a few seconds in the
 * process: whether the service is a model, its settings, the versions found (the fields they use,
 * a version's name and card, are fixed once registered). A change made in this process is seen at
 * once (`forgetModel`); one made elsewhere within LOOKUP_TTL_MS. Nothing not found is kept.
 */
const LOOKUP_TTL_MS = 5_000;
const lookups = new Map<string, { expiresAt: number; value: Promise<unknown> }>();

export function remembered<T>(key: string, nowMs: number, load: () => Promise<T>): Promise<T> {
  const hit = lookups.get(key);
  if (hit && hit.expiresAt > nowMs) return hit.value as Promise<T>;
  if (lookups.size > 10_000) lookups.clear();
  const value = load();
  lookups.set(key, { expiresAt: nowMs + LOOKUP_TTL_MS, value });
  value.then(
    (found) => {
      if (found === undefined) lookups.delete(key);
    },
    () => lookups.delete(key),
  );
  return value;
}

/** Drops what this process remembers of a model, when it changes here (its policy). */
export function forgetModel(service: string): void {
  lookups.delete(`model ${service}`);
  lookups.delete(`settings ${service}`);
}

/** The model and its settings, as remembered for a few seconds: for telemetry, which reads them on every request. */
export function modelAndSettings(service: string, nowMs = Date.now()) {
  return Promise.all([
    remembered(`model ${service}`, nowMs, () => requireModel(service)),
    remembered(`settings ${service}`, nowMs, () => getModelSettings(service)),
  ]);
}

/** The service, which must be a model, or a 404 / 409. */
export async function requireModel(service: string) {
  const stored = await getService(service);
  if (!stored) throw new NotFoundError(`There is no service named ${service}.`);
  if (stored.service.kind !== 'model') {
    throw new ConflictError(`${service} is of kind ${stored.service.kind}, not model: inference telemetry and model views are for models.`);
  }
  return stored.service;
}

/** A version of the model named as written (`1.2.0`, `1.2.0+build.7`) or by alias (`@champion`), or a 404. */
export async function resolveVersion(
  service: string,
  raw: string,
  pointer = '/path/version',
  options: { remembered?: boolean } = {},
): Promise<Version> {
  let name = raw;
  if (raw.startsWith('@')) {
    const alias = await getAlias(service, raw.slice(1));
    if (!alias) throw new NotFoundError(`${service} has no alias ${raw}.`);
    name = alias.version;
  }
  const semver = parseSemVer(name);
  if (!semver.ok) {
    const message = `"${name}" is not a valid semantic version: ${semver.reason}`;
    throw new ValidationError(`${message}.`, [{ pointer, message }]);
  }
  const precedence = precedenceKey(semver.value);
  const version = options.remembered
    ? await remembered(`version ${service} ${precedence}`, Date.now(), () => getVersion(service, precedence))
    : await getVersion(service, precedence);
  if (!version) throw new NotFoundError(`Service ${service} has no version ${name}.`);
  return version;
}

/** The window asked for, or a 400 saying what is wrong with it. */
export function windowOrThrow(query: Parameters<typeof resolveWindow>[0], nowMs = Date.now()): TelemetryWindow {
  const window = resolveWindow(query, nowMs);
  if (typeof window === 'string')
    throw new ValidationError(`The window cannot be read: ${window}.`, [{ pointer: '/query', message: window }]);
  return window;
}

/** A version's cells over a window and their merge. */
export async function readWindow(
  service: string,
  version: string,
  environment: string,
  window: TelemetryWindow,
): Promise<{ cells: StoredCell[]; total: Cell }> {
  const cells = await readCells(service, version, environment, window);
  return { cells, total: mergeCells(cells.map((c) => c.cell)) };
}

/** Where each version of the service serves: every environment's weights. */
export async function readPlacement(service: string): Promise<{ placement: Placement; environments: Environment[] }> {
  const environments: Environment[] = [];
  let cursor: string | undefined;
  do {
    const page = await listEnvironments(service, { limit: 100, cursor });
    environments.push(...page.items);
    cursor = page.nextCursor ?? undefined;
  } while (cursor && environments.length < MAX_ENVIRONMENTS);
  return { placement: Object.fromEntries(environments.map((env) => [env.name, env.weights])), environments };
}

/** Every version of the service, newest first (a model with more than MAX_LISTED_VERSIONS shows its newest). */
export async function readAllVersions(service: string): Promise<Version[]> {
  const versions: Version[] = [];
  let cursor: string | undefined;
  do {
    const page = await listVersions(service, { limit: 100, cursor });
    versions.push(...page.items);
    cursor = page.nextCursor ?? undefined;
  } while (cursor && versions.length < MAX_LISTED_VERSIONS);
  return versions;
}

const MAX_ENVIRONMENTS = 200;
export const MAX_LISTED_VERSIONS = 500;

/** The version an `@alias` of the service points at, or a 404. */
export async function aliasTarget(service: string, alias: string): Promise<string> {
  const found = await getAlias(service, alias.replace(/^@/, ''));
  if (!found) throw new NotFoundError(`${service} has no alias ${alias.startsWith('@') ? alias : `@${alias}`}.`);
  return found.version;
}

/**
 * The serving status of these versions of a service, when it is a model (null otherwise): what the
 * versions routes add to a model's versions (issue 10, item 3). `kind` spares the lookup when known.
 */
export async function servingStatuses(
  service: string,
  versions: readonly Pick<Version, 'version' | 'status'>[],
  kind?: string,
): Promise<Map<string, ServingStatus> | null> {
  const actualKind = kind ?? (await getService(service))?.service.kind;
  if (actualKind !== 'model') return null;
  const [settings, { placement }] = await Promise.all([getModelSettings(service), readPlacement(service)]);
  return new Map(versions.map((version) => [version.version, servingStatusOf(version, placement, settings.productionEnvironment)]));
}
