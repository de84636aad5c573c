import { type Operand, type ParsedCondition, type SubjectOperand, isOrdering, isSubject } from './ast.ts';
import { parseDurationMs } from '#kernel/duration';
import { ConditionSyntaxError } from './errors.ts';
import { parseNumber } from './number.ts';

/**
 * Checks a syntactically whole condition for what can never make sense, so it is refused when
 * the check is saved rather than failing on every run: a condition that reads nothing from the
 * result, `pat()`/`any()` or a true/false value with an ordering operator, and a plain value that
 * cannot be what the other side is (`[STATUS] == OK`, `[RESPONSE_TIME] < fast`, `has(...) == yes`).
 */
export function checkSemantics(condition: ParsedCondition): void {
  const { left, right, operator, operatorIndex, source } = condition;
  const fail = (reason: string, at: number): never => {
    throw new ConditionSyntaxError(reason, at, source);
  };

  if (!isSubject(left) && !isSubject(right)) {
    fail('a condition compares a placeholder (such as [STATUS], [BODY].status or len([BODY].items)) with a value', left.start);
  }

  if (isOrdering(operator)) {
    for (const operand of [left, right]) {
      if (operand.kind === 'pat' || operand.kind === 'any') fail(`${operand.kind}() works only with == and !=`, operatorIndex);
      if (isSubject(operand) && kindOf(operand) === 'boolean')
        fail(`${operand.text} is true or false; compare it with == or !=`, operatorIndex);
    }
  }

  for (const [subject, other] of [
    [left, right],
    [right, left],
  ] as const) {
    if (!isSubject(subject)) continue;
    for (const literal of literalsOf(other)) {
      const problem = mismatch(kindOf(subject), literal.value);
      if (problem !== undefined) fail(`${problem} for ${subject.text}, not "${literal.value}"`, literal.start);
    }
  }
}

type ValueKind = 'number' | 'duration' | 'boolean' | 'any';

/** What kind of value an operand that reads the result gives. */
export function kindOf(subject: SubjectOperand): ValueKind {
  if (subject.kind === 'len') return 'number';
  if (subject.kind === 'has') return 'boolean';
  switch (subject.name) {
    case 'STATUS':
      return 'number';
    case 'RESPONSE_TIME':
    case 'CERTIFICATE_EXPIRATION':
      return 'duration';
    case 'CONNECTED':
      return 'boolean';
    case 'BODY':
      return 'any';
  }
}

function literalsOf(operand: Operand) {
  if (operand.kind === 'literal') return [operand];
  if (operand.kind === 'any') return operand.values;
  return [];
}

function mismatch(kind: ValueKind, value: string): string | undefined {
  switch (kind) {
    case 'number':
      return parseNumber(value) === undefined ? 'expected a number' : undefined;
    case 'duration':
      return parseNumber(value) === undefined && parseDurationMs(value) === undefined
        ? 'expected milliseconds or a duration (such as 500, 500ms, 1s, 1h30m)'
        : undefined;
    case 'boolean':
      return value === 'true' || value === 'false' ? undefined : 'expected true or false';
    case 'any':
      return undefined;
  }
}
