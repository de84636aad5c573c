import * as z from 'zod/mini';
import { RESERVED_LAYER_NAMES } from './config.domain.ts';
import { Actor, EnvironmentName, ListQuery, pageOf, Slug, Timestamp } from '#kernel/schemas/mini';

/*
 * zod/mini, not classic zod: these schemas are bundled by config-writes and config-transfer,
 * which also carry Ajv and YAML (see #schemas/mini). Same core, same issues and messages.
 */

/** `base` or an environment name; `export` and `import` are taken by the routes beside it. */
export const LayerName = EnvironmentName.check(
  z.refine((value) => !(RESERVED_LAYER_NAMES as readonly string[]).includes(value), {
    message: `must not be ${RESERVED_LAYER_NAMES.join(' or ')}`,
  }),
  z.meta({ description: '`base`, or an environment name.', example: 'prod' }),
);

export const LayerParams = z.strictObject({ name: Slug, env: LayerName });
export const LayerVersionParams = z.extend(LayerParams, {
  version: z.coerce.number().check(z.int(), z.gte(1), z.meta({ description: 'A version number of the layer, from 1.' })),
});

export const JsonObjectSchema = z.record(z.string(), z.unknown()).check(z.meta({ description: 'A JSON object.' }));

export const LayerPut = z
  .strictObject({
    values: JsonObjectSchema,
    extends: z
      .optional(z.nullable(LayerName))
      .check(z.meta({ description: 'The layer this one is merged over: `base` or another environment.' })),
    message: z.optional(z.string().check(z.maxLength(500))).check(z.meta({ description: 'Why, for the history.' })),
  })
  .check(z.meta({ id: 'ConfigLayerPut' }));

export const VariablesPut = z
  .record(
    z.string().check(z.regex(/^[A-Za-z_][A-Za-z0-9_]{0,63}$/, 'variable names are letters, digits and _, starting with a letter or _')),
    z.string().check(z.maxLength(4096)),
  )
  .check(
    z.refine((value) => Object.keys(value).length <= 200, 'at most 200 variables'),
    z.meta({
      id: 'ConfigVariables',
      description: 'A flat object of variable name → string value.',
      example: { DB_HOST: 'db.prod.internal' },
    }),
  );

export const RollbackBody = z.strictObject({ toVersion: z.number().check(z.int(), z.gte(1)) }).check(z.meta({ id: 'ConfigRollback' }));

export const ResolvedQuery = z.strictObject({
  raw: z.optional(z.enum(['true', 'false'])).check(z.meta({ description: '`true` returns the layer as written, unresolved.' })),
});

export const DiffQuery = z.strictObject({
  from: z.coerce.number().check(z.int(), z.gte(1)),
  to: z.optional(z.coerce.number().check(z.int(), z.gte(1))).check(z.meta({ description: 'Default: the latest version.' })),
});

export const ExportQuery = z.strictObject({ format: z._default(z.enum(['json', 'yaml']), 'json') });
export const ImportQuery = z.strictObject({ dryRun: z.optional(z.enum(['true', 'false'])) });

const int = () => z.number().check(z.int());

export const LayerVersionView = z
  .object({
    service: z.string(),
    layer: z.string(),
    version: int(),
    extends: z.nullable(z.string()),
    values: JsonObjectSchema,
    message: z.nullable(z.string()),
    author: Actor,
    createdAt: Timestamp,
    restoredFrom: z.nullable(int()),
    etag: z.string(),
  })
  .check(z.meta({ id: 'ConfigLayerVersion' }));

export const LayerVersionPage = pageOf(LayerVersionView, 'ConfigLayerVersionPage');

export const ResolvedView = z
  .object({
    service: z.string(),
    environment: z.string(),
    version: int(),
    etag: z.string(),
    layers: z.array(z.object({ layer: z.string(), version: int() })),
    variablesRev: int(),
    schemaVersion: z.nullable(int()),
    values: JsonObjectSchema,
  })
  .check(z.meta({ id: 'ResolvedConfig' }));

export const LayersView = z
  .object({
    service: z.string(),
    schemaVersion: z.nullable(int()),
    layers: z.array(
      z.object({
        layer: z.string(),
        version: int(),
        extends: z.nullable(z.string()),
        updatedAt: Timestamp,
        variablesRev: int(),
      }),
    ),
  })
  .check(z.meta({ id: 'ConfigLayers' }));

export const VariablesView = z
  .object({ environment: z.string(), variables: z.record(z.string(), z.string()), rev: int(), updatedAt: z.nullable(Timestamp) })
  .check(z.meta({ id: 'ConfigVariablesView' }));

export const SchemaView = z
  .object({ version: int(), updatedAt: Timestamp, schema: JsonObjectSchema })
  .check(z.meta({ id: 'ConfigSchema' }));

export const DiffView = z
  .object({
    layer: z.string(),
    from: int(),
    to: int(),
    extends: z.object({ from: z.nullable(z.string()), to: z.nullable(z.string()) }),
    patch: z.array(z.record(z.string(), z.unknown())).check(z.meta({ description: 'RFC 6902 JSON Patch from `from` to `to`.' })),
  })
  .check(z.meta({ id: 'ConfigDiff' }));

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

export { ListQuery };
