import { alertOperations } from '#api/alerts';
import { incidentOperations } from '#api/incidents';
import { subscriptionOperations } from '#api/subscriptions';
import { webhookOperations } from '#api/webhooks';
import { lambdaHandler } from '#http/lambda-handler';

/** Alert rules, alerts, incidents, webhooks and email subscriptions. */
export const handler = lambdaHandler([...alertOperations, ...incidentOperations, ...webhookOperations, ...subscriptionOperations]);
