import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type CheckResult,
  ConditionSyntaxError,
  evaluateCondition,
  parseCondition,
} from '../../../functions/health-checks/conditions/index.ts';

/**
 * Properties of the condition language: the parser refuses anything with a ConditionSyntaxError
 * that points inside the condition (never a TypeError or a RangeError that would become a 500),
 * and evaluating a valid condition on any result never throws.
 */

const RUNS = 2_000;

/** Pieces of the language, so random strings often get deep into the parser instead of failing at column 1. */
const FRAGMENTS = [
  '[',
  ']',
  '(',
  ')',
  '.',
  ',',
  '*',
  ' ',
  '  ',
  '\t',
  '\n',
  '"',
  '\\',
  '[STATUS]',
  '[BODY]',
  '[RESPONSE_TIME]',
  '[CERTIFICATE_EXPIRATION]',
  '[CONNECTED]',
  '[IP]',
  '[status]',
  '[]',
  '.a',
  '.items',
  '[0]',
  '[1]',
  '[x]',
  '[-1]',
  '..',
  'len(',
  'has(',
  'pat(',
  'any(',
  'LEN(',
  'foo(',
  '==',
  '!=',
  '<',
  '<=',
  '>',
  '>=',
  '=',
  '!',
  '===',
  ' == ',
  ' != ',
  ' < ',
  ' >= ',
  '200',
  '0',
  '-1.5',
  '1e3',
  '1s',
  '500ms',
  '48h',
  '1h30m',
  'UP',
  'true',
  'false',
  'null',
  'x',
  'é',
  '😀',
  '\u0000',
  '\u2028',
];

const conditionLike = fc.array(fc.constantFrom(...FRAGMENTS), { maxLength: 14 }).map((parts) => parts.join(''));
const anyString = fc.oneof(
  fc.string(),
  fc.string({ unit: 'binary' }),
  fc.string({ unit: fc.constantFrom('[', ']', '(', ')', ' ', '=', '<', '>', '!', '.', ',', '*', 'B', '0') }),
  conditionLike,
  conditionLike,
);

/** Parses, and when that fails checks the failure is a well-formed ConditionSyntaxError. */
function parseOrExplain(condition: string) {
  try {
    return parseCondition(condition);
  } catch (error) {
    expect(error).toBeInstanceOf(ConditionSyntaxError);
    const syntax = error as ConditionSyntaxError;
    expect(Number.isInteger(syntax.index)).toBe(true);
    expect(syntax.index).toBeGreaterThanOrEqual(0);
    expect(syntax.index).toBeLessThanOrEqual(condition.length);
    expect(syntax.message).toBe(`${syntax.reason} at column ${syntax.index + 1}`);
    expect(syntax.condition).toBe(condition);
    return undefined;
  }
}

const checkResult: fc.Arbitrary<CheckResult> = fc.record(
  {
    status: fc.oneof(fc.constantFrom(0, 200, 204, 301, 404, 429, 500, 503), fc.integer({ min: 0, max: 999 })),
    responseTimeMs: fc.oneof(fc.nat({ max: 120_000 }), fc.double({ min: 0, max: 1e6, noNaN: true })),
    body: fc.oneof(
      fc.constant(undefined),
      fc.json(),
      fc.string(),
      fc.jsonValue().map((value) => JSON.stringify(value) ?? 'null'),
    ),
    certificateExpirationMs: fc.oneof(fc.constant(undefined), fc.integer({ min: -1e10, max: 1e11 })),
    connected: fc.boolean(),
  },
  { requiredKeys: ['status', 'responseTimeMs', 'body', 'connected'] },
);

/** Valid conditions, built from the grammar: an operand that reads the result, and a value of its kind. */
const key = fc.constantFrom('a', 'b', 'status', 'items', 'id', 'x-y', 'name', '0', 'constructor');
const path = fc
  .array(
    fc.oneof(
      key.map((name) => `.${name}`),
      fc.nat({ max: 3 }).map((index) => `[${index}]`),
    ),
    { maxLength: 3 },
  )
  .map((segments) => segments.join(''));
const body = path.map((p) => `[BODY]${p}`);
const plainValue = fc.oneof(
  fc.constantFrom('UP', 'DOWN', '1', '0', '2', 'true', 'false', 'null', 'john doe', 'a<b', '1.5', '-3'),
  fc.string({ unit: fc.constantFrom('a', 'b', '1', '.', '-', '_'), minLength: 1, maxLength: 6 }),
);
const numberValue = fc.oneof(fc.integer({ min: -5, max: 1000 }).map(String), fc.constantFrom('0.5', '200', '1e3'));
const durationValue = fc.oneof(numberValue, fc.constantFrom('1s', '500ms', '48h', '1h30m', '2m', '0s'));
/** A pat() glob; its parentheses balanced, which a pattern on the left of the operator needs. */
const pattern = fc
  .array(fc.constantFrom('*', 'a', 'U', 'P', '1', '"', ':', ' ', '=', ' == ', '(a)', '()', '(*)'), { minLength: 1, maxLength: 8 })
  .map((parts) => parts.join(''));
const anyOf = (values: fc.Arbitrary<string>) => fc.array(values, { minLength: 1, maxLength: 4 }).map((list) => `any(${list.join(', ')})`);

const equalityPair: fc.Arbitrary<[string, string]> = fc.oneof(
  fc.tuple(
    fc.constant('[STATUS]'),
    fc.oneof(
      numberValue,
      anyOf(numberValue),
      pattern.map((p) => `pat(${p})`),
    ),
  ),
  fc.tuple(fc.constantFrom('[RESPONSE_TIME]', '[CERTIFICATE_EXPIRATION]'), fc.oneof(durationValue, anyOf(durationValue))),
  fc.tuple(fc.constant('[CONNECTED]'), fc.constantFrom('true', 'false')),
  fc.tuple(
    path.map((p) => `has([BODY]${p})`),
    fc.constantFrom('true', 'false'),
  ),
  fc.tuple(
    path.map((p) => `len([BODY]${p})`),
    fc.oneof(numberValue, anyOf(numberValue)),
  ),
  fc.tuple(
    body,
    fc.oneof(
      plainValue,
      anyOf(plainValue),
      pattern.map((p) => `pat(${p})`),
      body,
    ),
  ),
);

describe('parseCondition (property)', () => {
  it('throws nothing but a ConditionSyntaxError pointing inside the condition, whatever the string', () => {
    fc.assert(
      fc.property(anyString, (condition) => {
        parseOrExplain(condition);
      }),
      { numRuns: RUNS * 5 },
    );
  });

  it('parses every condition built from the grammar, with either operand first', () => {
    fc.assert(
      fc.property(equalityPair, fc.constantFrom('==', '!='), fc.boolean(), ([subject, value], operator, reversed) => {
        const condition = reversed ? `${value} ${operator} ${subject}` : `${subject} ${operator} ${value}`;
        const parsed = parseCondition(condition);
        expect(parsed.operator).toBe(operator);
        expect(condition.slice(parsed.left.start, parsed.left.end)).toBe(parsed.left.text);
        expect(condition.slice(parsed.right.start, parsed.right.end)).toBe(parsed.right.text);
      }),
      { numRuns: RUNS },
    );
  });
});

describe('evaluateCondition (property)', () => {
  it('never throws on any result, and != is always the opposite of ==', () => {
    fc.assert(
      fc.property(equalityPair, fc.boolean(), checkResult, ([subject, value], reversed, result) => {
        const write = (operator: string) => (reversed ? `${value} ${operator} ${subject}` : `${subject} ${operator} ${value}`);
        const equal = evaluateCondition(write('=='), result);
        const unequal = evaluateCondition(write('!='), result);
        expect(equal.error).toBeUndefined();
        expect(unequal.error).toBeUndefined();
        expect(unequal.ok).toBe(!equal.ok);
        expect(typeof equal.resolved).toBe('string');
      }),
      { numRuns: RUNS },
    );
  });

  it('never throws evaluating whatever parses, on any result', () => {
    fc.assert(
      fc.property(anyString, checkResult, (condition, result) => {
        const outcome = evaluateCondition(condition, result);
        expect(typeof outcome.ok).toBe('boolean');
        expect(outcome.condition).toBe(condition);
        if (outcome.error !== undefined) expect(outcome.ok).toBe(false);
      }),
      { numRuns: RUNS },
    );
  });

  it('orders numbers as numbers: < and >= are opposites on two present numbers', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 999 }), fc.integer({ min: 0, max: 999 }), (status, threshold) => {
        const result: CheckResult = { status, responseTimeMs: 1, body: undefined, connected: true };
        const less = evaluateCondition(`[STATUS] < ${threshold}`, result).ok;
        expect(less).toBe(status < threshold);
        expect(evaluateCondition(`[STATUS] >= ${threshold}`, result).ok).toBe(!less);
      }),
      { numRuns: RUNS },
    );
  });
});
