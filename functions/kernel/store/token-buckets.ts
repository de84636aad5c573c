import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { type BucketState, type TakeOutcome, takeToken } from '../rate-limit/policy.ts';
import { documentClient, isConditionFailure, tableName } from './client.ts';
import { keys } from './keys.ts';
import { TTL_ATTRIBUTE } from './table-definition.ts';

/**
 * A token bucket in the table: read it, refill and take in memory, write it back only if nobody
 * wrote it since (its revision `rev` unchanged), else read again. So two Lambda instances taking from
 * the same bucket at once cannot both spend the same token: no lost update.
 */
export async function takeFromBucket(
  owner: string,
  rateClass: string,
  limitPerMinute: number,
  clock: () => number = Date.now,
): Promise<TakeOutcome> {
  const key = keys.rateBucket(owner, rateClass);
  for (let attempt = 0; ; attempt++) {
    const { Item } = await documentClient().send(new GetCommand({ TableName: tableName(), Key: key, ConsistentRead: true }));
    const state = Item ? ({ tokens: Number(Item.tokens), updatedAt: Number(Item.updatedAt) } satisfies BucketState) : undefined;
    const rev = Item ? Number(Item.rev ?? 0) : 0;
    const outcome = takeToken(state, limitPerMinute, Math.max(clock(), state?.updatedAt ?? 0));
    if (!outcome.allowed) return outcome;
    try {
      await documentClient().send(
        new PutCommand({
          TableName: tableName(),
          Item: {
            ...key,
            tokens: outcome.next.tokens,
            updatedAt: outcome.next.updatedAt,
            rev: rev + 1,
            // An idle bucket is full again after a minute: it may go.
            [TTL_ATTRIBUTE]: Math.ceil(outcome.next.updatedAt / 1000) + 3600,
          },
          ConditionExpression: state ? 'rev = :seen' : 'attribute_not_exists(PK)',
          ...(state ? { ExpressionAttributeValues: { ':seen': rev } } : {}),
        }),
      );
      return outcome;
    } catch (error) {
      if (!isConditionFailure(error) || attempt >= 50) throw error;
    }
  }
}
