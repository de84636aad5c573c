import { describe, expect, it } from 'vitest';
import { canManageKeys, canSeeService, hasRole, type Principal, type Role, ROLES } from '../../functions/kernel/roles.ts';

function principal(role: Role, services: string[] | null = null): Principal {
  return { keyId: `key-${role}`, name: `${role} key`, role, services };
}

describe('hasRole', () => {
  const matrix: Array<{ role: Role; needed: Role; allowed: boolean }> = [
    { role: 'viewer', needed: 'viewer', allowed: true },
    { role: 'viewer', needed: 'deployer', allowed: false },
    { role: 'viewer', needed: 'admin', allowed: false },
    { role: 'deployer', needed: 'viewer', allowed: true },
    { role: 'deployer', needed: 'deployer', allowed: true },
    { role: 'deployer', needed: 'admin', allowed: false },
    { role: 'admin', needed: 'viewer', allowed: true },
    { role: 'admin', needed: 'deployer', allowed: true },
    { role: 'admin', needed: 'admin', allowed: true },
    // ingest stands apart: it reports inferences and does nothing else; deployers and admins may report too.
    { role: 'ingest', needed: 'ingest', allowed: true },
    { role: 'ingest', needed: 'viewer', allowed: false },
    { role: 'ingest', needed: 'deployer', allowed: false },
    { role: 'ingest', needed: 'admin', allowed: false },
    { role: 'viewer', needed: 'ingest', allowed: false },
    { role: 'deployer', needed: 'ingest', allowed: true },
    { role: 'admin', needed: 'ingest', allowed: true },
  ];

  it.each(matrix)('lets a $role key act where $needed is needed: $allowed', ({ role, needed, allowed }) => {
    // Prepare
    const caller = principal(role);

    // Act
    const result = hasRole(caller, needed);

    // Assess
    expect(result).toBe(allowed);
  });

  it('orders the roles viewer < deployer < admin, with ingest apart', () => {
    // Assess
    expect(ROLES).toEqual(['viewer', 'deployer', 'admin', 'ingest']);
  });
});

describe('canSeeService', () => {
  it('lets an unscoped key see every service', () => {
    // Prepare
    const caller = principal('viewer', null);

    // Act
    const result = canSeeService(caller, 'payments-api');

    // Assess
    expect(result).toBe(true);
  });

  it('lets a scoped key see the services it is limited to', () => {
    // Prepare
    const caller = principal('deployer', ['orders-api', 'payments-api']);

    // Act
    const result = canSeeService(caller, 'payments-api');

    // Assess
    expect(result).toBe(true);
  });

  it('refuses a scoped key any other service, including one whose name merely starts the same', () => {
    // Prepare
    const caller = principal('admin', ['payments-api']);

    // Act
    const other = canSeeService(caller, 'orders-api');
    const lookalike = canSeeService(caller, 'payments-api-v2');

    // Assess
    expect(other).toBe(false);
    expect(lookalike).toBe(false);
  });

  it('refuses a key scoped to no services everything', () => {
    // Prepare
    const caller = principal('admin', []);

    // Act
    const result = canSeeService(caller, 'payments-api');

    // Assess
    expect(result).toBe(false);
  });
});

describe('canManageKeys', () => {
  it.each([
    { who: 'an unscoped admin', caller: principal('admin'), allowed: true },
    { who: 'a scoped admin', caller: principal('admin', ['payments-api']), allowed: false },
    { who: 'a deployer', caller: principal('deployer'), allowed: false },
    { who: 'a viewer', caller: principal('viewer'), allowed: false },
    { who: 'an ingest key', caller: principal('ingest'), allowed: false },
  ])('lets $who manage keys: $allowed', ({ caller, allowed }) => {
    // Act
    const result = canManageKeys(caller);

    // Assess
    expect(result).toBe(allowed);
  });
});
