import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import type { FieldError } from '#kernel/errors';

/** JSON Schema (draft 2020-12) checks of configuration values, with Ajv. */

// addUsedSchema: false — a schema's `$id` must not be registered on the shared instance, or the next
// version of that schema (same `$id`) would be refused as a duplicate.
const ajv = new Ajv2020({ allErrors: true, strict: false, validateFormats: true, addUsedSchema: false });
addFormats.default(ajv);
const compiled = new Map<string, ValidateFunction>();

/** Problems with the schema itself, each with a JSON pointer into it; empty when it is a usable schema. */
export function schemaProblems(schema: unknown): FieldError[] {
  if (typeof schema !== 'object' || schema === null || Array.isArray(schema)) {
    return [{ pointer: '/body', message: 'a JSON Schema is a JSON object' }];
  }
  let valid: boolean;
  try {
    valid = ajv.validateSchema(schema) as boolean;
  } catch (error) {
    // Ajv throws when `$schema` names a meta-schema it does not have (draft-07, a private one).
    return [
      {
        pointer: '/body/$schema',
        message: `${(error as Error).message}; use https://json-schema.org/draft/2020-12/schema or leave $schema out`,
      },
    ];
  }
  if (!valid) {
    return (ajv.errors ?? []).map((error) => ({
      pointer: `/body${error.instancePath}`,
      message: error.message ?? 'is not valid JSON Schema',
    }));
  }
  try {
    validatorFor(schema);
    return [];
  } catch (error) {
    return [{ pointer: '/body', message: (error as Error).message }];
  }
}

function validatorFor(schema: object): ValidateFunction {
  const key = JSON.stringify(schema);
  let validate = compiled.get(key);
  if (!validate) {
    validate = ajv.compile(schema);
    if (compiled.size > 100) compiled.clear();
    compiled.set(key, validate);
  }
  return validate;
}

/** Every violation of `schema` by `values`, pointers prefixed with `pointerPrefix`. */
export function schemaViolations(schema: object, values: unknown, pointerPrefix: string): FieldError[] {
  const validate = validatorFor(schema);
  if (validate(values)) return [];
  return (validate.errors ?? []).map((error) => {
    const detail =
      error.keyword === 'additionalProperties'
        ? `${error.message} (${String((error.params as { additionalProperty?: string }).additionalProperty)})`
        : error.keyword === 'required'
          ? `${error.message}`
          : (error.message ?? 'is not valid');
    return { pointer: `${pointerPrefix}${error.instancePath}`, message: detail };
  });
}
