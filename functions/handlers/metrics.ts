import { metricOperations } from '#api/metrics';
import { lambdaHandler } from '#http/lambda-handler';

export const handler = lambdaHandler(metricOperations);
