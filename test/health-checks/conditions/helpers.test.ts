import { describe, expect, it } from 'vitest';
import { formatDuration, matchGlob, parseDurationMs } from '../../../functions/health-checks/conditions/index.ts';
import { lookup } from '../../../functions/health-checks/conditions/json-path.ts';
import { parseNumber } from '../../../functions/health-checks/conditions/number.ts';

describe('parseDurationMs', () => {
  it.each([
    ['500ms', 500],
    ['1s', 1_000],
    ['1.5s', 1_500],
    ['2m', 120_000],
    ['48h', 172_800_000],
    ['7d', 604_800_000],
    ['1h30m', 5_400_000],
    ['1h0m1s1ms', 3_601_001],
    ['0s', 0],
    ['1m1ms', 60_001],
  ])('%s is %i ms', (text, ms) => {
    expect(parseDurationMs(text)).toBe(ms);
  });

  it.each(['', '500', '1', 'h', '1w', '1 s', ' 1s', '1s ', '1S', '-1s', '1.s', '.5s', '1h30', 's1', '1sec', `${'9'.repeat(400)}h`])(
    '%j is not a duration',
    (text) => {
      expect(parseDurationMs(text)).toBeUndefined();
    },
  );
});

describe('formatDuration', () => {
  it.each([
    [0, '0s'],
    [0.4, '0s'],
    [250, '250ms'],
    [1_000, '1s'],
    [125_000, '2m5s'],
    [86_400_000, '24h'],
    [5_400_000, '1h30m'],
    [5_401_500, '1h30m1s500ms'],
    [-10_800_000, '-3h'],
    [Number.NaN, 'NaN'],
  ])('%d ms is %s', (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
  });

  it('writes what parseDurationMs reads back (whole milliseconds)', () => {
    for (const ms of [1, 999, 1_000, 61_001, 3_600_000, 90_061_001, 5_184_000_000]) expect(parseDurationMs(formatDuration(ms))).toBe(ms);
  });
});

describe('matchGlob', () => {
  it.each([
    ['*ok*', 'all ok here', true],
    ['*ok*', 'ok', true],
    ['*ok*', 'OK', false],
    ['ok', 'ok', true],
    ['ok', 'ok!', false],
    ['*', '', true],
    ['**', 'anything', true],
    ['a*', 'abc', true],
    ['a*', 'bac', false],
    ['*c', 'abc', true],
    ['*c', 'abcd', false],
    ['a*c', 'ac', true],
    ['a*c', 'abbbc', true],
    ['a*b*c', 'aXbYc', true],
    ['a*b*c', 'acb', false],
    ['aa*aa', 'aaa', false],
    ['aa*aa', 'aaaa', true],
    ['*ab*ab*', 'abab', true],
    ['*ab*ab*', 'aba', false],
    ['?', 'x', false],
    ['?', '?', true],
    ['[a]', 'a', false],
    ['.*', 'anything', false],
    ['.*', '.x', true],
    ['192.168.*', '192.168.0.1', true],
    ['4*', '404', true],
  ])('pat(%s) on %j is %s', (pattern, text, expected) => {
    expect(matchGlob(pattern, text)).toBe(expected);
  });

  it('stays fast on patterns that make backtracking matchers explode', () => {
    const started = performance.now();
    expect(matchGlob(`${'*a'.repeat(50)}b`, 'a'.repeat(100_000))).toBe(false);
    expect(performance.now() - started).toBeLessThan(1_000);
  });
});

describe('lookup (JSONPath)', () => {
  const doc = { a: { b: [10, { c: null }] }, list: [], 'x-y': 1 };
  it.each([
    [[], { found: true, value: doc }],
    [[{ kind: 'key', key: 'a' }], { found: true, value: doc.a }],
    [
      [
        { kind: 'key', key: 'a' },
        { kind: 'key', key: 'b' },
        { kind: 'index', index: 0 },
      ],
      { found: true, value: 10 },
    ],
    [
      [
        { kind: 'key', key: 'a' },
        { kind: 'key', key: 'b' },
        { kind: 'index', index: 1 },
        { kind: 'key', key: 'c' },
      ],
      { found: true, value: null },
    ],
    [[{ kind: 'key', key: 'x-y' }], { found: true, value: 1 }],
    [[{ kind: 'key', key: 'nope' }], { found: false }],
    [[{ kind: 'index', index: 0 }], { found: false }],
    [
      [
        { kind: 'key', key: 'list' },
        { kind: 'index', index: 0 },
      ],
      { found: false },
    ],
    [
      [
        { kind: 'key', key: 'a' },
        { kind: 'key', key: 'b' },
        { kind: 'key', key: 'length' },
      ],
      { found: false },
    ],
    [[{ kind: 'key', key: 'constructor' }], { found: false }],
    [[{ kind: 'key', key: '__proto__' }], { found: false }],
    [[{ kind: 'key', key: 'hasOwnProperty' }], { found: false }],
  ] as const)('%j', (path, expected) => {
    expect(lookup(doc, path)).toEqual(expected);
  });

  it('looks into nothing that is not an object or an array', () => {
    for (const root of [null, 1, 'text', true]) expect(lookup(root, [{ kind: 'key', key: 'length' }])).toEqual({ found: false });
    expect(lookup('text', [{ kind: 'index', index: 0 }])).toEqual({ found: false });
  });
});

describe('parseNumber', () => {
  it.each([
    ['200', 200],
    ['-1.5', -1.5],
    ['+3', 3],
    ['.5', 0.5],
    ['1.', 1],
    ['2e3', 2_000],
    ['1E-2', 0.01],
  ])('%s is %d', (text, value) => {
    expect(parseNumber(text)).toBe(value);
  });

  it.each(['', ' 1', '1 ', '0x1', '1_000', '1,000', 'Infinity', 'NaN', '1e999', '-', '.', 'e3', '1s'])('%j is not a number', (text) => {
    expect(parseNumber(text)).toBeUndefined();
  });
});
