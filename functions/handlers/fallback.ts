import { allContracts } from '#system/all-contracts';
import { lambdaHandler } from '#kernel/http/lambda-handler';

/** API Gateway's `$default` route: a problem+json 404, or 405 with `Allow`, for anything no route matches. */
export const handler = lambdaHandler([], allContracts);
