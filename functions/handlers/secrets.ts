import { secretOperations } from '#api/secrets';
import { lambdaHandler } from '#http/lambda-handler';

export const handler = lambdaHandler(secretOperations);
