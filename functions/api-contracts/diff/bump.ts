// Checks a release's version number against the bump its contract changes require, by SemVer rules.
// In 0.x versions a minor step may break (it counts as major) and a patch step may add (it counts as minor).

import type { Bump } from './diff.ts';
import { SemverError } from './errors.ts';

export interface SemVer {
  major: number;
  minor: number;
  patch: number;
  prerelease: string[];
  build: string[];
}

export type Step = 'major' | 'minor' | 'patch' | 'prerelease' | 'none';

export interface BumpCheck {
  satisfied: boolean;
  /** What the version step is worth (after the 0.x rule). */
  step: Step;
  required: Bump;
  message: string;
}

const NUMBER = '(0|[1-9]\\d*)';
const IDENTIFIERS = '[0-9A-Za-z-]+(?:\\.[0-9A-Za-z-]+)*';
const PATTERN = new RegExp(`^${NUMBER}\\.${NUMBER}\\.${NUMBER}(?:-(${IDENTIFIERS}))?(?:\\+(${IDENTIFIERS}))?$`);

export function parseSemver(version: string): SemVer {
  if (typeof version !== 'string') throw new SemverError(`a version must be a string like "1.2.3", not ${typeof version}`);
  const match = PATTERN.exec(version);
  if (!match) {
    const hint = /^v\d/.test(version) ? ' (write it without the leading "v")' : '';
    throw new SemverError(`"${version}" is not a semantic version MAJOR.MINOR.PATCH[-prerelease][+build]${hint}`);
  }
  const prerelease = match[4] ? match[4].split('.') : [];
  const leadingZero = prerelease.find((part) => /^0\d+$/.test(part));
  if (leadingZero) throw new SemverError(`"${version}" has a numeric pre-release identifier with a leading zero (${leadingZero})`);
  const numbers = [match[1], match[2], match[3]].map(Number);
  if (numbers.some((n) => !Number.isSafeInteger(n))) throw new SemverError(`"${version}" has a number too large to compare`);
  return {
    major: numbers[0] as number,
    minor: numbers[1] as number,
    patch: numbers[2] as number,
    prerelease,
    build: match[5] ? match[5].split('.') : [],
  };
}

/** SemVer precedence: negative when a < b; build metadata is ignored. */
export function compareSemver(a: SemVer, b: SemVer): number {
  const core = a.major - b.major || a.minor - b.minor || a.patch - b.patch;
  if (core !== 0) return Math.sign(core);
  if (a.prerelease.length === 0 || b.prerelease.length === 0) return Math.sign(b.prerelease.length - a.prerelease.length);
  for (let i = 0; i < Math.max(a.prerelease.length, b.prerelease.length); i++) {
    const x = a.prerelease[i];
    const y = b.prerelease[i];
    if (x === undefined) return -1;
    if (y === undefined) return 1;
    if (x === y) continue;
    const xNumeric = /^\d+$/.test(x);
    const yNumeric = /^\d+$/.test(y);
    if (xNumeric && yNumeric) return Math.sign(Number(x) - Number(y));
    if (xNumeric !== yNumeric) return xNumeric ? -1 : 1;
    return x < y ? -1 : 1;
  }
  return 0;
}

const RANK: Record<Step, number> = { none: 0, prerelease: 1, patch: 1, minor: 2, major: 3 };

/** Does going from `baseVersion` to `revisionVersion` satisfy `requiredBump`? */
export function checkBump(baseVersion: string, revisionVersion: string, requiredBump: Bump): BumpCheck {
  if (requiredBump !== 'major' && requiredBump !== 'minor' && requiredBump !== 'patch') {
    throw new SemverError(`the required bump must be major, minor or patch, not ${JSON.stringify(requiredBump)}`);
  }
  const base = parseSemver(baseVersion);
  const revision = parseSemver(revisionVersion);
  const order = compareSemver(revision, base);
  const result = (satisfied: boolean, step: Step, message: string): BumpCheck => ({ satisfied, step, required: requiredBump, message });

  if (order <= 0) return result(false, 'none', `${revisionVersion} must be greater than ${baseVersion}`);
  let step: Step;
  if (revision.major !== base.major) step = 'major';
  else if (revision.minor !== base.minor) step = base.major === 0 ? 'major' : 'minor';
  else if (revision.patch !== base.patch) step = base.major === 0 ? 'minor' : 'patch';
  else step = 'prerelease';

  // A pre-release promises no compatibility (SemVer item 9): moving on from one to its release or to a later
  // pre-release of the same version may carry any change.
  if (step === 'prerelease' && base.prerelease.length > 0) {
    return result(true, step, `${baseVersion} is a pre-release, so ${revisionVersion} may carry a ${requiredBump} change`);
  }
  if (RANK[step] >= RANK[requiredBump])
    return result(true, step, `${baseVersion} → ${revisionVersion} is a ${step} step; ${requiredBump} is required`);
  const zero = base.major === 0 ? ' (in 0.x a minor step counts as major)' : '';
  return result(
    false,
    step,
    `${baseVersion} → ${revisionVersion} is a ${step} step, but the changes require a ${requiredBump} bump${zero}`,
  );
}
