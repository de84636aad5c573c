/**
 * The health-check condition language (Gatus's, whole for HTTP checks): parse and validate
 * conditions when a check is saved, evaluate them on each check result. Pure: no I/O.
 */
export type {
  AnyOperand,
  HasOperand,
  LengthOperand,
  LiteralOperand,
  Operand,
  Operator,
  ParsedCondition,
  PathSegment,
  PatternOperand,
  PlaceholderName,
  PlaceholderOperand,
} from './ast.ts';
export { OPERATORS, PLACEHOLDERS } from './ast.ts';
export type { CheckResult } from './check-result.ts';
export { formatDuration, parseDurationMs } from '#kernel/duration';
export { ConditionSyntaxError } from './errors.ts';
export { type ConditionOutcome, evaluateCondition, evaluateConditions, MISSING_DISPLAY } from './evaluate.ts';
export { matchGlob } from './glob.ts';
export { MAX_CONDITION_LENGTH, parseCondition } from './parser.ts';
export { assertValidConditions, CONDITIONS_POINTER, validateConditions } from './validate.ts';
