import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { DeadLetter } from './webhooks.store.ts';

/**
 * Where parked webhook deliveries are announced besides the table's dead-letter list. On AWS it
 * is the dispatcher's SQS dead-letter queue (DEAD_LETTER_QUEUE_URL), the same queue that takes
 * notifications the dispatcher Lambda could not process at all, so one depth alarm covers both.
 * Locally the dead-letter list alone does the job.
 */
export interface DeadLetterQueue {
  send(letter: DeadLetter): Promise<void>;
}

const nowhere: DeadLetterQueue = { send: async () => undefined };
let queue: DeadLetterQueue | undefined;

export function configureDeadLetterQueue(next: DeadLetterQueue | null): void {
  queue = next ?? undefined;
}

export function deadLetterQueue(): DeadLetterQueue {
  queue ??= process.env.DEAD_LETTER_QUEUE_URL ? sqsDeadLetterQueue(process.env.DEAD_LETTER_QUEUE_URL) : nowhere;
  return queue;
}

export function sqsDeadLetterQueue(queueUrl: string, client: SQSClient = new SQSClient({})): DeadLetterQueue {
  return {
    async send(letter) {
      await client.send(
        new SendMessageCommand({
          QueueUrl: queueUrl,
          MessageBody: JSON.stringify({ kind: 'webhook-delivery-parked', ...letter }),
          MessageAttributes: {
            webhookId: { DataType: 'String', StringValue: letter.webhookId },
            eventType: { DataType: 'String', StringValue: letter.type },
          },
        }),
      );
    },
  };
}
