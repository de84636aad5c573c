import { checkBump } from './diff/bump.ts';
import type { DiffReport } from './diff/diff.ts';

/** How a compatibility report is shown: the diff's report with the two versions, their digests and the SemVer check. */
export interface CompatibilityView extends DiffReport {
  base: { version: string | null; digest: string };
  revision: { version: string | null; digest: string };
  bump: { step: string; satisfied: boolean; message: string } | null;
  frozen: boolean;
}

export function withVersions(
  report: DiffReport,
  baseVersion: string | null,
  baseDigest: string,
  revisionVersion: string | null,
  revisionDigest: string,
): CompatibilityView {
  let bump: CompatibilityView['bump'] = null;
  if (baseVersion && revisionVersion) {
    const checked = checkBump(baseVersion, revisionVersion, report.requiredBump);
    bump = { step: checked.step, satisfied: checked.satisfied, message: checked.message };
  }
  return {
    base: { version: baseVersion, digest: baseDigest },
    revision: { version: revisionVersion, digest: revisionDigest },
    compatible: report.compatible,
    requiredBump: report.requiredBump,
    bump,
    changes: report.changes,
    summary: report.summary,
    frozen: false,
  };
}
