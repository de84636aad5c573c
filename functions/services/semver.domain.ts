/**
 * Strict Semantic Versioning 2.0.0: parsing, precedence, and a sort-key encoding whose
 * lexicographic order is exactly SemVer precedence (so DynamoDB can sort versions for us).
 */

export interface SemVer {
  major: string;
  minor: string;
  patch: string;
  prerelease: string[];
  build: string[];
  /** The version exactly as written. */
  raw: string;
}

/** Longest version string accepted; keeps sort keys far below DynamoDB's 1,024-byte limit. */
export const MAX_VERSION_LENGTH = 128;

const NUMERIC = /^(0|[1-9]\d*)$/;
const PRERELEASE_ID = /^(0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*)$/;
const BUILD_ID = /^[0-9a-zA-Z-]+$/;

export type SemVerResult = { ok: true; value: SemVer } | { ok: false; reason: string };

/** Parses a strict SemVer 2.0.0 string and, when it is not one, says why in words a user can act on. */
export function parseSemVer(input: string): SemVerResult {
  if (input.length === 0) return fail('a version must not be empty');
  if (input.length > MAX_VERSION_LENGTH) return fail(`a version is at most ${MAX_VERSION_LENGTH} characters`);
  if (/^[vV]\d/.test(input)) return fail('a version has no "v" prefix: write 1.2.3, not v1.2.3');
  if (/\s/.test(input)) return fail('a version contains no spaces');

  const plus = input.indexOf('+');
  const withoutBuild = plus === -1 ? input : input.slice(0, plus);
  const buildPart = plus === -1 ? undefined : input.slice(plus + 1);
  const dash = withoutBuild.indexOf('-');
  const core = dash === -1 ? withoutBuild : withoutBuild.slice(0, dash);
  const prereleasePart = dash === -1 ? undefined : withoutBuild.slice(dash + 1);

  if (core === '') return fail('a version starts with MAJOR.MINOR.PATCH (e.g. 1.4.0)');
  const parts = core.split('.');
  if (parts.length !== 3) {
    return fail(`a version has three dot-separated numbers MAJOR.MINOR.PATCH (e.g. 1.4.0); "${core}" has ${parts.length}`);
  }
  const names = ['major', 'minor', 'patch'] as const;
  for (const [index, part] of parts.entries()) {
    if (!/^\d+$/.test(part)) return fail(`the ${names[index]} version "${part}" is not a non-negative integer`);
    if (!NUMERIC.test(part)) return fail(`the ${names[index]} version "${part}" has a leading zero`);
  }

  const prerelease = prereleasePart === undefined ? [] : prereleasePart.split('.');
  for (const id of prerelease) {
    if (id === '') return fail('a pre-release identifier must not be empty');
    if (!/^[0-9a-zA-Z-]+$/.test(id)) return fail(`the pre-release identifier "${id}" may use only ASCII letters, digits and "-"`);
    if (!PRERELEASE_ID.test(id)) return fail(`the numeric pre-release identifier "${id}" has a leading zero`);
  }
  const build = buildPart === undefined ? [] : buildPart.split('.');
  for (const id of build) {
    if (id === '') return fail('a build metadata identifier must not be empty');
    if (!BUILD_ID.test(id)) return fail(`the build metadata identifier "${id}" may use only ASCII letters, digits and "-"`);
  }

  const [major, minor, patch] = parts as [string, string, string];
  return { ok: true, value: { major, minor, patch, prerelease, build, raw: input } };
}

function fail(reason: string): SemVerResult {
  return { ok: false, reason };
}

function compareNumeric(a: string, b: string): number {
  if (a.length !== b.length) return a.length < b.length ? -1 : 1;
  return a < b ? -1 : a > b ? 1 : 0;
}

function compareIdentifiers(a: string, b: string): number {
  const aNumeric = NUMERIC.test(a);
  const bNumeric = NUMERIC.test(b);
  if (aNumeric && bNumeric) return compareNumeric(a, b);
  if (aNumeric) return -1;
  if (bNumeric) return 1;
  return a < b ? -1 : a > b ? 1 : 0;
}

/** SemVer precedence (§11): build metadata is ignored. Returns -1, 0 or 1. */
export function compareSemVer(a: SemVer, b: SemVer): number {
  for (const field of ['major', 'minor', 'patch'] as const) {
    const order = compareNumeric(a[field], b[field]);
    if (order !== 0) return order;
  }
  if (a.prerelease.length === 0 || b.prerelease.length === 0) {
    return a.prerelease.length === b.prerelease.length ? 0 : a.prerelease.length === 0 ? 1 : -1;
  }
  const shared = Math.min(a.prerelease.length, b.prerelease.length);
  for (let i = 0; i < shared; i++) {
    const order = compareIdentifiers(a.prerelease[i] as string, b.prerelease[i] as string);
    if (order !== 0) return order;
  }
  return Math.sign(a.prerelease.length - b.prerelease.length);
}

/**
 * Encodes precedence as a string that sorts (by code unit, as DynamoDB sorts) exactly like
 * `compareSemVer`. Numbers carry a 3-digit length prefix so they sort numerically; a release
 * ends in "~", above the "!" that starts a pre-release; identifiers are separated by "!",
 * which sorts below every character an identifier may contain.
 */
export function precedenceKey(version: SemVer): string {
  const number = (digits: string) => `${String(digits.length).padStart(3, '0')}${digits}`;
  const core = `${number(version.major)}.${number(version.minor)}.${number(version.patch)}`;
  if (version.prerelease.length === 0) return `${core}~`;
  const ids = version.prerelease.map((id) => (NUMERIC.test(id) ? `0${number(id)}` : `1${id}`));
  return `${core}!${ids.join('!')}`;
}

/** Formats a parsed version without its build metadata (its identity for precedence). */
export function formatPrecedence(version: SemVer): string {
  const core = `${version.major}.${version.minor}.${version.patch}`;
  return version.prerelease.length === 0 ? core : `${core}-${version.prerelease.join('.')}`;
}
