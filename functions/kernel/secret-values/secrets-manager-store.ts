import {
  CreateSecretCommand,
  DeleteSecretCommand,
  DescribeSecretCommand,
  GetSecretValueCommand,
  PutSecretValueCommand,
  RestoreSecretCommand,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { type SecretRef, type SecretValueStore, SecretValueNotFoundError, secretPath } from './secret-value-store.ts';

export interface SecretsManagerStoreSettings {
  /** Stack-specific, e.g. `steward/prod/`: IAM allows this prefix only. */
  prefix: string;
  /** The stack's KMS key; without one Secrets Manager uses its AWS managed key. */
  kmsKeyId?: string;
  client?: SecretsManagerClient;
}

const DAY_MS = 24 * 60 * 60 * 1000;

function errorName(error: unknown): string | undefined {
  return error instanceof Error ? error.name : undefined;
}

/**
 * One Secrets Manager secret per Steward secret, named `<prefix><service>/<environment>/<name>`
 * and tagged with its service and environment. Values are sent as SecretString and never
 * appear in anything this adapter throws (SDK errors do not echo request parameters).
 */
export class SecretsManagerStore implements SecretValueStore {
  private readonly prefix: string;
  private readonly kmsKeyId: string | undefined;
  private readonly client: SecretsManagerClient;

  constructor(settings: SecretsManagerStoreSettings) {
    if (!/^[\w/+=.@-]+\/$/.test(settings.prefix)) {
      throw new Error(
        `SECRETS_PREFIX must be a Secrets Manager name prefix ending in "/", such as steward/prod/; it is "${settings.prefix}".`,
      );
    }
    this.prefix = settings.prefix;
    this.kmsKeyId = settings.kmsKeyId || undefined;
    this.client = settings.client ?? new SecretsManagerClient({});
  }

  /** The secret's Secrets Manager name. */
  nameOf(ref: SecretRef): string {
    return `${this.prefix}${secretPath(ref)}`;
  }

  /**
   * Describes first, so the path taken follows the secret's real state (the table might be
   * behind it after a failed commit) and no call is made only to fail on purpose.
   */
  async put(ref: SecretRef, value: string): Promise<{ versionId: string }> {
    const name = this.nameOf(ref);
    const state = await this.describe(name);
    if (state === 'absent') {
      try {
        const created = await this.client.send(
          new CreateSecretCommand({
            Name: name,
            SecretString: value,
            ...(this.kmsKeyId ? { KmsKeyId: this.kmsKeyId } : {}),
            Tags: [
              { Key: 'service', Value: ref.service },
              { Key: 'environment', Value: ref.environment },
            ],
          }),
        );
        return { versionId: String(created.VersionId) };
      } catch (error) {
        // Another writer created it between our describe and create: write a new version instead.
        if (errorName(error) !== 'ResourceExistsException') throw error;
      }
    } else if (state === 'scheduled') {
      await this.client.send(new RestoreSecretCommand({ SecretId: name }));
    }
    const written = await this.client.send(new PutSecretValueCommand({ SecretId: name, SecretString: value }));
    return { versionId: String(written.VersionId) };
  }

  async get(ref: SecretRef, versionId?: string): Promise<string> {
    try {
      const { SecretString } = await this.client.send(
        new GetSecretValueCommand({ SecretId: this.nameOf(ref), ...(versionId ? { VersionId: versionId } : {}) }),
      );
      if (SecretString === undefined) throw new SecretValueNotFoundError(ref, 'absent');
      return SecretString;
    } catch (error) {
      if (errorName(error) === 'ResourceNotFoundException') throw new SecretValueNotFoundError(ref, 'absent');
      // Secrets Manager refuses to read a secret marked for deletion with InvalidRequestException.
      if (errorName(error) === 'InvalidRequestException') throw new SecretValueNotFoundError(ref, 'scheduled for deletion');
      throw error;
    }
  }

  async scheduleDeletion(ref: SecretRef, recoveryDays: number): Promise<{ deletionDate: string }> {
    const name = this.nameOf(ref);
    try {
      const { DeletionDate } = await this.client.send(new DeleteSecretCommand({ SecretId: name, RecoveryWindowInDays: recoveryDays }));
      return { deletionDate: (DeletionDate ?? new Date(Date.now() + recoveryDays * DAY_MS)).toISOString() };
    } catch (error) {
      if (errorName(error) === 'ResourceNotFoundException') return { deletionDate: new Date().toISOString() };
      if (errorName(error) !== 'InvalidRequestException') throw error;
      // Already marked for deletion (an earlier request got this far and no further): report
      // when it goes. DeletedDate is when it was marked, so the window starts there.
      const described = await this.client.send(new DescribeSecretCommand({ SecretId: name }));
      if (!described.DeletedDate) throw error;
      return { deletionDate: new Date(described.DeletedDate.getTime() + recoveryDays * DAY_MS).toISOString() };
    }
  }

  private async describe(name: string): Promise<'absent' | 'scheduled' | 'active'> {
    try {
      const described = await this.client.send(new DescribeSecretCommand({ SecretId: name }));
      return described.DeletedDate ? 'scheduled' : 'active';
    } catch (error) {
      if (errorName(error) === 'ResourceNotFoundException') return 'absent';
      throw error;
    }
  }
}
