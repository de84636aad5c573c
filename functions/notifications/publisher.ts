import { GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { shouldPublish } from '#kernel/events';
import { notificationOf, type PublishableEvent } from './notifications.domain.ts';
import { documentClient, tableName, updateIf } from '#kernel/store/client';
import { keys } from '#kernel/store/keys';
import type { StoredEvent } from '#kernel/store/event-log';
import { notificationTopic } from './topic.ts';

/**
 * Publishes a committed event to the topic once. The event item remembers it was published
 * (`publishedAt`), so a redelivered stream record or a second publisher skips it; the mark is
 * written after the topic accepted the message, so a crash in between can only repeat a
 * message, never lose one (the webhook dispatcher dedupes by event id).
 */

export type PublishOutcome = 'published' | 'already' | 'not-published-type';

export interface CommittedEvent extends PublishableEvent {
  aggregate: string;
  seq: number;
}

export async function publishEvent(event: CommittedEvent): Promise<PublishOutcome> {
  if (!shouldPublish(event)) return 'not-published-type';
  const key = keys.event(event.aggregate, event.seq);
  const { Item } = await documentClient().send(
    new GetCommand({ TableName: tableName(), Key: key, ConsistentRead: true, ProjectionExpression: 'publishedAt' }),
  );
  if (Item?.publishedAt) return 'already';
  await notificationTopic().publish(notificationOf(event));
  await markPublished(key);
  return 'published';
}

/**
 * Marks the event published and takes it out of the publish sweep's queue; an event still
 * waiting for its projections keeps that marker (projecting it then sees `publishedAt`).
 */
async function markPublished(key: { PK: string; SK: string }): Promise<void> {
  const values = { ':now': new Date().toISOString(), ':unpublished': keys.unpublishedPartition };
  // Two conditional writes that race with the projection's own marker change; a few rounds settle it.
  for (let round = 0; round < 3; round++) {
    const dequeued = await updateIf(key, {
      expression: 'SET publishedAt = :now REMOVE GSI4PK, GSI4SK',
      condition: 'attribute_exists(PK) AND attribute_not_exists(publishedAt) AND GSI4PK = :unpublished',
      values,
    });
    if (dequeued) return;
    const marked = await updateIf(key, {
      expression: 'SET publishedAt = :now',
      condition: 'attribute_exists(PK) AND attribute_not_exists(publishedAt) AND (attribute_not_exists(GSI4PK) OR GSI4PK <> :unpublished)',
      values,
    });
    if (marked) return;
    const { Item } = await documentClient().send(
      new GetCommand({ TableName: tableName(), Key: key, ConsistentRead: true, ProjectionExpression: 'publishedAt' }),
    );
    if (!Item || Item.publishedAt) return; // gone, or another publisher marked it
  }
}

/**
 * The safety net behind the stream (AWS) and the in-process hook (locally): publishes events of
 * published types that were projected at least `olderThanMs` ago and still have not reached the
 * topic — the hook's process died, or the stream's retries gave up. Run with the reconciler.
 */
export async function publishStranded(options: { olderThanMs: number; now?: Date }): Promise<{ published: number }> {
  const cutoff = new Date((options.now ?? new Date()).getTime() - options.olderThanMs).toISOString();
  let published = 0;
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await documentClient().send(
      new QueryCommand({
        TableName: tableName(),
        IndexName: 'GSI4',
        KeyConditionExpression: 'GSI4PK = :unpublished AND GSI4SK < :cutoff',
        ExpressionAttributeValues: { ':unpublished': keys.unpublishedPartition, ':cutoff': cutoff },
        ExclusiveStartKey: startKey,
      }),
    );
    for (const entry of page.Items ?? []) {
      const { Item } = await documentClient().send(
        new GetCommand({ TableName: tableName(), Key: { PK: entry.PK, SK: entry.SK }, ConsistentRead: true }),
      );
      if (!Item || Item.GSI4PK !== keys.unpublishedPartition) continue;
      if ((await publishEvent(Item as unknown as StoredEvent)) === 'published') published++;
    }
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  return { published };
}
