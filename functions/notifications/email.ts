import { matchesFilterPolicy, type Notification } from './notifications.domain.ts';
import { allSubscriptions } from './subscriptions.store.ts';
import { mailer } from './mailer.ts';

/**
 * The local runtime's email subscribers (on AWS SNS does this with the same filter policies):
 * a notification is mailed to every confirmed subscription whose filter policy passes its
 * attributes, each on its own, so one recipient the server refuses costs no one else their mail.
 * Returns how many were sent; a recipient that failed is logged (with the event id) and skipped.
 */
export async function sendEmailNotifications(notification: Notification): Promise<number> {
  const recipients = (await allSubscriptions()).filter(
    (subscription) =>
      !subscription.deletedAt &&
      subscription.protocol === 'email' &&
      subscription.status === 'confirmed' &&
      matchesFilterPolicy(subscription.filterPolicy, notification.attributes),
  );
  const out = mailer();
  const settled = await Promise.allSettled(
    recipients.map((subscription) => out.send({ to: subscription.endpoint, subject: notification.subject, text: notification.text })),
  );
  settled.forEach((entry, index) => {
    if (entry.status === 'rejected') {
      const to = recipients[index]?.endpoint;
      console.warn(
        JSON.stringify({ message: 'email notification failed', eventId: notification.body.id, to, error: String(entry.reason) }),
      );
    }
  });
  return settled.filter((entry) => entry.status === 'fulfilled').length;
}
