import { serviceOperations } from '#services/services.routes';
import { lambdaHandler } from '#kernel/http/lambda-handler';

export const handler = lambdaHandler(serviceOperations);
