import { GetCommand } from '@aws-sdk/lib-dynamodb';
import type { ApiKey } from './api-key.domain.ts';
import type { Principal } from '#kernel/roles';
import { documentClient, tableName } from '#kernel/store/client';
import type { Item } from '#kernel/store/event-log';
import { keys } from '#kernel/store/keys';
import { type Page, queryPage } from '#kernel/store/pagination';

const FIELDS = ['id', 'name', 'role', 'services', 'status', 'prefix', 'createdAt', 'createdBy', 'revokedAt', 'revokedBy'] as const;

export interface StoredApiKey {
  apiKey: ApiKey;
  hash: string;
  seq: number;
}

/** The key's own item: head of its aggregate, listed by GSI1. */
export function apiKeyItem(apiKey: ApiKey, hash: string): Item {
  return { ...keys.apiKey(apiKey.id), ...keys.apiKeysIndex(apiKey.id), entity: 'apikey', ...apiKey, hash };
}

/** The lookup item the authorizer reads: one GetItem by the hash of the presented secret. */
export function apiKeyHashItem(apiKey: ApiKey, hash: string): Item {
  const { id, name, role, services, status, rateLimits } = apiKey;
  return {
    ...keys.apiKeyByHash(hash),
    entity: 'apikeyhash',
    keyId: id,
    name,
    role,
    services,
    status,
    ...(rateLimits ? { rateLimits } : {}),
  };
}

function apiKeyFromItem(item: Record<string, unknown>): ApiKey {
  const apiKey = Object.fromEntries(FIELDS.map((field) => [field, item[field] ?? null])) as unknown as ApiKey;
  if (item.rateLimits) apiKey.rateLimits = item.rateLimits as ApiKey['rateLimits'];
  return apiKey;
}

export async function getApiKey(id: string): Promise<StoredApiKey | undefined> {
  const { Item } = await documentClient().send(new GetCommand({ TableName: tableName(), Key: keys.apiKey(id), ConsistentRead: true }));
  if (!Item) return undefined;
  return { apiKey: apiKeyFromItem(Item), hash: String(Item.hash), seq: Number(Item.aggSeq ?? 0) };
}

export async function listApiKeys(options: { limit: number; cursor?: string }): Promise<Page<ApiKey>> {
  const page = await queryPage({ index: 'GSI1', partition: keys.apiKeysListPartition, ...options });
  return { items: page.items.map(apiKeyFromItem), nextCursor: page.nextCursor };
}

/** The principal a secret authenticates, or undefined for an unknown or revoked key. */
export async function findPrincipalByHash(hash: string): Promise<Principal | undefined> {
  const { Item } = await documentClient().send(
    new GetCommand({ TableName: tableName(), Key: keys.apiKeyByHash(hash), ConsistentRead: true }),
  );
  if (Item?.status !== 'active') return undefined;
  return {
    keyId: String(Item.keyId),
    name: String(Item.name),
    role: Item.role as Principal['role'],
    services: (Item.services as string[] | null) ?? null,
    ...(Item.rateLimits ? { rateLimits: Item.rateLimits as Principal['rateLimits'] } : {}),
  };
}
