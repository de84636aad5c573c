import * as z from 'zod/mini';
import { RESERVED_LAYER_NAMES } from './config.domain.ts';
import { EnvironmentName } from '#kernel/schemas/mini';

/*
 * What a layer, its values and an environment's variables are: shared by the configuration
 * routes (configs.schema.ts) and the export/import document (transfer.schema.ts), in a module
 * of their own so that the config-transfer function bundles only these and its own schemas.
 * zod/mini, as configs.schema.ts.
 */

/** `base` or an environment name; `export` and `import` are taken by the routes beside it. */
export const LayerName = EnvironmentName.check(
  z.refine((value) => !(RESERVED_LAYER_NAMES as readonly string[]).includes(value), {
    message: `must not be ${RESERVED_LAYER_NAMES.join(' or ')}`,
  }),
  z.meta({ description: '`base`, or an environment name.', example: 'prod' }),
);

export const JsonObjectSchema = z.record(z.string(), z.unknown()).check(z.meta({ description: 'A JSON object.' }));

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
