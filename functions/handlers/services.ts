import { serviceOperations } from '#api/services';
import { lambdaHandler } from '#http/lambda-handler';

export const handler = lambdaHandler(serviceOperations);
