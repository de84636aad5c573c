import { describe, expect, it } from 'vitest';
import { ConflictError } from '../../functions/kernel/errors.ts';
import type { LifecycleAction, VersionStatus } from '../../functions/services/lifecycle.domain.ts';
import {
  addChanges,
  applyLifecycleAction,
  type Change,
  createVersion,
  MAX_CHANGES,
  type Version,
} from '../../functions/services/version.domain.ts';

const CREATED_AT = '2026-11-01T10:00:00.000Z';
const LATER = '2026-11-02T10:00:00.000Z';

function aVersion(status: VersionStatus = 'draft', changes: Change[] = []): Version {
  return { ...createVersion('payments-api', { version: '1.4.0', changes }, CREATED_AT), status };
}

/** Runs `act` and returns the error it threw, failing the test when it threw none. */
function thrownBy(act: () => unknown): unknown {
  try {
    act();
  } catch (error) {
    return error;
  }
  throw new Error('expected an error, none was thrown');
}

describe('createVersion', () => {
  it('registers a draft with empty optional fields', () => {
    // Act
    const version = createVersion('payments-api', { version: '2.0.0-rc.1' }, CREATED_AT);

    // Assess
    expect(version).toEqual({
      service: 'payments-api',
      version: '2.0.0-rc.1',
      status: 'draft',
      description: null,
      changes: [],
      artifact: null,
      metadata: {},
      model: null,
      contract: null,
      createdAt: CREATED_AT,
      updatedAt: CREATED_AT,
      releasedAt: null,
      deprecatedAt: null,
      retiredAt: null,
      deprecation: null,
      rev: 1,
    });
  });
});

describe('applyLifecycleAction', () => {
  it('releases a draft, stamping when', () => {
    // Prepare
    const draft = aVersion('draft');

    // Act
    const released = applyLifecycleAction(draft, 'release', LATER);

    // Assess
    expect(released).toMatchObject({ status: 'released', releasedAt: LATER, updatedAt: LATER, rev: 2 });
    expect(draft.status).toBe('draft');
  });

  it('deprecates a released version with its reason, sunset and replacement', () => {
    // Prepare
    const released = { ...aVersion('released'), releasedAt: CREATED_AT };

    // Act
    const deprecated = applyLifecycleAction(released, 'deprecate', LATER, {
      reason: 'superseded',
      sunsetAt: '2027-01-01T00:00:00.000Z',
      replacement: '2.0.0',
    });

    // Assess
    expect(deprecated).toMatchObject({
      status: 'deprecated',
      deprecatedAt: LATER,
      releasedAt: CREATED_AT,
      deprecation: { reason: 'superseded', sunsetAt: '2027-01-01T00:00:00.000Z', replacement: '2.0.0' },
    });
  });

  it('deprecates without details, recording them as null', () => {
    // Prepare
    const released = aVersion('released');

    // Act
    const deprecated = applyLifecycleAction(released, 'deprecate', LATER);

    // Assess
    expect(deprecated.deprecation).toEqual({ reason: null, sunsetAt: null, replacement: null });
  });

  it('retires a deprecated version', () => {
    // Prepare
    const deprecated = aVersion('deprecated');

    // Act
    const retired = applyLifecycleAction(deprecated, 'retire', LATER);

    // Assess
    expect(retired).toMatchObject({ status: 'retired', retiredAt: LATER, rev: 2 });
  });

  it.each([
    { status: 'draft', action: 'deprecate', allowed: ['release'] },
    { status: 'draft', action: 'retire', allowed: ['release'] },
    { status: 'released', action: 'release', allowed: ['deprecate'] },
    { status: 'released', action: 'retire', allowed: ['deprecate'] },
    { status: 'deprecated', action: 'release', allowed: ['retire'] },
    { status: 'deprecated', action: 'deprecate', allowed: ['retire'] },
    { status: 'retired', action: 'release', allowed: [] },
    { status: 'retired', action: 'retire', allowed: [] },
  ] as Array<{ status: VersionStatus; action: LifecycleAction; allowed: LifecycleAction[] }>)(
    'refuses to $action a $status version with a 409 naming the status and the allowed actions',
    ({ status, action, allowed }) => {
      // Prepare
      const current = aVersion(status);

      // Act
      const error = thrownBy(() => applyLifecycleAction(current, action, LATER));

      // Assess
      expect(error).toBeInstanceOf(ConflictError);
      const conflict = error as ConflictError;
      expect(conflict.status).toBe(409);
      expect(conflict.extensions).toEqual({ currentStatus: status, allowedActions: allowed });
      expect(conflict.detail).toContain(`is ${status}`);
      expect(conflict.detail).toContain(action);
      for (const next of allowed) expect(conflict.detail).toContain(next);
    },
  );
});

describe('addChanges', () => {
  const fix: Change = { type: 'fix', description: 'Rounding of refunds' };
  const additive: Change = { type: 'additive', description: 'GET /refunds', endpoints: ['GET /refunds'] };

  it('appends entries to a draft in order', () => {
    // Prepare
    const draft = aVersion('draft', [fix]);

    // Act
    const next = addChanges(draft, [additive], LATER);

    // Assess
    expect(next.changes).toEqual([fix, additive]);
    expect(next.rev).toBe(2);
    expect(next.updatedAt).toBe(LATER);
    expect(draft.changes).toEqual([fix]);
  });

  it.each(['released', 'deprecated', 'retired'] as const)('refuses entries once the version is %s', (status) => {
    // Prepare
    const current = aVersion(status);

    // Act
    const error = thrownBy(() => addChanges(current, [fix], LATER));

    // Assess
    expect(error).toBeInstanceOf(ConflictError);
    expect((error as ConflictError).extensions).toMatchObject({ currentStatus: status });
    expect((error as ConflictError).detail).toMatch(/only while it is a draft/);
  });

  it(`refuses to grow a change log past ${MAX_CHANGES} entries`, () => {
    // Prepare
    const draft = aVersion(
      'draft',
      Array.from({ length: MAX_CHANGES - 1 }, () => fix),
    );

    // Act
    const atLimit = addChanges(draft, [fix], LATER);
    const error = thrownBy(() => addChanges(atLimit, [fix], LATER));

    // Assess
    expect(atLimit.changes).toHaveLength(MAX_CHANGES);
    expect(error).toBeInstanceOf(ConflictError);
  });
});
