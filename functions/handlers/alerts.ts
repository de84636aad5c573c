import { alertOperations } from '#api/alerts';
import { incidentOperations } from '#api/incidents';
import { webhookOperations } from '#api/webhooks';
import { lambdaHandler } from '#http/lambda-handler';

/** Alert rules, alerts and incidents. */
export const handler = lambdaHandler([...alertOperations, ...incidentOperations, ...webhookOperations]);
