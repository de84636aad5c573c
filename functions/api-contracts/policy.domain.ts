// A service's version policy and the release gate's decision: pure rules, no table, no HTTP.

import { checkBump } from './diff/bump.ts';
import type { Bump, DiffReport } from './diff/diff.ts';

export const COMPATIBILITY_MODES = ['enforce', 'warn', 'off'] as const;
export type CompatibilityMode = (typeof COMPATIBILITY_MODES)[number];

export interface VersionPolicy {
  /** How many majors stay supported; releasing a new major deprecates older ones beyond it. Null: no limit. */
  supportedMajors: number | null;
  /**
   * The least deprecation window, in days, a newly deprecated operation must announce with `x-sunset`
   * (stable: 1.0.0 and later; beta: 0.x and pre-releases). 0: no minimum (an `x-sunset` is optional).
   */
  deprecationDays: { stable: number; beta: number };
  /** Days from a version's deprecation to its sunset, when Steward deprecates it (a new major). */
  sunsetAfterDays: number;
  autoDeprecateOnMajor: boolean;
  /** enforce: a breaking change under too small a bump blocks the release; warn: released with a warning; off: not checked. */
  compatibility: CompatibilityMode;
  /** A manual migration plan completes once the old version has had no traffic for this many days. */
  migrationQuietDays: number;
}

export const DEFAULT_POLICY: VersionPolicy = {
  supportedMajors: null,
  deprecationDays: { stable: 0, beta: 0 },
  sunsetAfterDays: 90,
  autoDeprecateOnMajor: false,
  compatibility: 'enforce',
  migrationQuietDays: 7,
};

export type PolicyPatch = Partial<Omit<VersionPolicy, 'deprecationDays'>> & { deprecationDays?: Partial<VersionPolicy['deprecationDays']> };

export function applyPolicyPatch(current: VersionPolicy, patch: PolicyPatch): VersionPolicy {
  return {
    supportedMajors: patch.supportedMajors === undefined ? current.supportedMajors : patch.supportedMajors,
    deprecationDays: { ...current.deprecationDays, ...patch.deprecationDays },
    sunsetAfterDays: patch.sunsetAfterDays ?? current.sunsetAfterDays,
    autoDeprecateOnMajor: patch.autoDeprecateOnMajor ?? current.autoDeprecateOnMajor,
    compatibility: patch.compatibility ?? current.compatibility,
    migrationQuietDays: patch.migrationQuietDays ?? current.migrationQuietDays,
  };
}

/** The minimum deprecation window the diff applies to `version` (stable or beta by its SemVer). */
export function deprecationWindow(policy: VersionPolicy, version: string): number {
  const beta = /^0\./.test(version) || /^[^+]*-/.test(version);
  return beta ? policy.deprecationDays.beta : policy.deprecationDays.stable;
}

export type GateOutcome =
  | { decision: 'pass'; requiredBump: Bump; step: string; message: string }
  /** The bump is below what the changes need, but the policy or the caller let it through. */
  | { decision: 'accepted'; requiredBump: Bump; step: string; message: string; by: 'policy-warn' | 'accept-breaking' | 'policy-off' }
  | { decision: 'blocked'; requiredBump: Bump; step: string; message: string };

/**
 * The release gate (issue 11 §4): a report with errors whose SemVer step is below `requiredBump`
 * (0.x: a minor step counts as major) blocks, unless the policy is warn/off or the release passes
 * `acceptBreaking`.
 */
export function judgeRelease(
  report: DiffReport,
  baseVersion: string,
  revisionVersion: string,
  policy: VersionPolicy,
  acceptBreaking: { reason: string } | undefined,
): GateOutcome {
  const bump = checkBump(baseVersion, revisionVersion, report.requiredBump);
  if (bump.satisfied) return { decision: 'pass', requiredBump: report.requiredBump, step: bump.step, message: bump.message };
  if (policy.compatibility === 'off')
    return { decision: 'accepted', requiredBump: report.requiredBump, step: bump.step, message: bump.message, by: 'policy-off' };
  // Only breaking changes block: additions under a patch step are let through, with the message saying so.
  if (report.summary.error === 0) return { decision: 'pass', requiredBump: report.requiredBump, step: bump.step, message: bump.message };
  if (policy.compatibility === 'warn') {
    return { decision: 'accepted', requiredBump: report.requiredBump, step: bump.step, message: bump.message, by: 'policy-warn' };
  }
  if (acceptBreaking)
    return { decision: 'accepted', requiredBump: report.requiredBump, step: bump.step, message: bump.message, by: 'accept-breaking' };
  return { decision: 'blocked', requiredBump: report.requiredBump, step: bump.step, message: bump.message };
}
