import * as z from 'zod/mini';
import { Actor, ListQuery, pageOf, Slug, Timestamp } from '#kernel/schemas/mini';
import { JsonObjectSchema, LayerName, VariablesPut } from './values.schema.ts';

/*
 * zod/mini, not classic zod: these schemas are bundled by config-writes, which also carries Ajv
 * (see #schemas/mini); config-transfer (Ajv and YAML) bundles only values.schema.ts and
 * transfer.schema.ts. Same core, same issues and messages.
 */

export const LayerParams = z.strictObject({ name: Slug, env: LayerName });
export const LayerVersionParams = z.extend(LayerParams, {
  version: z.coerce.number().check(z.int(), z.gte(1), z.meta({ description: 'A version number of the layer, from 1.' })),
});

export const LayerPut = z
  .strictObject({
    values: JsonObjectSchema,
    extends: z
      .optional(z.nullable(LayerName))
      .check(z.meta({ description: 'The layer this one is merged over: `base` or another environment.' })),
    message: z.optional(z.string().check(z.maxLength(500))).check(z.meta({ description: 'Why, for the history.' })),
  })
  .check(z.meta({ id: 'ConfigLayerPut' }));

export const RollbackBody = z.strictObject({ toVersion: z.number().check(z.int(), z.gte(1)) }).check(z.meta({ id: 'ConfigRollback' }));

export const ResolvedQuery = z.strictObject({
  raw: z.optional(z.enum(['true', 'false'])).check(z.meta({ description: '`true` returns the layer as written, unresolved.' })),
});

export const DiffQuery = z.strictObject({
  from: z.coerce.number().check(z.int(), z.gte(1)),
  to: z.optional(z.coerce.number().check(z.int(), z.gte(1))).check(z.meta({ description: 'Default: the latest version.' })),
});

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

export { JsonObjectSchema, LayerName, ListQuery, VariablesPut };
