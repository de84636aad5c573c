import { configOperations } from '#configs/configs.routes';
import { lambdaHandler } from '#kernel/http/lambda-handler';

export const handler = lambdaHandler(configOperations);
