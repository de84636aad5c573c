import { defineContract } from '#http/operation';
import { YAML_CONTENT_TYPES } from '#http/media-types';
import {
  ConfigDocumentSchema,
  DiffQuery,
  DiffView,
  ExportQuery,
  ImportQuery,
  ImportResultView,
  JsonObjectSchema,
  LayerParams,
  LayerPut,
  LayersView,
  LayerVersionPage,
  LayerVersionParams,
  LayerVersionView,
  ListQuery,
  ResolvedQuery,
  ResolvedView,
  RollbackBody,
  SchemaView,
  VariablesPut,
  VariablesView,
} from '#schemas/configs';
import { ServiceName } from '#schemas/services';

const tag = 'Configuration';
// Three functions, by what they bundle: reads (the hot fetch path, small), writes (Ajv), and
// export/import (Ajv and YAML).
const readGroup = 'configs';
const writeGroup = 'config-writes';
const transferGroup = 'config-transfer';
const layerEtagHeader = { ETag: { description: 'The layer’s ETag, for If-Match.' } };

export const putConfigSchema = defineContract({
  operationId: 'putConfigSchema',
  group: writeGroup,
  tag,
  method: 'PUT',
  path: '/v1/services/{name}/config-schema',
  summary: 'Set the configuration schema',
  description:
    'A JSON Schema (draft 2020-12). Later configuration writes whose resolved result violates it are refused with every violation.',
  access: 'deployer',
  serviceParam: 'name',
  params: ServiceName,
  body: JsonObjectSchema,
  responses: { 200: { description: 'The schema, versioned.', schema: SchemaView }, 404: { description: 'No such service.' } },
});

export const getConfigSchema = defineContract({
  operationId: 'getConfigSchema',
  group: readGroup,
  tag,
  method: 'GET',
  path: '/v1/services/{name}/config-schema',
  summary: 'Get the configuration schema',
  access: 'viewer',
  serviceParam: 'name',
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
  serviceParam: 'name',
  params: ServiceName,
  responses: { 200: { description: 'The layers.', schema: LayersView } },
});

export const putConfig = defineContract({
  operationId: 'putConfig',
  group: writeGroup,
  tag,
  method: 'PUT',
  path: '/v1/services/{name}/configs/{env}',
  summary: 'Write a configuration layer',
  description:
    'Makes a new immutable version of the layer (`base` or an environment). Refused, with nothing written, when the chain would loop or name a missing layer, when a placeholder has no variable, when a resolved configuration would exceed 256 KB (413), or when it would violate the schema.',
  access: 'deployer',
  serviceParam: 'name',
  params: LayerParams,
  body: LayerPut,
  requestHeaders: ['If-Match'],
  responses: {
    200: { description: 'A new version (or the same one, when nothing changed).', schema: LayerVersionView, headers: layerEtagHeader },
    201: { description: 'The layer’s first version.', schema: LayerVersionView, headers: layerEtagHeader },
    404: { description: 'No such service.' },
    412: { description: 'The layer changed since the ETag in If-Match.' },
  },
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
  serviceParam: 'name',
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

export const putConfigVariables = defineContract({
  operationId: 'putConfigVariables',
  group: writeGroup,
  tag,
  method: 'PUT',
  path: '/v1/services/{name}/configs/{env}/variables',
  summary: "Set an environment's variables",
  description:
    'Replaces the whole set. `${var:NAME}` placeholders in the environment’s chain are filled from it; a change that leaves a placeholder without a variable is refused.',
  access: 'deployer',
  serviceParam: 'name',
  params: LayerParams,
  body: VariablesPut,
  responses: { 200: { description: 'The variables.', schema: VariablesView }, 404: { description: 'No such service.' } },
});

export const getConfigVariables = defineContract({
  operationId: 'getConfigVariables',
  group: readGroup,
  tag,
  method: 'GET',
  path: '/v1/services/{name}/configs/{env}/variables',
  summary: "Get an environment's variables",
  access: 'viewer',
  serviceParam: 'name',
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
  serviceParam: 'name',
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
  serviceParam: 'name',
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
  serviceParam: 'name',
  params: LayerParams,
  query: DiffQuery,
  responses: { 200: { description: 'The patch.', schema: DiffView }, 404: { description: 'No such version.' } },
});

export const rollbackConfig = defineContract({
  operationId: 'rollbackConfig',
  group: writeGroup,
  tag,
  method: 'POST',
  path: '/v1/services/{name}/configs/{env}/rollback',
  summary: 'Roll a layer back',
  description: 'Makes a new version with the content of `toVersion`; nothing is rewritten. Checked like any write.',
  access: 'deployer',
  serviceParam: 'name',
  params: LayerParams,
  body: RollbackBody,
  requestHeaders: ['If-Match'],
  responses: {
    200: { description: 'The new version.', schema: LayerVersionView, headers: layerEtagHeader },
    404: { description: 'No such version.' },
  },
});

export const exportConfig = defineContract({
  operationId: 'exportConfig',
  group: transferGroup,
  tag,
  method: 'GET',
  path: '/v1/services/{name}/configs/export',
  summary: 'Export every layer, the variables and the schema',
  description: 'As JSON or YAML (`?format=yaml`). Secret values are never part of it.',
  access: 'viewer',
  serviceParam: 'name',
  params: ServiceName,
  query: ExportQuery,
  responses: {
    200: { description: 'The configuration document.', schema: ConfigDocumentSchema },
    404: { description: 'No such service.' },
  },
});

export const importConfig = defineContract({
  operationId: 'importConfig',
  group: transferGroup,
  tag,
  method: 'POST',
  path: '/v1/services/{name}/configs/import',
  summary: 'Import a configuration document',
  description:
    'The export format, as JSON or YAML by Content-Type. The whole document is validated before anything is written, then applied as one change. `?dryRun=true` answers what would change and writes nothing.',
  access: 'deployer',
  serviceParam: 'name',
  params: ServiceName,
  query: ImportQuery,
  body: ConfigDocumentSchema,
  bodyMediaTypes: ['application/json', ...YAML_CONTENT_TYPES],
  responses: {
    200: { description: 'What changed (or, in a dry run, what would).', schema: ImportResultView },
    404: { description: 'No such service.' },
  },
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
