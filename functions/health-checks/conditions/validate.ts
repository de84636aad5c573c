import { type FieldError, ValidationError } from '#kernel/errors';
import { ConditionSyntaxError } from './errors.ts';
import { parseCondition } from './parser.ts';

/** Where a health check's conditions are in a request. */
export const CONDITIONS_POINTER = '/body/conditions';

/**
 * Every problem with a list of conditions, each pointing at its condition
 * (`/body/conditions/2`) with what is wrong and at which column. Empty when all are valid.
 */
export function validateConditions(conditions: unknown, pointer: string = CONDITIONS_POINTER): FieldError[] {
  if (!Array.isArray(conditions)) return [{ pointer, message: 'conditions is a list of conditions such as "[STATUS] == 200"' }];
  const errors: FieldError[] = [];
  conditions.forEach((condition: unknown, index) => {
    const at = `${pointer}/${index}`;
    if (typeof condition !== 'string') {
      errors.push({ pointer: at, message: 'a condition is a string such as "[STATUS] == 200"' });
      return;
    }
    try {
      parseCondition(condition);
    } catch (error) {
      if (!(error instanceof ConditionSyntaxError)) throw error;
      errors.push({ pointer: at, message: error.message });
    }
  });
  return errors;
}

/** Throws a ValidationError (a 400 listing each invalid condition) unless every condition is valid. */
export function assertValidConditions(conditions: unknown, pointer: string = CONDITIONS_POINTER): asserts conditions is string[] {
  const errors = validateConditions(conditions, pointer);
  if (errors.length === 1) throw new ValidationError('a health check condition is not valid', errors);
  if (errors.length > 1) throw new ValidationError(`${errors.length} health check conditions are not valid`, errors);
}
