import type { Operator } from './ast.ts';
import { matchGlob } from './glob.ts';
import type { Value } from './value.ts';

/**
 * One comparison. Numeric when both sides are numbers, otherwise on the text (ordering by
 * UTF-16 code units, so it does not depend on a locale). A missing value equals nothing, not
 * even another missing value, and is never in order with anything: every operator is false on
 * it except `!=`, which is true.
 */
export function compare(left: Value, operator: Operator, right: Value): boolean {
  if (!left.present || !right.present) return operator === '!=';
  if (left.number !== undefined && right.number !== undefined) return holds(left.number, operator, right.number);
  return holds(left.text, operator, right.text);
}

function holds<T extends number | string>(a: T, operator: Operator, b: T): boolean {
  switch (operator) {
    case '==':
      return a === b;
    case '!=':
      return a !== b;
    case '<':
      return a < b;
    case '<=':
      return a <= b;
    case '>':
      return a > b;
    case '>=':
      return a >= b;
  }
}

/** `value == pat(glob)`: the value's text matches the whole glob. A missing value matches no pattern. */
export function matchesPattern(value: Value, pattern: string): boolean {
  return value.present && matchGlob(pattern, value.text);
}

/** `value == any(a, b, ...)`: the value equals one of them (by `==` above). */
export function matchesAny(value: Value, candidates: readonly Value[]): boolean {
  return candidates.some((candidate) => compare(value, '==', candidate));
}
