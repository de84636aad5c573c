import { defineContract } from '#kernel/http/operation';
import { MetricsIngest, MetricsIngestResult, MetricsQuery, MetricsQueryResult } from './metrics.schema.ts';

/** The metrics routes' contracts: validation and OpenAPI only. Behaviour is in functions/metrics/metrics.routes.ts. */

const tag = 'Metrics';
const group = 'metrics';

export const ingestMetrics = defineContract({
  operationId: 'ingestMetrics',
  group,
  tag,
  method: 'POST',
  path: '/v1/metrics',
  summary: 'Push metric samples',
  description:
    'Up to 1,000 samples a request, each labelled with its `service`; a key scoped to services may write samples of those only. Timestamps may be up to 24 hours in the past and 5 minutes in the future (default now). Samples are kept 14 days. A bad sample is a 400 pointing at it (`/body/samples/<i>/...`), and then none are stored.',
  access: 'deployer',
  scope: { from: 'body', field: 'samples.*.labels.service' },
  body: MetricsIngest,
  responses: {
    200: { description: 'Stored.', schema: MetricsIngestResult },
    403: { description: 'A sample names a service the key is not scoped to.' },
  },
});

export const queryMetrics = defineContract({
  operationId: 'queryMetrics',
  group,
  tag,
  method: 'GET',
  path: '/v1/metrics/query',
  summary: 'Aggregate a metric over time',
  description:
    'The samples of `name` for the service in `labels` (and every other label given) between `from` and `to`, cut into steps of `step` aligned on the epoch and reduced by `agg` over all matching series. The window is at most 7 days and at most 1,000 steps.',
  access: 'viewer',
  scope: { from: 'query', field: 'labels.service' },
  query: MetricsQuery,
  responses: {
    200: { description: 'The points.', schema: MetricsQueryResult },
    400: { description: 'A bad selector, window (from after to, longer than 7 days, more than 1,000 steps) or too many samples in it.' },
    403: { description: 'The key is not scoped to the service.' },
  },
});

export const metricContracts = [ingestMetrics, queryMetrics];
