import { apiContractOperations } from '#api-contracts/contracts.routes';
import { lambdaHandler } from '#kernel/http/lambda-handler';

export const handler = lambdaHandler(apiContractOperations);
