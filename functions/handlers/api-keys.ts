import { apiKeyOperations } from '#api-keys/api-keys.routes';
import { lambdaHandler } from '#kernel/http/lambda-handler';

export const handler = lambdaHandler(apiKeyOperations);
