import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import type { FieldError } from '#domain/errors';

/** JSON Schema (draft 2020-12) checks of configuration values, with Ajv. */

const ajv = new Ajv2020({ allErrors: true, strict: false, validateFormats: true });
addFormats.default(ajv);
const compiled = new Map<string, ValidateFunction>();

/** Problems with the schema itself, each with a JSON pointer into it; empty when it is a usable schema. */
export function schemaProblems(schema: unknown): FieldError[] {
  if (typeof schema !== 'object' || schema === null || Array.isArray(schema)) {
    return [{ pointer: '/body', message: 'a JSON Schema is a JSON object' }];
  }
  if (!ajv.validateSchema(schema)) {
    return (ajv.errors ?? []).map((error) => ({ pointer: `/body${error.instancePath}`, message: error.message ?? 'is not valid JSON Schema' }));
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
