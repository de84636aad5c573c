import type { SNSEvent } from 'aws-lambda';
import { logger } from '#kernel/logger';
import { publishOperationalMetrics } from '#kernel/operational-metrics';
import { dispatch, type WebhookEvent } from '#webhooks/dispatcher';

/**
 * Subscribed to the notification topic (AWS): delivers each notification to the webhooks whose
 * filter matches it. SNS invokes asynchronously; an invocation that throws (the table failed) is
 * retried by Lambda and, after that, lands in the notifications dead-letter queue. Deliveries a
 * retry finds done are skipped (claimed per webhook and event id).
 */
export async function handler(event: SNSEvent): Promise<{ delivered: number; parked: number; duplicates: number }> {
  const totals = { delivered: 0, parked: 0, duplicates: 0 };
  try {
    await dispatchAll(event, totals);
  } finally {
    publishOperationalMetrics(); // WebhookDeliveriesFailed, as EMF
  }
  return totals;
}

async function dispatchAll(event: SNSEvent, totals: { delivered: number; parked: number; duplicates: number }): Promise<void> {
  for (const record of event.Records) {
    const notification = JSON.parse(record.Sns.Message) as WebhookEvent;
    const outcomes = await dispatch(notification);
    for (const outcome of outcomes) {
      if (outcome.result === 'delivered') totals.delivered++;
      else if (outcome.result === 'parked') totals.parked++;
      else totals.duplicates++;
    }
    if (outcomes.length > 0) logger.info('notification dispatched', { eventId: notification.id, type: notification.type, outcomes });
  }
}
