import { alertOperations } from '#api/alerts';
import { lambdaHandler } from '#http/lambda-handler';

/** Alert rules and alerts. */
export const handler = lambdaHandler(alertOperations);
