import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { VersionStatus } from './lifecycle.domain.ts';
import type { DigestEntry } from './service.domain.ts';
import { documentClient, tableName } from '#kernel/store/client';
import { entryEffect, type Item, PROJECTION_SEQ } from '#kernel/store/event-log';
import { keys } from '#kernel/store/keys';
import { queryPage } from '#kernel/store/pagination';

/**
 * A service's digest of its versions (docs/architecture.md §3): one item, `SVC#<name>` / `VERSIONS`,
 * whose map `versions` holds an entry per version (its status and version string) keyed by the
 * version's precedence key. Each version is its own aggregate, and each of its events sets its
 * own entry (an entry effect, monotonic by the version's sequence number), so versions never
 * contend with each other; the service's counts and latest released version are read from it.
 */

const MAP = 'versions';

/**
 * The digest stays well under DynamoDB's 400 KB item limit: a registration is refused beyond this
 * (thousands of versions; an entry is the version string, its status and about 40 bytes more).
 */
export const MAX_DIGEST_BYTES = 300_000;

export interface VersionDigest {
  entries: Record<string, DigestEntry>;
  /** About the size of the map as stored. */
  bytes: number;
}

/** The effect that records a version's status in its service's digest. */
export function digestEntry(service: string, precedence: string, status: VersionStatus, version: string): Item {
  return entryEffect(keys.versionDigest(service), MAP, precedence, { status, version });
}

/** The digest in a digest item (undefined without its map: a service without versions since versions became aggregates). */
export function digestFromItem(item: Record<string, unknown> | undefined): VersionDigest | undefined {
  const map = item?.[MAP] as Record<string, DigestEntry & { [PROJECTION_SEQ]?: number }> | undefined;
  if (!map) return undefined;
  const entries = Object.fromEntries(
    Object.entries(map).map(([precedence, { status, version }]) => [precedence, { status, version }]),
  ) as Record<string, DigestEntry>;
  return { entries, bytes: Buffer.byteLength(JSON.stringify(map)) };
}

/**
 * A service whose versions were registered before versions were aggregates of their own has
 * version items but no digest: write its digest from them, whole, in one write that does nothing
 * if a digest exists by then. Commands on versions call this before deciding, so a digest, once
 * there, always holds every version.
 */
export async function ensureDigest(service: string, digest: VersionDigest | undefined): Promise<void> {
  if (digest) return;
  const entries: Record<string, DigestEntry & { [PROJECTION_SEQ]: number }> = {};
  let cursor: string | undefined;
  do {
    const page = await queryPage({
      partition: keys.serviceAggregate(service),
      sortKeyCondition: 'begins_with(#sk, :prefix)',
      values: { ':prefix': keys.versionPrefix },
      limit: 100,
      cursor,
      consistent: true,
    });
    for (const item of page.items) {
      entries[String(item.precedence)] = {
        status: item.status as VersionStatus,
        version: String(item.version),
        [PROJECTION_SEQ]: Number(item[PROJECTION_SEQ] ?? 0),
      };
    }
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  if (Object.keys(entries).length === 0) return; // the first version's own entry makes the digest
  await documentClient().send(
    new UpdateCommand({
      TableName: tableName(),
      Key: keys.versionDigest(service),
      UpdateExpression: 'SET #map = if_not_exists(#map, :entries)',
      ExpressionAttributeNames: { '#map': MAP },
      ExpressionAttributeValues: { ':entries': entries },
    }),
  );
}
