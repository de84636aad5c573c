import { defineContract } from '#kernel/http/operation';
import {
  JsonObjectSchema,
  LayerParams,
  LayerPut,
  LayerVersionView,
  RollbackBody,
  SchemaView,
  VariablesPut,
  VariablesView,
} from './configs.schema.ts';
import { ServiceName } from '#kernel/schemas/mini';

/**
 * Writing configuration: the config-writes function (Ajv). In a module of their own, so that
 * function bundles these contracts and not the others' (#contracts/configs lists them all).
 */

const tag = 'Configuration';
const layerEtagHeader = { ETag: { description: 'The layer’s ETag, for If-Match.' } };

export const putConfigSchema = defineContract({
  operationId: 'putConfigSchema',
  group: 'config-writes',
  tag,
  method: 'PUT',
  path: '/v1/services/{name}/config-schema',
  summary: 'Set the configuration schema',
  description:
    'A JSON Schema (draft 2020-12). Later configuration writes whose resolved result violates it are refused with every violation.',
  access: 'deployer',
  scope: { from: 'path', param: 'name' },
  params: ServiceName,
  body: JsonObjectSchema,
  responses: { 200: { description: 'The schema, versioned.', schema: SchemaView }, 404: { description: 'No such service.' } },
});

export const putConfig = defineContract({
  operationId: 'putConfig',
  group: 'config-writes',
  tag,
  method: 'PUT',
  path: '/v1/services/{name}/configs/{env}',
  summary: 'Write a configuration layer',
  description:
    'Makes a new immutable version of the layer (`base` or an environment). Refused, with nothing written, when the chain would loop or name a missing layer, when a placeholder has no variable, when a resolved configuration would exceed 256 KB (413), or when it would violate the schema.',
  access: 'deployer',
  scope: { from: 'path', param: 'name' },
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

export const putConfigVariables = defineContract({
  operationId: 'putConfigVariables',
  group: 'config-writes',
  tag,
  method: 'PUT',
  path: '/v1/services/{name}/configs/{env}/variables',
  summary: "Set an environment's variables",
  description:
    'Replaces the whole set. `${var:NAME}` placeholders in the environment’s chain are filled from it; a change that leaves a placeholder without a variable is refused.',
  access: 'deployer',
  scope: { from: 'path', param: 'name' },
  params: LayerParams,
  body: VariablesPut,
  responses: { 200: { description: 'The variables.', schema: VariablesView }, 404: { description: 'No such service.' } },
});

export const rollbackConfig = defineContract({
  operationId: 'rollbackConfig',
  group: 'config-writes',
  tag,
  method: 'POST',
  path: '/v1/services/{name}/configs/{env}/rollback',
  summary: 'Roll a layer back',
  description: 'Makes a new version with the content of `toVersion`; nothing is rewritten. Checked like any write.',
  access: 'deployer',
  scope: { from: 'path', param: 'name' },
  params: LayerParams,
  body: RollbackBody,
  requestHeaders: ['If-Match'],
  responses: {
    200: { description: 'The new version.', schema: LayerVersionView, headers: layerEtagHeader },
    404: { description: 'No such version.' },
  },
});
