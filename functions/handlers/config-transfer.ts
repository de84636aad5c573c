import { configTransferOperations } from '#configs/transfer.routes';
import { lambdaHandler } from '#kernel/http/lambda-handler';

export const handler = lambdaHandler(configTransferOperations);
