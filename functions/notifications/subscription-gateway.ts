import {
  GetSubscriptionAttributesCommand,
  InvalidParameterException,
  NotFoundException,
  SetSubscriptionAttributesCommand,
  SNSClient,
  SubscribeCommand,
  UnsubscribeCommand,
} from '@aws-sdk/client-sns';
import type { FilterPolicy } from './notifications.domain.ts';
import type { LiveSubscriptionStatus, SubscriptionStatus } from './subscriptions.domain.ts';

/**
 * Where email subscriptions live at the provider. On AWS: subscriptions of the notification
 * topic (NOTIFICATION_TOPIC_ARN) with a filter policy on the message attributes; SNS mails the
 * address a confirmation link and delivers nothing until it is followed. Locally there is no
 * provider: the local topic reads the subscriptions from the table and mails them itself, so a
 * subscription is confirmed at once.
 */
export interface SubscriptionGateway {
  subscribe(endpoint: string, filterPolicy: FilterPolicy): Promise<{ providerArn: string | null; status: SubscriptionStatus }>;
  /** Idempotent: a subscription the provider no longer has is gone already. */
  unsubscribe(providerArn: string | null): Promise<void>;
  status(providerArn: string | null): Promise<LiveSubscriptionStatus>;
  /**
   * Replaces the subscription's filter policy (`{}`: removes it, letting everything through).
   * Throws {@link SubscriptionChangeRefused} when the provider refuses the change: it no longer
   * has the subscription, or will not change one (such as one still pending confirmation).
   */
  setFilterPolicy(providerArn: string | null, filterPolicy: FilterPolicy): Promise<void>;
}

/** The provider would not change a subscription: `gone` when it no longer has it, `refused` otherwise. */
export class SubscriptionChangeRefused extends Error {
  constructor(
    readonly reason: 'gone' | 'refused',
    message: string,
  ) {
    super(message);
    this.name = 'SubscriptionChangeRefused';
  }
}

export const localSubscriptionGateway: SubscriptionGateway = {
  subscribe: async () => ({ providerArn: null, status: 'confirmed' }),
  unsubscribe: async () => undefined,
  status: async () => 'confirmed',
  // The local topic reads each subscription's policy from the table when it mails.
  setFilterPolicy: async () => undefined,
};

let gateway: SubscriptionGateway | undefined;

/** Installs a gateway (the local runtime, tests); null goes back to choosing from the environment. */
export function configureSubscriptionGateway(next: SubscriptionGateway | null): void {
  gateway = next ?? undefined;
}

/** SNS when NOTIFICATION_TOPIC_ARN is set (the deployed functions), else the local one. */
export function subscriptionGateway(): SubscriptionGateway {
  if (!gateway) {
    const topicArn = process.env.NOTIFICATION_TOPIC_ARN;
    gateway = topicArn ? snsSubscriptionGateway(topicArn) : localSubscriptionGateway;
  }
  return gateway;
}

/** The Subscribe request for an address and policy; an empty policy (everything) sets no filter, which SNS would refuse. */
export function subscribeInput(topicArn: string, endpoint: string, filterPolicy: FilterPolicy) {
  const filtered = Object.keys(filterPolicy).length > 0;
  return {
    TopicArn: topicArn,
    Protocol: 'email',
    Endpoint: endpoint,
    ...(filtered ? { Attributes: { FilterPolicy: JSON.stringify(filterPolicy), FilterPolicyScope: 'MessageAttributes' } } : {}),
    ReturnSubscriptionArn: true,
  };
}

/**
 * The SetSubscriptionAttributes requests that give a subscription a filter policy, in order. A
 * policy is set with its scope (MessageAttributes, as on Subscribe), the policy first since the
 * scope qualifies it. An empty policy (everything) is not set but removed: SNS refuses `{}` as a
 * policy on Subscribe, and removes the attribute when SetSubscriptionAttributes sets it to an
 * empty string.
 */
export function filterPolicyInputs(providerArn: string, filterPolicy: FilterPolicy) {
  if (Object.keys(filterPolicy).length === 0) {
    return [{ SubscriptionArn: providerArn, AttributeName: 'FilterPolicy', AttributeValue: '' }];
  }
  return [
    { SubscriptionArn: providerArn, AttributeName: 'FilterPolicy', AttributeValue: JSON.stringify(filterPolicy) },
    { SubscriptionArn: providerArn, AttributeName: 'FilterPolicyScope', AttributeValue: 'MessageAttributes' },
  ];
}

function isGone(error: unknown): boolean {
  return (
    error instanceof NotFoundException ||
    (error as { name?: string } | null)?.name === 'NotFoundException' ||
    (error as { name?: string } | null)?.name === 'NotFound'
  );
}

function isInvalidParameter(error: unknown): boolean {
  return error instanceof InvalidParameterException || (error as { name?: string } | null)?.name === 'InvalidParameterException';
}

export function snsSubscriptionGateway(topicArn: string, client: SNSClient = new SNSClient({})): SubscriptionGateway {
  return {
    async subscribe(endpoint, filterPolicy) {
      const { SubscriptionArn } = await client.send(new SubscribeCommand(subscribeInput(topicArn, endpoint, filterPolicy)));
      if (!SubscriptionArn?.startsWith('arn:')) throw new Error(`SNS answered Subscribe without a subscription ARN (${SubscriptionArn})`);
      // Email endpoints always confirm by following the link SNS mails them, so a new one is pending.
      return { providerArn: SubscriptionArn, status: 'pending_confirmation' };
    },

    async unsubscribe(providerArn) {
      if (!providerArn) return;
      try {
        await client.send(new UnsubscribeCommand({ SubscriptionArn: providerArn }));
      } catch (error) {
        if (isGone(error)) return; // the recipient unsubscribed, or an unconfirmed one expired
        if (isInvalidParameter(error)) {
          // SNS has refused to delete subscriptions still pending confirmation; it deletes those
          // itself when they go unconfirmed (after about three days), and nothing is mailed meanwhile.
          console.warn(
            JSON.stringify({ message: 'SNS kept a pending subscription; it expires unconfirmed', providerArn, error: String(error) }),
          );
          return;
        }
        throw error;
      }
    },

    async status(providerArn) {
      if (!providerArn) return 'unsubscribed';
      try {
        const { Attributes } = await client.send(new GetSubscriptionAttributesCommand({ SubscriptionArn: providerArn }));
        return Attributes?.PendingConfirmation === 'true' ? 'pending_confirmation' : 'confirmed';
      } catch (error) {
        if (isGone(error)) return 'unsubscribed';
        throw error;
      }
    },

    async setFilterPolicy(providerArn, filterPolicy) {
      if (!providerArn) return;
      for (const input of filterPolicyInputs(providerArn, filterPolicy)) {
        try {
          await client.send(new SetSubscriptionAttributesCommand(input));
        } catch (error) {
          if (isGone(error)) throw new SubscriptionChangeRefused('gone', String((error as Error).message ?? error));
          // SNS answers InvalidParameter for a subscription it will not change yet (one still
          // pending confirmation has no settable attributes until the recipient confirms).
          if (isInvalidParameter(error)) throw new SubscriptionChangeRefused('refused', String((error as Error).message ?? error));
          throw error;
        }
      }
    },
  };
}
