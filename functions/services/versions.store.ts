import { GetCommand } from '@aws-sdk/lib-dynamodb';
import type { VersionStatus } from './lifecycle.domain.ts';
import type { Version } from './version.domain.ts';
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
