import { GetCommand } from '@aws-sdk/lib-dynamodb';
import type { Secret } from './secret.domain.ts';
import { documentClient, tableName } from '#kernel/store/client';
import { type Item, project, type StoredEvent } from '#kernel/store/event-log';
import { keys } from '#kernel/store/keys';
import { type Page, queryPage } from '#kernel/store/pagination';

/**
 * Secret metadata items: never the value, which is the value store's alone. A service's
 * secrets are one aggregate (`SECRETS#<service>`); its head item is rewritten by every event,
 * so one read gives the sequence number the next event must follow.
 */

const FIELDS = [
  'service',
  'environment',
  'name',
  'type',
  'description',
  'version',
  'createdAt',
  'updatedAt',
  'updatedBy',
  'expiresAt',
  'rotationDays',
  'lastRevealedAt',
  'lastRevealedBy',
  'status',
  'deletionDate',
  'expiryNoticeAt',
  'rotationNoticeAt',
  'rev',
] as const;

export interface SecretsHead {
  seq: number;
}

export function secretsHeadItem(service: string): Item {
  return { ...keys.secretsHead(service), entity: 'secrets-head', service };
}

/**
 * `valueVersionId` is the value store's id of the version the metadata describes: reveals read
 * that version. Every rewrite of the item must carry it on, hence no default.
 */
export function secretItem(secret: Secret, valueVersionId: string | null): Item {
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

/**
 * The aggregate's head and one secret, as a decision needs them. Effects are projected in
 * parallel, so a writer that died mid-projection can leave the head at its event while the
 * secret item is still older; deciding on that would overwrite the lost effect for good (a
 * later event's item is never overwritten by an earlier one). Every event here was appended
 * after reading a head that was fully projected, so only the head's own event can be half
 * done: finish it, then read again.
 */
export async function getSecretWithHead(
  service: string,
  environment: string,
  name: string,
): Promise<{ head: SecretsHead; current: StoredSecret | undefined }> {
  const read = async () => Promise.all([getItem(keys.secretsHead(service)), getItem(keys.secret(service, environment, name))]);
  let [head, current] = await read();
  const seq = Number(head?.aggSeq ?? 0);
  if (seq > 0) {
    const event = await getItem(keys.event(keys.secretsAggregate(service), seq));
    if (event && event.GSI4PK !== undefined) {
      await project(event as unknown as StoredEvent);
      [head, current] = await read();
    }
  }
  return { head: { seq: Number(head?.aggSeq ?? 0) }, current: storedSecret(current) };
}

/** One secret as last projected: for reads and for checks a decision repeats. */
export async function getStoredSecret(service: string, environment: string, name: string): Promise<StoredSecret | undefined> {
  return storedSecret(await getItem(keys.secret(service, environment, name)));
}

function storedSecret(item: Record<string, unknown> | undefined): StoredSecret | undefined {
  if (!item) return undefined;
  return { secret: secretFromItem(item), valueVersionId: (item.valueVersionId as string | undefined) ?? null };
}

async function getItem(key: { PK: string; SK: string }): Promise<Record<string, unknown> | undefined> {
  const { Item } = await documentClient().send(new GetCommand({ TableName: tableName(), Key: key, ConsistentRead: true }));
  return Item;
}

/**
 * A service's live secrets, by environment then name; optionally of one environment. Secrets
 * whose deletion has completed are left out (their items stay until the name is used again).
 */
export async function listSecrets(
  service: string,
  options: { limit: number; cursor?: string; environment?: string; now: Date },
): Promise<Page<Secret>> {
  const prefix = options.environment ? `${keys.secretPrefix}${options.environment}#` : keys.secretPrefix;
  const page = await queryPage({
    partition: keys.secretsAggregate(service),
    sortKeyCondition: 'begins_with(#sk, :prefix)',
    filter: '#status = :active OR #deletionDate > :now',
    names: { '#status': 'status', '#deletionDate': 'deletionDate' },
    values: { ':prefix': prefix, ':active': 'active', ':now': options.now.toISOString() },
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
