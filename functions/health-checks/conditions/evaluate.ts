import { type AnyOperand, type Operand, type ParsedCondition, isSubject } from './ast.ts';
import { type CheckResult, type Subject, subjectOf } from './check-result.ts';
import { compare, matchesAny, matchesPattern } from './compare.ts';
import { ConditionSyntaxError } from './errors.ts';
import { parseCondition } from './parser.ts';
import { resolveLiteral, resolveSubject } from './resolve.ts';
import { MISSING, type Value } from './value.ts';

/** How one condition fared on one check result. */
export interface ConditionOutcome {
  ok: boolean;
  /** The condition as written. */
  condition: string;
  /**
   * The condition with what each placeholder, `len()` and `has()` resolved to, in parentheses after
   * it (as Gatus shows it): `[STATUS] (503) == 200`, `[BODY].status (missing) == UP`.
   */
  resolved: string;
  /** Why the condition could not be evaluated at all (it is not valid); `ok` is then false. */
  error?: string;
}

/** Shown for a JSONPath that is not in the body, or a body that never came. */
export const MISSING_DISPLAY = 'missing';

/**
 * Evaluates one condition on a check result. Never throws: a condition that does not parse
 * gives `ok: false` with `error` (conditions are validated when saved, so that means a bug).
 */
export function evaluateCondition(condition: string | ParsedCondition, result: CheckResult): ConditionOutcome {
  return evaluateOn(condition, subjectOf(result));
}

/** Evaluates every condition on one check result, reading its body as JSON once. */
export function evaluateConditions(conditions: readonly (string | ParsedCondition)[], result: CheckResult): ConditionOutcome[] {
  const subject = subjectOf(result);
  return conditions.map((condition) => evaluateOn(condition, subject));
}

function evaluateOn(condition: string | ParsedCondition, subject: Subject): ConditionOutcome {
  const source = typeof condition === 'string' ? condition : condition.source;
  try {
    const parsed = typeof condition === 'string' ? parseCondition(condition) : condition;
    const { left, operator, right } = parsed;
    const leftValue = operandValue(left, right, subject);
    const rightValue = operandValue(right, left, subject);

    const ok = holds(parsed, leftValue, rightValue);
    return { ok, condition: source, resolved: `${show(left, leftValue)} ${operator} ${show(right, rightValue)}` };
  } catch (error) {
    const message = error instanceof ConditionSyntaxError ? error.message : `could not be evaluated: ${String(error)}`;
    return { ok: false, condition: String(source), resolved: String(source), error: message };
  }
}

/** Whether the comparison holds; `pat()` or `any()` stand on one side at most (the other reads the result). */
function holds(condition: ParsedCondition, leftValue: Value | undefined, rightValue: Value | undefined): boolean {
  const { left, operator, right } = condition;
  const wantMatch = operator === '==';
  if (left.kind === 'pat') return matchesPattern(rightValue ?? MISSING, left.pattern) === wantMatch;
  if (right.kind === 'pat') return matchesPattern(leftValue ?? MISSING, right.pattern) === wantMatch;
  if (left.kind === 'any') return matchesAny(rightValue ?? MISSING, candidates(left, right)) === wantMatch;
  if (right.kind === 'any') return matchesAny(leftValue ?? MISSING, candidates(right, left)) === wantMatch;
  return compare(leftValue ?? MISSING, operator, rightValue ?? MISSING);
}

/** The values of `any(...)`, each read against the operand on the other side. */
function candidates(list: AnyOperand, opposite: Operand): Value[] {
  return list.values.map((value) => resolveLiteral(value, opposite));
}

/** What an operand stands for; undefined for `pat()` and `any()`, which are not single values. */
function operandValue(operand: Operand, opposite: Operand, subject: Subject): Value | undefined {
  if (isSubject(operand)) return resolveSubject(operand, subject);
  if (operand.kind === 'literal') return resolveLiteral(operand, opposite);
  return undefined;
}

/** An operand as written, followed by what it resolved to when it reads the result. */
function show(operand: Operand, value: Value | undefined): string {
  if (!isSubject(operand) || value === undefined) return operand.text;
  return `${operand.text} (${value.present ? value.display : MISSING_DISPLAY})`;
}
