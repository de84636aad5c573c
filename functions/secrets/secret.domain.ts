import { hasRole, type Principal } from '#kernel/roles';

/**
 * A secret as Steward keeps it: metadata only. The value lives in the value store (Secrets
 * Manager on AWS, an encrypted file locally) and never in a record, event or response other
 * than the reveal response itself.
 */

export const SECRET_TYPES = ['password', 'api-key', 'certificate', 'generic'] as const;
export type SecretType = (typeof SECRET_TYPES)[number];

export const SECRET_STATUSES = ['active', 'scheduled_deletion'] as const;
export type SecretStatus = (typeof SECRET_STATUSES)[number];

/** A value is at most 64 KB, as a Secrets Manager SecretString is. */
export const MAX_SECRET_VALUE_BYTES = 65_536;
/** The scheduled job warns this long before `expiresAt`. */
export const EXPIRY_WARNING_DAYS = 14;
/** Deletion waits a recovery window of 7 to 30 days, 30 unless asked otherwise (Secrets Manager's limits). */
export const MIN_RECOVERY_DAYS = 7;
export const MAX_RECOVERY_DAYS = 30;
export const DEFAULT_RECOVERY_DAYS = 30;

const DAY_MS = 24 * 60 * 60 * 1000;

export interface SecretActor {
  keyId: string;
  name: string;
}

export interface Secret {
  service: string;
  environment: string;
  name: string;
  type: SecretType;
  description: string | null;
  /** 1 for the first value; every PUT writes a new value and adds one. */
  version: number;
  createdAt: string;
  /** When the current value was written: the start of its rotation period. */
  updatedAt: string;
  updatedBy: SecretActor;
  expiresAt: string | null;
  rotationDays: number | null;
  lastRevealedAt: string | null;
  lastRevealedBy: SecretActor | null;
  status: SecretStatus;
  /** When the value store deletes the value for good; set while the status is scheduled_deletion. */
  deletionDate: string | null;
  /** When the job raised `secret.expiring` for the current value; cleared by a new value. */
  expiryNoticeAt: string | null;
  /** When the job raised `secret.rotation_due` for the current value; cleared by a new value. */
  rotationNoticeAt: string | null;
  /** Increases with every PUT and DELETE (not with reveals or notices); the secret's ETag. */
  rev: number;
}

/** What a PUT may set besides the value. Left out: keep the current setting; `null`: clear it. */
export interface SecretSettings {
  type?: SecretType;
  description?: string | null;
  expiresAt?: string | null;
  rotationDays?: number | null;
}

export function secretSubject(service: string, environment: string, name: string): string {
  return `secret/${service}/${environment}/${name}`;
}

/** A secret whose deletion date has passed is gone: its name may be used afresh. */
export function isGone(secret: Secret, now: Date): boolean {
  return secret.status === 'scheduled_deletion' && secret.deletionDate !== null && Date.parse(secret.deletionDate) <= now.getTime();
}

/**
 * The secret after a PUT of a new value: a fresh secret when there was none (or the old one is
 * gone), else the next version, restored if it was scheduled for deletion. Either way the
 * notices start over, since they were about the previous value.
 */
export function writeSecret(
  current: Secret | undefined,
  ref: { service: string; environment: string; name: string },
  settings: SecretSettings,
  actor: SecretActor,
  now: Date,
): Secret {
  const at = now.toISOString();
  const base = current && !isGone(current, now) ? current : undefined;
  return {
    ...ref,
    type: settings.type ?? base?.type ?? 'generic',
    description: pick(settings.description, base?.description),
    version: (base?.version ?? 0) + 1,
    createdAt: base?.createdAt ?? at,
    updatedAt: at,
    updatedBy: actor,
    expiresAt: pick(settings.expiresAt === undefined ? undefined : normaliseTime(settings.expiresAt), base?.expiresAt),
    rotationDays: pick(settings.rotationDays, base?.rotationDays),
    lastRevealedAt: base?.lastRevealedAt ?? null,
    lastRevealedBy: base?.lastRevealedBy ?? null,
    status: 'active',
    deletionDate: null,
    expiryNoticeAt: null,
    rotationNoticeAt: null,
    rev: (current?.rev ?? 0) + 1,
  };
}

function pick<T>(given: T | null | undefined, current: T | null | undefined): T | null {
  return given === undefined ? (current ?? null) : given;
}

function normaliseTime(value: string | null): string | null {
  return value === null ? null : new Date(value).toISOString();
}

export function scheduleSecretDeletion(current: Secret, deletionDate: string): Secret {
  return { ...current, status: 'scheduled_deletion', deletionDate, rev: current.rev + 1 };
}

export function markRevealed(current: Secret, actor: SecretActor, now: Date): Secret {
  return { ...current, lastRevealedAt: now.toISOString(), lastRevealedBy: actor };
}

/**
 * Who may read a value: an admin (the HTTP layer has already refused keys limited to other
 * services), or a deployer whose key names this service. A deployer key for every service is
 * refused: handing out values is a grant per service, not a side effect of a broad key.
 * Viewers never.
 */
export function canRevealSecret(principal: Principal, service: string): boolean {
  if (principal.role === 'admin') return principal.services === null || principal.services.includes(service);
  return hasRole(principal, 'deployer') && principal.services?.includes(service) === true;
}

/** When the current value is due for rotation, or null without a rotation period. */
export function rotationDueAt(secret: Secret): string | null {
  if (secret.rotationDays === null) return null;
  return new Date(Date.parse(secret.updatedAt) + secret.rotationDays * DAY_MS).toISOString();
}

/** Expires within the warning window (or already has). */
export function isExpiring(secret: Secret, now: Date): boolean {
  if (secret.status !== 'active' || secret.expiresAt === null) return false;
  return Date.parse(secret.expiresAt) - now.getTime() <= EXPIRY_WARNING_DAYS * DAY_MS;
}

/** Expired now, but its expiry notice was raised while it still had time left. */
function expiredSinceNotice(secret: Secret, now: Date): boolean {
  if (secret.expiresAt === null || secret.expiryNoticeAt === null) return false;
  const expiresAt = Date.parse(secret.expiresAt);
  return expiresAt <= now.getTime() && Date.parse(secret.expiryNoticeAt) < expiresAt;
}

/** Older than its rotation period. */
export function isRotationDue(secret: Secret, now: Date): boolean {
  const due = rotationDueAt(secret);
  return secret.status === 'active' && due !== null && Date.parse(due) <= now.getTime();
}

/**
 * The notices the scheduled job still owes for this secret, each raised once per value, except
 * that an expiry notice raised before the value expired is raised once more when it has: the
 * second one says `expired` (and makes the secret's alert critical).
 */
export function noticesDue(secret: Secret, now: Date): Array<'expiring' | 'rotation_due'> {
  const due: Array<'expiring' | 'rotation_due'> = [];
  if (isExpiring(secret, now) && (secret.expiryNoticeAt === null || expiredSinceNotice(secret, now))) due.push('expiring');
  if (secret.rotationNoticeAt === null && isRotationDue(secret, now)) due.push('rotation_due');
  return due;
}

/** Whole days from `now` to `at`, rounded down; negative once `at` has passed. */
export function daysUntil(at: string, now: Date): number {
  return Math.floor((Date.parse(at) - now.getTime()) / DAY_MS);
}
