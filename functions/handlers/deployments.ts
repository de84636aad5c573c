import { deploymentOperations } from '#deployments/deployments.routes';
import { lambdaHandler } from '#kernel/http/lambda-handler';

export const handler = lambdaHandler(deploymentOperations);
