import { modelOperations } from '#models/models.routes';
import { lambdaHandler } from '#kernel/http/lambda-handler';

export const handler = lambdaHandler(modelOperations);
