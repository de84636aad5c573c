import { type Principal, RANKED_ROLES, ROLES, type Role } from '#kernel/roles';

/**
 * Sign-in with an identity provider (README "JWT sign-in"): a bearer JWT from an OIDC issuer
 * stands beside API keys. Pure: the settings, and how claims become a principal.
 */

export interface JwtSettings {
  issuer: string;
  /** The audience (client id) a token must carry; several are comma-separated, any of them will do. */
  audience: string;
  /** Where the issuer's signing keys are: `<issuer>/.well-known/jwks.json` unless told. */
  jwksUrl: string;
  /** The claim that carries the caller's groups or roles (`groups`, `cognito:groups`, `roles`). */
  rolesClaim: string;
  /** Group name → Steward role; a group named like a role is that role. */
  roleMap: Record<string, Role>;
  /** An optional claim listing the services the caller is limited to. */
  servicesClaim?: string;
}

export const DEFAULT_ROLE_MAP: Record<string, Role> = {
  'steward-admin': 'admin',
  'steward-deployer': 'deployer',
  'steward-viewer': 'viewer',
  'steward-ingest': 'ingest',
};

/**
 * From the environment: STEWARD_JWT_ISSUER (no issuer, no JWTs), STEWARD_JWT_AUDIENCE (comma-separated for several clients),
 * STEWARD_JWT_JWKS_URL, STEWARD_JWT_ROLES_CLAIM (default `groups`), STEWARD_JWT_ROLE_MAP (JSON,
 * group → role), STEWARD_JWT_SERVICES_CLAIM.
 */
export function jwtSettingsFrom(env: Record<string, string | undefined>): JwtSettings | undefined {
  const issuer = env.STEWARD_JWT_ISSUER;
  if (!issuer) return undefined;
  const audience = env.STEWARD_JWT_AUDIENCE;
  if (!audience) throw new Error('STEWARD_JWT_AUDIENCE must be set with STEWARD_JWT_ISSUER');
  const roleMap = { ...DEFAULT_ROLE_MAP };
  if (env.STEWARD_JWT_ROLE_MAP) {
    const parsed = JSON.parse(env.STEWARD_JWT_ROLE_MAP) as Record<string, string>;
    for (const [group, role] of Object.entries(parsed)) {
      if (!(ROLES as readonly string[]).includes(role)) throw new Error(`STEWARD_JWT_ROLE_MAP: "${role}" is not a role`);
      roleMap[group] = role as Role;
    }
  }
  return {
    issuer,
    audience,
    jwksUrl: env.STEWARD_JWT_JWKS_URL || `${issuer.replace(/\/+$/, '')}/.well-known/jwks.json`,
    rolesClaim: env.STEWARD_JWT_ROLES_CLAIM || 'groups',
    roleMap,
    ...(env.STEWARD_JWT_SERVICES_CLAIM ? { servicesClaim: env.STEWARD_JWT_SERVICES_CLAIM } : {}),
  };
}

/** A claim's values: an array of strings, or one string of values separated by spaces or commas. */
function claimValues(value: unknown): string[] {
  if (Array.isArray(value)) return value.filter((entry): entry is string => typeof entry === 'string');
  if (typeof value === 'string') return value.split(/[\s,]+/).filter((entry) => entry !== '');
  return [];
}

/** The highest role any of the caller's groups maps to; `ingest` only when nothing ranked does. */
export function roleFromClaims(claims: Record<string, unknown>, settings: JwtSettings): Role | undefined {
  const roles = new Set(
    claimValues(claims[settings.rolesClaim]).flatMap((group) => {
      const mapped = settings.roleMap[group] ?? ((ROLES as readonly string[]).includes(group) ? (group as Role) : undefined);
      return mapped ? [mapped] : [];
    }),
  );
  const ranked = [...RANKED_ROLES].reverse().find((role) => roles.has(role));
  return ranked ?? (roles.has('ingest') ? 'ingest' : undefined);
}

/** The principal a verified token's claims name, or why it names none. */
export function principalFromClaims(claims: Record<string, unknown>, settings: JwtSettings): Principal | { reason: string } {
  const subject = typeof claims.sub === 'string' ? claims.sub : undefined;
  if (!subject) return { reason: 'The token has no subject (sub).' };
  const role = roleFromClaims(claims, settings);
  if (!role) return { reason: `The token's "${settings.rolesClaim}" claim names no Steward role.` };
  const name = [claims.email, claims.preferred_username, claims['cognito:username'], subject].find(
    (value): value is string => typeof value === 'string' && value !== '',
  ) as string;
  const services = settings.servicesClaim ? claimValues(claims[settings.servicesClaim]) : [];
  return { keyId: `jwt:${subject}`, name, role, services: services.length > 0 ? services.sort() : null };
}

/** A JWT is three base64url parts; an API key is `stw_…` (or a chosen secret without dots). */
export function looksLikeJwt(token: string): boolean {
  return /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/.test(token);
}
