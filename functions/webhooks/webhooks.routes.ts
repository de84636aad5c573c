import { commandContext } from '#kernel/http/request-context';
import { etagOf } from '#kernel/command-context';
import { createWebhook, deleteWebhook, readWebhook, updateWebhook } from './webhooks.commands.ts';
import * as contracts from './webhooks.contract.ts';
import type { Webhook } from './webhooks.domain.ts';
import { implement, type Operation, type ServiceOwner } from '#kernel/http/operation';
import { ownsAll } from '#kernel/roles';
import { ConflictError, NotFoundError } from '#kernel/errors';
import { replayDeadLetter, sendTestEvent } from './dispatcher.ts';
import { getWebhook, getWebhookHealth, listDeadLetters, listDeliveries, listWebhooks } from './webhooks.store.ts';

async function webhookView(webhook: Webhook) {
  const { rev, deletedAt: _deleted, ...fields } = webhook;
  return { ...fields, etag: etagOf(rev), health: await getWebhookHealth(webhook.id) };
}

/**
 * The services a webhook belongs to (null: every service), for the routes' scope; a change of
 * its services needs both the old and the new ones.
 */
async function webhookOwners(id: string, next?: string[] | null): Promise<ServiceOwner> {
  const found = await getWebhook(id);
  if (!found) return undefined;
  const current = found.webhook.services ?? null;
  if (next === undefined) return current;
  return current === null || next === null ? null : [...current, ...next];
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
    const visible = page.items.filter((webhook) => ownsAll(request.principal, webhook.services ?? null));
    return { status: 200, body: { items: await Promise.all(visible.map(webhookView)), nextCursor: page.nextCursor } };
  }),

  implement(
    contracts.getWebhook,
    async (request) => {
      const { webhook } = await readWebhook(request.params.id);
      return { status: 200, body: await webhookView(webhook), headers: { etag: etagOf(webhook.rev) } };
    },
    { serviceOf: (request) => webhookOwners(request.params.id) },
  ),

  implement(
    contracts.updateWebhook,
    async (request) => {
      const webhook = await updateWebhook(request.params.id, request.body, commandContext(request));
      return { status: 200, body: await webhookView(webhook), headers: { etag: etagOf(webhook.rev) } };
    },
    { serviceOf: (request) => webhookOwners(request.params.id, request.body.services) },
  ),

  implement(
    contracts.deleteWebhook,
    async (request) => {
      await deleteWebhook(request.params.id, commandContext(request));
      return { status: 204 };
    },
    { serviceOf: (request) => webhookOwners(request.params.id) },
  ),

  implement(
    contracts.testWebhook,
    async (request) => {
      const { webhook } = await readWebhook(request.params.id);
      const { webhookId: _id, ...outcome } = await sendTestEvent(webhook);
      return { status: 200, body: outcome };
    },
    { serviceOf: (request) => webhookOwners(request.params.id) },
  ),

  implement(
    contracts.listWebhookDeliveries,
    async (request) => {
      await readWebhook(request.params.id);
      return { status: 200, body: await listDeliveries(request.params.id, request.query) };
    },
    { serviceOf: (request) => webhookOwners(request.params.id) },
  ),

  implement(
    contracts.listWebhookDeadLetters,
    async (request) => {
      await readWebhook(request.params.id);
      const page = await listDeadLetters(request.params.id, request.query);
      return {
        status: 200,
        body: {
          items: page.items.map(({ eventId, type, attempts, error, at, payload }) => ({
            eventId,
            type,
            attempts,
            error,
            at,
            event: JSON.parse(payload) as Record<string, unknown>,
          })),
          nextCursor: page.nextCursor,
        },
      };
    },
    { serviceOf: (request) => webhookOwners(request.params.id) },
  ),

  implement(
    contracts.replayWebhookDeadLetter,
    async (request) => {
      const { webhook } = await readWebhook(request.params.id);
      const outcome = await replayDeadLetter(webhook, request.params.eventId);
      if (outcome === 'missing') throw new NotFoundError(`Webhook ${webhook.id} has no parked event ${request.params.eventId}.`);
      if (outcome === 'busy') throw new ConflictError(`Event ${request.params.eventId} is being replayed already.`);
      const { webhookId: _id, ...view } = outcome;
      return { status: 200, body: view };
    },
    { serviceOf: (request) => webhookOwners(request.params.id) },
  ),
];
