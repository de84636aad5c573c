// What a release freezes on its version about its API contract (issue 11 §4): a plain record the
// services feature stores with the version, written by the release gate (release-gate.ts).

export interface FrozenContract {
  /** The document the release judged (null: the version had none). */
  document: { digest: string; key: string; mediaType: 'application/json' | 'application/yaml'; size: number } | null;
  /** The release it was compared against (null: none before it). */
  base: string | null;
  baseDigest: string | null;
  requiredBump: 'major' | 'minor' | 'patch' | null;
  compatible: boolean | null;
  summary: { error: number; warning: number; info: number } | null;
  /** unchecked (nothing to compare), pass, or accepted (breaking, let through by the policy or acceptBreaking). */
  decision: string;
  message: string;
  /** Who released it as breaking anyway, and why (also in the audit event). */
  acceptedBreaking: { reason: string; by: string } | null;
  /** Where the full report is kept, in the document store. */
  reportKey: string | null;
}
