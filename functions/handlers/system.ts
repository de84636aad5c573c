import { operationsOf } from '#api/index';
import { lambdaHandler } from '#http/lambda-handler';

export const handler = lambdaHandler(operationsOf('system'));
