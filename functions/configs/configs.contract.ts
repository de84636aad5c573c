import { exportConfig, importConfig } from './transfer.contract.ts';
import { putConfig, putConfigSchema, putConfigVariables, rollbackConfig } from './writes.contract.ts';
import { defineContract } from '#kernel/http/operation';
import {
  DiffQuery,
  DiffView,
  LayerParams,
  LayerVersionPage,
  LayerVersionParams,
  LayerVersionView,
  LayersView,
  ListQuery,
  ResolvedQuery,
  ResolvedView,
  SchemaView,
  VariablesView,
} from './configs.schema.ts';
import { ServiceName } from '#kernel/schemas/mini';

export { exportConfig, importConfig, putConfig, putConfigSchema, putConfigVariables, rollbackConfig };

const tag = 'Configuration';
// Three functions, by what they bundle: reads (the hot fetch path, small, here), writes (Ajv:
// #contracts/config-writes) and export/import (Ajv and YAML: #contracts/config-transfer).
const readGroup = 'configs';

export const getConfigSchema = defineContract({
  operationId: 'getConfigSchema',
  group: readGroup,
  tag,
  method: 'GET',
  path: '/v1/services/{name}/config-schema',
  summary: 'Get the configuration schema',
  access: 'viewer',
  scope: { from: 'path', param: 'name' },
  params: ServiceName,
  responses: { 200: { description: 'The schema.', schema: SchemaView }, 404: { description: 'No schema set.' } },
});

export const listConfigLayers = defineContract({
  operationId: 'listConfigLayers',
  group: readGroup,
  tag,
  method: 'GET',
  path: '/v1/services/{name}/configs',
  summary: 'List configuration layers',
  description: 'Every layer (base and environments) with its latest version, what it extends and its variables revision.',
  access: 'viewer',
  scope: { from: 'path', param: 'name' },
  params: ServiceName,
  responses: { 200: { description: 'The layers.', schema: LayersView } },
});

export const getConfig = defineContract({
  operationId: 'getConfig',
  group: readGroup,
  tag,
  method: 'GET',
  path: '/v1/services/{name}/configs/{env}',
  summary: 'Fetch the resolved configuration',
  description:
    'The deep merge of the chain with variables filled in. Send the ETag back in If-None-Match: while nothing changed the answer is 304 with no body, from one table read. `?raw=true` returns the layer as written.',
  access: 'viewer',
  scope: { from: 'path', param: 'name' },
  params: LayerParams,
  query: ResolvedQuery,
  requestHeaders: ['If-None-Match'],
  responses: {
    200: {
      description: 'The resolved configuration (or, with raw=true, the layer).',
      schema: ResolvedView,
      headers: { ETag: { description: 'Send it back in If-None-Match.' } },
    },
    304: { description: 'Not modified since the ETag in If-None-Match.' },
    404: { description: 'No configuration for this environment.' },
  },
});

export const getConfigVariables = defineContract({
  operationId: 'getConfigVariables',
  group: readGroup,
  tag,
  method: 'GET',
  path: '/v1/services/{name}/configs/{env}/variables',
  summary: "Get an environment's variables",
  access: 'viewer',
  scope: { from: 'path', param: 'name' },
  params: LayerParams,
  responses: { 200: { description: 'The variables (empty when none are set).', schema: VariablesView } },
});

export const listConfigVersions = defineContract({
  operationId: 'listConfigVersions',
  group: readGroup,
  tag,
  method: 'GET',
  path: '/v1/services/{name}/configs/{env}/versions',
  summary: "A layer's versions, newest first",
  access: 'viewer',
  scope: { from: 'path', param: 'name' },
  params: LayerParams,
  query: ListQuery,
  responses: { 200: { description: 'A page of versions.', schema: LayerVersionPage } },
});

export const getConfigVersion = defineContract({
  operationId: 'getConfigVersion',
  group: readGroup,
  tag,
  method: 'GET',
  path: '/v1/services/{name}/configs/{env}/versions/{version}',
  summary: 'One version of a layer',
  access: 'viewer',
  scope: { from: 'path', param: 'name' },
  params: LayerVersionParams,
  responses: { 200: { description: 'The version.', schema: LayerVersionView }, 404: { description: 'No such version.' } },
});

export const diffConfigVersions = defineContract({
  operationId: 'diffConfigVersions',
  group: readGroup,
  tag,
  method: 'GET',
  path: '/v1/services/{name}/configs/{env}/diff',
  summary: 'Compare two versions of a layer',
  description: 'An RFC 6902 JSON Patch that turns version `from` into version `to` (default: the latest).',
  access: 'viewer',
  scope: { from: 'path', param: 'name' },
  params: LayerParams,
  query: DiffQuery,
  responses: { 200: { description: 'The patch.', schema: DiffView }, 404: { description: 'No such version.' } },
});

export const configContracts = [
  putConfigSchema,
  getConfigSchema,
  listConfigLayers,
  exportConfig,
  importConfig,
  putConfig,
  getConfig,
  putConfigVariables,
  getConfigVariables,
  listConfigVersions,
  getConfigVersion,
  diffConfigVersions,
  rollbackConfig,
];
