import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import { logger } from '#kernel/logger';
import { type CommittedEvent, publishEvent } from '#notifications/publisher';

/**
 * The table's stream → the notification topic (AWS only; the local runtime publishes from the
 * event log's in-process hook). The event source's filter passes only inserted event items of
 * published types, so every record here is one to publish. Records are taken in order; the first
 * one that fails is reported with all after it, so Lambda retries from there (already published
 * ones are skipped by their `publishedAt` mark) and, after its retries, sends the batch's
 * description to the notifications dead-letter queue.
 */
export async function handler(event: DynamoDBStreamEvent): Promise<DynamoDBBatchResponse> {
  for (const [index, record] of event.Records.entries()) {
    const image = record.dynamodb?.NewImage;
    if (!image) continue;
    const committed = unmarshall(image as Record<string, AttributeValue>) as CommittedEvent;
    try {
      const outcome = await publishEvent(committed);
      logger.debug('event published', { eventId: committed.eventId, type: committed.type, outcome });
    } catch (error) {
      logger.error('publishing an event failed', { eventId: committed.eventId, type: committed.type, error });
      return {
        batchItemFailures: event.Records.slice(index).flatMap((failed) =>
          failed.dynamodb?.SequenceNumber ? [{ itemIdentifier: failed.dynamodb.SequenceNumber }] : [],
        ),
      };
    }
  }
  return { batchItemFailures: [] };
}
