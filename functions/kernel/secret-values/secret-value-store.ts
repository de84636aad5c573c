import { StewardError } from '../errors.ts';

/**
 * Where secret values live: the one port the secret commands use, with an adapter for AWS
 * Secrets Manager and one for the local runtime. Only values pass through here; metadata is the
 * table's business. Implementations must never put a value in an error message or a log line.
 */

/** Which secret: the adapter derives its own name (and tags) from these. */
export interface SecretRef {
  service: string;
  environment: string;
  name: string;
}

export interface SecretValueStore {
  /**
   * Makes `value` the current value, whatever state the secret is in: creates it when absent,
   * restores it when scheduled for deletion. Returns the store's id of the version written.
   */
  put(ref: SecretRef, value: string): Promise<{ versionId: string }>;
  /**
   * A value: the version `put` returned (Steward reads the version its metadata names, so a
   * value written by a request whose commit then failed is never served), or the current one.
   * Throws SecretValueNotFoundError when absent, scheduled for deletion, or no such version.
   */
  get(ref: SecretRef, versionId?: string): Promise<string>;
  /**
   * Schedules deletion after `recoveryDays`; returns when the value will be gone. Deleting an
   * absent secret succeeds (there is nothing left to delete).
   */
  scheduleDeletion(ref: SecretRef, recoveryDays: number): Promise<{ deletionDate: string }>;
}

/** The path of a secret under the store's root: `<service>/<environment>/<name>`. */
export function secretPath(ref: SecretRef): string {
  return `${ref.service}/${ref.environment}/${ref.name}`;
}

/** The store has no current value for the secret. */
export class SecretValueNotFoundError extends Error {
  override name = 'SecretValueNotFoundError';
  constructor(ref: SecretRef, reason: 'absent' | 'scheduled for deletion') {
    super(
      `The value of ${secretPath(ref)} is ${reason === 'absent' ? 'not in the value store' : 'scheduled for deletion in the value store'}.`,
    );
  }
}

/**
 * The value store failed (throttled, unreachable, refused by IAM or KMS). Not the client's
 * fault, but not a mystery either: say which part failed, and that nothing was recorded.
 */
export class SecretStoreUnavailableError extends StewardError {
  constructor(detail: string) {
    super(503, 'Secret store unavailable', detail);
  }
}
