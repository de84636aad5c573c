import { ConflictError } from '#kernel/errors';
import { listVersions } from '#services/public';
import { compareSemVer, parseSemVer } from '#services/semver.domain';
import { type CompatibilityView, diffOptions, documentOfVersion, type FrozenContract, type VersionRecord } from './compatibility.ts';
import { readHead } from './contracts.store.ts';
import { classifyChange } from './diff/changelog.ts';
import { diffOpenApi } from './diff/diff.ts';
import { documentStore } from './document-store.ts';
import { readDocument, reportKey } from './documents.ts';
import { judgeRelease } from './policy.domain.ts';
import { withVersions } from './report.view.ts';

/**
 * The release gate (issue 11 §4), asked by the services feature's release command for a verdict:
 * the version's contract is diffed against the latest release below it; a report with errors
 * whose SemVer step is below the bump it requires (0.x: a minor step counts as major) is refused
 * with 409 and the changes, unless the service's policy is `warn` or `off` or the release passes
 * `acceptBreaking: { reason }`. What passes is frozen on the version: the document's digest, the
 * report's summary and decision (the full report goes to the document store), and change log
 * entries generated from the report.
 */

export interface ReleaseRequest {
  service: string;
  version: VersionRecord & { changes?: unknown[] };
  acceptBreaking?: { reason: string };
  actor: string;
  now?: Date;
}

export interface GeneratedChange {
  type: 'breaking' | 'additive' | 'fix';
  description: string;
  endpoints?: string[];
}

export interface ReleaseVerdict {
  contract: FrozenContract;
  /** Change log entries made from the report, to append to the version's own. */
  changes: GeneratedChange[];
}

/** The generated entries stay well inside a version record (100 KB, 500 entries). */
const MAX_GENERATED_CHANGES = 200;
const MAX_GENERATED_BYTES = 40_000;
/** A 409 lists at most this many breaking changes (the full report is one GET away). */
const MAX_LISTED = 50;

/** The release (or deprecated release) of highest precedence below `version`: what it is compared against. */
async function previousRelease(service: string, version: string): Promise<VersionRecord | undefined> {
  const parsed = parseSemVer(version);
  if (!parsed.ok) return undefined;
  let cursor: string | undefined;
  do {
    const page = await listVersions(service, { limit: 100, cursor, consistent: true });
    for (const candidate of page.items as VersionRecord[]) {
      if (candidate.status !== 'released' && candidate.status !== 'deprecated') continue;
      const other = parseSemVer(candidate.version);
      if (other.ok && compareSemVer(other.value, parsed.value) < 0) return candidate;
    }
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  return undefined;
}

function unchecked(document: FrozenContract['document'], base: VersionRecord | undefined, message: string): ReleaseVerdict {
  return {
    contract: {
      document,
      base: base?.version ?? null,
      baseDigest: null,
      requiredBump: null,
      compatible: null,
      summary: null,
      decision: 'unchecked',
      message,
      acceptedBreaking: null,
      reportKey: null,
    },
    changes: [],
  };
}

export async function releaseVerdict(request: ReleaseRequest): Promise<ReleaseVerdict> {
  const { service, version } = request;
  const resolved = await documentOfVersion({ ...version, status: 'draft' });
  if (!resolved) return unchecked(null, undefined, `${version.version} has no OpenAPI document: its contract was not checked.`);
  const document = {
    digest: resolved.pointer.digest,
    key: resolved.pointer.key,
    mediaType: resolved.pointer.mediaType,
    size: resolved.pointer.size,
  };
  const base = await previousRelease(service, version.version);
  if (!base) return unchecked(document, undefined, `${version.version} is the first release: there is no earlier contract to compare.`);
  const baseDocument = await documentOfVersion(base);
  if (!baseDocument) return unchecked(document, base, `${base.version}, the release before, has no OpenAPI document: nothing to compare.`);

  const { head } = await readHead(service);
  const now = request.now ?? new Date();
  const [before, after] = await Promise.all([readDocument(baseDocument.pointer), readDocument(resolved.pointer)]);
  const report = diffOpenApi(before, after, diffOptions(head.policy, version.version, now));
  const outcome = judgeRelease(report, base.version, version.version, head.policy, request.acceptBreaking);
  if (outcome.decision === 'blocked') {
    const breaking = report.changes.filter((change) => change.level === 'error');
    throw new ConflictError(
      `${version.version} breaks clients of ${base.version} (${breaking.length} breaking change${breaking.length === 1 ? '' : 's'}): ${outcome.message}. Release it as a new major version, or pass acceptBreaking: { reason } to release it anyway (recorded in the audit trail).`,
      {
        base: base.version,
        requiredBump: outcome.requiredBump,
        step: outcome.step,
        summary: report.summary,
        changes: breaking.slice(0, MAX_LISTED),
      },
    );
  }
  const view: CompatibilityView = withVersions(report, base.version, baseDocument.pointer.digest, version.version, document.digest);
  const key = reportKey(service, version.version);
  await documentStore().put(key, Buffer.from(JSON.stringify(view)), 'application/json');
  return {
    contract: {
      document,
      base: base.version,
      baseDigest: baseDocument.pointer.digest,
      requiredBump: report.requiredBump,
      compatible: report.compatible,
      summary: report.summary,
      decision: outcome.decision,
      message: outcome.message,
      acceptedBreaking:
        outcome.decision === 'accepted' && outcome.by === 'accept-breaking' && request.acceptBreaking
          ? { reason: request.acceptBreaking.reason, by: request.actor }
          : null,
      reportKey: key,
    },
    changes: changesOf(report.changes),
  };
}

function changesOf(changes: CompatibilityView['changes']): GeneratedChange[] {
  const out: GeneratedChange[] = [];
  let bytes = 0;
  for (const [index, change] of changes.entries()) {
    const entry: GeneratedChange = {
      type: classifyChange(change),
      description: `${change.text} (${change.id})`.slice(0, 2000),
      ...(change.operation ? { endpoints: [change.operation] } : {}),
    };
    bytes += JSON.stringify(entry).length;
    if (out.length >= MAX_GENERATED_CHANGES || bytes > MAX_GENERATED_BYTES) {
      out.push({ type: 'fix', description: `And ${changes.length - index} more contract changes: see the compatibility report.` });
      break;
    }
    out.push(entry);
  }
  return out;
}

export interface AutoDeprecation {
  version: string;
  reason: string;
  sunsetAt: string;
  replacement: string;
}

/**
 * What the version policy deprecates after `released` is released (issue 11 §6): with
 * `autoDeprecateOnMajor` and `supportedMajors`, the releases of every major beyond the newest
 * `supportedMajors` are deprecated, with a sunset `sunsetAfterDays` ahead and, as replacement, the
 * newest release of the next major up. The caller deprecates each (each version is its own aggregate).
 */
export async function autoDeprecations(service: string, released: string, now = new Date()): Promise<AutoDeprecation[]> {
  const { head } = await readHead(service);
  const { supportedMajors, autoDeprecateOnMajor, sunsetAfterDays } = head.policy;
  if (!autoDeprecateOnMajor || supportedMajors === null) return [];
  const releases: Array<{ version: string; major: bigint; status: string }> = [];
  let cursor: string | undefined;
  do {
    const page = await listVersions(service, { limit: 100, cursor, consistent: true });
    for (const version of page.items as VersionRecord[]) {
      const parsed = parseSemVer(version.version);
      if (!parsed.ok || parsed.value.prerelease.length > 0) continue;
      if (version.status === 'released' || version.status === 'deprecated')
        releases.push({ version: version.version, major: BigInt(parsed.value.major), status: version.status });
    }
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  // Newest first: the first release of each major is its newest.
  const majors = [...new Set(releases.map((release) => release.major))].sort((a, b) => (a > b ? -1 : a < b ? 1 : 0));
  const releasedMajor = parseSemVer(released);
  if (!releasedMajor.ok || majors[0] !== BigInt(releasedMajor.value.major)) return [];
  const supported = new Set(majors.slice(0, supportedMajors));
  const newestOf = (major: bigint) => releases.find((release) => release.major === major)?.version;
  const sunsetAt = new Date(now.getTime() + sunsetAfterDays * 86_400_000).toISOString();
  return releases
    .filter((release) => release.status === 'released' && !supported.has(release.major))
    .map((release) => {
      const next = majors.filter((major) => major > release.major).at(-1) as bigint;
      return {
        version: release.version,
        reason: `Major ${release.major} is beyond the ${supportedMajors} supported major${supportedMajors === 1 ? '' : 's'} since ${released} was released.`,
        sunsetAt,
        replacement: newestOf(next) as string,
      };
    });
}
