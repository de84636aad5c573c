import { GetCommand } from '@aws-sdk/lib-dynamodb';
import type { VersionStatus } from './lifecycle.domain.ts';
import type { Version } from './version.domain.ts';
import { digestFromItem, type VersionDigest } from './digest.store.ts';
import { batchGetAll } from '#kernel/store/batch';
import { documentClient, tableName } from '#kernel/store/client';
import type { Item } from '#kernel/store/event-log';
import { keys } from '#kernel/store/keys';
import { type Page, queryPage } from '#kernel/store/pagination';

const FIELDS = [
  'service',
  'version',
  'status',
  'description',
  'changes',
  'artifact',
  'metadata',
  'model',
  'contract',
  'createdAt',
  'updatedAt',
  'releasedAt',
  'deprecatedAt',
  'retiredAt',
  'deprecation',
  'rev',
] as const;

export function versionItem(version: Version, precedence: string): Item {
  return { ...keys.version(version.service, precedence), entity: 'version', precedence, ...version };
}

export function versionFromItem(item: Record<string, unknown>): Version {
  const version = Object.fromEntries(FIELDS.map((field) => [field, item[field] ?? null])) as unknown as Version;
  version.changes ??= [];
  version.metadata ??= {};
  return version;
}

export async function getVersion(service: string, precedence: string): Promise<Version | undefined> {
  const { Item } = await documentClient().send(
    new GetCommand({ TableName: tableName(), Key: keys.version(service, precedence), ConsistentRead: true }),
  );
  return Item ? versionFromItem(Item) : undefined;
}

/** A version as its commands need it: the head of its own aggregate, and its service's digest. */
export interface StoredVersion {
  version: Version;
  /** The version aggregate's sequence number its item was last written at. */
  seq: number;
  digest: VersionDigest | undefined;
}

/** The version and its service's digest, in one consistent BatchGet. */
export async function getStoredVersion(service: string, precedence: string): Promise<StoredVersion | undefined> {
  const items = await batchGetAll([keys.version(service, precedence), keys.versionDigest(service)]);
  const item = items.find((found) => found.SK === keys.version(service, precedence).SK);
  if (!item) return undefined;
  const digest = digestFromItem(items.find((found) => found.SK === keys.versionDigest(service).SK));
  return { version: versionFromItem(item), seq: Number(item.aggSeq ?? 0), digest };
}

/** Versions newest first by SemVer precedence: the sort key encodes precedence. */
export async function listVersions(
  service: string,
  options: { limit: number; cursor?: string; status?: VersionStatus; consistent?: boolean },
): Promise<Page<Version>> {
  const page = await queryPage({
    partition: keys.serviceAggregate(service),
    sortKeyCondition: 'begins_with(#sk, :prefix)',
    values: { ':prefix': keys.versionPrefix, ...(options.status ? { ':status': options.status } : {}) },
    filter: options.status ? '#status = :status' : undefined,
    names: options.status ? { '#status': 'status' } : undefined,
    limit: options.limit,
    cursor: options.cursor,
    newestFirst: true,
    consistent: options.consistent,
  });
  return { items: page.items.map(versionFromItem), nextCursor: page.nextCursor };
}
