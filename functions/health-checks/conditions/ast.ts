/**
 * The shape of a parsed health-check condition (the Gatus condition language, HTTP subset):
 * `<operand> <operator> <operand>`, each operand a placeholder, a function or a plain value.
 * Every node keeps where it was written (`start`, `end` are 0-based indexes into the condition,
 * `end` exclusive) and its text, so errors can point at it and results can quote it.
 */

/** The placeholders an HTTP health check resolves. */
export const PLACEHOLDERS = ['STATUS', 'RESPONSE_TIME', 'BODY', 'CERTIFICATE_EXPIRATION', 'CONNECTED'] as const;
export type PlaceholderName = (typeof PLACEHOLDERS)[number];

/** Placeholders Gatus has for other kinds of checks (or data an HTTP result here does not carry). */
export const UNSUPPORTED_PLACEHOLDERS = ['IP', 'DNS_RCODE', 'DOMAIN_EXPIRATION', 'CONTEXT'] as const;

/** Placeholders whose value is a duration in milliseconds, so a duration such as `1s` on the other side is converted. */
export const DURATION_PLACEHOLDERS: readonly PlaceholderName[] = ['RESPONSE_TIME', 'CERTIFICATE_EXPIRATION'];

/** The operators, longest first so that `<=` is recognised before `<`. */
export const OPERATORS = ['==', '!=', '<=', '>=', '<', '>'] as const;
export type Operator = (typeof OPERATORS)[number];

/** How the operators are listed to a user. */
export const OPERATOR_LIST = '(==, !=, <, <=, >, >=)';

export const FUNCTIONS = ['len', 'has', 'pat', 'any'] as const;

export type PathSegment = { kind: 'key'; key: string } | { kind: 'index'; index: number };

interface Node {
  /** Index of the first character in the condition (0-based). */
  start: number;
  /** Index just past the last character. */
  end: number;
  /** The operand as written. */
  text: string;
}

/** `[STATUS]`, `[BODY]`, `[BODY].items[0].id`, `[BODY][0]`; only `[BODY]` has a path. */
export interface PlaceholderOperand extends Node {
  kind: 'placeholder';
  name: PlaceholderName;
  path: PathSegment[];
}

/** `len([BODY].items)`: the length of an array, or of a string, or of any other value written as JSON. */
export interface LengthOperand extends Node {
  kind: 'len';
  target: PlaceholderOperand;
}

/** `has([BODY].errors)`: whether the JSONPath exists, `true` or `false`. */
export interface HasOperand extends Node {
  kind: 'has';
  target: PlaceholderOperand;
}

/** `pat(*ok*)`: a glob where `*` stands for any run of characters; only with `==` and `!=`. */
export interface PatternOperand extends Node {
  kind: 'pat';
  pattern: string;
}

/** `any(200, 429)`: equal to any one of the values; only with `==` and `!=`. */
export interface AnyOperand extends Node {
  kind: 'any';
  values: LiteralOperand[];
}

/** A plain value as written: `200`, `UP`, `true`, `1s`, `john doe`. */
export interface LiteralOperand extends Node {
  kind: 'literal';
  value: string;
}

/** An operand that reads the check result. */
export type SubjectOperand = PlaceholderOperand | LengthOperand | HasOperand;

export type Operand = SubjectOperand | PatternOperand | AnyOperand | LiteralOperand;

export interface ParsedCondition {
  /** The condition exactly as written. */
  source: string;
  left: Operand;
  operator: Operator;
  /** Index of the operator's first character. */
  operatorIndex: number;
  right: Operand;
}

export function isSubject(operand: Operand): operand is SubjectOperand {
  return operand.kind === 'placeholder' || operand.kind === 'len' || operand.kind === 'has';
}

export function isOrdering(operator: Operator): boolean {
  return operator !== '==' && operator !== '!=';
}
