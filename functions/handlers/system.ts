import { systemOperations } from '#system/system.routes';
import { lambdaHandler } from '#kernel/http/lambda-handler';

export const handler = lambdaHandler(systemOperations);
