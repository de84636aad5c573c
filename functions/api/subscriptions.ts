import { commandContext } from '#api/context';
import { etagOf } from '#commands/context';
import { createSubscription, deleteSubscription, liveStatus, readSubscription, updateSubscription } from '#commands/subscriptions';
import * as contracts from '#contracts/subscriptions';
import type { LiveSubscriptionStatus, Subscription } from '#domain/subscriptions';
import { implement, type Operation } from '#http/operation';
import { listSubscriptions } from '#store/subscriptions';

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
