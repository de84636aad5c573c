import { commandContext } from '#kernel/http/request-context';
import { etagOf } from '#kernel/command-context';
import { createSubscription, deleteSubscription, liveStatus, readSubscription, updateSubscription } from './subscriptions.commands.ts';
import * as contracts from './subscriptions.contract.ts';
import type { LiveSubscriptionStatus, Subscription } from './subscriptions.domain.ts';
import { implement, type Operation } from '#kernel/http/operation';
import { listSubscriptions } from './subscriptions.store.ts';

function subscriptionView(subscription: Subscription, status: LiveSubscriptionStatus = subscription.status) {
  const { rev, deletedAt: _deleted, ...fields } = subscription;
  return { ...fields, status, etag: etagOf(rev) };
}

export const subscriptionOperations: Operation[] = [
  implement(contracts.createSubscription, async (request) => {
    const subscription = await createSubscription(request.body, commandContext(request));
    return {
      status: 201,
      body: subscriptionView(subscription),
      headers: { location: `/v1/subscriptions/${subscription.id}`, etag: etagOf(subscription.rev) },
    };
  }),

  implement(contracts.listSubscriptions, async (request) => {
    const page = await listSubscriptions(request.query);
    return { status: 200, body: { items: page.items.map((item) => subscriptionView(item)), nextCursor: page.nextCursor } };
  }),

  implement(contracts.getSubscription, async (request) => {
    const subscription = await readSubscription(request.params.id);
    return {
      status: 200,
      body: subscriptionView(subscription, await liveStatus(subscription)),
      headers: { etag: etagOf(subscription.rev) },
    };
  }),

  implement(contracts.updateSubscription, async (request) => {
    const subscription = await updateSubscription(request.params.id, request.body, commandContext(request));
    return { status: 200, body: subscriptionView(subscription), headers: { etag: etagOf(subscription.rev) } };
  }),

  implement(contracts.deleteSubscription, async (request) => {
    await deleteSubscription(request.params.id, commandContext(request));
    return { status: 204 };
  }),
];
