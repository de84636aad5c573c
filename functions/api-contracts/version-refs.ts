import { NotFoundError, ValidationError } from '#kernel/errors';
import { getService, getVersion } from '#services/public';
import { parseSemVer, precedenceKey, type SemVer } from '#services/semver.domain';

/** How the contract routes find the services and versions they name (the services feature owns them). */

/** Parses a version named in a request, or answers 400 saying why it is not SemVer. */
export function parseVersionParam(raw: string, pointer = '/path/version'): SemVer {
  const parsed = parseSemVer(raw);
  if (!parsed.ok) {
    const message = `"${raw}" is not a valid semantic version: ${parsed.reason}`;
    throw new ValidationError(`${message}.`, [{ pointer, message }]);
  }
  return parsed.value;
}

export async function requireService(name: string): Promise<void> {
  if (!(await getService(name))) throw new NotFoundError(`There is no service named ${name}.`);
}

export async function requireVersion(service: string, raw: string, pointer = '/path/version') {
  const semver = parseVersionParam(raw, pointer);
  const precedence = precedenceKey(semver);
  const version = await getVersion(service, precedence);
  if (!version) {
    await requireService(service);
    throw new NotFoundError(`Service ${service} has no version ${raw}.`);
  }
  return { version, precedence };
}
