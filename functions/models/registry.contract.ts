import { defineContract } from '#kernel/http/operation';
import { ServiceName } from '#kernel/schemas/mini';
import { CostsQuery, CostsView, DeprecationsQuery, DeprecationsView, ModelStatsView, ModelsPage, ModelsQuery } from './registry.schema.ts';

/** The model registry's views (issue 10, items 11 and 12). Behaviour is in registry.routes.ts. */

const tag = 'Models';
const group = 'models';

export const listModels = defineContract({
  operationId: 'listModels',
  group,
  tag,
  method: 'GET',
  path: '/v1/models',
  summary: 'Every model at a glance',
  description:
    'The services of kind `model` the key may see, by name: versions by serving status, the active version, aliases, and the last 24 hours’ requests, error rate and cost (every environment).',
  access: 'viewer',
  scope: { from: 'list' },
  query: ModelsQuery,
  responses: { 200: { description: 'A page of models.', schema: ModelsPage } },
});

export const modelStats = defineContract({
  operationId: 'modelStats',
  group,
  tag,
  method: 'GET',
  path: '/v1/models/stats',
  summary: 'Totals across models',
  description: 'Versions by serving status, the last 24 hours’ inferences and cost, and the top five models by traffic and by cost.',
  access: 'viewer',
  scope: { from: 'list' },
  responses: { 200: { description: 'The totals.', schema: ModelStatsView } },
});

export const modelCosts = defineContract({
  operationId: 'modelCosts',
  group,
  tag,
  method: 'GET',
  path: '/v1/services/{name}/costs',
  summary: 'What a model cost',
  description:
    'From its inferences and the cards’ pricing (USD) over whole UTC days, `from` to `to` (at most 400 days), grouped by day or by version; one environment or every one.',
  access: 'viewer',
  scope: { from: 'path', param: 'name' },
  params: ServiceName,
  query: CostsQuery,
  responses: {
    200: { description: 'The costs.', schema: CostsView },
    400: { description: '`from` after `to`, or more than 400 days.' },
    404: { description: 'No such service.' },
    409: { description: 'The service is not a model.' },
  },
});

export const listDeprecations = defineContract({
  operationId: 'listDeprecations',
  group,
  tag,
  method: 'GET',
  path: '/v1/deprecations',
  summary: 'Deprecated versions and their sunsets',
  description:
    'Every deprecated version of the services the key may see, models and APIs, soonest sunset first: days left, severity (`critical` under 7 days, `warning` within the warning threshold), the replacement, and for a model who still calls it (the last 7 days by client).',
  access: 'viewer',
  scope: { from: 'list', query: 'service' },
  query: DeprecationsQuery,
  responses: { 200: { description: 'The deprecated versions.', schema: DeprecationsView } },
});

export const registryContracts = [listModels, modelStats, modelCosts, listDeprecations];
