import { ulid } from 'ulid';
import { type SecretRef, type SecretValueStore, SecretValueNotFoundError, secretPath } from './secret-value-store.ts';

/**
 * The local runtime's value store: the parts of Secrets Manager's behaviour Steward relies on
 * (create or add a version, read by version, restore on a new value, refuse reads while
 * scheduled for deletion, gone after the window), over a backend that only keeps records: a
 * map for `--memory`, encrypted files on disk.
 */

export interface LocalSecretRecord {
  /** Oldest first; the last is the current value. */
  versions: Array<{ versionId: string; value: string }>;
  /** Set while scheduled for deletion. */
  deletionDate: string | null;
}

export interface LocalSecretBackend {
  read(path: string): LocalSecretRecord | undefined;
  write(path: string, record: LocalSecretRecord): void;
  remove(path: string): void;
}

/** Older versions are only needed while a newer one may be unreferenced (its commit failed). */
const KEPT_VERSIONS = 5;
const DAY_MS = 24 * 60 * 60 * 1000;

export class LocalSecretValueStore implements SecretValueStore {
  constructor(
    private readonly backend: LocalSecretBackend,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async put(ref: SecretRef, value: string): Promise<{ versionId: string }> {
    const versionId = ulid();
    const versions = [...(this.current(ref)?.versions ?? []), { versionId, value }].slice(-KEPT_VERSIONS);
    this.backend.write(secretPath(ref), { versions, deletionDate: null });
    return { versionId };
  }

  async get(ref: SecretRef, versionId?: string): Promise<string> {
    const record = this.current(ref);
    if (!record) throw new SecretValueNotFoundError(ref, 'absent');
    if (record.deletionDate !== null) throw new SecretValueNotFoundError(ref, 'scheduled for deletion');
    const version = versionId === undefined ? record.versions.at(-1) : record.versions.find((entry) => entry.versionId === versionId);
    if (!version) throw new SecretValueNotFoundError(ref, 'absent');
    return version.value;
  }

  async scheduleDeletion(ref: SecretRef, recoveryDays: number): Promise<{ deletionDate: string }> {
    const record = this.current(ref);
    if (!record) return { deletionDate: this.now().toISOString() };
    if (record.deletionDate !== null) return { deletionDate: record.deletionDate };
    const deletionDate = new Date(this.now().getTime() + recoveryDays * DAY_MS).toISOString();
    this.backend.write(secretPath(ref), { ...record, deletionDate });
    return { deletionDate };
  }

  /** The record, after deleting it for good if its recovery window has passed. */
  private current(ref: SecretRef): LocalSecretRecord | undefined {
    const path = secretPath(ref);
    const record = this.backend.read(path);
    if (record?.deletionDate && Date.parse(record.deletionDate) <= this.now().getTime()) {
      this.backend.remove(path);
      return undefined;
    }
    return record;
  }
}

/** `--memory` and tests: records in a map, gone with the process. */
export function memorySecretStore(now?: () => Date): LocalSecretValueStore {
  const records = new Map<string, LocalSecretRecord>();
  return new LocalSecretValueStore(
    {
      read: (path) => records.get(path),
      write: (path, record) => void records.set(path, structuredClone(record)),
      remove: (path) => void records.delete(path),
    },
    now,
  );
}
