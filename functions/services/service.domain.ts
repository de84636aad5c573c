import type { VersionStatus } from './lifecycle.domain.ts';

/** A managed service: an HTTP API or an ML model. */
export const SERVICE_KINDS = ['api', 'model'] as const;
export type ServiceKind = (typeof SERVICE_KINDS)[number];

export type VersionCounts = Record<VersionStatus, number>;

export interface Service {
  name: string;
  displayName: string;
  description: string | null;
  kind: ServiceKind;
  owner: string | null;
  tags: Record<string, string>;
  createdAt: string;
  updatedAt: string;
  /** Increases with every change to the fields above; the service's ETag. */
  rev: number;
  versionCounts: VersionCounts;
  latestReleased: string | null;
}

export type ServiceStatus = 'new' | 'draft' | 'active' | 'deprecated' | 'retired';

/**
 * A service's status follows from its versions: active while anything is released, else
 * deprecated while anything is deprecated, retired when every version is retired, draft when
 * only drafts exist, new when it has no versions yet.
 */
export function serviceStatus(counts: VersionCounts): ServiceStatus {
  const total = counts.draft + counts.released + counts.deprecated + counts.retired;
  if (total === 0) return 'new';
  if (counts.released > 0) return 'active';
  if (counts.deprecated > 0) return 'deprecated';
  if (counts.retired === total) return 'retired';
  return 'draft';
}

export function versionTotal(counts: VersionCounts): number {
  return counts.draft + counts.released + counts.deprecated + counts.retired;
}

export const EMPTY_COUNTS: VersionCounts = { draft: 0, released: 0, deprecated: 0, retired: 0 };

/** What a service's digest keeps of each version, keyed by its precedence key (`precedenceKey`). */
export interface DigestEntry {
  status: VersionStatus;
  version: string;
}

/**
 * A service's version counts and latest released version, from its digest: the released version
 * of highest precedence (precedence keys sort as SemVer precedence does, by code unit).
 */
export function summarizeVersions(digest: Record<string, DigestEntry>): Pick<Service, 'versionCounts' | 'latestReleased'> {
  const versionCounts = { ...EMPTY_COUNTS };
  let latest: string | null = null;
  for (const [precedence, entry] of Object.entries(digest)) {
    versionCounts[entry.status] += 1;
    if (entry.status === 'released' && (latest === null || precedence > latest)) latest = precedence;
  }
  return { versionCounts, latestReleased: latest === null ? null : (digest[latest] as DigestEntry).version };
}

export interface NewService {
  name: string;
  displayName?: string;
  description?: string;
  kind: ServiceKind;
  owner?: string;
  tags?: Record<string, string>;
}

export function createService(input: NewService, at: string): Service {
  return {
    name: input.name,
    displayName: input.displayName ?? input.name,
    description: input.description ?? null,
    kind: input.kind,
    owner: input.owner ?? null,
    tags: input.tags ?? {},
    createdAt: at,
    updatedAt: at,
    rev: 1,
    versionCounts: { ...EMPTY_COUNTS },
    latestReleased: null,
  };
}

/** Fields a PATCH may change; `null` clears an optional field. */
export interface ServicePatch {
  displayName?: string;
  description?: string | null;
  kind?: ServiceKind;
  owner?: string | null;
  tags?: Record<string, string>;
}

const PATCHABLE = ['displayName', 'description', 'kind', 'owner', 'tags'] as const;

/** Applies a patch; returns the new service and, for the audit trail, only the fields that changed. */
export function patchService(
  current: Service,
  patch: ServicePatch,
  at: string,
): { next: Service; before: Partial<Service>; after: Partial<Service> } {
  const before: Partial<Service> = {};
  const after: Partial<Service> = {};
  const next: Service = { ...current };
  for (const field of PATCHABLE) {
    if (!(field in patch) || patch[field] === undefined) continue;
    const value = field === 'displayName' ? patch.displayName : patch[field];
    if (JSON.stringify(current[field]) === JSON.stringify(value)) continue;
    Object.assign(before, { [field]: current[field] });
    Object.assign(after, { [field]: value });
    Object.assign(next, { [field]: value });
  }
  if (Object.keys(after).length > 0) {
    next.rev = current.rev + 1;
    next.updatedAt = at;
  }
  return { next, before, after };
}
