import { defineContract } from '#kernel/http/operation';
import { ServiceName } from '#kernel/schemas/mini';
import { AliasList, AliasParams, AliasPut, AliasView, DeployabilityQuery, DeployabilityView, ProductionView } from './lifecycle.schema.ts';
import { ModelVersionParams } from './telemetry.schema.ts';

/** Aliases, serving status and deployability of a model's versions (issue 10, items 2, 3 and 7). Behaviour is in lifecycle.routes.ts. */

const tag = 'Models';
const group = 'models';

export const putAlias = defineContract({
  operationId: 'putModelAlias',
  group,
  tag,
  method: 'PUT',
  path: '/v1/services/{name}/aliases/{alias}',
  summary: 'Point an alias at a version',
  description:
    'Sets or moves `@alias` (MLflow’s `@champion`) to a version of the model; never to a retired one (409). Audited as `model.alias_set` with the version before and after. `GET /v1/services/{name}/versions/@alias` and the model routes resolve it.',
  access: 'deployer',
  scope: { from: 'path', param: 'name' },
  params: AliasParams,
  body: AliasPut,
  responses: {
    200: { description: 'The alias.', schema: AliasView },
    404: { description: 'No such service or version.' },
    409: { description: 'The service is not a model, or the version is retired.' },
  },
});

export const listAliases = defineContract({
  operationId: 'listModelAliases',
  group,
  tag,
  method: 'GET',
  path: '/v1/services/{name}/aliases',
  summary: 'A model’s aliases',
  access: 'viewer',
  scope: { from: 'path', param: 'name' },
  params: ServiceName,
  responses: {
    200: { description: 'Every alias, by name.', schema: AliasList },
    404: { description: 'No such service.' },
    409: { description: 'The service is not a model.' },
  },
});

export const deleteAlias = defineContract({
  operationId: 'deleteModelAlias',
  group,
  tag,
  method: 'DELETE',
  path: '/v1/services/{name}/aliases/{alias}',
  summary: 'Remove an alias',
  description: 'Audited as `model.alias_removed`.',
  access: 'deployer',
  scope: { from: 'path', param: 'name' },
  params: AliasParams,
  responses: {
    204: { description: 'Removed.' },
    404: { description: 'No such service or alias.' },
    409: { description: 'The service is not a model.' },
  },
});

export const getProduction = defineContract({
  operationId: 'getModelProduction',
  group,
  tag,
  method: 'GET',
  path: '/v1/services/{name}/production',
  summary: 'What serves the model in production',
  description:
    'The active version of the production environment and since when, any canary with its weight and since when, and every version with its serving status (derived from the environments’ weights and the lifecycle, never stored apart) and aliases.',
  access: 'viewer',
  scope: { from: 'path', param: 'name' },
  params: ServiceName,
  responses: {
    200: { description: 'Production.', schema: ProductionView },
    404: { description: 'No such service.' },
    409: { description: 'The service is not a model.' },
  },
});

export const getDeployability = defineContract({
  operationId: 'getModelDeployability',
  group,
  tag,
  method: 'GET',
  path: '/v1/services/{name}/versions/{version}/deployability',
  summary: 'May this version be deployed?',
  description:
    'Retired: never. Deprecated: no, with its replacement named. Draft: not yet. To production, with `enforcePerformanceThresholds`: a `pass` evaluation over the last 7 days from another environment (too little data is a reason), and under `maxCostPer1kRequests` at the card’s pricing and the service’s observed token mix. Starting a deployment of a model runs the same check and answers 409 with the reasons, unless an admin sends `override: { reason }`.',
  access: 'viewer',
  scope: { from: 'path', param: 'name' },
  params: ModelVersionParams,
  query: DeployabilityQuery,
  responses: {
    200: { description: 'The decision and its reasons.', schema: DeployabilityView },
    404: { description: 'No such service, version or alias.' },
    409: { description: 'The service is not a model.' },
  },
});

export const lifecycleContracts = [putAlias, listAliases, deleteAlias, getProduction, getDeployability];
