import { describe, expect, it } from 'vitest';
import { ConditionSyntaxError, MAX_CONDITION_LENGTH, parseCondition } from '../../../functions/health-checks/conditions/index.ts';

/** What a condition must parse into (a subset of the AST, compared with toMatchObject). */
const VALID: [condition: string, shape: Record<string, unknown>][] = [
  [
    '[STATUS] == 200',
    { left: { kind: 'placeholder', name: 'STATUS', path: [] }, operator: '==', right: { kind: 'literal', value: '200' } },
  ],
  ['[STATUS] != 200', { operator: '!=', operatorIndex: 9 }],
  ['[STATUS] < 300', { operator: '<' }],
  ['[STATUS] <= 299', { operator: '<=' }],
  ['[STATUS] > 400', { operator: '>' }],
  ['[STATUS] >= 200', { operator: '>=' }],
  [
    '[STATUS] == any(200, 429)',
    {
      right: {
        kind: 'any',
        text: 'any(200, 429)',
        values: [
          { value: '200', start: 16, end: 19 },
          { value: '429', start: 21, end: 24 },
        ],
      },
    },
  ],
  [
    '[BODY].status == UP',
    { left: { name: 'BODY', path: [{ kind: 'key', key: 'status' }], text: '[BODY].status' }, right: { value: 'UP' } },
  ],
  [
    '[BODY].items[0].id == 1',
    {
      left: {
        path: [
          { kind: 'key', key: 'items' },
          { kind: 'index', index: 0 },
          { kind: 'key', key: 'id' },
        ],
      },
    },
  ],
  [
    '[BODY].data.list[1].name == john',
    {
      left: {
        path: [
          { kind: 'key', key: 'data' },
          { kind: 'key', key: 'list' },
          { kind: 'index', index: 1 },
          { kind: 'key', key: 'name' },
        ],
      },
    },
  ],
  ['[BODY][0] == 1', { left: { path: [{ kind: 'index', index: 0 }], end: 9 } }],
  ['[BODY][0][12].a-b_c == x', { left: { path: [{ index: 0 }, { index: 12 }, { key: 'a-b_c' }] } }],
  ['[BODY].items[007] == 1', { left: { path: [{ key: 'items' }, { index: 7 }] } }],
  ['len([BODY].items) > 0', { left: { kind: 'len', target: { name: 'BODY', path: [{ key: 'items' }] }, text: 'len([BODY].items)' } }],
  ['len([BODY]) == 3', { left: { kind: 'len', target: { path: [] } } }],
  ['len( [BODY].items ) > 0', { left: { kind: 'len', text: 'len( [BODY].items )' } }],
  ['has([BODY].errors) == false', { left: { kind: 'has', target: { path: [{ key: 'errors' }] } }, right: { value: 'false' } }],
  ['has([BODY].users[0].name) == true', { left: { kind: 'has' } }],
  ['[BODY] == pat(*ok*)', { right: { kind: 'pat', pattern: '*ok*' } }],
  ['[BODY] == pat(*<h1>Example Domain</h1>*)', { right: { pattern: '*<h1>Example Domain</h1>*' } }],
  ['[BODY] == pat(*<div id="user">john.doe</div>*)', { right: { pattern: '*<div id="user">john.doe</div>*' } }],
  ['[BODY] != pat(* == (a) < b *)', { operator: '!=', right: { pattern: '* == (a) < b *' } }],
  ['[BODY] == pat( *a* )', { right: { pattern: ' *a* ' } }],
  ['pat(*ok*) == [BODY]', { left: { kind: 'pat', pattern: '*ok*' }, right: { kind: 'placeholder', name: 'BODY' } }],
  ['pat(*(x)*) == [BODY]', { left: { pattern: '*(x)*' } }],
  // On the right, the condition's last ")" closes pat() and any(), so the pattern may be unbalanced.
  ['[BODY] == pat(*:)*)', { right: { pattern: '*:)*' } }],
  ['[BODY] == pat((*)', { right: { pattern: '(*' } }],
  ['any(200, 429) == [STATUS]', { left: { kind: 'any', values: [{ value: '200' }, { value: '429' }] }, right: { name: 'STATUS' } }],
  ['[BODY].ip == any(127.0.0.1, ::1)', { right: { values: [{ value: '127.0.0.1' }, { value: '::1' }] } }],
  ['[BODY].name == any(john doe)', { right: { values: [{ value: 'john doe' }] } }],
  ['[RESPONSE_TIME] < 500', { left: { name: 'RESPONSE_TIME' }, right: { value: '500' } }],
  ['[RESPONSE_TIME] < 1s', { right: { value: '1s' } }],
  ['[RESPONSE_TIME] <= 1h30m', { right: { value: '1h30m' } }],
  ['[RESPONSE_TIME] < 500ms', { right: { value: '500ms' } }],
  ['[CERTIFICATE_EXPIRATION] > 48h', { left: { name: 'CERTIFICATE_EXPIRATION' }, right: { value: '48h' } }],
  ['[CERTIFICATE_EXPIRATION] == 0', { right: { value: '0' } }],
  ['[CONNECTED] == true', { left: { name: 'CONNECTED' }, right: { value: 'true' } }],
  ['[BODY].a != [BODY].b', { left: { kind: 'placeholder', text: '[BODY].a' }, right: { kind: 'placeholder', text: '[BODY].b' } }],
  ['[STATUS] == [BODY].status', { right: { kind: 'placeholder', name: 'BODY' } }],
  ['len([BODY].a) == len([BODY].b)', { left: { kind: 'len' }, right: { kind: 'len' } }],
  ['200 == [STATUS]', { left: { kind: 'literal', value: '200' }, right: { name: 'STATUS' } }],
  ['UP == [BODY].status', { left: { value: 'UP' } }],
  ['[BODY].message == hello world', { right: { value: 'hello world' } }],
  ['[BODY].expr == a<b', { right: { value: 'a<b' } }],
  ['[BODY] == 1', { right: { value: '1' } }],
  ['[BODY].x == -1.5', { right: { value: '-1.5' } }],
  ['  [STATUS]   ==   200  ', { left: { start: 2, end: 10 }, operatorIndex: 13, right: { value: '200', start: 18, end: 21 } }],
  ['[STATUS]\t==\t200', { operator: '==' }],
];

describe('parseCondition: valid conditions', () => {
  it.each(VALID)('%s', (condition, shape) => {
    const parsed = parseCondition(condition);
    expect(parsed.source).toBe(condition);
    expect(parsed).toMatchObject(shape);
  });

  it('records where each part is', () => {
    const parsed = parseCondition('len([BODY].items) >= 10');
    expect(parsed.left).toMatchObject({ start: 0, end: 17, target: { start: 4, end: 16, text: '[BODY].items' } });
    expect(parsed.operatorIndex).toBe(18);
    expect(parsed.right).toMatchObject({ start: 21, end: 23, text: '10' });
  });
});

/** Conditions that must be refused: where (0-based index) and the message (position included). */
const INVALID: [condition: string, index: number, message: string][] = [
  // Operators and spacing
  ['[STATUS]==200', 8, 'expected an operator (==, !=, <, <=, >, >=) with spaces around it at column 9'],
  ['[STATUS]== 200', 8, 'expected an operator (==, !=, <, <=, >, >=) with spaces around it at column 9'],
  ['[STATUS] ==200', 11, 'expected a space after the operator == at column 12'],
  ['[STATUS] = 200', 9, 'expected an operator (==, !=, <, <=, >, >=) with spaces around it at column 10'],
  ['[STATUS] = = 201', 9, 'expected an operator (==, !=, <, <=, >, >=) with spaces around it at column 10'],
  ['[STATUS] ? 201', 9, 'expected an operator (==, !=, <, <=, >, >=) with spaces around it at column 10'],
  ['[STATUS] === 200', 11, 'expected a space after the operator == at column 12'],
  ['[STATUS] <> 200', 10, 'expected a space after the operator < at column 11'],
  ['[STATUS] => 200', 9, 'expected an operator (==, !=, <, <=, >, >=) with spaces around it at column 10'],
  ['[STATUS]', 8, 'expected an operator (==, !=, <, <=, >, >=) with spaces around it at column 9'],
  ['[STATUS] ', 9, 'expected an operator (==, !=, <, <=, >, >=) with spaces around it at column 10'],
  ['[STATUS] ==', 11, 'expected a value after the operator == at column 12'],
  ['[STATUS] ==   ', 14, 'expected a value after the operator == at column 15'],
  ['[STATUS] == 200 == 300', 16, 'a condition has a single operator; found another == at column 17'],
  ['[BODY].a == [BODY].b != c', 21, 'a condition has a single operator; found another != at column 22'],
  ['[STATUS] == [BODY].a extra', 21, 'unexpected "e" after [BODY].a at column 22'],
  ['200==[STATUS]', 3, 'expected an operator (==, !=, <, <=, >, >=) with spaces around it at column 4'],
  ['== 200', 0, 'expected a value before the operator at column 1'],
  ['[BODY].status==UP', 13, 'expected an operator (==, !=, <, <=, >, >=) with spaces around it at column 14'],
  ['[BODY]status == UP', 6, 'expected an operator (==, !=, <, <=, >, >=) with spaces around it at column 7'],
  // Empty, too long, several lines
  ['', 0, 'a condition must not be empty; write one such as [STATUS] == 200 at column 1'],
  ['   ', 0, 'a condition must not be empty; write one such as [STATUS] == 200 at column 1'],
  ['[STATUS] == 200\n[STATUS] == 201', 15, 'a condition is a single line at column 16'],
  [
    `[BODY] == ${'x'.repeat(MAX_CONDITION_LENGTH)}`,
    MAX_CONDITION_LENGTH,
    `a condition is at most ${MAX_CONDITION_LENGTH} characters at column 1025`,
  ],
  // Placeholders
  ['[FOO] == 1', 0, 'unknown placeholder [FOO]; use [STATUS], [RESPONSE_TIME], [BODY], [CERTIFICATE_EXPIRATION], [CONNECTED] at column 1'],
  ['[status] == 200', 0, 'unknown placeholder [status]; placeholders are uppercase: [STATUS] at column 1'],
  ['[BODY].a == [Body].b', 12, 'unknown placeholder [Body]; placeholders are uppercase: [BODY] at column 13'],
  [
    '[IP] == 127.0.0.1',
    0,
    'the placeholder [IP] is not available for HTTP health checks; use [STATUS], [RESPONSE_TIME], [BODY], [CERTIFICATE_EXPIRATION], [CONNECTED] at column 1',
  ],
  [
    '[DOMAIN_EXPIRATION] > 720h',
    0,
    'the placeholder [DOMAIN_EXPIRATION] is not available for HTTP health checks; use [STATUS], [RESPONSE_TIME], [BODY], [CERTIFICATE_EXPIRATION], [CONNECTED] at column 1',
  ],
  ['[STATUS == 200', 7, 'expected ] to close the placeholder [STATUS at column 8'],
  ['[] == 200', 1, 'expected a placeholder name: [STATUS], [RESPONSE_TIME], [BODY], [CERTIFICATE_EXPIRATION], [CONNECTED] at column 2'],
  [
    '[ STATUS ] == 200',
    1,
    'expected a placeholder name: [STATUS], [RESPONSE_TIME], [BODY], [CERTIFICATE_EXPIRATION], [CONNECTED] at column 2',
  ],
  ['[STATUS].code == 200', 8, 'only [BODY] takes a JSONPath (such as [BODY].status); [STATUS] does not at column 9'],
  ['[CONNECTED][0] == true', 11, 'only [BODY] takes a JSONPath (such as [BODY].status); [CONNECTED] does not at column 12'],
  // JSONPath
  ['[BODY]. == UP', 7, 'expected a key after "." in the JSONPath at column 8'],
  ['[BODY].a. == 1', 9, 'expected a key after "." in the JSONPath at column 10'],
  ['[BODY]..a == 1', 7, 'expected a key after "." in the JSONPath at column 8'],
  ['[BODY].items[x] == 1', 13, 'expected an array index such as [0] in the JSONPath at column 14'],
  ['[BODY].items[] == 1', 13, 'expected an array index such as [0] in the JSONPath at column 14'],
  ['[BODY].items[-1] == 1', 13, 'expected an array index such as [0] in the JSONPath at column 14'],
  ['[BODY].items[0 == 1', 14, 'expected ] to close the array index at column 15'],
  [
    '[BODY].data == []',
    16,
    'expected a placeholder name: [STATUS], [RESPONSE_TIME], [BODY], [CERTIFICATE_EXPIRATION], [CONNECTED] at column 17',
  ],
  ['[BODY].items[*].id == 1', 13, 'expected an array index such as [0] in the JSONPath at column 14'],
  // Functions
  ['len([STATUS]) > 1', 4, 'len() takes [BODY] or a JSONPath under it, such as len([BODY].items) at column 5'],
  ['len(items) > 1', 4, 'len() takes [BODY] or a JSONPath under it, such as len([BODY].items) at column 5'],
  ['has() == true', 4, 'has() takes [BODY] or a JSONPath under it, such as has([BODY].items) at column 5'],
  ['len([BODY].items > 0', 17, 'expected ) to close len( at column 18'],
  ['len([BODY].items', 16, 'expected ) to close len( at column 17'],
  ['has([BODY].a b) == true', 13, 'expected ) to close has( at column 14'],
  ['[BODY] == pat(*a*', 17, 'expected ) at the end of the condition to close pat( at column 18'],
  ['[BODY] == pat(', 14, 'expected ) at the end of the condition to close pat( at column 15'],
  ['[BODY] == pat()', 14, 'pat() needs a pattern, such as pat(*ok*) at column 15'],
  ['[STATUS] == any(200, 429) x', 27, 'expected ) at the end of the condition to close any( at column 28'],
  ['[STATUS] == any()', 16, 'any() needs at least one value, such as any(200, 429) at column 17'],
  ['[STATUS] == any(  )', 16, 'any() needs at least one value, such as any(200, 429) at column 17'],
  ['[STATUS] == any(200,,429)', 20, 'expected a value in any() (values are separated by commas) at column 21'],
  ['[STATUS] == any(200, )', 21, 'expected a value in any() (values are separated by commas) at column 22'],
  ['[STATUS] == any(,200)', 16, 'expected a value in any() (values are separated by commas) at column 17'],
  ['pat(*a* == [BODY]', 17, 'expected ) to close pat( at column 18'],
  // On the left, pat() and any() close at the ")" that balances their "(".
  ['pat((*) == [BODY]', 17, 'expected ) to close pat( at column 18'],
  ['LEN([BODY]) == 1', 0, 'unknown function LEN(); function names are lowercase: len() at column 1'],
  ['[STATUS] == Any(200)', 12, 'unknown function Any(); function names are lowercase: any() at column 13'],
  ['contains([BODY], ok) == true', 0, 'unknown function contains(); the functions are len(), has(), pat() and any() at column 1'],
  ['[BODY] == regex(.*)', 10, 'unknown function regex(); the functions are len(), has(), pat() and any() at column 11'],
  // Meaning
  ['1 == 2', 0, 'a condition compares a placeholder (such as [STATUS], [BODY].status or len([BODY].items)) with a value at column 1'],
  [
    'any(1, 2) == pat(1*)',
    0,
    'a condition compares a placeholder (such as [STATUS], [BODY].status or len([BODY].items)) with a value at column 1',
  ],
  ['[STATUS] < any(200, 429)', 9, 'any() works only with == and != at column 10'],
  ['[BODY] >= pat(*a*)', 7, 'pat() works only with == and != at column 8'],
  ['pat(a*) < [BODY]', 8, 'pat() works only with == and != at column 9'],
  ['has([BODY].a) > 0', 14, 'has([BODY].a) is true or false; compare it with == or != at column 15'],
  ['[CONNECTED] < true', 12, '[CONNECTED] is true or false; compare it with == or != at column 13'],
  ['[STATUS] == OK', 12, 'expected a number for [STATUS], not "OK" at column 13'],
  ['[STATUS] == 2xx', 12, 'expected a number for [STATUS], not "2xx" at column 13'],
  ['OK == [STATUS]', 0, 'expected a number for [STATUS], not "OK" at column 1'],
  ['[STATUS] == any(200, OK)', 21, 'expected a number for [STATUS], not "OK" at column 22'],
  ['len([BODY].items) > some', 20, 'expected a number for len([BODY].items), not "some" at column 21'],
  [
    '[RESPONSE_TIME] < fast',
    18,
    'expected milliseconds or a duration (such as 500, 500ms, 1s, 1h30m) for [RESPONSE_TIME], not "fast" at column 19',
  ],
  [
    '[RESPONSE_TIME] < 1x',
    18,
    'expected milliseconds or a duration (such as 500, 500ms, 1s, 1h30m) for [RESPONSE_TIME], not "1x" at column 19',
  ],
  [
    '[RESPONSE_TIME] < 1w',
    18,
    'expected milliseconds or a duration (such as 500, 500ms, 1s, 1h30m) for [RESPONSE_TIME], not "1w" at column 19',
  ],
  [
    '[CERTIFICATE_EXPIRATION] > 48 h',
    27,
    'expected milliseconds or a duration (such as 500, 500ms, 1s, 1h30m) for [CERTIFICATE_EXPIRATION], not "48 h" at column 28',
  ],
  ['[CONNECTED] == yes', 15, 'expected true or false for [CONNECTED], not "yes" at column 16'],
  ['has([BODY].errors) == False', 22, 'expected true or false for has([BODY].errors), not "False" at column 23'],
];

describe('parseCondition: invalid conditions', () => {
  it.each(INVALID)('%j is refused at index %i', (condition, index, message) => {
    let thrown: unknown;
    try {
      parseCondition(condition);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(ConditionSyntaxError);
    const error = thrown as ConditionSyntaxError;
    expect(error.message).toBe(message);
    expect(error.index).toBe(index);
    expect(error.column).toBe(index + 1);
    expect(error.condition).toBe(condition);
    expect(error.message).toBe(`${error.reason} at column ${error.column}`);
  });

  it('throws a ConditionSyntaxError, not a TypeError, for a value that is not a string', () => {
    expect(() => parseCondition(42 as unknown as string)).toThrow(ConditionSyntaxError);
    expect(() => parseCondition(undefined as unknown as string)).toThrow(ConditionSyntaxError);
  });
});
