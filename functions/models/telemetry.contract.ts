import { defineContract } from '#kernel/http/operation';
import { ServiceName } from '#kernel/schemas/mini';
import { InferenceBatch, InferenceBatchResult, ModelVersionParams, PerformanceView, WindowQuery } from './telemetry.schema.ts';

/** Inference telemetry's contracts (issue 10, item 4). Behaviour is in telemetry.routes.ts. */

/** A batch's body may be this large: 5,000 records of up to about 800 bytes each. */
export const MAX_INFERENCE_BODY_BYTES = 4 * 1024 * 1024;

const tag = 'Models';
const group = 'models';

export const ingestInferences = defineContract({
  operationId: 'ingestInferences',
  group,
  tag,
  method: 'POST',
  path: '/v1/services/{name}/inferences',
  summary: 'Report inferences of a model',
  description:
    'Up to 5,000 records a request, aggregated per version, environment and minute (and hour and day): counts, errors by type, tokens, cost from the version’s card pricing (USD), latency and confidence as quantile sketches. No record is stored on its own. A record with a negative latency, a confidence outside 0–1, a version the model does not have, or `at` more than 1 hour ahead or 14 days back is listed in `rejected` with the reason; the rest are counted. Concurrent writers never lose a count. The `ingest` role may call this route and nothing else.',
  access: 'ingest',
  scope: { from: 'path', param: 'name' },
  params: ServiceName,
  body: InferenceBatch,
  // 5,000 records with client names and error types pass the default 1 MB; Lambda takes 6 MB.
  maxBodyBytes: MAX_INFERENCE_BODY_BYTES,
  responses: {
    202: { description: 'Counted; what was refused is listed.', schema: InferenceBatchResult },
    400: { description: 'No records, or more than 5,000.' },
    404: { description: 'No such service.' },
    409: { description: 'The service is not a model.' },
    503: { description: 'Too many writers at once on one version; send the batch again.' },
  },
});

export const getPerformance = defineContract({
  operationId: 'getModelPerformance',
  group,
  tag,
  method: 'GET',
  path: '/v1/services/{name}/versions/{version}/performance',
  summary: 'How a model version performs',
  description:
    'Its inferences in one environment (default the production environment) over a window: `window=1h|24h|7d` ending now, or `from`/`to`. Windows under 6 hours are read in minutes, longer ones in hours; the window read is widened to whole minutes or hours and returned. Latency and confidence quantiles are within 1% of the exact values. `version` may be `@alias`.',
  access: 'viewer',
  scope: { from: 'path', param: 'name' },
  params: ModelVersionParams,
  query: WindowQuery,
  responses: {
    200: { description: 'Its figures over the window, and the series by minute or hour.', schema: PerformanceView },
    404: { description: 'No such service, version or alias.' },
    409: { description: 'The service is not a model.' },
  },
});

export const telemetryContracts = [ingestInferences, getPerformance];
