import { describe, expect, it } from 'vitest';
import {
  createService,
  EMPTY_COUNTS,
  patchService,
  type Service,
  serviceStatus,
  type VersionCounts,
  versionTotal,
} from '../../functions/services/service.domain.ts';

const CREATED_AT = '2026-11-01T10:00:00.000Z';
const LATER = '2026-11-02T10:00:00.000Z';

function counts(partial: Partial<VersionCounts>): VersionCounts {
  return { ...EMPTY_COUNTS, ...partial };
}

function aService(overrides: Partial<Service> = {}): Service {
  return {
    ...createService(
      {
        name: 'payments-api',
        kind: 'api',
        displayName: 'Payments',
        description: 'Takes money',
        owner: 'team-payments',
        tags: { tier: '1' },
      },
      CREATED_AT,
    ),
    ...overrides,
  };
}

describe('serviceStatus', () => {
  it.each([
    { counts: counts({}), status: 'new' },
    { counts: counts({ draft: 2 }), status: 'draft' },
    { counts: counts({ draft: 1, released: 1 }), status: 'active' },
    { counts: counts({ released: 1, deprecated: 3, retired: 2 }), status: 'active' },
    { counts: counts({ deprecated: 1, retired: 4 }), status: 'deprecated' },
    { counts: counts({ draft: 1, deprecated: 1 }), status: 'deprecated' },
    { counts: counts({ retired: 3 }), status: 'retired' },
    { counts: counts({ draft: 1, retired: 3 }), status: 'draft' },
  ])('calls a service with $counts $status', ({ counts: versionCounts, status }) => {
    // Act
    const result = serviceStatus(versionCounts);

    // Assess
    expect(result).toBe(status);
  });

  it('counts every version whatever its status', () => {
    // Act
    const total = versionTotal(counts({ draft: 1, released: 2, deprecated: 3, retired: 4 }));

    // Assess
    expect(total).toBe(10);
  });
});

describe('createService', () => {
  it('fills in what a client left out', () => {
    // Act
    const service = createService({ name: 'fraud-model', kind: 'model' }, CREATED_AT);

    // Assess
    expect(service).toEqual({
      name: 'fraud-model',
      displayName: 'fraud-model',
      description: null,
      kind: 'model',
      owner: null,
      tags: {},
      createdAt: CREATED_AT,
      updatedAt: CREATED_AT,
      rev: 1,
      versionCounts: EMPTY_COUNTS,
      latestReleased: null,
    });
  });

  it('gives each service its own counts', () => {
    // Prepare
    const first = createService({ name: 'one-api', kind: 'api' }, CREATED_AT);
    const second = createService({ name: 'two-api', kind: 'api' }, CREATED_AT);

    // Act
    first.versionCounts.draft += 1;

    // Assess
    expect(second.versionCounts.draft).toBe(0);
    expect(EMPTY_COUNTS.draft).toBe(0);
  });
});

describe('patchService', () => {
  it('reports only the fields that changed, before and after', () => {
    // Prepare
    const current = aService();

    // Act
    const { next, before, after } = patchService(
      current,
      { displayName: 'Payments', description: 'Takes and refunds money', owner: 'team-payments', tags: { tier: '1' } },
      LATER,
    );

    // Assess
    expect(before).toEqual({ description: 'Takes money' });
    expect(after).toEqual({ description: 'Takes and refunds money' });
    expect(next.description).toBe('Takes and refunds money');
  });

  it('moves the revision and the update time on when something changed', () => {
    // Prepare
    const current = aService();

    // Act
    const { next } = patchService(current, { kind: 'model' }, LATER);

    // Assess
    expect(next.rev).toBe(current.rev + 1);
    expect(next.updatedAt).toBe(LATER);
    expect(next.createdAt).toBe(CREATED_AT);
  });

  it('changes nothing, not even the revision, when every field already has the value sent', () => {
    // Prepare
    const current = aService();

    // Act
    const { next, before, after } = patchService(current, { displayName: 'Payments', kind: 'api', tags: { tier: '1' } }, LATER);

    // Assess
    expect(after).toEqual({});
    expect(before).toEqual({});
    expect(next).toEqual(current);
  });

  it('clears an optional field sent as null', () => {
    // Prepare
    const current = aService();

    // Act
    const { next, before, after } = patchService(current, { owner: null, description: null }, LATER);

    // Assess
    expect(next.owner).toBeNull();
    expect(next.description).toBeNull();
    expect(before).toEqual({ owner: 'team-payments', description: 'Takes money' });
    expect(after).toEqual({ owner: null, description: null });
  });

  it('replaces tags as a whole and compares them by value', () => {
    // Prepare
    const current = aService({ tags: { tier: '1', team: 'payments' } });

    // Act
    const { next, after } = patchService(current, { tags: { tier: '2' } }, LATER);

    // Assess
    expect(next.tags).toEqual({ tier: '2' });
    expect(after).toEqual({ tags: { tier: '2' } });
  });

  it('ignores fields left undefined', () => {
    // Prepare
    const current = aService();

    // Act
    const { next, after } = patchService(current, { displayName: undefined, owner: undefined }, LATER);

    // Assess
    expect(after).toEqual({});
    expect(next.displayName).toBe('Payments');
    expect(next.owner).toBe('team-payments');
  });

  it('never touches the fields a patch may not change', () => {
    // Prepare
    const current = aService({ versionCounts: counts({ released: 2 }), latestReleased: '1.2.0' });
    const sneaky = { name: 'other-api', rev: 99, latestReleased: '9.9.9', description: 'new' } as unknown as Parameters<
      typeof patchService
    >[1];

    // Act
    const { next, after } = patchService(current, sneaky, LATER);

    // Assess
    expect(next.name).toBe('payments-api');
    expect(next.rev).toBe(current.rev + 1);
    expect(next.latestReleased).toBe('1.2.0');
    expect(Object.keys(after)).toEqual(['description']);
  });

  it('leaves the service it was given as it was', () => {
    // Prepare
    const current = aService();
    const snapshot = structuredClone(current);

    // Act
    patchService(current, { displayName: 'Payments v2', tags: { tier: '3' } }, LATER);

    // Assess
    expect(current).toEqual(snapshot);
  });
});
