/** API key roles and what they may touch. Roles are ordered: viewer < deployer < admin. */

export const ROLES = ['viewer', 'deployer', 'admin'] as const;
export type Role = (typeof ROLES)[number];

/** Who is calling: the API key the request was authenticated with. */
export interface Principal {
  keyId: string;
  name: string;
  role: Role;
  /** Services the key is limited to; `null` means every service. */
  services: string[] | null;
}

export function hasRole(principal: Principal, needed: Role): boolean {
  return ROLES.indexOf(principal.role) >= ROLES.indexOf(needed);
}

export function canSeeService(principal: Principal, service: string): boolean {
  return principal.services === null || principal.services.includes(service);
}

/** Whether a key may see and manage something owned by these services (null: every service, so unlimited keys only). */
export function ownsAll(principal: Principal, services: readonly string[] | null): boolean {
  if (principal.services === null) return true;
  return services !== null && services.length > 0 && services.every((service) => canSeeService(principal, service));
}

/** Keys that manage other keys must be unscoped admins, or a scoped admin could mint an unscoped key. */
export function canManageKeys(principal: Principal): boolean {
  return principal.role === 'admin' && principal.services === null;
}

/** The actor recorded in the audit trail for work the system does on its own. */
export const SYSTEM_PRINCIPAL: Principal = { keyId: 'system', name: 'steward', role: 'admin', services: null };
