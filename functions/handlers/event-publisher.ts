import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import { logger } from '#kernel/logger';
import { type CommittedEvent, publishEvent } from '#notifications/publisher';
import { fanOut } from '#stream/fan-out';
import { type StreamEvent, streamEventOf } from '#stream/stream.domain';

/**
 * The table's stream → the notification topic and the live stream's connections (AWS only; the
 * local runtime does both from the event log's in-process hook). The event source's filter passes
 * only inserted event items, so every record here is an event; only published types go to the
 * topic. Records are taken in order; the first one that fails to publish is reported with all
 * after it, so Lambda retries from there (already published ones are skipped by their
 * `publishedAt` mark) and, after its retries, sends the batch's description to the notifications
 * dead-letter queue. The events before it go to the stream once; the stream never fails a batch.
 */
export async function handler(event: DynamoDBStreamEvent): Promise<DynamoDBBatchResponse> {
  const streamed: StreamEvent[] = [];
  const streamBefore = async () => {
    if (process.env.STREAM_ENDPOINT && streamed.length > 0) {
      const outcome = await fanOut(streamed);
      logger.debug('events streamed', { count: streamed.length, ...outcome });
    }
  };
  for (const [index, record] of event.Records.entries()) {
    const image = record.dynamodb?.NewImage;
    if (!image) continue;
    const committed = unmarshall(image as Record<string, AttributeValue>) as CommittedEvent;
    try {
      const outcome = await publishEvent(committed);
      logger.debug('event published', { eventId: committed.eventId, type: committed.type, outcome });
    } catch (error) {
      logger.error('publishing an event failed', { eventId: committed.eventId, type: committed.type, error });
      await streamBefore();
      return {
        batchItemFailures: event.Records.slice(index).flatMap((failed) =>
          failed.dynamodb?.SequenceNumber ? [{ itemIdentifier: failed.dynamodb.SequenceNumber }] : [],
        ),
      };
    }
    streamed.push(streamEventOf(committed as unknown as Record<string, unknown>));
  }
  await streamBefore();
  return { batchItemFailures: [] };
}
