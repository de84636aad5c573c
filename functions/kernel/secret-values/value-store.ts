import type { SecretValueStore } from './secret-value-store.ts';
import { SecretsManagerStore } from './secrets-manager-store.ts';

/**
 * One value store per process, chosen on first use like the table client: on AWS, Secrets
 * Manager under SECRETS_PREFIX with the stack's key (SECRETS_KMS_KEY_ID); the local runtime
 * installs its encrypted file store (or the in-memory one) with `configureSecretValueStore`.
 */

let store: SecretValueStore | undefined;

export function configureSecretValueStore(next: SecretValueStore): void {
  store = next;
}

export function secretValueStore(): SecretValueStore {
  if (!store) {
    const prefix = process.env.SECRETS_PREFIX;
    if (!prefix) throw new Error('SECRETS_PREFIX is not set');
    store = new SecretsManagerStore({ prefix, kmsKeyId: process.env.SECRETS_KMS_KEY_ID });
  }
  return store;
}
