import { defineContract } from '#kernel/http/operation';
import { MAX_DOCUMENT_BODY_BYTES } from './uploads.contract.ts';
import { CompatibilityBody, CompatibilityReport } from './wire.schema.ts';

/** Comparing two documents sent in the body: the compatibility-checks function (Ajv and the diff, no YAML). */

const tag = 'API contracts';

export const checkCompatibility = defineContract({
  operationId: 'checkCompatibility',
  group: 'compatibility-checks',
  tag,
  method: 'POST',
  path: '/v1/compatibility',
  summary: 'Compare two OpenAPI documents (for CI, nothing stored)',
  description:
    'The same report as for stored versions, for two documents sent in the body as JSON objects (up to 10 MB in all). With `baseVersion` and `revisionVersion` the SemVer step is judged too. Nothing is stored.',
  access: 'viewer',
  scope: { from: 'none' },
  body: CompatibilityBody,
  maxBodyBytes: MAX_DOCUMENT_BODY_BYTES,
  responses: {
    200: { description: 'The compatibility report.', schema: CompatibilityReport },
  },
});

export const compatibilityCheckContracts = [checkCompatibility];
