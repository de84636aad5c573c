import { defineContract } from '#kernel/http/operation';
import { YAML_CONTENT_TYPES } from '#kernel/http/media-types';
import { ConfigDocumentSchema, ExportQuery, ImportQuery, ImportResultView } from './transfer.schema.ts';
import { ServiceName } from '#kernel/schemas/mini';

/**
 * Export and import: the config-transfer function (Ajv and YAML). In a module of their own, so
 * that function bundles these contracts and not the others' (#contracts/configs lists them all).
 */

const tag = 'Configuration';

export const exportConfig = defineContract({
  operationId: 'exportConfig',
  group: 'config-transfer',
  tag,
  method: 'GET',
  path: '/v1/services/{name}/configs/export',
  summary: 'Export every layer, the variables and the schema',
  description: 'As JSON or YAML (`?format=yaml`). Secret values are never part of it.',
  access: 'viewer',
  scope: { from: 'path', param: 'name' },
  params: ServiceName,
  query: ExportQuery,
  responses: {
    200: { description: 'The configuration document.', schema: ConfigDocumentSchema },
    404: { description: 'No such service.' },
  },
});

export const importConfig = defineContract({
  operationId: 'importConfig',
  group: 'config-transfer',
  tag,
  method: 'POST',
  path: '/v1/services/{name}/configs/import',
  summary: 'Import a configuration document',
  description:
    'The export format, as JSON or YAML by Content-Type. The whole document is validated before anything is written, then applied as one change. `?dryRun=true` answers what would change and writes nothing.',
  access: 'deployer',
  scope: { from: 'path', param: 'name' },
  params: ServiceName,
  query: ImportQuery,
  body: ConfigDocumentSchema,
  bodyMediaTypes: ['application/json', ...YAML_CONTENT_TYPES],
  responses: {
    200: { description: 'What changed (or, in a dry run, what would).', schema: ImportResultView },
    404: { description: 'No such service.' },
  },
});
