import { NotFoundError } from '#kernel/errors';
import type { FrozenContract } from './contract-record.domain.ts';
import { getVersion } from '#services/public';
import { parseSemVer, precedenceKey } from '#services/semver.domain';
import { getPointer, type OpenApiPointer, readHead } from './contracts.store.ts';
import { diffOpenApi } from './diff/diff.ts';
import { type CompatibilityView, withVersions } from './report.view.ts';
import { documentStore } from './document-store.ts';
import { readDocument, reportKey } from './documents.ts';
import { deprecationWindow, type VersionPolicy } from './policy.domain.ts';

/**
 * Reads stored contracts and compares them: the one place that knows which document is a
 * version's (a draft's latest upload; a released version's, the one its release judged).
 */

export interface VersionRecord {
  service: string;
  version: string;
  status: string;
  contract?: FrozenContract | null;
}

export interface ResolvedDocument {
  version: VersionRecord;
  pointer: Pick<OpenApiPointer, 'service' | 'version' | 'digest' | 'key' | 'mediaType' | 'size'> & Partial<OpenApiPointer>;
  frozen: boolean;
}

export async function findVersion(service: string, raw: string): Promise<VersionRecord | undefined> {
  const parsed = parseSemVer(raw);
  if (!parsed.ok) return undefined;
  return (await getVersion(service, precedenceKey(parsed.value))) as VersionRecord | undefined;
}

/** The document of a version record, or undefined when it has none. */
export async function documentOfVersion(version: VersionRecord): Promise<ResolvedDocument | undefined> {
  const frozen = version.status !== 'draft' && version.contract !== undefined && version.contract !== null;
  if (frozen) {
    const document = version.contract?.document;
    if (!document) return undefined;
    return { version, pointer: { service: version.service, version: version.version, ...document }, frozen: true };
  }
  const parsed = parseSemVer(version.version);
  if (!parsed.ok) return undefined;
  const pointer = await getPointer(version.service, precedenceKey(parsed.value));
  return pointer ? { version, pointer, frozen: version.status !== 'draft' } : undefined;
}

export async function requireDocument(service: string, version: VersionRecord): Promise<ResolvedDocument> {
  const resolved = await documentOfVersion(version);
  if (!resolved)
    throw new NotFoundError(
      `Version ${version.version} of ${service} has no OpenAPI document; PUT one to /v1/services/${service}/versions/${version.version}/openapi.`,
    );
  return resolved;
}

export function diffOptions(policy: VersionPolicy, revisionVersion: string | null, now = new Date()) {
  return { now, defaultSunsetDays: revisionVersion ? deprecationWindow(policy, revisionVersion) : 0 };
}

/** Diffs two stored documents; the report frozen at the revision's release, when it was against this base. */
export async function compareStored(
  base: ResolvedDocument,
  revision: ResolvedDocument,
  policy?: VersionPolicy,
): Promise<CompatibilityView> {
  const frozen = revision.version.contract;
  if (frozen?.reportKey && frozen.baseDigest === base.pointer.digest && frozen.document?.digest === revision.pointer.digest) {
    const stored = await documentStore().get(frozen.reportKey);
    if (stored) return { ...(JSON.parse(Buffer.from(stored).toString('utf8')) as CompatibilityView), frozen: true };
  }
  const effective = policy ?? (await readHead(base.version.service)).head.policy;
  const [baseDocument, revisionDocument] = await Promise.all([readDocument(base.pointer), readDocument(revision.pointer)]);
  const report = diffOpenApi(baseDocument, revisionDocument, diffOptions(effective, revision.version.version));
  return withVersions(report, base.version.version, base.pointer.digest, revision.version.version, revision.pointer.digest);
}

export { type CompatibilityView, type FrozenContract, reportKey, withVersions };
