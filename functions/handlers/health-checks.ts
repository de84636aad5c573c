import { healthCheckOperations } from '#api/health-checks';
import { lambdaHandler } from '#http/lambda-handler';

export const handler = lambdaHandler(healthCheckOperations);
