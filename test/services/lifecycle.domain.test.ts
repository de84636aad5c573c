import { describe, expect, it } from 'vitest';
import {
  acceptsChanges,
  allowedActions,
  LIFECYCLE_ACTIONS,
  type LifecycleAction,
  transition,
  VERSION_STATUSES,
  type VersionStatus,
} from '../../functions/services/lifecycle.domain.ts';

/** The whole lifecycle, written out: draft → released → deprecated → retired, one step at a time. */
const EXPECTED: Record<VersionStatus, Partial<Record<LifecycleAction, VersionStatus>>> = {
  draft: { release: 'released' },
  released: { deprecate: 'deprecated' },
  deprecated: { retire: 'retired' },
  retired: {},
};

const everyMove = VERSION_STATUSES.flatMap((status) => LIFECYCLE_ACTIONS.map((action) => ({ status, action })));

describe('transition', () => {
  it.each(everyMove.filter(({ status, action }) => EXPECTED[status][action] !== undefined))(
    'moves a $status version on $action',
    ({ status, action }) => {
      // Prepare
      const expected = EXPECTED[status][action];

      // Act
      const result = transition(status, action);

      // Assess
      expect(result).toEqual({ ok: true, to: expected });
    },
  );

  it.each(everyMove.filter(({ status, action }) => EXPECTED[status][action] === undefined))(
    'refuses to $action a $status version and lists what it may do instead',
    ({ status, action }) => {
      // Prepare
      const allowed = Object.keys(EXPECTED[status]);

      // Act
      const result = transition(status, action);

      // Assess
      expect(result).toEqual({ ok: false, allowed });
    },
  );
});

describe('allowedActions', () => {
  it.each(VERSION_STATUSES)('offers a %s version exactly its next step', (status) => {
    // Prepare
    const expected = Object.keys(EXPECTED[status]);

    // Act
    const actions = allowedActions(status);

    // Assess
    expect(actions).toEqual(expected);
  });

  it('offers a retired version nothing', () => {
    // Act
    const actions = allowedActions('retired');

    // Assess
    expect(actions).toEqual([]);
  });
});

describe('acceptsChanges', () => {
  it.each([
    { status: 'draft', accepts: true },
    { status: 'released', accepts: false },
    { status: 'deprecated', accepts: false },
    { status: 'retired', accepts: false },
  ] as const)('says a $status version accepts change log entries: $accepts', ({ status, accepts }) => {
    // Act
    const result = acceptsChanges(status);

    // Assess
    expect(result).toBe(accepts);
  });
});
