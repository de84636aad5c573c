import { defineContract } from '#kernel/http/operation';
import {
  SubscriptionCreate,
  SubscriptionPage,
  SubscriptionParams,
  SubscriptionPatch,
  SubscriptionsQuery,
  SubscriptionView,
} from './subscriptions.schema.ts';

/**
 * The email subscription routes' contracts, deployed with the alerts group like webhooks (no
 * route group of their own, so no CDK route change). Behaviour is in functions/notifications/subscriptions.routes.ts.
 */

const group = 'alerts';
const tag = 'Subscriptions';

export const createSubscription = defineContract({
  operationId: 'createSubscription',
  group,
  tag,
  method: 'POST',
  path: '/v1/subscriptions',
  summary: 'Subscribe an email address to events',
  description:
    'Published events (alerts, incidents, deployments, health check state changes) that pass `filter` are mailed to `endpoint`. On AWS this is an SNS subscription with a filter policy: SNS first mails the address a confirmation link, and nothing arrives until it is followed. Locally mail goes through SMTP (STEWARD_SMTP_URL) or into `.eml` files in the outbox folder. An address has one subscription: subscribing it again is a 409 naming the existing one.',
  access: 'admin',
  scope: { from: 'body', field: 'filter.services', absent: 'key-services' },
  body: SubscriptionCreate,
  responses: {
    201: { description: 'Subscribed.', schema: SubscriptionView, headers: { location: { description: 'The subscription.' } } },
    400: { description: 'Not an email address, or a filter that selects no published event.' },
    409: { description: 'The address is subscribed already (`subscriptionId` names that subscription).' },
  },
});

export const listSubscriptions = defineContract({
  operationId: 'listSubscriptions',
  group,
  tag,
  method: 'GET',
  path: '/v1/subscriptions',
  summary: 'List email subscriptions',
  description: 'Statuses as last seen; read a single subscription for its live status.',
  access: 'admin',
  scope: { from: 'list' },
  query: SubscriptionsQuery,
  responses: { 200: { description: 'A page of subscriptions.', schema: SubscriptionPage } },
});

export const getSubscription = defineContract({
  operationId: 'getSubscription',
  group,
  tag,
  method: 'GET',
  path: '/v1/subscriptions/{id}',
  summary: 'Read an email subscription, with its live status',
  access: 'admin',
  scope: { from: 'resource' },
  params: SubscriptionParams,
  responses: { 200: { description: 'The subscription.', schema: SubscriptionView }, 404: { description: 'No such subscription.' } },
});

export const updateSubscription = defineContract({
  operationId: 'updateSubscription',
  group,
  tag,
  method: 'PATCH',
  path: '/v1/subscriptions/{id}',
  summary: "Change an email subscription's filter",
  description:
    'Replaces the filter (the only field that changes; the address does not). On AWS the SNS subscription gets the new filter policy (a filter that narrows nothing removes it); SNS takes up to 15 minutes to apply it. A filter equal to the current one changes and records nothing. Honours If-Match.',
  access: 'admin',
  scope: { from: 'resource' },
  params: SubscriptionParams,
  body: SubscriptionPatch,
  requestHeaders: ['If-Match'],
  responses: {
    200: { description: 'The subscription.', schema: SubscriptionView },
    400: { description: 'A filter that selects no published event, or a field that cannot change.' },
    404: { description: 'No such subscription.' },
    409: { description: 'SNS would not change the subscription: it is still pending confirmation, or SNS no longer has it.' },
    412: { description: 'If-Match does not match.' },
  },
});

export const deleteSubscription = defineContract({
  operationId: 'deleteSubscription',
  group,
  tag,
  method: 'DELETE',
  path: '/v1/subscriptions/{id}',
  summary: 'Unsubscribe an email address',
  description: 'Removes the SNS subscription (or stops local mail); nothing more is mailed. Honours If-Match.',
  access: 'admin',
  scope: { from: 'resource' },
  params: SubscriptionParams,
  requestHeaders: ['If-Match'],
  responses: {
    204: { description: 'Unsubscribed.' },
    404: { description: 'No such subscription.' },
    412: { description: 'If-Match does not match.' },
  },
});

export const subscriptionContracts = [createSubscription, listSubscriptions, getSubscription, updateSubscription, deleteSubscription];
