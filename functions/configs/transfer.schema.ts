import * as z from 'zod/mini';
import { JsonObjectSchema, LayerName, VariablesPut } from './values.schema.ts';

/*
 * The export/import document and its routes' queries and result (transfer.contract.ts): apart
 * from configs.schema.ts, so that the config-transfer function, which also bundles Ajv and a
 * YAML parser, does not bundle the other configuration routes' schemas (zod schemas are built
 * when their module loads, so a bundle keeps every schema of every module it imports).
 */

export const ExportQuery = z.strictObject({ format: z._default(z.enum(['json', 'yaml']), 'json') });
export const ImportQuery = z.strictObject({ dryRun: z.optional(z.enum(['true', 'false'])) });

export const ConfigDocumentSchema = z
  .strictObject({
    format: z.optional(z.literal('steward-config/v1')),
    service: z.optional(z.string()).check(z.meta({ description: 'Informational: a document may be imported into another service.' })),
    exportedAt: z.optional(z.string()),
    schema: z.optional(z.nullable(JsonObjectSchema)),
    layers: z.optional(z.record(LayerName, z.strictObject({ extends: z.optional(z.nullable(LayerName)), values: JsonObjectSchema }))),
    variables: z.optional(z.record(LayerName, VariablesPut)),
  })
  .check(z.meta({ id: 'ConfigDocument', description: 'Every layer, the environments’ variables and the schema. Never secret values.' }));

export const ImportResultView = z
  .object({
    dryRun: z.boolean(),
    changes: z.array(
      z.object({
        kind: z.enum(['schema', 'layer', 'variables']),
        name: z.string(),
        action: z.enum(['create', 'update', 'unchanged']),
        patch: z.array(z.unknown()),
      }),
    ),
  })
  .check(z.meta({ id: 'ConfigImportResult' }));
