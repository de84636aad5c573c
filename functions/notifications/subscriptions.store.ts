import { getHead } from '#kernel/store/event-log';
import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { Subscription } from './subscriptions.domain.ts';
import { documentClient, isConditionFailure, tableName } from '#kernel/store/client';
import type { Item } from '#kernel/store/event-log';
import { keys } from '#kernel/store/keys';
import { type Page, queryPage } from '#kernel/store/pagination';

/**
 * Email subscriptions are written by events of their address's aggregate (`SUBEMAIL#<address>`),
 * whose head names the address's live subscription; the subscription itself is an item of its
 * own (`SUBSCRIPTION#<id>`) so it can be read by id and listed. Whether the recipient confirmed
 * is the provider's fact, not an audit record: it is refreshed on the item without an event.
 */

const FIELDS = [
  'id',
  'protocol',
  'endpoint',
  'filter',
  'filterPolicy',
  'status',
  'providerArn',
  'createdAt',
  'updatedAt',
  'rev',
  'deletedAt',
] as const;

export function subscriptionItem(subscription: Subscription): Item {
  return {
    ...keys.subscription(subscription.id),
    ...(subscription.deletedAt ? {} : keys.subscriptionsIndex(subscription.id)),
    entity: 'subscription',
    ...subscription,
  };
}

/** The address's head: which subscription is live for it (null after a delete). */
export function endpointHeadItem(endpoint: string, subscriptionId: string | null): Item {
  return { ...keys.subscriptionEndpointHead(endpoint), entity: 'subscription-endpoint', endpoint, subscriptionId };
}

export function subscriptionFromItem(item: Record<string, unknown>): Subscription {
  return Object.fromEntries(FIELDS.map((field) => [field, item[field] ?? null])) as unknown as Subscription;
}

export async function getSubscription(id: string): Promise<Subscription | undefined> {
  const { Item } = await documentClient().send(
    new GetCommand({ TableName: tableName(), Key: keys.subscription(id), ConsistentRead: true }),
  );
  return Item && Item.entity === 'subscription' ? subscriptionFromItem(Item) : undefined;
}

/** The live subscription of an address and the sequence number of its aggregate (0 before the first). */
export async function getEndpointHead(endpoint: string): Promise<{ subscriptionId: string | null; seq: number }> {
  const head = await getHead(keys.subscriptionEndpointAggregate(endpoint));
  return { subscriptionId: (head?.item.subscriptionId as string | null | undefined) ?? null, seq: head?.seq ?? 0 };
}

export async function listSubscriptions(options: { limit: number; cursor?: string }): Promise<Page<Subscription>> {
  const page = await queryPage({ index: 'GSI1', partition: keys.subscriptionsListPartition, limit: options.limit, cursor: options.cursor });
  return { items: page.items.map(subscriptionFromItem), nextCursor: page.nextCursor };
}

export async function allSubscriptions(): Promise<Subscription[]> {
  const all: Subscription[] = [];
  let cursor: string | undefined;
  do {
    const page = await listSubscriptions({ limit: 100, cursor });
    all.push(...page.items);
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  return all;
}

/** Records that the recipient confirmed (the provider said so); false when the subscription is gone or was confirmed already. */
export async function markConfirmed(id: string): Promise<boolean> {
  try {
    await documentClient().send(
      new UpdateCommand({
        TableName: tableName(),
        Key: keys.subscription(id),
        UpdateExpression: 'SET #status = :confirmed',
        ConditionExpression: 'attribute_exists(PK) AND #status = :pending',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ':confirmed': 'confirmed', ':pending': 'pending_confirmation' },
      }),
    );
    return true;
  } catch (error) {
    if (isConditionFailure(error)) return false;
    throw error;
  }
}
