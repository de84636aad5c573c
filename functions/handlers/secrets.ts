import { secretOperations } from '#secrets/secrets.routes';
import { lambdaHandler } from '#kernel/http/lambda-handler';

export const handler = lambdaHandler(secretOperations);
