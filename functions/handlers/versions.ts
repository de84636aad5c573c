import { versionOperations } from '#api/versions';
import { lambdaHandler } from '#http/lambda-handler';

export const handler = lambdaHandler(versionOperations);
