import { getHead } from '#kernel/store/event-log';
import { DeleteCommand, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { DeliveryRecord, Webhook, WebhookHealth } from './webhooks.domain.ts';
import { documentClient, isConditionFailure, tableName } from '#kernel/store/client';
import type { Item } from '#kernel/store/event-log';
import { keys } from '#kernel/store/keys';
import { type Page, queryPage } from '#kernel/store/pagination';
import { LOST_RACE, retrying, TRY_AGAIN } from '#kernel/retry';

/**
 * Webhooks are written by events (their aggregate's head). Delivery state — per-event claims,
 * one record per attempt, the health summary and parked events — is operational data, not
 * audit: plain items under `WEBHOOKDLV#<id>`.
 */

const FIELDS = [
  'id',
  'url',
  'events',
  'services',
  'description',
  'active',
  'disabledReason',
  'createdAt',
  'updatedAt',
  'rev',
  'deletedAt',
] as const;
/** How many recent events the success rate is over. */
export const HEALTH_WINDOW = 20;

export function webhookItem(webhook: Webhook): Item {
  return { ...keys.webhook(webhook.id), ...(webhook.deletedAt ? {} : keys.webhooksIndex(webhook.id)), entity: 'webhook', ...webhook };
}

export function webhookFromItem(item: Record<string, unknown>): Webhook {
  return Object.fromEntries(FIELDS.map((field) => [field, item[field] ?? null])) as unknown as Webhook;
}

export async function getWebhook(id: string): Promise<{ webhook: Webhook; seq: number } | undefined> {
  const head = await getHead(keys.webhookAggregate(id));
  return head && head.item.entity === 'webhook' ? { webhook: webhookFromItem(head.item), seq: head.seq } : undefined;
}

export async function listWebhooks(options: { limit: number; cursor?: string }): Promise<Page<Webhook>> {
  const page = await queryPage({ index: 'GSI1', partition: keys.webhooksListPartition, limit: options.limit, cursor: options.cursor });
  return { items: page.items.map(webhookFromItem), nextCursor: page.nextCursor };
}

export async function allWebhooks(): Promise<Webhook[]> {
  const all: Webhook[] = [];
  let cursor: string | undefined;
  do {
    const page = await listWebhooks({ limit: 100, cursor });
    all.push(...page.items);
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  return all;
}

/**
 * Claims (webhook, event) for delivery; false when it is delivered, parked, or being delivered
 * by someone else (a duplicate notification). A claim in flight carries a lease: if its holder
 * died (a Lambda timed out), the retried notification may take it over once the lease ran out.
 */
export async function claimDelivery(webhookId: string, eventId: string, type: string, leaseMs: number): Promise<boolean> {
  const now = Date.now();
  try {
    await documentClient().send(
      new PutCommand({
        TableName: tableName(),
        Item: {
          ...keys.webhookClaim(webhookId, eventId),
          entity: 'webhook-claim',
          type,
          state: 'in_flight',
          claimedAt: new Date(now).toISOString(),
          leaseUntil: now + leaseMs,
        },
        ConditionExpression: 'attribute_not_exists(PK) OR (#state = :inFlight AND leaseUntil < :now)',
        ExpressionAttributeNames: { '#state': 'state' },
        ExpressionAttributeValues: { ':inFlight': 'in_flight', ':now': now },
      }),
    );
    return true;
  } catch (error) {
    if (isConditionFailure(error)) return false;
    throw error;
  }
}

/** Settles a claim: nothing will deliver this (webhook, event) again, short of a replay. */
export async function settleClaim(webhookId: string, eventId: string, state: 'delivered' | 'parked'): Promise<void> {
  await documentClient().send(
    new UpdateCommand({
      TableName: tableName(),
      Key: keys.webhookClaim(webhookId, eventId),
      UpdateExpression: 'SET #state = :state, settledAt = :now REMOVE leaseUntil',
      ExpressionAttributeNames: { '#state': 'state' },
      ExpressionAttributeValues: { ':state': state, ':now': new Date().toISOString() },
    }),
  );
}

/** Takes a parked (webhook, event) back for a replay; false when it is not parked (delivered, or a replay is running). */
export async function reclaimParked(webhookId: string, eventId: string, leaseMs: number): Promise<boolean> {
  try {
    await documentClient().send(
      new UpdateCommand({
        TableName: tableName(),
        Key: keys.webhookClaim(webhookId, eventId),
        UpdateExpression: 'SET #state = :inFlight, leaseUntil = :until',
        ConditionExpression: '#state = :parked',
        ExpressionAttributeNames: { '#state': 'state' },
        ExpressionAttributeValues: { ':inFlight': 'in_flight', ':parked': 'parked', ':until': Date.now() + leaseMs },
      }),
    );
    return true;
  } catch (error) {
    if (isConditionFailure(error)) return false;
    throw error;
  }
}

export async function recordAttempt(webhookId: string, record: DeliveryRecord): Promise<void> {
  await documentClient().send(
    new PutCommand({
      TableName: tableName(),
      Item: {
        PK: keys.webhookDeliveries(webhookId),
        SK: `${keys.webhookDeliveryPrefix}${record.at}#${record.eventId}#${String(record.attempt).padStart(3, '0')}`,
        entity: 'webhook-delivery',
        ...record,
      },
    }),
  );
}

export async function listDeliveries(webhookId: string, options: { limit: number; cursor?: string }): Promise<Page<DeliveryRecord>> {
  const page = await queryPage({
    partition: keys.webhookDeliveries(webhookId),
    sortKeyCondition: 'begins_with(#sk, :prefix)',
    values: { ':prefix': keys.webhookDeliveryPrefix },
    newestFirst: true,
    consistent: true,
    limit: options.limit,
    cursor: options.cursor,
  });
  return {
    items: page.items.map((item) => ({
      eventId: item.eventId as string,
      type: item.type as string,
      attempt: item.attempt as number,
      status: (item.status as number | null) ?? null,
      ok: item.ok as boolean,
      latencyMs: item.latencyMs as number,
      error: (item.error as string | null) ?? null,
      at: item.at as string,
    })),
    nextCursor: page.nextCursor,
  };
}

interface HealthItem {
  recent: boolean[];
  consecutiveFailures: number;
  lastStatus: number | null;
  lastDeliveryAt: string | null;
  /** Bumped on every write: dispatchers in several Lambdas update one webhook's health. */
  version: number;
}

async function readHealthItem(webhookId: string): Promise<HealthItem> {
  const { Item } = await documentClient().send(
    new GetCommand({ TableName: tableName(), Key: keys.webhookHealth(webhookId), ConsistentRead: true }),
  );
  return {
    recent: (Item?.recent as boolean[] | undefined) ?? [],
    consecutiveFailures: Number(Item?.consecutiveFailures ?? 0),
    lastStatus: (Item?.lastStatus as number | null | undefined) ?? null,
    lastDeliveryAt: (Item?.lastDeliveryAt as string | null | undefined) ?? null,
    version: Number(Item?.version ?? 0),
  };
}

export async function getWebhookHealth(webhookId: string): Promise<WebhookHealth> {
  const item = await readHealthItem(webhookId);
  const delivered = item.recent.filter(Boolean).length;
  return {
    successRate: item.recent.length ? delivered / item.recent.length : null,
    recentEvents: item.recent.length,
    lastStatus: item.lastStatus,
    lastDeliveryAt: item.lastDeliveryAt,
    consecutiveFailures: item.consecutiveFailures,
  };
}

/** Read, change, write only if nobody wrote in between; again on a race. Returns what was written. */
async function updateHealth(webhookId: string, change: (item: HealthItem) => Omit<HealthItem, 'version'>): Promise<HealthItem> {
  return retrying(
    LOST_RACE,
    async () => {
      const current = await readHealthItem(webhookId);
      const next: HealthItem = { ...change(current), version: current.version + 1 };
      try {
        await documentClient().send(
          new PutCommand({
            TableName: tableName(),
            Item: { ...keys.webhookHealth(webhookId), entity: 'webhook-health', ...next },
            ConditionExpression: 'attribute_not_exists(PK) OR version = :read',
            ExpressionAttributeValues: { ':read': current.version },
          }),
        );
        return next;
      } catch (error) {
        if (!isConditionFailure(error)) throw error;
        return TRY_AGAIN;
      }
    },
    () => new Error(`webhook ${webhookId}: its health kept changing under concurrent deliveries`),
  );
}

/** One event's outcome: returns the consecutive failures after it (safe across concurrent dispatchers). */
export async function recordOutcome(webhookId: string, outcome: { ok: boolean; status: number | null; at: string }): Promise<number> {
  const next = await updateHealth(webhookId, (item) => ({
    recent: [...item.recent, outcome.ok].slice(-HEALTH_WINDOW),
    consecutiveFailures: outcome.ok ? 0 : item.consecutiveFailures + 1,
    lastStatus: outcome.status,
    lastDeliveryAt: outcome.at,
  }));
  return next.consecutiveFailures;
}

/** A webhook switched back on starts with a clean run. */
export async function resetConsecutiveFailures(webhookId: string): Promise<void> {
  await updateHealth(webhookId, (item) => ({ ...item, consecutiveFailures: 0 }));
}

export interface DeadLetter {
  webhookId: string;
  eventId: string;
  type: string;
  payload: string;
  attempts: number;
  error: string;
  at: string;
}

/** Keeps an event that could not be delivered, for the dead-letter list and a replay. */
export async function parkDeadLetter(letter: DeadLetter): Promise<void> {
  await documentClient().send(
    new PutCommand({
      TableName: tableName(),
      Item: { ...keys.webhookDeadLetter(letter.webhookId, letter.eventId), entity: 'webhook-dead-letter', ...letter },
    }),
  );
}

function deadLetterFromItem(item: Record<string, unknown>): DeadLetter {
  const { PK: _pk, SK: _sk, entity: _entity, ...letter } = item;
  return letter as unknown as DeadLetter;
}

/** A webhook's parked events, oldest event first (event ids are time-ordered). */
export async function listDeadLetters(webhookId: string, options: { limit: number; cursor?: string }): Promise<Page<DeadLetter>> {
  const page = await queryPage({
    partition: keys.webhookDeliveries(webhookId),
    sortKeyCondition: 'begins_with(#sk, :prefix)',
    values: { ':prefix': keys.webhookDeadLetterPrefix },
    consistent: true,
    limit: options.limit,
    cursor: options.cursor,
  });
  return { items: page.items.map(deadLetterFromItem), nextCursor: page.nextCursor };
}

export async function getDeadLetter(webhookId: string, eventId: string): Promise<DeadLetter | undefined> {
  const { Item } = await documentClient().send(
    new GetCommand({ TableName: tableName(), Key: keys.webhookDeadLetter(webhookId, eventId), ConsistentRead: true }),
  );
  return Item ? deadLetterFromItem(Item) : undefined;
}

export async function removeDeadLetter(webhookId: string, eventId: string): Promise<void> {
  await documentClient().send(new DeleteCommand({ TableName: tableName(), Key: keys.webhookDeadLetter(webhookId, eventId) }));
}
