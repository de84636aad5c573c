import { commandContext } from '#kernel/http/request-context';
import { etagOf } from '#kernel/command-context';
import { createSubscription, deleteSubscription, liveStatus, readSubscription, updateSubscription } from './subscriptions.commands.ts';
import * as contracts from './subscriptions.contract.ts';
import type { LiveSubscriptionStatus, Subscription } from './subscriptions.domain.ts';
import { implement, type Operation, type ServiceOwner } from '#kernel/http/operation';
import { ownsAll } from '#kernel/roles';
import { getSubscription, listSubscriptions } from './subscriptions.store.ts';

function subscriptionView(subscription: Subscription, status: LiveSubscriptionStatus = subscription.status) {
  const { rev, deletedAt: _deleted, ...fields } = subscription;
  return { ...fields, status, etag: etagOf(rev) };
}

/** The services a subscription's filter names (null: every service), for the routes' scope; a new filter (replacing the old whole) needs both. */
async function subscriptionOwners(id: string, next?: string[] | null): Promise<ServiceOwner> {
  const found = await getSubscription(id);
  if (!found || found.deletedAt) return undefined;
  const current = found.filter.services ?? null;
  if (next === undefined) return current;
  return current === null || next === null ? null : [...current, ...next];
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
    const visible = page.items.filter((item) => ownsAll(request.principal, item.filter.services ?? null));
    return { status: 200, body: { items: visible.map((item) => subscriptionView(item)), nextCursor: page.nextCursor } };
  }),

  implement(
    contracts.getSubscription,
    async (request) => {
      const subscription = await readSubscription(request.params.id);
      return {
        status: 200,
        body: subscriptionView(subscription, await liveStatus(subscription)),
        headers: { etag: etagOf(subscription.rev) },
      };
    },
    { serviceOf: (request) => subscriptionOwners(request.params.id) },
  ),

  implement(
    contracts.updateSubscription,
    async (request) => {
      const subscription = await updateSubscription(request.params.id, request.body, commandContext(request));
      return { status: 200, body: subscriptionView(subscription), headers: { etag: etagOf(subscription.rev) } };
    },
    { serviceOf: (request) => subscriptionOwners(request.params.id, request.body.filter.services ?? null) },
  ),

  implement(
    contracts.deleteSubscription,
    async (request) => {
      await deleteSubscription(request.params.id, commandContext(request));
      return { status: 204 };
    },
    { serviceOf: (request) => subscriptionOwners(request.params.id) },
  ),
];
