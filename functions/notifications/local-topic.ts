import type { NotificationBody } from './notifications.domain.ts';
import type { StoredEvent } from '#kernel/store/event-log';
import { sendEmailNotifications } from './email.ts';
import { publishEvent } from './publisher.ts';
import type { NotificationTopic } from './topic.ts';
import { dispatch } from '#webhooks/dispatcher';

/**
 * The local runtime's stand-in for SNS and its subscribers (docs/architecture.md §2): a published
 * notification goes to the email subscriptions whose filter policy matches it (SMTP or `.eml`
 * files) and to the webhook dispatcher, as the dispatcher Lambda subscribed to the topic does on
 * AWS. Nothing here blocks the request that committed the event.
 */

const inFlight = new Set<Promise<unknown>>();

function track(work: Promise<unknown>): void {
  inFlight.add(work);
  void work.finally(() => inFlight.delete(work));
}

function warn(message: string, eventId: string, error: unknown): void {
  console.warn(JSON.stringify({ message, eventId, error: String(error) }));
}

export const localTopic: NotificationTopic = {
  async publish(notification) {
    const body: NotificationBody = notification.body;
    track(sendEmailNotifications(notification).catch((error) => warn('email notification failed', body.id, error)));
    track(dispatch(body).catch((error) => warn('webhook dispatch failed', body.id, error)));
  },
};

/**
 * The event log's publisher hook in the local runtime: the in-process counterpart of the table
 * stream that feeds the publisher Lambda on AWS.
 */
export function publishCommittedEvent(event: StoredEvent): void {
  track(publishEvent(event).catch((error) => warn('publishing an event failed', event.eventId, error)));
}

/** Waits for every publication and delivery started so far (tests, and a clean shutdown). */
export async function settleNotifications(): Promise<void> {
  while (inFlight.size > 0) await Promise.allSettled([...inFlight]);
}
