import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { isPublished, notificationOf, type PublishableEvent } from '#domain/notifications';
import { documentClient, isConditionFailure, tableName } from '#store/client';
import { keys } from '#store/keys';
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
  if (!isPublished(event.type)) return 'not-published-type';
  const key = keys.event(event.aggregate, event.seq);
  const { Item } = await documentClient().send(
    new GetCommand({ TableName: tableName(), Key: key, ConsistentRead: true, ProjectionExpression: 'publishedAt' }),
  );
  if (Item?.publishedAt) return 'already';
  await notificationTopic().publish(notificationOf(event));
  try {
    await documentClient().send(
      new UpdateCommand({
        TableName: tableName(),
        Key: key,
        UpdateExpression: 'SET publishedAt = :now',
        ConditionExpression: 'attribute_exists(PK) AND attribute_not_exists(publishedAt)',
        ExpressionAttributeValues: { ':now': new Date().toISOString() },
      }),
    );
  } catch (error) {
    if (!isConditionFailure(error)) throw error; // another publisher marked it meanwhile
  }
  return 'published';
}
