import { commandContext } from '#api/context';
import { etagOf } from '#commands/context';
import { createWebhook, deleteWebhook, readWebhook, updateWebhook } from '#commands/webhooks';
import * as contracts from '#contracts/webhooks';
import type { Webhook } from '#domain/webhooks';
import { implement, type Operation } from '#http/operation';
import { sendTestEvent } from '../notifications/webhook-dispatcher.ts';
import { getWebhookHealth, listDeliveries, listWebhooks } from '#store/webhooks';

async function webhookView(webhook: Webhook) {
  const { rev, deletedAt: _deleted, ...fields } = webhook;
  return { ...fields, etag: etagOf(rev), health: await getWebhookHealth(webhook.id) };
}

export const webhookOperations: Operation[] = [
  implement(contracts.createWebhook, async (request) => {
    const { webhook, secret } = await createWebhook(request.body, commandContext(request));
    return {
      status: 201,
      body: { ...(await webhookView(webhook)), secret },
      headers: { location: `/v1/webhooks/${webhook.id}`, etag: etagOf(webhook.rev), 'cache-control': 'no-store' },
    };
  }),

  implement(contracts.listWebhooks, async (request) => {
    const page = await listWebhooks(request.query);
    return { status: 200, body: { items: await Promise.all(page.items.map(webhookView)), nextCursor: page.nextCursor } };
  }),

  implement(contracts.getWebhook, async (request) => {
    const { webhook } = await readWebhook(request.params.id);
    return { status: 200, body: await webhookView(webhook), headers: { etag: etagOf(webhook.rev) } };
  }),

  implement(contracts.updateWebhook, async (request) => {
    const webhook = await updateWebhook(request.params.id, request.body, commandContext(request));
    return { status: 200, body: await webhookView(webhook), headers: { etag: etagOf(webhook.rev) } };
  }),

  implement(contracts.deleteWebhook, async (request) => {
    await deleteWebhook(request.params.id, commandContext(request));
    return { status: 204 };
  }),

  implement(contracts.testWebhook, async (request) => {
    const { webhook } = await readWebhook(request.params.id);
    const { webhookId: _id, ...outcome } = await sendTestEvent(webhook);
    return { status: 200, body: outcome };
  }),

  implement(contracts.listWebhookDeliveries, async (request) => {
    await readWebhook(request.params.id);
    return { status: 200, body: await listDeliveries(request.params.id, request.query) };
  }),
];
