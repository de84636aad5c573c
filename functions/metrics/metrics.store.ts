import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { ulid } from 'ulid';
import { BadRequestError } from '#kernel/errors';
import { hourOf, hoursBetween, MAX_QUERY_SAMPLES, METRIC_RETENTION_DAYS, type MetricSample } from './metrics.domain.ts';
import { batchWriteAll, type WriteRequest } from '#kernel/store/batch';
import { sweepExpiredBuckets } from '#kernel/store/buckets';
import { documentClient, tableName } from '#kernel/store/client';
import { keys } from '#kernel/store/keys';
import { TTL_ATTRIBUTE } from '#kernel/store/table-definition';

/**
 * Metric samples: observations with a TTL, not events. Each sits in the bucket of its metric
 * name, service and UTC hour; each bucket has a marker for the local sweep (see #store/buckets).
 */

const HOUR_MS = 3_600_000;
const RETENTION_SECONDS = METRIC_RETENTION_DAYS * 86_400;
/** Bucket Queries run at most this many at a time. */
const QUERY_CONCURRENCY = 8;

function expiresAtOf(atMs: number): number {
  return Math.floor(atMs / 1000) + RETENTION_SECONDS;
}

/** Writes samples (each with its `expiresAt`) and the markers of the buckets they fall in. */
export async function putSamples(samples: readonly MetricSample[]): Promise<void> {
  await batchWriteAll(sampleWrites(samples));
}

/**
 * The puts putSamples makes: one item per sample, then one marker per bucket (deduplicated here;
 * whoever batches several calls' writes together must deduplicate the markers by key again).
 */
export function sampleWrites(samples: readonly MetricSample[]): WriteRequest[] {
  const requests: WriteRequest[] = [];
  const markers = new Map<string, WriteRequest>();
  for (const sample of samples) {
    const atMs = Date.parse(sample.timestamp);
    const hour = hourOf(atMs);
    const service = sample.labels.service as string;
    requests.push({
      PutRequest: {
        Item: {
          ...keys.metricSample(sample.name, service, hour, sample.timestamp, ulid(atMs)),
          entity: 'metric-sample',
          name: sample.name,
          type: sample.type,
          value: sample.value,
          labels: sample.labels,
          timestamp: sample.timestamp,
          [TTL_ATTRIBUTE]: expiresAtOf(atMs),
        },
      },
    });
    const marker = keys.metricBucketMarker(hour, sample.name, service);
    if (!markers.has(marker.SK)) {
      // The marker outlives the bucket's last sample by a day, so TTL removes it too on AWS.
      const endOfHour = Date.parse(`${hour}:00:00.000Z`) + HOUR_MS;
      markers.set(marker.SK, {
        PutRequest: {
          Item: {
            ...marker,
            entity: 'metric-bucket',
            name: sample.name,
            service,
            hour,
            [TTL_ATTRIBUTE]: expiresAtOf(endOfHour) + 86_400,
          },
        },
      });
    }
  }
  return [...requests, ...markers.values()];
}

function sampleFromItem(item: Record<string, unknown>): MetricSample {
  return {
    name: String(item.name),
    type: item.type as MetricSample['type'],
    value: Number(item.value),
    labels: (item.labels ?? {}) as MetricSample['labels'],
    timestamp: String(item.timestamp),
  };
}

/**
 * A metric's samples for one service between `from` and `to` (inclusive): one Query per hour
 * bucket, a few at a time. Throws a 400 when the window holds more than MAX_QUERY_SAMPLES.
 */
export async function querySamples(name: string, service: string, from: Date, to: Date): Promise<MetricSample[]> {
  const hours = hoursBetween(from, to);
  const fromIso = from.toISOString();
  const toIso = `${to.toISOString()}#~`;
  const samples: MetricSample[] = [];
  let next = 0;
  const worker = async () => {
    while (next < hours.length) {
      const hour = hours[next++] as string;
      let startKey: Record<string, unknown> | undefined;
      do {
        const page = await documentClient().send(
          new QueryCommand({
            TableName: tableName(),
            KeyConditionExpression: 'PK = :pk AND SK BETWEEN :from AND :to',
            ExpressionAttributeValues: { ':pk': keys.metricBucket(name, service, hour), ':from': fromIso, ':to': toIso },
            ExclusiveStartKey: startKey,
          }),
        );
        for (const item of page.Items ?? []) samples.push(sampleFromItem(item));
        if (samples.length > MAX_QUERY_SAMPLES) {
          throw new BadRequestError(
            `The window holds more than ${MAX_QUERY_SAMPLES} samples of ${name} for ${service}; query a shorter window.`,
            'Too many samples',
          );
        }
        startKey = page.LastEvaluatedKey;
      } while (startKey);
    }
  };
  await Promise.all(Array.from({ length: Math.min(QUERY_CONCURRENCY, hours.length) }, worker));
  return samples;
}

/** The local stand-in for DynamoDB TTL on samples: bounded, by Query on the bucket markers. */
export async function sweepExpiredSamples(
  now: Date,
  options: { maxBuckets?: number; maxItems?: number } = {},
): Promise<{ deleted: number; buckets: number }> {
  // A bucket can hold an expired sample only if its hour is at or before this one.
  const lastHour = hourOf(now.getTime() - RETENTION_SECONDS * 1000);
  return sweepExpiredBuckets(now, {
    ...options,
    markersPartition: keys.metricBucketsPartition,
    markersBefore: `${lastHour}#~`,
    bucketOf: (marker) => keys.metricBucket(String(marker.name), String(marker.service), String(marker.hour)),
  });
}
