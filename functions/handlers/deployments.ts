import { deploymentOperations } from '#api/deployments';
import { lambdaHandler } from '#http/lambda-handler';

export const handler = lambdaHandler(deploymentOperations);
