import { healthCheckOperations } from '#api/health-checks';
import { sloOperations } from '#api/slo';
import { lambdaHandler } from '#http/lambda-handler';

/** Health checks, and the uptime and SLO routes read from their results. */
export const handler = lambdaHandler([...healthCheckOperations, ...sloOperations]);
