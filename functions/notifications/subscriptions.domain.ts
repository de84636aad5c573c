import { type FilterPolicy, filterPolicyOf, type SubscriptionFilter, subscriptionFilterProblem } from './notifications.domain.ts';

/**
 * Email subscriptions: an address that gets the published events its filter selects, as an SNS
 * subscription with a filter policy on AWS and through the local mailer (SMTP or `.eml` files)
 * locally. One subscription per address: SNS keys a topic's subscriptions by protocol and
 * endpoint, so the same address cannot hold two filters at once.
 */

export const SUBSCRIPTION_PROTOCOLS = ['email'] as const;
export type SubscriptionProtocol = (typeof SUBSCRIPTION_PROTOCOLS)[number];

export const SUBSCRIPTION_STATUSES = ['pending_confirmation', 'confirmed'] as const;
export type SubscriptionStatus = (typeof SUBSCRIPTION_STATUSES)[number];

/** What the provider says now: `unsubscribed` when it no longer has the subscription (the recipient left, or never confirmed). */
export type LiveSubscriptionStatus = SubscriptionStatus | 'unsubscribed';

export interface Subscription {
  id: string;
  protocol: SubscriptionProtocol;
  /** The email address, its domain lowercased. */
  endpoint: string;
  filter: SubscriptionFilter;
  /** The SNS filter policy the filter became (`{}`: everything). */
  filterPolicy: FilterPolicy;
  status: SubscriptionStatus;
  /** The SNS subscription ARN; null locally. */
  providerArn: string | null;
  createdAt: string;
  updatedAt: string;
  rev: number;
  deletedAt: string | null;
}

/** SNS refuses a filter policy whose values multiply to more than this. */
export const MAX_FILTER_COMBINATIONS = 150;

/**
 * A pragmatic address check (not RFC 5322's full grammar): one `@`, a local part of the
 * characters mail systems accept unquoted, a domain of dot-separated DNS labels with a
 * top-level label of letters. Spaces, quotes, brackets, commas and control characters are
 * refused, so an address can never smuggle a second recipient or a header.
 */
const LOCAL_PART = /^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*$/;
const LABEL = /^[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/;

/** Why an email address is not acceptable, or undefined when it is. */
export function emailAddressProblem(address: string): string | undefined {
  if (address.length > 254) return 'must be at most 254 characters';
  const at = address.lastIndexOf('@');
  if (at <= 0 || at === address.length - 1) return 'must be an email address such as oncall@example.com';
  const local = address.slice(0, at);
  const domain = address.slice(at + 1);
  if (local.length > 64) return 'the part before @ must be at most 64 characters';
  if (!LOCAL_PART.test(local)) return 'the part before @ has characters an email address cannot have unquoted';
  const labels = domain.split('.');
  if (labels.length < 2 || !labels.every((label) => LABEL.test(label))) return 'the domain must be a host name such as example.com';
  if (!/^[A-Za-z]{2,63}$/.test(labels[labels.length - 1] as string)) return 'the domain must end in a top-level domain such as .com';
  return undefined;
}

/** The address as stored and compared: the domain is case-insensitive, the local part is kept as given. */
export function normalizeEmailAddress(address: string): string {
  const at = address.lastIndexOf('@');
  return `${address.slice(0, at)}@${address.slice(at + 1).toLowerCase()}`;
}

/** A filter without duplicates, in a stable order, so equal filters compare equal. */
export function normalizeFilter(filter: SubscriptionFilter): SubscriptionFilter {
  const unique = (values: string[] | undefined) => (values && values.length > 0 ? [...new Set(values)].sort() : undefined);
  const eventTypes = unique(filter.eventTypes);
  const services = unique(filter.services);
  return {
    ...(eventTypes ? { eventTypes } : {}),
    ...(services ? { services } : {}),
    ...(filter.minSeverity ? { minSeverity: filter.minSeverity } : {}),
  };
}

/** Why a filter cannot be a subscription's (pointer relative to the filter's parent), or its policy. */
export function checkFilter(filter: SubscriptionFilter): { problem: { pointer: string; detail: string } } | { policy: FilterPolicy } {
  const problem = subscriptionFilterProblem(filter);
  if (problem) return { problem };
  const policy = filterPolicyOf(filter);
  const combinations = Object.values(policy).reduce((product, values) => product * values.length, 1);
  if (combinations > MAX_FILTER_COMBINATIONS) {
    return {
      problem: {
        pointer: '/filter',
        detail: `the filter allows ${combinations} combinations of event type, service and severity; at most ${MAX_FILTER_COMBINATIONS} (fewer types or services)`,
      },
    };
  }
  return { policy };
}

export function subscriptionSubject(id: string): string {
  return `subscription/${id}`;
}
