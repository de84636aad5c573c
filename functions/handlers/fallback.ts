import { allContracts } from '#contracts/index';
import { lambdaHandler } from '#http/lambda-handler';

/** API Gateway's `$default` route: a problem+json 404, or 405 with `Allow`, for anything no route matches. */
export const handler = lambdaHandler([], allContracts);
