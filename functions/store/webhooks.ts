import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { DeliveryRecord, Webhook, WebhookHealth } from '#domain/webhooks';
import { documentClient, isConditionFailure, tableName } from '#store/client';
import type { Item } from '#store/event-log';
import { getHead } from '#store/alerts';
import { keys } from '#store/keys';
import { type Page, queryPage } from '#store/pagination';

/**
 * Webhooks are written by events (their aggregate's head). Delivery state — per-event claims,
 * one record per attempt, the health summary and parked events — is operational data, not
 * audit: plain items under `WEBHOOKDLV#<id>` and `WEBHOOKDLQ`.
 */

const FIELDS = ['id', 'url', 'events', 'description', 'active', 'disabledReason', 'createdAt', 'updatedAt', 'rev', 'deletedAt'] as const;
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

/** Claims (webhook, event) for delivery; false when it was claimed before (a duplicate notification). */
export async function claimDelivery(webhookId: string, eventId: string, type: string): Promise<boolean> {
  try {
    await documentClient().send(
      new PutCommand({
        TableName: tableName(),
        Item: { ...keys.webhookClaim(webhookId, eventId), entity: 'webhook-claim', type, claimedAt: new Date().toISOString() },
        ConditionExpression: 'attribute_not_exists(PK)',
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

/** One event's outcome: returns the consecutive failures after it. Callers serialise per webhook. */
export async function recordOutcome(webhookId: string, outcome: { ok: boolean; status: number | null; at: string }): Promise<number> {
  const item = await readHealthItem(webhookId);
  const next: HealthItem = {
    recent: [...item.recent, outcome.ok].slice(-HEALTH_WINDOW),
    consecutiveFailures: outcome.ok ? 0 : item.consecutiveFailures + 1,
    lastStatus: outcome.status,
    lastDeliveryAt: outcome.at,
  };
  await documentClient().send(
    new PutCommand({ TableName: tableName(), Item: { ...keys.webhookHealth(webhookId), entity: 'webhook-health', ...next } }),
  );
  return next.consecutiveFailures;
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

/** Parks an event that could not be delivered (locally; an SQS dead-letter queue on AWS). */
export async function parkDeadLetter(letter: DeadLetter): Promise<void> {
  await documentClient().send(
    new PutCommand({
      TableName: tableName(),
      Item: {
        PK: keys.webhookDeadLetters,
        SK: `${letter.at}#${letter.eventId}#${letter.webhookId}`,
        entity: 'webhook-dead-letter',
        ...letter,
      },
    }),
  );
}

export async function listDeadLetters(limit = 100): Promise<DeadLetter[]> {
  const page = await queryPage({ partition: keys.webhookDeadLetters, limit, newestFirst: true, consistent: true });
  return page.items.map((item) => {
    const { PK: _pk, SK: _sk, entity: _entity, ...letter } = item;
    return letter as unknown as DeadLetter;
  });
}

/** A webhook switched back on starts with a clean run. */
export async function resetConsecutiveFailures(webhookId: string): Promise<void> {
  const item = await readHealthItem(webhookId);
  await documentClient().send(
    new PutCommand({
      TableName: tableName(),
      Item: { ...keys.webhookHealth(webhookId), entity: 'webhook-health', ...item, consecutiveFailures: 0 },
    }),
  );
}
