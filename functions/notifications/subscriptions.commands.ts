import { ulid } from 'ulid';
import { type CommandContext, checkIfMatch } from '#kernel/command-context';
import { ConflictError, NotFoundError, ValidationError } from '#kernel/errors';
import { filterPolicyOf, type SubscriptionFilter } from './notifications.domain.ts';
import {
  checkFilter,
  emailAddressProblem,
  type LiveSubscriptionStatus,
  normalizeEmailAddress,
  normalizeFilter,
  type Subscription,
  type SubscriptionProtocol,
  subscriptionSubject,
} from './subscriptions.domain.ts';
import { executeCommand } from '#kernel/store/event-log';
import { keys } from '#kernel/store/keys';
import { endpointHeadItem, getEndpointHead, getSubscription, markConfirmed, subscriptionItem } from './subscriptions.store.ts';
import { SubscriptionChangeRefused, subscriptionGateway } from './subscription-gateway.ts';

/**
 * Email subscription commands. Each change is an event on the address's aggregate
 * (`SUBEMAIL#<address>`), whose head holds the address's live subscription: an address has at
 * most one, because SNS keys a topic's subscriptions by protocol and endpoint and would refuse a
 * second filter for the same address. Subscribing it again, with the same filter or another, is
 * a 409 naming the existing subscription; its filter changes with a PATCH.
 *
 * The provider is asked first and the event recorded after, so a recorded subscription always
 * exists at the provider; a subscription the provider made but that could not be recorded is
 * undone again.
 */

export interface SubscriptionInput {
  protocol: SubscriptionProtocol;
  endpoint: string;
  filter?: SubscriptionFilter;
}

function invalid(pointer: string, message: string, detail = 'The subscription is not valid.'): ValidationError {
  return new ValidationError(detail, [{ pointer, message }]);
}

function alreadySubscribed(endpoint: string, id: string): ConflictError {
  return new ConflictError(`${endpoint} is subscribed already (subscription ${id}); PATCH that subscription to change its filter.`, {
    subscriptionId: id,
  });
}

const settingsOf = ({ protocol, endpoint, filter, filterPolicy }: Subscription) => ({ protocol, endpoint, filter, filterPolicy });

export async function readSubscription(id: string): Promise<Subscription> {
  const subscription = await getSubscription(id);
  if (!subscription || subscription.deletedAt) throw new NotFoundError(`There is no subscription ${id}.`);
  return subscription;
}

export async function createSubscription(input: SubscriptionInput, context: CommandContext): Promise<Subscription> {
  const problem = emailAddressProblem(input.endpoint);
  if (problem) throw invalid('/body/endpoint', problem, `${JSON.stringify(input.endpoint)} is not an email address Steward will mail.`);
  const endpoint = normalizeEmailAddress(input.endpoint);
  const filter = normalizeFilter(input.filter ?? {});
  // Pointers into the filter as sent: check it before sorting changed the indexes.
  const checked = checkFilter(input.filter ?? {});
  if ('problem' in checked) throw invalid(`/body${checked.problem.pointer}`, checked.problem.detail, 'The filter is not valid.');
  const policy = filterPolicyOf(filter);

  const aggregate = keys.subscriptionEndpointAggregate(endpoint);
  const existing = await getEndpointHead(endpoint);
  if (existing.subscriptionId) throw alreadySubscribed(endpoint, existing.subscriptionId);

  const gateway = subscriptionGateway();
  const { providerArn, status } = await gateway.subscribe(endpoint, policy);
  const id = ulid();
  try {
    return await executeCommand<Subscription>(aggregate, async () => {
      const head = await getEndpointHead(endpoint);
      if (head.subscriptionId) throw alreadySubscribed(endpoint, head.subscriptionId);
      const now = new Date().toISOString();
      const next: Subscription = {
        id,
        protocol: 'email',
        endpoint,
        filter,
        filterPolicy: policy,
        status,
        providerArn,
        createdAt: now,
        updatedAt: now,
        rev: 1,
        deletedAt: null,
      };
      return {
        expectedSeq: head.seq,
        event: {
          type: 'subscription.created',
          actor: context.actor,
          requestId: context.requestId,
          subject: subscriptionSubject(id),
          changes: { before: null, after: settingsOf(next) },
          effects: [subscriptionItem(next), endpointHeadItem(endpoint, id)],
        },
        result: () => next,
      };
    });
  } catch (error) {
    // Not recorded: undo the provider's subscription, unless it is the one a concurrent request
    // recorded for this address (SNS answers a repeated Subscribe with the same ARN).
    const winner = error instanceof ConflictError ? await getEndpointHead(endpoint).catch(() => undefined) : undefined;
    const kept = winner?.subscriptionId ? await getSubscription(winner.subscriptionId).catch(() => undefined) : undefined;
    if (providerArn && kept?.providerArn !== providerArn) await gateway.unsubscribe(providerArn).catch(() => undefined);
    throw error;
  }
}

const filterOf = ({ filter, filterPolicy }: Subscription) => ({ filter, filterPolicy });

function sameFilter(subscription: Subscription, filter: SubscriptionFilter): boolean {
  return JSON.stringify(normalizeFilter(subscription.filter)) === JSON.stringify(filter);
}

function changeRefused(subscription: Subscription, error: SubscriptionChangeRefused): ConflictError {
  const detail =
    error.reason === 'gone'
      ? `SNS no longer has subscription ${subscription.id} (the recipient unsubscribed, or never confirmed); delete it and subscribe the address again with the new filter.`
      : subscription.status === 'pending_confirmation'
        ? `SNS would not change subscription ${subscription.id} while it is pending confirmation: ${subscription.endpoint} must follow the confirmation link first (or delete the subscription and subscribe again with the new filter).`
        : `SNS would not change the filter policy of subscription ${subscription.id}.`;
  return new ConflictError(detail, { subscriptionId: subscription.id, providerMessage: error.message });
}

/**
 * Replaces a subscription's filter: the provider's filter policy first, then the event, so a
 * retry after a failure is safe (setting the same policy again changes nothing). A filter equal
 * to the current one asks nothing and records nothing.
 */
export async function updateSubscription(
  id: string,
  input: { filter: SubscriptionFilter },
  context: CommandContext,
): Promise<Subscription> {
  // Pointers into the filter as sent: check it before sorting changed the indexes.
  const checked = checkFilter(input.filter);
  if ('problem' in checked) throw invalid(`/body${checked.problem.pointer}`, checked.problem.detail, 'The filter is not valid.');
  const filter = normalizeFilter(input.filter);
  const policy = filterPolicyOf(filter);

  const current = await readSubscription(id);
  checkIfMatch(context.ifMatch, current.rev, `Subscription ${id}`);
  if (sameFilter(current, filter)) return current;

  try {
    await subscriptionGateway().setFilterPolicy(current.providerArn, policy);
  } catch (error) {
    if (error instanceof SubscriptionChangeRefused) throw changeRefused(current, error);
    throw error;
  }

  return executeCommand<Subscription>(keys.subscriptionEndpointAggregate(current.endpoint), async () => {
    const head = await getEndpointHead(current.endpoint);
    const latest = await readSubscription(id);
    if (head.subscriptionId !== id) throw new NotFoundError(`There is no subscription ${id}.`);
    checkIfMatch(context.ifMatch, latest.rev, `Subscription ${id}`);
    if (sameFilter(latest, filter)) return { unchanged: latest };
    const next: Subscription = { ...latest, filter, filterPolicy: policy, updatedAt: new Date().toISOString(), rev: latest.rev + 1 };
    return {
      expectedSeq: head.seq,
      event: {
        type: 'subscription.updated',
        actor: context.actor,
        requestId: context.requestId,
        subject: subscriptionSubject(id),
        changes: { before: filterOf(latest), after: filterOf(next) },
        // The head last: it still names this subscription, at the new sequence number.
        effects: [subscriptionItem(next), endpointHeadItem(latest.endpoint, id)],
      },
      result: () => next,
    };
  });
}

/** Unsubscribes at the provider, then records the deletion; a retry after a failure is safe (unsubscribing is idempotent). */
export async function deleteSubscription(id: string, context: CommandContext): Promise<void> {
  const current = await readSubscription(id);
  checkIfMatch(context.ifMatch, current.rev, `Subscription ${id}`);
  await subscriptionGateway().unsubscribe(current.providerArn);
  await executeCommand<Subscription>(keys.subscriptionEndpointAggregate(current.endpoint), async () => {
    const head = await getEndpointHead(current.endpoint);
    const latest = await readSubscription(id);
    if (head.subscriptionId !== id) throw new NotFoundError(`There is no subscription ${id}.`);
    checkIfMatch(context.ifMatch, latest.rev, `Subscription ${id}`);
    const now = new Date().toISOString();
    const next: Subscription = { ...latest, deletedAt: now, updatedAt: now, rev: latest.rev + 1 };
    return {
      expectedSeq: head.seq,
      event: {
        type: 'subscription.deleted',
        actor: context.actor,
        requestId: context.requestId,
        subject: subscriptionSubject(id),
        changes: { before: settingsOf(latest), after: null },
        effects: [subscriptionItem(next), endpointHeadItem(latest.endpoint, null)],
      },
      result: () => next,
    };
  });
}

/**
 * What the provider says of a subscription now. A confirmation is remembered on the item, so
 * lists show it too; when the provider cannot be asked, the stored status is the answer.
 */
export async function liveStatus(subscription: Subscription): Promise<LiveSubscriptionStatus> {
  if (!subscription.providerArn) return subscription.status;
  try {
    const status = await subscriptionGateway().status(subscription.providerArn);
    if (status === 'confirmed' && subscription.status === 'pending_confirmation') await markConfirmed(subscription.id);
    return status;
  } catch (error) {
    console.warn(JSON.stringify({ message: 'subscription status unavailable', subscriptionId: subscription.id, error: String(error) }));
    return subscription.status;
  }
}
