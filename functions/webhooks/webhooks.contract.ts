import { defineContract } from '#kernel/http/operation';
import {
  DeadLetterPage,
  DeadLetterParams,
  DeliveryPage,
  TestDeliveryView,
  WebhookCreate,
  WebhookCreated,
  WebhookPage,
  WebhookParams,
  WebhookPatch,
  WebhooksQuery,
  WebhookView,
} from './webhooks.schema.ts';

/**
 * The webhook routes' contracts. They are deployed with the alerts group (no route group of
 * their own yet, so no CDK change). Behaviour is in functions/webhooks/webhooks.routes.ts.
 */

const group = 'alerts';
const tag = 'Webhooks';

export const createWebhook = defineContract({
  operationId: 'createWebhook',
  group,
  tag,
  method: 'POST',
  path: '/v1/webhooks',
  summary: 'Register a webhook',
  description:
    'Matching alert, incident, deployment and health check events are POSTed to `url`, signed per the Standard Webhooks specification (headers `webhook-id` — the event id —, `webhook-timestamp`, `webhook-signature`). The answer carries the signing secret, shown this once. Targets in private, loopback (unless allowed), link-local and other special ranges are refused.',
  access: 'admin',
  scope: { from: 'body', field: 'services', absent: 'key-services' },
  body: WebhookCreate,
  responses: {
    201: { description: 'Registered.', schema: WebhookCreated, headers: { location: { description: 'The webhook.' } } },
    400: { description: 'A bad URL, a refused target, or an unknown event type.' },
  },
});

export const listWebhooks = defineContract({
  operationId: 'listWebhooks',
  group,
  tag,
  method: 'GET',
  path: '/v1/webhooks',
  summary: 'List webhooks, with their health',
  access: 'admin',
  scope: { from: 'list' },
  query: WebhooksQuery,
  responses: { 200: { description: 'A page of webhooks.', schema: WebhookPage } },
});

export const getWebhook = defineContract({
  operationId: 'getWebhook',
  group,
  tag,
  method: 'GET',
  path: '/v1/webhooks/{id}',
  summary: 'Read a webhook and its health',
  access: 'admin',
  scope: { from: 'resource' },
  params: WebhookParams,
  responses: { 200: { description: 'The webhook.', schema: WebhookView }, 404: { description: 'No such webhook.' } },
});

export const updateWebhook = defineContract({
  operationId: 'updateWebhook',
  group,
  tag,
  method: 'PATCH',
  path: '/v1/webhooks/{id}',
  summary: 'Change a webhook',
  description: '`active: true` switches a disabled webhook back on with a clean failure run. Honours If-Match.',
  access: 'admin',
  scope: { from: 'resource' },
  params: WebhookParams,
  body: WebhookPatch,
  requestHeaders: ['If-Match'],
  responses: {
    200: { description: 'The webhook.', schema: WebhookView },
    400: { description: 'A bad URL, a refused target, or an unknown event type.' },
    404: { description: 'No such webhook.' },
    412: { description: 'If-Match does not match.' },
  },
});

export const deleteWebhook = defineContract({
  operationId: 'deleteWebhook',
  group,
  tag,
  method: 'DELETE',
  path: '/v1/webhooks/{id}',
  summary: 'Delete a webhook',
  description: 'Nothing more is delivered to it; its signing secret is scheduled for deletion. Honours If-Match.',
  access: 'admin',
  scope: { from: 'resource' },
  params: WebhookParams,
  requestHeaders: ['If-Match'],
  responses: {
    204: { description: 'Deleted.' },
    404: { description: 'No such webhook.' },
    412: { description: 'If-Match does not match.' },
  },
});

export const testWebhook = defineContract({
  operationId: 'testWebhook',
  group,
  tag,
  method: 'POST',
  path: '/v1/webhooks/{id}/test',
  summary: 'Send a test event now',
  description: 'One signed `webhook.test` delivery, whatever the filter or state; the answer says how it went.',
  access: 'admin',
  scope: { from: 'resource' },
  params: WebhookParams,
  responses: { 200: { description: 'The attempt.', schema: TestDeliveryView }, 404: { description: 'No such webhook.' } },
});

export const listWebhookDeliveries = defineContract({
  operationId: 'listWebhookDeliveries',
  group,
  tag,
  method: 'GET',
  path: '/v1/webhooks/{id}/deliveries',
  summary: 'List delivery attempts, newest first',
  access: 'admin',
  scope: { from: 'resource' },
  params: WebhookParams,
  query: WebhooksQuery,
  responses: { 200: { description: 'A page of attempts.', schema: DeliveryPage }, 404: { description: 'No such webhook.' } },
});

export const listWebhookDeadLetters = defineContract({
  operationId: 'listWebhookDeadLetters',
  group,
  tag,
  method: 'GET',
  path: '/v1/webhooks/{id}/dead-letters',
  summary: 'List the events every attempt failed to deliver',
  description:
    'Parked events stay here until a replay delivers them. On AWS each is also sent to the dispatcher dead-letter queue, whose depth alarm tells operators.',
  access: 'admin',
  scope: { from: 'resource' },
  params: WebhookParams,
  query: WebhooksQuery,
  responses: { 200: { description: 'A page of parked events.', schema: DeadLetterPage }, 404: { description: 'No such webhook.' } },
});

export const replayWebhookDeadLetter = defineContract({
  operationId: 'replayWebhookDeadLetter',
  group,
  tag,
  method: 'POST',
  path: '/v1/webhooks/{id}/dead-letters/{eventId}/replay',
  summary: 'Deliver a parked event again',
  description:
    'Delivers the parked event to the webhook now, with the usual retries and the same `webhook-id`, and answers how it went: `delivered` removes it from the list, `parked` keeps it there.',
  access: 'admin',
  scope: { from: 'resource' },
  params: DeadLetterParams,
  responses: {
    200: { description: 'The replay.', schema: TestDeliveryView },
    404: { description: 'No such webhook, or no such parked event.' },
    409: { description: 'A replay of this event is running.' },
  },
});

export const webhookContracts = [
  createWebhook,
  listWebhooks,
  getWebhook,
  updateWebhook,
  deleteWebhook,
  testWebhook,
  listWebhookDeliveries,
  listWebhookDeadLetters,
  replayWebhookDeadLetter,
];
