import { configOperations } from '#api/configs';
import { lambdaHandler } from '#http/lambda-handler';

export const handler = lambdaHandler(configOperations);
