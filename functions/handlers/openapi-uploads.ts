import { openApiUploadOperations } from '#api-contracts/uploads.routes';
import { lambdaHandler } from '#kernel/http/lambda-handler';

export const handler = lambdaHandler(openApiUploadOperations);
