/** The version lifecycle: draft → released → deprecated → retired, one step at a time. */

export const VERSION_STATUSES = ['draft', 'released', 'deprecated', 'retired'] as const;
export type VersionStatus = (typeof VERSION_STATUSES)[number];

export const LIFECYCLE_ACTIONS = ['release', 'deprecate', 'retire'] as const;
export type LifecycleAction = (typeof LIFECYCLE_ACTIONS)[number];

const TRANSITIONS: Record<LifecycleAction, { from: VersionStatus; to: VersionStatus }> = {
  release: { from: 'draft', to: 'released' },
  deprecate: { from: 'released', to: 'deprecated' },
  retire: { from: 'deprecated', to: 'retired' },
};

/** The actions a version in `status` may take next. */
export function allowedActions(status: VersionStatus): LifecycleAction[] {
  return LIFECYCLE_ACTIONS.filter((action) => TRANSITIONS[action].from === status);
}

export type TransitionResult = { ok: true; to: VersionStatus } | { ok: false; allowed: LifecycleAction[] };

export function transition(status: VersionStatus, action: LifecycleAction): TransitionResult {
  const rule = TRANSITIONS[action];
  return rule.from === status ? { ok: true, to: rule.to } : { ok: false, allowed: allowedActions(status) };
}

/** Change-log entries may be added only while a version is still a draft. */
export function acceptsChanges(status: VersionStatus): boolean {
  return status === 'draft';
}
