import { auditOperations } from '#audit/audit.routes';
import { lambdaHandler } from '#kernel/http/lambda-handler';

export const handler = lambdaHandler(auditOperations);
