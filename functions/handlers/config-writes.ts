import { configWriteOperations } from '#configs/writes.routes';
import { lambdaHandler } from '#kernel/http/lambda-handler';

export const handler = lambdaHandler(configWriteOperations);
