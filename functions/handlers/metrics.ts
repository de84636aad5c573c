import { metricOperations } from '#metrics/metrics.routes';
import { lambdaHandler } from '#kernel/http/lambda-handler';

export const handler = lambdaHandler(metricOperations);
