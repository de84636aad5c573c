import { configWriteOperations } from '#api/config-writes';
import { lambdaHandler } from '#http/lambda-handler';

export const handler = lambdaHandler(configWriteOperations);
