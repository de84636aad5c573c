import {
  type AnyOperand,
  FUNCTIONS,
  type HasOperand,
  type LengthOperand,
  type LiteralOperand,
  OPERATOR_LIST,
  OPERATORS,
  type Operand,
  type Operator,
  type ParsedCondition,
  type PathSegment,
  type PatternOperand,
  PLACEHOLDERS,
  type PlaceholderName,
  type PlaceholderOperand,
  UNSUPPORTED_PLACEHOLDERS,
} from './ast.ts';
import { ConditionSyntaxError } from './errors.ts';
import { Scanner } from './scanner.ts';
import { checkSemantics } from './semantics.ts';

/**
 * Parses one condition, `<operand> <operator> <operand>`, into its AST, or throws a
 * ConditionSyntaxError saying what is wrong and at which column. It throws nothing else.
 *
 * Operands: a placeholder (`[STATUS]`, `[BODY].items[0].id`), `len(...)` or `has(...)` of a
 * `[BODY]` path, `pat(glob)`, `any(a, b, ...)`, or a plain value. The operator needs a space
 * on each side. A plain value on the right runs to the end of the condition and may contain
 * spaces; `pat(...)` and `any(...)` on the right close with the condition's last `)`, so a
 * pattern may contain anything, parentheses and operators included.
 */
export function parseCondition(source: string): ParsedCondition {
  if (typeof source !== 'string') throw new ConditionSyntaxError('a condition is a string', 0, String(source));
  if (source.length > MAX_CONDITION_LENGTH) {
    throw new ConditionSyntaxError(`a condition is at most ${MAX_CONDITION_LENGTH} characters`, MAX_CONDITION_LENGTH, source);
  }
  const lineBreak = source.search(/[\r\n\u2028\u2029]/);
  if (lineBreak !== -1) throw new ConditionSyntaxError('a condition is a single line', lineBreak, source);

  const scanner: Scanner = new Scanner(source);
  scanner.skipSpaces();
  if (scanner.atEnd) scanner.fail('a condition must not be empty; write one such as [STATUS] == 200', 0);

  const left = parseOperand(scanner, 'left');

  const gap = scanner.skipSpaces();
  const operatorIndex = scanner.index;
  const operator = operatorAt(scanner);
  if (operator === undefined || gap === 0) scanner.fail(`expected an operator ${OPERATOR_LIST} with spaces around it`);
  scanner.index += operator.length;
  if (scanner.atEnd) scanner.fail(`expected a value after the operator ${operator}`);
  if (scanner.skipSpaces() === 0) scanner.fail(`expected a space after the operator ${operator}`);
  if (scanner.atEnd) scanner.fail(`expected a value after the operator ${operator}`);

  const right = parseOperand(scanner, 'right');
  scanner.skipSpaces();
  if (!scanner.atEnd) {
    const another = operatorAt(scanner);
    if (another !== undefined) scanner.fail(`a condition has a single operator; found another ${another}`);
    scanner.fail(`unexpected "${scanner.peek()}" after ${right.text}`);
  }

  const condition: ParsedCondition = { source, left, operator, operatorIndex, right };
  checkSemantics(condition);
  return condition;
}

/** Longest condition accepted. */
export const MAX_CONDITION_LENGTH = 1024;

type Side = 'left' | 'right';

function operatorAt(scanner: Scanner): Operator | undefined {
  return OPERATORS.find((operator) => scanner.startsWith(operator));
}

function parseOperand(scanner: Scanner, side: Side): Operand {
  if (scanner.peek() === '[') return parsePlaceholder(scanner);
  const call = /^([A-Za-z_][A-Za-z0-9_]*)\(/.exec(scanner.rest());
  if (call) {
    const name = call[1]!;
    if (name === 'len' || name === 'has') return parseLengthOrHas(scanner, name);
    if (name === 'pat' || name === 'any') return parsePatternOrAny(scanner, name, side);
    const lower = name.toLowerCase();
    if ((FUNCTIONS as readonly string[]).includes(lower))
      scanner.fail(`unknown function ${name}(); function names are lowercase: ${lower}()`);
    scanner.fail(`unknown function ${name}(); the functions are len(), has(), pat() and any()`);
  }
  return parseLiteral(scanner, side);
}

const PLACEHOLDER_LIST = PLACEHOLDERS.map((name) => `[${name}]`).join(', ');

function parsePlaceholder(scanner: Scanner): PlaceholderOperand {
  const start = scanner.index;
  scanner.index++; // [
  const name = scanner.takeWhile((char) => /[A-Za-z0-9_]/.test(char));
  if (name === '') scanner.fail(`expected a placeholder name: ${PLACEHOLDER_LIST}`);
  if (scanner.peek() !== ']') scanner.fail(`expected ] to close the placeholder [${name}`);
  scanner.index++; // ]
  if (!(PLACEHOLDERS as readonly string[]).includes(name)) {
    const upper = name.toUpperCase();
    if ((PLACEHOLDERS as readonly string[]).includes(upper)) {
      scanner.fail(`unknown placeholder [${name}]; placeholders are uppercase: [${upper}]`, start);
    }
    if ((UNSUPPORTED_PLACEHOLDERS as readonly string[]).includes(upper)) {
      scanner.fail(`the placeholder [${upper}] is not available for HTTP health checks; use ${PLACEHOLDER_LIST}`, start);
    }
    scanner.fail(`unknown placeholder [${name}]; use ${PLACEHOLDER_LIST}`, start);
  }

  const pathStart = scanner.index;
  const path = parsePath(scanner);
  if (path.length > 0 && name !== 'BODY') {
    scanner.fail(`only [BODY] takes a JSONPath (such as [BODY].status); [${name}] does not`, pathStart);
  }
  return {
    kind: 'placeholder',
    name: name as PlaceholderName,
    path,
    start,
    end: scanner.index,
    text: scanner.source.slice(start, scanner.index),
  };
}

/** Characters a JSONPath key may not contain: separators, brackets, parentheses, operator characters and spaces. */
const NOT_IN_KEY = /[\s.[\]()=!<>]/;

/** `.key` and `[index]` segments, as many as there are. */
function parsePath(scanner: Scanner): PathSegment[] {
  const path: PathSegment[] = [];
  for (;;) {
    if (scanner.peek() === '.') {
      scanner.index++;
      const key = scanner.takeWhile((char) => !NOT_IN_KEY.test(char));
      if (key === '') scanner.fail('expected a key after "." in the JSONPath');
      path.push({ kind: 'key', key });
    } else if (scanner.peek() === '[') {
      scanner.index++;
      const digits = scanner.takeWhile((char) => char >= '0' && char <= '9');
      if (digits === '') scanner.fail('expected an array index such as [0] in the JSONPath');
      if (scanner.peek() !== ']') scanner.fail('expected ] to close the array index');
      scanner.index++;
      path.push({ kind: 'index', index: Number(digits) });
    } else {
      return path;
    }
  }
}

function parseLengthOrHas(scanner: Scanner, name: 'len' | 'has'): LengthOperand | HasOperand {
  const start = scanner.index;
  scanner.index += name.length + 1;
  scanner.skipSpaces();
  const usage = `${name}() takes [BODY] or a JSONPath under it, such as ${name}([BODY].items)`;
  if (scanner.peek() !== '[') scanner.fail(usage);
  const target = parsePlaceholder(scanner);
  if (target.name !== 'BODY') scanner.fail(usage, target.start);
  scanner.skipSpaces();
  if (scanner.peek() !== ')') scanner.fail(`expected ) to close ${name}(`);
  scanner.index++;
  return { kind: name, target, start, end: scanner.index, text: scanner.source.slice(start, scanner.index) };
}

function parsePatternOrAny(scanner: Scanner, name: 'pat' | 'any', side: Side): PatternOperand | AnyOperand {
  const { source } = scanner;
  const start = scanner.index;
  const argsStart = start + name.length + 1;
  let close: number;
  if (side === 'right') {
    // Closed by the condition's last ")", so what is inside may contain anything.
    const end = scanner.trimmedEnd();
    if (end <= argsStart || source[end - 1] !== ')') scanner.fail(`expected ) at the end of the condition to close ${name}(`, end);
    close = end - 1;
  } else {
    close = -1;
    let depth = 1;
    for (let i = argsStart; i < source.length; i++) {
      if (source[i] === '(') depth++;
      else if (source[i] === ')' && --depth === 0) {
        close = i;
        break;
      }
    }
    if (close === -1) scanner.fail(`expected ) to close ${name}(`, source.length);
  }
  scanner.index = close + 1;
  const text = source.slice(start, scanner.index);
  const inner = source.slice(argsStart, close);

  if (name === 'pat') {
    if (inner === '') scanner.fail('pat() needs a pattern, such as pat(*ok*)', argsStart);
    return { kind: 'pat', pattern: inner, start, end: scanner.index, text };
  }

  if (inner.trim() === '') scanner.fail('any() needs at least one value, such as any(200, 429)', argsStart);
  const values: LiteralOperand[] = [];
  let offset = argsStart;
  for (const part of inner.split(',')) {
    const leading = part.length - part.trimStart().length;
    const value = part.trim();
    if (value === '') scanner.fail('expected a value in any() (values are separated by commas)', offset + leading);
    values.push({ kind: 'literal', value, start: offset + leading, end: offset + leading + value.length, text: value });
    offset += part.length + 1;
  }
  return { kind: 'any', values, start, end: scanner.index, text };
}

/** An operator with a space or tab before it. */
const SPACED_OPERATOR = /[ \t]+(?:==|!=|<=|>=|<|>)/;
/** An operator with spaces or tabs on both sides. */
const OPERATOR_BETWEEN_SPACES = /[ \t](==|!=|<=|>=|<|>)[ \t]/;
const BARE_OPERATOR = /==|!=|<=|>=|<|>/;

function parseLiteral(scanner: Scanner, side: Side): LiteralOperand {
  const start = scanner.index;
  const rest = scanner.rest();
  let end: number;
  if (side === 'right') {
    end = scanner.trimmedEnd();
    const another = OPERATOR_BETWEEN_SPACES.exec(scanner.source.slice(start, end));
    if (another) scanner.fail(`a condition has a single operator; found another ${another[1]}`, start + another.index + 1);
  } else {
    // A value on the left runs to the operator: the first one with a space before it, or else
    // the first one at all (so that a missing space is reported where the operator is).
    const match = SPACED_OPERATOR.exec(rest) ?? BARE_OPERATOR.exec(rest);
    end = match ? start + match.index : scanner.trimmedEnd();
  }
  if (end <= start) scanner.fail(side === 'left' ? 'expected a value before the operator' : 'expected a value');
  const value = scanner.source.slice(start, end);
  scanner.index = end;
  return { kind: 'literal', value, start, end, text: value };
}
