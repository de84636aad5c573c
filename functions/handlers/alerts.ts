import { alertOperations } from '#alerts/alerts.routes';
import { incidentOperations } from '#incidents/incidents.routes';
import { subscriptionOperations } from '#notifications/subscriptions.routes';
import { webhookOperations } from '#webhooks/webhooks.routes';
import { lambdaHandler } from '#kernel/http/lambda-handler';

/** Alert rules, alerts, incidents, webhooks and email subscriptions. */
export const handler = lambdaHandler([...alertOperations, ...incidentOperations, ...webhookOperations, ...subscriptionOperations]);
