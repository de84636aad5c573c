import { defineContract } from '#kernel/http/operation';
import { ServiceName } from '#kernel/schemas/mini';
import { ComplianceView } from './compliance.schema.ts';

/** A model's compliance report (issue 10, item 13). Behaviour is in compliance.routes.ts. */

export const getCompliance = defineContract({
  operationId: 'getModelCompliance',
  group: 'models',
  tag: 'Models',
  method: 'GET',
  path: '/v1/services/{name}/compliance',
  summary: 'A model’s compliance, version by version',
  description:
    'Per version: card complete, artifact digest present, evaluation passed before production (no admin override of its deployability), who promoted and who approved it there, deprecation notice respected (retired no earlier than its sunset). Every model event is in the audit trail and its export.',
  access: 'viewer',
  scope: { from: 'path', param: 'name' },
  params: ServiceName,
  responses: {
    200: { description: 'The report.', schema: ComplianceView },
    404: { description: 'No such service.' },
    409: { description: 'The service is not a model.' },
  },
});

export const complianceContracts = [getCompliance];
