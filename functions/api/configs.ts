import { stringify } from 'yaml';
import { commandContext } from '#api/context';
import { diffLayerVersions, fetchResolved, readLayerVersion } from '#commands/config-reads';
import { exportConfig, importConfig } from '#commands/config-transfer';
import { putLayer, putSchema, putVariables, rollbackLayer } from '#commands/configs';
import { layerEtag } from '#domain/config';
import { NotFoundError } from '#domain/errors';
import { parseJsonOrYaml, YAML_CONTENT_TYPES } from '#http/json-or-yaml-body';
import { defineOperation, type Operation } from '#http/operation';
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
import { getConfigHead, getSchema, getVariables, type LayerVersion, listLayerVersions } from '#store/configs';

const tag = 'Configuration';
const group = 'configs';
const layerEtagHeader = { ETag: { description: 'The layer’s ETag, for If-Match.' } };

function layerView(version: LayerVersion) {
  return { ...version, etag: layerEtag(version.version) };
}

const putSchemaOperation = defineOperation({
  operationId: 'putConfigSchema',
  group,
  tag,
  method: 'PUT',
  path: '/v1/services/{name}/config-schema',
  summary: 'Set the configuration schema',
  description: 'A JSON Schema (draft 2020-12). Later configuration writes whose resolved result violates it are refused with every violation.',
  access: 'deployer',
  serviceParam: 'name',
  params: ServiceName,
  body: JsonObjectSchema,
  responses: { 200: { description: 'The schema, versioned.', schema: SchemaView }, 404: { description: 'No such service.' } },
  handle: async (request) => ({ status: 200, body: await putSchema(request.params.name, request.body, commandContext(request)) }),
});

const getSchemaOperation = defineOperation({
  operationId: 'getConfigSchema',
  group,
  tag,
  method: 'GET',
  path: '/v1/services/{name}/config-schema',
  summary: 'Get the configuration schema',
  access: 'viewer',
  serviceParam: 'name',
  params: ServiceName,
  responses: { 200: { description: 'The schema.', schema: SchemaView }, 404: { description: 'No schema set.' } },
  handle: async (request) => {
    const schema = await getSchema(request.params.name);
    if (!schema) throw new NotFoundError(`Service ${request.params.name} has no configuration schema.`);
    return { status: 200, body: schema };
  },
});

const listLayersOperation = defineOperation({
  operationId: 'listConfigLayers',
  group,
  tag,
  method: 'GET',
  path: '/v1/services/{name}/configs',
  summary: 'List configuration layers',
  description: 'Every layer (base and environments) with its latest version, what it extends and its variables revision.',
  access: 'viewer',
  serviceParam: 'name',
  params: ServiceName,
  responses: { 200: { description: 'The layers.', schema: LayersView } },
  handle: async (request) => {
    const { head } = await getConfigHead(request.params.name);
    const layers = Object.entries(head.layers)
      .map(([layer, summary]) => ({ layer, ...summary, variablesRev: head.variables[layer] ?? 0 }))
      .sort((a, b) => a.layer.localeCompare(b.layer));
    return { status: 200, body: { service: request.params.name, schemaVersion: head.schemaVersion, layers } };
  },
});

const putLayerOperation = defineOperation({
  operationId: 'putConfig',
  group,
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
  handle: async (request) => {
    const { version, created } = await putLayer(request.params.name, request.params.env, request.body as never, commandContext(request));
    return { status: created ? 201 : 200, body: layerView(version), headers: { etag: layerEtag(version.version) } };
  },
});

const getResolvedOperation = defineOperation({
  operationId: 'getConfig',
  group,
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
    200: { description: 'The resolved configuration (or, with raw=true, the layer).', schema: ResolvedView, headers: { ETag: { description: 'Send it back in If-None-Match.' } } },
    304: { description: 'Not modified since the ETag in If-None-Match.' },
    404: { description: 'No configuration for this environment.' },
  },
  handle: async (request) => {
    if (request.query.raw === 'true') {
      const layer = await readLayerVersion(request.params.name, request.params.env);
      return { status: 200, body: layerView(layer), headers: { etag: layer.etag } };
    }
    const outcome = await fetchResolved(request.params.name, request.params.env, request.headers['if-none-match']);
    if (outcome.notModified) return { status: 304, headers: { etag: outcome.etag } };
    return { status: 200, body: outcome.document, headers: { etag: outcome.document.etag } };
  },
});

const putVariablesOperation = defineOperation({
  operationId: 'putConfigVariables',
  group,
  tag,
  method: 'PUT',
  path: '/v1/services/{name}/configs/{env}/variables',
  summary: "Set an environment's variables",
  description: 'Replaces the whole set. `${var:NAME}` placeholders in the environment’s chain are filled from it; a change that leaves a placeholder without a variable is refused.',
  access: 'deployer',
  serviceParam: 'name',
  params: LayerParams,
  body: VariablesPut,
  responses: { 200: { description: 'The variables.', schema: VariablesView }, 404: { description: 'No such service.' } },
  handle: async (request) => ({ status: 200, body: await putVariables(request.params.name, request.params.env, request.body as Record<string, string>, commandContext(request)) }),
});

const getVariablesOperation = defineOperation({
  operationId: 'getConfigVariables',
  group,
  tag,
  method: 'GET',
  path: '/v1/services/{name}/configs/{env}/variables',
  summary: "Get an environment's variables",
  access: 'viewer',
  serviceParam: 'name',
  params: LayerParams,
  responses: { 200: { description: 'The variables (empty when none are set).', schema: VariablesView } },
  handle: async (request) => {
    const stored = await getVariables(request.params.name, request.params.env);
    return { status: 200, body: stored ?? { environment: request.params.env, variables: {}, rev: 0, updatedAt: null } };
  },
});

const listVersionsOperation = defineOperation({
  operationId: 'listConfigVersions',
  group,
  tag,
  method: 'GET',
  path: '/v1/services/{name}/configs/{env}/versions',
  summary: "A layer's versions, newest first",
  access: 'viewer',
  serviceParam: 'name',
  params: LayerParams,
  query: ListQuery,
  responses: { 200: { description: 'A page of versions.', schema: LayerVersionPage } },
  handle: async (request) => {
    const page = await listLayerVersions(request.params.name, request.params.env, request.query);
    return { status: 200, body: { items: page.items.map(layerView), nextCursor: page.nextCursor } };
  },
});

const getVersionOperation = defineOperation({
  operationId: 'getConfigVersion',
  group,
  tag,
  method: 'GET',
  path: '/v1/services/{name}/configs/{env}/versions/{version}',
  summary: 'One version of a layer',
  access: 'viewer',
  serviceParam: 'name',
  params: LayerVersionParams,
  responses: { 200: { description: 'The version.', schema: LayerVersionView }, 404: { description: 'No such version.' } },
  handle: async (request) => ({ status: 200, body: layerView(await readLayerVersion(request.params.name, request.params.env, request.params.version)) }),
});

const diffOperation = defineOperation({
  operationId: 'diffConfigVersions',
  group,
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
  handle: async (request) => ({ status: 200, body: await diffLayerVersions(request.params.name, request.params.env, request.query.from, request.query.to) }),
});

const rollbackOperation = defineOperation({
  operationId: 'rollbackConfig',
  group,
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
  responses: { 200: { description: 'The new version.', schema: LayerVersionView, headers: layerEtagHeader }, 404: { description: 'No such version.' } },
  handle: async (request) => {
    const { version } = await rollbackLayer(request.params.name, request.params.env, request.body.toVersion, commandContext(request));
    return { status: 200, body: layerView(version), headers: { etag: layerEtag(version.version) } };
  },
});

const exportOperation = defineOperation({
  operationId: 'exportConfig',
  group,
  tag,
  method: 'GET',
  path: '/v1/services/{name}/configs/export',
  summary: 'Export every layer, the variables and the schema',
  description: 'As JSON or YAML (`?format=yaml`). Secret values are never part of it.',
  access: 'viewer',
  serviceParam: 'name',
  params: ServiceName,
  query: ExportQuery,
  responses: { 200: { description: 'The configuration document.', schema: ConfigDocumentSchema }, 404: { description: 'No such service.' } },
  handle: async (request) => {
    const document = await exportConfig(request.params.name);
    return request.query.format === 'yaml'
      ? { status: 200, contentType: 'application/yaml', body: stringify(document) }
      : { status: 200, body: document };
  },
});

const importOperation = defineOperation({
  operationId: 'importConfig',
  group,
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
  parseBody: parseJsonOrYaml,
  bodyMediaTypes: ['application/json', ...YAML_CONTENT_TYPES],
  responses: { 200: { description: 'What changed (or, in a dry run, what would).', schema: ImportResultView }, 404: { description: 'No such service.' } },
  handle: async (request) => ({
    status: 200,
    body: await importConfig(request.params.name, request.body as never, request.query.dryRun === 'true', commandContext(request)),
  }),
});

export const configOperations: Operation[] = [
  putSchemaOperation,
  getSchemaOperation,
  listLayersOperation,
  exportOperation,
  importOperation,
  putLayerOperation,
  getResolvedOperation,
  putVariablesOperation,
  getVariablesOperation,
  listVersionsOperation,
  getVersionOperation,
  diffOperation,
  rollbackOperation,
];
