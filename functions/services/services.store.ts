import { type Service, summarizeVersions } from './service.domain.ts';
import { digestFromItem, type VersionDigest } from './digest.store.ts';
import { batchGetAll } from '#kernel/store/batch';
import type { Item } from '#kernel/store/event-log';
import { keys } from '#kernel/store/keys';
import { type Page, queryPage } from '#kernel/store/pagination';

/** A service as stored, with the sequence number of the last event projected into it. */
export interface StoredService {
  /** Its version counts and latest released version read from its version digest. */
  service: Service;
  /** The service aggregate's head: every event of the aggregate rewrites this item. */
  seq: number;
  /** Its versions' digest; undefined when no version was registered since versions became aggregates. */
  digest: VersionDigest | undefined;
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

/**
 * A service from its item and its version digest. The counts on the item are a snapshot as of its
 * own last event; the digest, which each version's events keep, is the truth once it exists (a
 * service from before versions were aggregates keeps its item's counts until its next version change).
 */
export function serviceFromItem(item: Record<string, unknown>, digest?: VersionDigest): Service {
  const service = Object.fromEntries(FIELDS.map((field) => [field, item[field] ?? null])) as unknown as Service;
  return digest ? { ...service, ...summarizeVersions(digest.entries) } : service;
}

/** The service and its version digest, in one consistent BatchGet. */
export async function getService(name: string): Promise<StoredService | undefined> {
  const items = await batchGetAll([keys.service(name), keys.versionDigest(name)]);
  const item = items.find((found) => found.SK === keys.service(name).SK);
  if (!item) return undefined;
  const digest = digestFromItem(items.find((found) => found.SK === keys.versionDigest(name).SK));
  return { service: serviceFromItem(item, digest), seq: Number(item.aggSeq ?? 0), digest };
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
  const digests = await batchGetAll(page.items.map((item) => keys.versionDigest(String(item.name))));
  const digestOf = new Map(digests.map((item) => [String(item.PK), digestFromItem(item)]));
  return {
    items: page.items.map((item) => serviceFromItem(item, digestOf.get(keys.versionDigest(String(item.name)).PK))),
    nextCursor: page.nextCursor,
  };
}
