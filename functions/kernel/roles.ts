/**
 * API key roles and what they may touch. viewer < deployer < admin are ordered; `ingest` stands
 * apart: a key for a model's gateway that may only report inferences (routes whose access is
 * `ingest`, which deployers and admins may call too), and nothing else, not even reads.
 */

export const ROLES = ['viewer', 'deployer', 'admin', 'ingest'] as const;
export type Role = (typeof ROLES)[number];

/** The ordered roles: each may do what the ones before it may. */
export const RANKED_ROLES = ['viewer', 'deployer', 'admin'] as const satisfies readonly Role[];

/** Who is calling: the API key the request was authenticated with. */
export interface Principal {
  keyId: string;
  name: string;
  role: Role;
  /** Services the key is limited to; `null` means every service. */
  services: string[] | null;
  /** The key's own requests per minute by route class (reads, writes, ingest), over its role's (kernel/rate-limit/policy.ts). */
  rateLimits?: Partial<Record<'reads' | 'writes' | 'ingest', number>>;
}

export function hasRole(principal: Principal, needed: Role): boolean {
  if (principal.role === 'ingest') return needed === 'ingest';
  if (needed === 'ingest') return hasRole(principal, 'deployer');
  return RANKED_ROLES.indexOf(principal.role) >= RANKED_ROLES.indexOf(needed);
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
