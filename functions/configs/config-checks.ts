import { type ConfigState, resolve } from './config-state.ts';
import { jsonBytes, MAX_RESOLVED_BYTES } from './config.domain.ts';
import { schemaViolations } from './config-schema.domain.ts';
import { type FieldError, PayloadTooLargeError, ValidationError } from '#kernel/errors';

/**
 * Refuses a change that would leave any of `environments` unresolvable: a placeholder with no
 * variable (400), a resolved configuration over 256 KB (413), or a schema violation (400).
 */
export function checkEnvironments(environments: string[], state: ConfigState): void {
  const errors: FieldError[] = [];
  for (const environment of environments) {
    const resolved = resolve(environment, state);
    for (const problem of resolved.missing) {
      errors.push({ pointer: problem.pointer, message: `${problem.message} in environment ${environment}` });
    }
    if (resolved.missing.length > 0) continue;
    const bytes = jsonBytes(resolved.values);
    if (bytes > MAX_RESOLVED_BYTES) {
      throw new PayloadTooLargeError(
        `The resolved configuration of ${environment} would be ${bytes} bytes; the limit is ${MAX_RESOLVED_BYTES} bytes (256 KB).`,
      );
    }
    if (state.schema) {
      for (const violation of schemaViolations(state.schema, resolved.values, '/values')) {
        errors.push({ pointer: violation.pointer, message: `${violation.message} (resolved configuration of ${environment})` });
      }
    }
  }
  if (errors.length > 0) {
    throw new ValidationError(
      `The change would leave configuration invalid: ${errors.map((e) => `${e.pointer}: ${e.message}`).join('; ')}.`,
      errors,
    );
  }
}
