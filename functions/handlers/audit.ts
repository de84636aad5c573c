import { auditOperations } from '#api/audit';
import { lambdaHandler } from '#http/lambda-handler';

export const handler = lambdaHandler(auditOperations);
