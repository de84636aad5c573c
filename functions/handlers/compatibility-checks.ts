import { compatibilityCheckOperations } from '#api-contracts/check.routes';
import { lambdaHandler } from '#kernel/http/lambda-handler';

export const handler = lambdaHandler(compatibilityCheckOperations);
