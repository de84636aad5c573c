import { GetCommand } from '@aws-sdk/lib-dynamodb';
import type { Secret } from '#domain/secret';
import { documentClient, tableName } from '#store/client';
import type { Item } from '#store/event-log';
import { keys } from '#store/keys';
import { type Page, queryPage } from '#store/pagination';

/**
 * Secret metadata items: never the value, which is the value store's alone. A service's
 * secrets are one aggregate (`SECRETS#<service>`); its head item is rewritten by every event,
 * so one read gives the sequence number the next event must follow.
 */

const FIELDS = [
  'service', 'environment', 'name', 'type', 'description', 'version', 'createdAt', 'updatedAt', 'updatedBy',
  'expiresAt', 'rotationDays', 'lastRevealedAt', 'lastRevealedBy', 'status', 'deletionDate', 'expiryNoticeAt',
  'rotationNoticeAt', 'rev',
] as const;

export interface SecretsHead {
  seq: number;
}

export function secretsHeadItem(service: string): Item {
  return { ...keys.secretsHead(service), entity: 'secrets-head', service };
}

/** `valueVersionId` is the value store's id of the version written: for tracing, not a secret. */
export function secretItem(secret: Secret, valueVersionId?: string): Item {
  return {
    ...keys.secret(secret.service, secret.environment, secret.name),
    ...keys.secretsIndex(secret.service, secret.environment, secret.name),
    entity: 'secret',
    ...secret,
    ...(valueVersionId ? { valueVersionId } : {}),
  };
}

export function secretFromItem(item: Record<string, unknown>): Secret {
  return Object.fromEntries(FIELDS.map((field) => [field, item[field] ?? null])) as unknown as Secret;
}

export interface StoredSecret {
  secret: Secret;
  valueVersionId: string | null;
}

/** The aggregate's head and one secret, read together (both consistent). */
export async function getSecretWithHead(
  service: string,
  environment: string,
  name: string,
): Promise<{ head: SecretsHead; current: StoredSecret | undefined }> {
  const [head, current] = await Promise.all([getItem(keys.secretsHead(service)), getItem(keys.secret(service, environment, name))]);
  return {
    head: { seq: Number(head?.aggSeq ?? 0) },
    current: current ? { secret: secretFromItem(current), valueVersionId: (current.valueVersionId as string | undefined) ?? null } : undefined,
  };
}

async function getItem(key: { PK: string; SK: string }): Promise<Record<string, unknown> | undefined> {
  const { Item } = await documentClient().send(new GetCommand({ TableName: tableName(), Key: key, ConsistentRead: true }));
  return Item;
}

export async function getSecret(service: string, environment: string, name: string): Promise<Secret | undefined> {
  const item = await getItem(keys.secret(service, environment, name));
  return item ? secretFromItem(item) : undefined;
}

/** A service's secrets, by environment then name; optionally of one environment. */
export async function listSecrets(
  service: string,
  options: { limit: number; cursor?: string; environment?: string },
): Promise<Page<Secret>> {
  const prefix = options.environment ? `${keys.secretPrefix}${options.environment}#` : keys.secretPrefix;
  const page = await queryPage({
    partition: keys.secretsAggregate(service),
    sortKeyCondition: 'begins_with(#sk, :prefix)',
    values: { ':prefix': prefix },
    limit: options.limit,
    cursor: options.cursor,
  });
  return { items: page.items.map(secretFromItem), nextCursor: page.nextCursor };
}

/** Every secret of every service, a page at a time: GSI1's `SECRETS` partition, for the scheduled job. */
export async function listAllSecrets(options: { limit: number; cursor?: string }): Promise<Page<Secret>> {
  const page = await queryPage({ index: 'GSI1', partition: keys.secretsListPartition, ...options });
  return { items: page.items.map(secretFromItem), nextCursor: page.nextCursor };
}
