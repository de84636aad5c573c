import { migrationOperations } from '#api-contracts/migrations.routes';
import { lambdaHandler } from '#kernel/http/lambda-handler';

export const handler = lambdaHandler(migrationOperations);
