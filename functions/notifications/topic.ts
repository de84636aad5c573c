import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import type { Notification } from './notifications.domain.ts';

/**
 * The one topic every published event goes to. On AWS it is the stack's SNS topic
 * (NOTIFICATION_TOPIC_ARN): email subscriptions select with filter policies on the message
 * attributes, and the webhook dispatcher Lambda is subscribed to all of it. The local runtime
 * installs an in-process topic with the same fan-out (`local-topic.ts`).
 */
export interface NotificationTopic {
  publish(notification: Notification): Promise<void>;
}

let topic: NotificationTopic | undefined;

export function configureNotificationTopic(next: NotificationTopic | null): void {
  topic = next ?? undefined;
}

export function notificationTopic(): NotificationTopic {
  if (!topic) {
    const topicArn = process.env.NOTIFICATION_TOPIC_ARN;
    if (!topicArn) throw new Error('NOTIFICATION_TOPIC_ARN is not set');
    topic = snsTopic(topicArn);
  }
  return topic;
}

/**
 * Publishes with MessageStructure `json`: email endpoints get the readable text, every other
 * protocol (the dispatcher Lambda) the JSON body. Attributes are Strings so filter policies can
 * match them exactly or by prefix.
 */
export function snsTopic(topicArn: string, client: SNSClient = new SNSClient({})): NotificationTopic {
  return {
    async publish(notification) {
      await client.send(new PublishCommand(publishInput(topicArn, notification)));
    },
  };
}

export function publishInput(topicArn: string, notification: Notification) {
  const attributes = Object.entries(notification.attributes).filter(([, value]) => typeof value === 'string' && value !== '');
  return {
    TopicArn: topicArn,
    Subject: notification.subject,
    MessageStructure: 'json',
    Message: JSON.stringify({ default: JSON.stringify(notification.body), email: notification.text }),
    MessageAttributes: Object.fromEntries(attributes.map(([name, value]) => [name, { DataType: 'String', StringValue: value as string }])),
  };
}
