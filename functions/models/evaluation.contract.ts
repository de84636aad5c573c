import { defineContract } from '#kernel/http/operation';
import { ServiceName } from '#kernel/schemas/mini';
import { CompareQuery, ComparisonView, EvaluationView } from './evaluation.schema.ts';
import { ModelVersionParams, WindowQuery } from './telemetry.schema.ts';

/** Evaluation against the model policy and comparison of versions (issue 10, items 5 and 6). Behaviour is in evaluation.routes.ts. */

const tag = 'Models';
const group = 'models';

export const getEvaluation = defineContract({
  operationId: 'getModelEvaluation',
  group,
  tag,
  method: 'GET',
  path: '/v1/services/{name}/versions/{version}/evaluation',
  summary: 'Judge a model version against its policy',
  description:
    'Its live figures in one environment (default production) over a window (default 24h) against the model policy: success and error rate, latency at the policy’s percentile, mean confidence, cost per 1,000 requests. `pass`, `fail`, or `insufficient-data` with fewer samples than `minSamples` (never a fail). A criterion the model reports nothing for (no confidences) is not judged (`ok: null`).',
  access: 'viewer',
  scope: { from: 'path', param: 'name' },
  params: ModelVersionParams,
  query: WindowQuery,
  responses: {
    200: { description: 'The verdict and every criterion.', schema: EvaluationView },
    404: { description: 'No such service, version or alias.' },
    409: { description: 'The service is not a model.' },
  },
});

export const compareVersions = defineContract({
  operationId: 'compareModelVersions',
  group,
  tag,
  method: 'GET',
  path: '/v1/services/{name}/compare',
  summary: 'Compare model versions side by side',
  description:
    'One row per version: its card’s training metrics, its live figures in one environment (default production) over the window, and against the first version (the reference) the differences and, for the error rate (two-proportion z-test) and latency (Mann-Whitney U from the sketches’ bins, ties corrected), a p-value with `better` or `worse` only where p < 0.05, else `no-significant-difference`.',
  access: 'viewer',
  scope: { from: 'path', param: 'name' },
  params: ServiceName,
  query: CompareQuery,
  responses: {
    200: { description: 'The comparison.', schema: ComparisonView },
    400: { description: 'Fewer than two or more than ten versions, or one listed twice.' },
    404: { description: 'No such service, version or alias.' },
    409: { description: 'The service is not a model.' },
  },
});

export const evaluationContracts = [getEvaluation, compareVersions];
