import { versionOperations } from '#services/versions.routes';
import { lambdaHandler } from '#kernel/http/lambda-handler';

export const handler = lambdaHandler(versionOperations);
