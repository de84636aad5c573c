import { ConflictError } from '#kernel/errors';
import type { ModelCard } from '#models/model-card.schema';
import type { FrozenContract } from '#api-contracts/contract-record.domain';
import { acceptsChanges, allowedActions, type LifecycleAction, transition, type VersionStatus } from './lifecycle.domain.ts';

export const CHANGE_TYPES = ['breaking', 'additive', 'fix'] as const;
export type ChangeType = (typeof CHANGE_TYPES)[number];

export interface Change {
  type: ChangeType;
  description: string;
  endpoints?: string[];
}

export interface Deprecation {
  reason: string | null;
  sunsetAt: string | null;
  replacement: string | null;
}

export interface Version {
  service: string;
  version: string;
  status: VersionStatus;
  description: string | null;
  changes: Change[];
  artifact: { type: string; uri: string } | null;
  metadata: Record<string, unknown>;
  /** The model card (a `model` service's versions only); frozen with the rest at release. */
  model: ModelCard | null;
  /** What the release gate judged of its OpenAPI contract (issue 11); null until released. */
  contract: FrozenContract | null;
  createdAt: string;
  updatedAt: string;
  releasedAt: string | null;
  deprecatedAt: string | null;
  retiredAt: string | null;
  deprecation: Deprecation | null;
  /** Increases with every change; the version's ETag. */
  rev: number;
}

/** A version record, serialised, stays well under DynamoDB's item limit with its audit event. */
export const MAX_VERSION_BYTES = 100_000;
export const MAX_CHANGES = 500;

export interface NewVersion {
  version: string;
  description?: string;
  changes?: Change[];
  artifact?: { type: string; uri: string };
  metadata?: Record<string, unknown>;
  model?: ModelCard;
}

export function createVersion(service: string, input: NewVersion, at: string): Version {
  return {
    service,
    version: input.version,
    status: 'draft',
    description: input.description ?? null,
    changes: input.changes ?? [],
    artifact: input.artifact ?? null,
    metadata: input.metadata ?? {},
    model: input.model ?? null,
    contract: null,
    createdAt: at,
    updatedAt: at,
    releasedAt: null,
    deprecatedAt: null,
    retiredAt: null,
    deprecation: null,
    rev: 1,
  };
}

/** Moves a version one step through its lifecycle, or explains why it cannot move. */
export function applyLifecycleAction(current: Version, action: LifecycleAction, at: string, deprecation?: Partial<Deprecation>): Version {
  const outcome = transition(current.status, action);
  if (!outcome.ok) {
    const allowed = outcome.allowed.length > 0 ? `allowed: ${outcome.allowed.join(', ')}` : 'it allows no further action';
    throw new ConflictError(`Version ${current.version} is ${current.status}; it cannot ${action} (${allowed}).`, {
      currentStatus: current.status,
      allowedActions: outcome.allowed,
    });
  }
  const next: Version = { ...current, status: outcome.to, updatedAt: at, rev: current.rev + 1 };
  if (action === 'release') next.releasedAt = at;
  if (action === 'deprecate') {
    next.deprecatedAt = at;
    next.deprecation = {
      reason: deprecation?.reason ?? null,
      sunsetAt: deprecation?.sunsetAt ?? null,
      replacement: deprecation?.replacement ?? null,
    };
  }
  if (action === 'retire') next.retiredAt = at;
  return next;
}

export function addChanges(current: Version, changes: Change[], at: string): Version {
  if (!acceptsChanges(current.status)) {
    throw new ConflictError(`Version ${current.version} is ${current.status}; change log entries can be added only while it is a draft.`, {
      currentStatus: current.status,
      allowedActions: allowedActions(current.status),
    });
  }
  if (current.changes.length + changes.length > MAX_CHANGES) {
    throw new ConflictError(`A version holds at most ${MAX_CHANGES} change log entries.`);
  }
  return { ...current, changes: [...current.changes, ...changes], updatedAt: at, rev: current.rev + 1 };
}

/** What a draft's update may change; each field given replaces the field whole, `null` clears it. */
export interface VersionPatch {
  description?: string | null;
  changes?: Change[];
  artifact?: { type: string; uri: string } | null;
  metadata?: Record<string, unknown>;
  model?: ModelCard | null;
}

const PATCHABLE = ['description', 'changes', 'artifact', 'metadata', 'model'] as const;

/**
 * A draft with the patch applied, and the fields that differ, before and after (none when nothing
 * differs: the version is returned as it was). A version past draft is frozen: a 409.
 */
export function patchVersion(
  current: Version,
  patch: VersionPatch,
  at: string,
): { next: Version; before: Partial<Version>; after: Partial<Version> } {
  if (!acceptsChanges(current.status)) {
    throw new ConflictError(`Version ${current.version} is ${current.status}; it was frozen at release and can no longer be updated.`, {
      currentStatus: current.status,
      allowedActions: allowedActions(current.status),
    });
  }
  const before: Partial<Version> = {};
  const after: Partial<Version> = {};
  const next: Version = { ...current };
  for (const field of PATCHABLE) {
    const value = patch[field];
    if (value === undefined) continue;
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
