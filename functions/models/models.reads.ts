import { ConflictError, NotFoundError, ValidationError } from '#kernel/errors';
import { parseSemVer, precedenceKey } from '#services/semver.domain';
import { getService, getVersion } from '#services/public';
import type { Version } from '#services/version.domain';
import { getAlias } from './models.store.ts';
import { type Cell, mergeCells, resolveWindow, type TelemetryWindow } from './telemetry.domain.ts';
import { readCells, type StoredCell } from './telemetry.store.ts';

/** Reads the model routes share: the model, a version named by SemVer or `@alias`, a window's cells. */

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
export async function resolveVersion(service: string, raw: string, pointer = '/path/version'): Promise<Version> {
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
  const version = await getVersion(service, precedenceKey(semver.value));
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
