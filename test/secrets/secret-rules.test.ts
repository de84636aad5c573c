import { describe, expect, it } from 'vitest';
import type { Principal, Role } from '../../functions/kernel/roles.ts';
import {
  canRevealSecret,
  isExpiring,
  isGone,
  isRotationDue,
  noticesDue,
  rotationDueAt,
  type Secret,
  scheduleSecretDeletion,
  writeSecret,
} from '../../functions/secrets/secret.domain.ts';

/** The secret rules, pure: who may reveal, what a PUT keeps, and when the scheduled check speaks. */

const DAY = 86_400_000;
const T0 = new Date('2030-01-01T00:00:00.000Z');
const dayAfter = (days: number) => new Date(T0.getTime() + days * DAY);
const actor = { keyId: 'k1', name: 'ci' };
const ref = { service: 'payments-api', environment: 'prod', name: 'TOKEN' };

function principal(role: Role, services: string[] | null): Principal {
  return { keyId: 'k', name: 'key', role, services };
}

describe('canRevealSecret', () => {
  const matrix: Array<{ role: Role; services: string[] | null; allowed: boolean }> = [
    { role: 'viewer', services: null, allowed: false },
    { role: 'viewer', services: ['payments-api'], allowed: false },
    { role: 'deployer', services: null, allowed: false },
    { role: 'deployer', services: ['payments-api'], allowed: true },
    { role: 'deployer', services: ['orders-api', 'payments-api'], allowed: true },
    { role: 'deployer', services: ['orders-api'], allowed: false },
    { role: 'deployer', services: [], allowed: false },
    { role: 'admin', services: null, allowed: true },
    { role: 'admin', services: ['payments-api'], allowed: true },
    { role: 'admin', services: ['orders-api'], allowed: false },
  ];

  it.each(matrix)('a $role key for $services may reveal: $allowed', ({ role, services, allowed }) => {
    expect(canRevealSecret(principal(role, services), 'payments-api')).toBe(allowed);
  });
});

describe('writeSecret', () => {
  const first = writeSecret(
    undefined,
    ref,
    { type: 'api-key', description: 'd', expiresAt: '2030-06-01T02:00:00+02:00', rotationDays: 30 },
    actor,
    T0,
  );

  it('starts at version 1, generic unless told, expiry normalised to UTC', () => {
    expect(first).toMatchObject({
      version: 1,
      rev: 1,
      type: 'api-key',
      status: 'active',
      expiresAt: '2030-06-01T00:00:00.000Z',
      createdAt: T0.toISOString(),
    });
    expect(writeSecret(undefined, ref, {}, actor, T0).type).toBe('generic');
  });

  it('keeps what a PUT leaves out, clears what it sets to null, restarts the notices', () => {
    // Prepare
    const noticed: Secret = {
      ...first,
      expiryNoticeAt: T0.toISOString(),
      rotationNoticeAt: T0.toISOString(),
      lastRevealedAt: T0.toISOString(),
    };

    // Act
    const next = writeSecret(noticed, ref, { description: null }, actor, dayAfter(1));

    // Assess
    expect(next).toMatchObject({
      version: 2,
      rev: 2,
      type: 'api-key',
      description: null,
      expiresAt: '2030-06-01T00:00:00.000Z',
      rotationDays: 30,
      createdAt: T0.toISOString(),
      updatedAt: dayAfter(1).toISOString(),
      expiryNoticeAt: null,
      rotationNoticeAt: null,
      lastRevealedAt: T0.toISOString(),
    });
  });

  it('restores a secret scheduled for deletion as its next version', () => {
    const scheduled = scheduleSecretDeletion(first, dayAfter(30).toISOString());
    expect(writeSecret(scheduled, ref, {}, actor, dayAfter(1))).toMatchObject({ version: 2, status: 'active', deletionDate: null, rev: 3 });
  });

  it('starts afresh once a deletion has completed, keeping the ETag moving forward', () => {
    // Prepare
    const scheduled = scheduleSecretDeletion(first, dayAfter(7).toISOString());

    // Act
    const reborn = writeSecret(scheduled, ref, {}, actor, dayAfter(8));

    // Assess
    expect(isGone(scheduled, dayAfter(7))).toBe(true);
    expect(isGone(scheduled, dayAfter(6))).toBe(false);
    expect(reborn).toMatchObject({
      version: 1,
      type: 'generic',
      description: null,
      expiresAt: null,
      createdAt: dayAfter(8).toISOString(),
      rev: 3,
    });
  });
});

describe('expiry and rotation', () => {
  const secret = writeSecret(undefined, ref, { expiresAt: dayAfter(20).toISOString(), rotationDays: 45 }, actor, T0);

  it.each([
    { days: 5, expiring: false },
    { days: 5.999, expiring: false },
    { days: 6, expiring: true },
    { days: 20, expiring: true },
    { days: 25, expiring: true },
  ])('is expiring $days days in: $expiring', ({ days, expiring }) => {
    expect(isExpiring(secret, dayAfter(days))).toBe(expiring);
  });

  it.each([
    { days: 44.99, due: false },
    { days: 45, due: true },
    { days: 100, due: true },
  ])('is due for rotation $days days in: $due', ({ days, due }) => {
    expect(isRotationDue(secret, dayAfter(days))).toBe(due);
  });

  it('says when rotation is due, and nothing without a period', () => {
    expect(rotationDueAt(secret)).toBe(dayAfter(45).toISOString());
    expect(rotationDueAt({ ...secret, rotationDays: null })).toBeNull();
  });

  it('owes each notice once per value (an expiry notice once more when the value has expired since), and none while scheduled for deletion', () => {
    expect(noticesDue(secret, dayAfter(50))).toEqual(['expiring', 'rotation_due']);
    // Expires on day 20: noticed on day 6, quiet until then, owed again once expired, then quiet.
    const noticed = { ...secret, expiryNoticeAt: dayAfter(6).toISOString() };
    expect(noticesDue(noticed, dayAfter(19))).toEqual([]);
    expect(noticesDue(noticed, dayAfter(20))).toEqual(['expiring']);
    expect(noticesDue({ ...noticed, expiryNoticeAt: dayAfter(20).toISOString() }, dayAfter(50))).toEqual(['rotation_due']);
    expect(
      noticesDue({ ...secret, expiryNoticeAt: dayAfter(21).toISOString(), rotationNoticeAt: dayAfter(45).toISOString() }, dayAfter(50)),
    ).toEqual([]);
    expect(noticesDue(scheduleSecretDeletion(secret, dayAfter(80).toISOString()), dayAfter(50))).toEqual([]);
  });
});
