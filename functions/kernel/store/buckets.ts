import { DeleteCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { batchWriteAll } from './batch.ts';
import { documentClient, tableName } from './client.ts';
import { TTL_ATTRIBUTE } from './table-definition.ts';

/**
 * Time-bucketed observations with a TTL (health-check results, metric samples): the pieces they
 * share. Each bucket is a partition; each bucket has a marker item in one partition sorted by the
 * bucket's time, so the local sweep (dynalite has no TTL; on AWS DynamoDB expires items by
 * itself) finds old buckets with a Query, never a Scan.
 */

export interface SweepOptions {
  /** The partition the bucket markers sit in. */
  markersPartition: string;
  /** Markers whose sort key is below this are looked at: buckets old enough to hold expired items. */
  markersBefore: string;
  /** The partition key of the bucket a marker stands for. */
  bucketOf: (marker: Record<string, unknown>) => string;
  maxBuckets?: number;
  maxItems?: number;
}

/**
 * Deletes expired items from old buckets. Bounded: at most `maxBuckets` buckets and `maxItems`
 * items per call, oldest buckets first. A bucket whose every item has expired loses its marker.
 */
export async function sweepExpiredBuckets(now: Date, options: SweepOptions): Promise<{ deleted: number; buckets: number }> {
  const maxBuckets = options.maxBuckets ?? 25;
  const maxItems = options.maxItems ?? 1000;
  const nowSeconds = Math.floor(now.getTime() / 1000);
  const client = documentClient();
  const markers = await client.send(
    new QueryCommand({
      TableName: tableName(),
      KeyConditionExpression: 'PK = :pk AND SK < :before',
      ExpressionAttributeValues: { ':pk': options.markersPartition, ':before': options.markersBefore },
      Limit: maxBuckets,
    }),
  );
  let deleted = 0;
  let buckets = 0;
  for (const marker of markers.Items ?? []) {
    if (deleted >= maxItems) break;
    const bucket = options.bucketOf(marker);
    buckets++;
    let startKey: Record<string, unknown> | undefined;
    let remaining = false;
    do {
      const page = await client.send(
        new QueryCommand({
          TableName: tableName(),
          KeyConditionExpression: 'PK = :pk',
          ExpressionAttributeValues: { ':pk': bucket },
          ProjectionExpression: 'PK, SK, #ttl',
          ExpressionAttributeNames: { '#ttl': TTL_ATTRIBUTE },
          Limit: 100,
          ExclusiveStartKey: startKey,
        }),
      );
      const expired = (page.Items ?? []).filter((item) => Number(item[TTL_ATTRIBUTE]) <= nowSeconds);
      if (expired.length < (page.Items ?? []).length) remaining = true;
      await batchWriteAll(expired.map((item) => ({ DeleteRequest: { Key: { PK: item.PK, SK: item.SK } } })));
      deleted += expired.length;
      startKey = page.LastEvaluatedKey;
    } while (startKey && deleted < maxItems);
    if (!remaining && !startKey) {
      await client.send(new DeleteCommand({ TableName: tableName(), Key: { PK: marker.PK, SK: marker.SK } }));
    }
  }
  return { deleted, buckets };
}
