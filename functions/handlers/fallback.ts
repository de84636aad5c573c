import { lambdaHandler } from '#kernel/http/lambda-handler';
import { ROUTE_LIST } from '#system/route-list.generated';

/** API Gateway's `$default` route: a problem+json 404, or 405 with `Allow`, for anything no route matches. */
export const handler = lambdaHandler([], ROUTE_LIST);
