import { systemOperations } from '#api/system';
import { lambdaHandler } from '#http/lambda-handler';

export const handler = lambdaHandler(systemOperations);
