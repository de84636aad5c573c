import { apiKeyOperations } from '#api/api-keys';
import { lambdaHandler } from '#http/lambda-handler';

export const handler = lambdaHandler(apiKeyOperations);
