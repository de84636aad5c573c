import { GetCommand } from '@aws-sdk/lib-dynamodb';
import type { Service } from './service.domain.ts';
import { documentClient, tableName } from '#kernel/store/client';
import type { Item } from '#kernel/store/event-log';
import { keys } from '#kernel/store/keys';
import { type Page, queryPage } from '#kernel/store/pagination';

/** A service as stored, with the sequence number of the last event projected into it. */
export interface StoredService {
  service: Service;
  /** The service aggregate's head: every event of the aggregate rewrites this item. */
  seq: number;
}

const FIELDS = [
  'name',
  'displayName',
  'description',
  'kind',
  'owner',
  'tags',
  'createdAt',
  'updatedAt',
  'rev',
  'versionCounts',
  'latestReleased',
] as const;

export function serviceItem(service: Service): Item {
  return { ...keys.service(service.name), ...keys.servicesIndex(service.name), entity: 'service', ...service };
}

export function serviceFromItem(item: Record<string, unknown>): Service {
  return Object.fromEntries(FIELDS.map((field) => [field, item[field] ?? null])) as unknown as Service;
}

export async function getService(name: string): Promise<StoredService | undefined> {
  const { Item } = await documentClient().send(new GetCommand({ TableName: tableName(), Key: keys.service(name), ConsistentRead: true }));
  if (!Item) return undefined;
  return { service: serviceFromItem(Item), seq: Number(Item.aggSeq ?? 0) };
}

export async function listServices(options: { limit: number; cursor?: string; only?: string[] | null }): Promise<Page<Service>> {
  const only = options.only ?? null;
  const filter =
    only === null ? undefined : only.length === 0 ? 'attribute_not_exists(PK)' : `#name IN (${only.map((_, i) => `:s${i}`).join(', ')})`;
  const page = await queryPage({
    index: 'GSI1',
    partition: keys.servicesListPartition,
    limit: options.limit,
    cursor: options.cursor,
    filter,
    names: only && only.length > 0 ? { '#name': 'name' } : undefined,
    values: only ? Object.fromEntries(only.map((name, i) => [`:s${i}`, name])) : undefined,
  });
  return { items: page.items.map(serviceFromItem), nextCursor: page.nextCursor };
}
