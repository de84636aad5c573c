import { configTransferOperations } from '#api/config-transfer';
import { lambdaHandler } from '#http/lambda-handler';

export const handler = lambdaHandler(configTransferOperations);
