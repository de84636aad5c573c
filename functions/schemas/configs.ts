import * as z from 'zod';
import { RESERVED_LAYER_NAMES } from '#domain/config';
import { Actor, EnvironmentName, ListQuery, pageOf, Slug, Timestamp } from '#schemas/common';

/** `base` or an environment name; `export` and `import` are taken by the routes beside it. */
export const LayerName = EnvironmentName.refine((value) => !(RESERVED_LAYER_NAMES as readonly string[]).includes(value), {
  message: `must not be ${RESERVED_LAYER_NAMES.join(' or ')}`,
}).meta({ description: '`base`, or an environment name.', example: 'prod' });

export const LayerParams = z.strictObject({ name: Slug, env: LayerName });
export const LayerVersionParams = LayerParams.extend({
  version: z.coerce.number().int().min(1).meta({ description: 'A version number of the layer, from 1.' }),
});

export const JsonObjectSchema = z.record(z.string(), z.unknown()).meta({ description: 'A JSON object.' });

export const LayerPut = z
  .strictObject({
    values: JsonObjectSchema,
    extends: LayerName.nullable().optional().meta({ description: 'The layer this one is merged over: `base` or another environment.' }),
    message: z.string().max(500).optional().meta({ description: 'Why, for the history.' }),
  })
  .meta({ id: 'ConfigLayerPut' });

export const VariablesPut = z
  .record(
    z.string().regex(/^[A-Za-z_][A-Za-z0-9_]{0,63}$/, 'variable names are letters, digits and _, starting with a letter or _'),
    z.string().max(4096),
  )
  .refine((value) => Object.keys(value).length <= 200, 'at most 200 variables')
  .meta({ id: 'ConfigVariables', description: 'A flat object of variable name → string value.', example: { DB_HOST: 'db.prod.internal' } });

export const RollbackBody = z.strictObject({ toVersion: z.number().int().min(1) }).meta({ id: 'ConfigRollback' });

export const ResolvedQuery = z.strictObject({
  raw: z.enum(['true', 'false']).optional().meta({ description: '`true` returns the layer as written, unresolved.' }),
});

export const DiffQuery = z.strictObject({
  from: z.coerce.number().int().min(1),
  to: z.coerce.number().int().min(1).optional().meta({ description: 'Default: the latest version.' }),
});

export const ExportQuery = z.strictObject({ format: z.enum(['json', 'yaml']).default('json') });
export const ImportQuery = z.strictObject({ dryRun: z.enum(['true', 'false']).optional() });

export const LayerVersionView = z
  .object({
    service: z.string(),
    layer: z.string(),
    version: z.number().int(),
    extends: z.string().nullable(),
    values: JsonObjectSchema,
    message: z.string().nullable(),
    author: Actor,
    createdAt: Timestamp,
    restoredFrom: z.number().int().nullable(),
    etag: z.string(),
  })
  .meta({ id: 'ConfigLayerVersion' });

export const LayerVersionPage = pageOf(LayerVersionView, 'ConfigLayerVersionPage');

export const ResolvedView = z
  .object({
    service: z.string(),
    environment: z.string(),
    version: z.number().int(),
    etag: z.string(),
    layers: z.array(z.object({ layer: z.string(), version: z.number().int() })),
    variablesRev: z.number().int(),
    schemaVersion: z.number().int().nullable(),
    values: JsonObjectSchema,
  })
  .meta({ id: 'ResolvedConfig' });

export const LayersView = z
  .object({
    service: z.string(),
    schemaVersion: z.number().int().nullable(),
    layers: z.array(
      z.object({
        layer: z.string(),
        version: z.number().int(),
        extends: z.string().nullable(),
        updatedAt: Timestamp,
        variablesRev: z.number().int(),
      }),
    ),
  })
  .meta({ id: 'ConfigLayers' });

export const VariablesView = z
  .object({ environment: z.string(), variables: z.record(z.string(), z.string()), rev: z.number().int(), updatedAt: Timestamp.nullable() })
  .meta({ id: 'ConfigVariablesView' });

export const SchemaView = z
  .object({ version: z.number().int(), updatedAt: Timestamp, schema: JsonObjectSchema })
  .meta({ id: 'ConfigSchema' });

export const DiffView = z
  .object({
    layer: z.string(),
    from: z.number().int(),
    to: z.number().int(),
    extends: z.object({ from: z.string().nullable(), to: z.string().nullable() }),
    patch: z.array(z.record(z.string(), z.unknown())).meta({ description: 'RFC 6902 JSON Patch from `from` to `to`.' }),
  })
  .meta({ id: 'ConfigDiff' });

export const ConfigDocumentSchema = z
  .strictObject({
    format: z.literal('steward-config/v1').optional(),
    service: z.string().optional().meta({ description: 'Informational: a document may be imported into another service.' }),
    exportedAt: z.string().optional(),
    schema: JsonObjectSchema.nullable().optional(),
    layers: z.record(LayerName, z.strictObject({ extends: LayerName.nullable().optional(), values: JsonObjectSchema })).optional(),
    variables: z.record(LayerName, VariablesPut).optional(),
  })
  .meta({ id: 'ConfigDocument', description: 'Every layer, the environments’ variables and the schema. Never secret values.' });

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
  .meta({ id: 'ConfigImportResult' });

export { ListQuery };
