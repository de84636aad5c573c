import { systemOperations } from '#system/system.routes';
import { healthOperations } from '#system/health.routes';
import { lambdaHandler } from '#kernel/http/lambda-handler';

export const handler = lambdaHandler([...systemOperations, ...healthOperations]);
