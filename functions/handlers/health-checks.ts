import { healthCheckOperations } from '#health-checks/health-checks.routes';
import { sloOperations } from '#slo/slo.routes';
import { lambdaHandler } from '#kernel/http/lambda-handler';

/** Health checks, and the uptime and SLO routes read from their results. */
export const handler = lambdaHandler([...healthCheckOperations, ...sloOperations]);
