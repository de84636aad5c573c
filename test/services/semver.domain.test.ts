import { describe, expect, it } from 'vitest';
import {
  compareSemVer,
  formatPrecedence,
  MAX_VERSION_LENGTH,
  parseSemVer,
  precedenceKey,
  type SemVer,
} from '../../functions/services/semver.domain.ts';

/** Parses a version the test knows is valid; fails the test loudly otherwise. */
function parsed(input: string): SemVer {
  const result = parseSemVer(input);
  if (!result.ok) throw new Error(`expected ${JSON.stringify(input)} to parse, got: ${result.reason}`);
  return result.value;
}

function reasonFor(input: string): string {
  const result = parseSemVer(input);
  if (result.ok) throw new Error(`expected ${JSON.stringify(input)} to be refused`);
  return result.reason;
}

describe('parseSemVer', () => {
  it.each([
    { input: '1.2.0', major: '1', minor: '2', patch: '0', prerelease: [], build: [] },
    { input: '2.0.0-rc.1', major: '2', minor: '0', patch: '0', prerelease: ['rc', '1'], build: [] },
    { input: '1.0.0+build.5', major: '1', minor: '0', patch: '0', prerelease: [], build: ['build', '5'] },
    { input: '1.0.0-alpha.beta', major: '1', minor: '0', patch: '0', prerelease: ['alpha', 'beta'], build: [] },
    { input: '0.0.0', major: '0', minor: '0', patch: '0', prerelease: [], build: [] },
    {
      input: '12345678901234567890.98765432109876543210.0',
      major: '12345678901234567890',
      minor: '98765432109876543210',
      patch: '0',
      prerelease: [],
      build: [],
    },
    { input: '1.0.0-0.3.7', major: '1', minor: '0', patch: '0', prerelease: ['0', '3', '7'], build: [] },
    { input: '1.0.0-x.7.z.92', major: '1', minor: '0', patch: '0', prerelease: ['x', '7', 'z', '92'], build: [] },
    { input: '1.0.0-x-y-z.--', major: '1', minor: '0', patch: '0', prerelease: ['x-y-z', '--'], build: [] },
    { input: '1.0.0-0a.00b', major: '1', minor: '0', patch: '0', prerelease: ['0a', '00b'], build: [] },
    {
      input: '1.0.0-beta+exp.sha.5114f85',
      major: '1',
      minor: '0',
      patch: '0',
      prerelease: ['beta'],
      build: ['exp', 'sha', '5114f85'],
    },
    { input: '1.0.0+21AF26D3----117B344092BD', major: '1', minor: '0', patch: '0', prerelease: [], build: ['21AF26D3----117B344092BD'] },
    { input: '1.0.0+build.01', major: '1', minor: '0', patch: '0', prerelease: [], build: ['build', '01'] },
  ])('accepts $input', ({ input, ...expected }) => {
    // Prepare: the input is a strict SemVer 2.0.0 string.

    // Act
    const result = parseSemVer(input);

    // Assess
    expect(result).toEqual({ ok: true, value: { ...expected, raw: input } });
  });

  it.each([
    { input: 'latest', reason: /three dot-separated numbers/ },
    { input: 'v1', reason: /"v" prefix/ },
    { input: 'v1.2.3', reason: /"v" prefix/ },
    { input: 'V1.2.3', reason: /"v" prefix/ },
    { input: '1.0', reason: /three dot-separated numbers.*has 2/ },
    { input: '1.2', reason: /three dot-separated numbers.*has 2/ },
    { input: '1.2.3.4', reason: /three dot-separated numbers.*has 4/ },
    { input: '2024-01-01', reason: /three dot-separated numbers/ },
    { input: '01.2.3', reason: /major version "01" has a leading zero/ },
    { input: '1.02.3', reason: /minor version "02" has a leading zero/ },
    { input: '1.2.03', reason: /patch version "03" has a leading zero/ },
    { input: '1.2.3-01', reason: /pre-release identifier "01" has a leading zero/ },
    { input: '1.2.3-alpha.00', reason: /pre-release identifier "00" has a leading zero/ },
    { input: '1.2.3-', reason: /pre-release identifier must not be empty/ },
    { input: '1.2.3-alpha..1', reason: /pre-release identifier must not be empty/ },
    { input: '1.2.3+', reason: /build metadata identifier must not be empty/ },
    { input: '1.2.3+build..5', reason: /build metadata identifier must not be empty/ },
    { input: '1.2.3-alpha_1', reason: /pre-release identifier "alpha_1" may use only ASCII letters, digits and "-"/ },
    { input: '1.2.3-ä', reason: /may use only ASCII letters, digits and "-"/ },
    { input: '1.2.3+a_b', reason: /build metadata identifier "a_b" may use only ASCII/ },
    { input: '1.x.3', reason: /minor version "x" is not a non-negative integer/ },
    { input: '-1.2.3', reason: /starts with MAJOR\.MINOR\.PATCH/ },
    { input: '1.2.3 ', reason: /no spaces/ },
    { input: ' 1.2.3', reason: /no spaces/ },
    { input: '1. 2.3', reason: /no spaces/ },
    { input: '1.2.3\n', reason: /no spaces/ },
    { input: '', reason: /must not be empty/ },
    { input: `1.0.0-${'a'.repeat(MAX_VERSION_LENGTH)}`, reason: new RegExp(`at most ${MAX_VERSION_LENGTH} characters`) },
  ])('refuses $input, saying why', ({ input, reason }) => {
    // Prepare: the input is not strict SemVer 2.0.0.

    // Act
    const result = parseSemVer(input);

    // Assess
    expect(result.ok).toBe(false);
    expect(reasonFor(input)).toMatch(reason);
  });

  it('refuses non-ASCII digits that a Unicode-aware check would take for numbers', () => {
    // Prepare
    const arabicIndic = '\u0661.\u0662.\u0663';

    // Act
    const result = parseSemVer(arabicIndic);

    // Assess
    expect(result.ok).toBe(false);
  });

  it('accepts a version exactly at the length limit', () => {
    // Prepare
    const atLimit = `1.0.0-${'a'.repeat(MAX_VERSION_LENGTH - 6)}`;

    // Act
    const result = parseSemVer(atLimit);

    // Assess
    expect(atLimit).toHaveLength(MAX_VERSION_LENGTH);
    expect(result.ok).toBe(true);
  });
});

describe('compareSemVer and precedenceKey', () => {
  const ascending = [
    '1.0.0-alpha',
    '1.0.0-alpha.1',
    '1.0.0-alpha.beta',
    '1.0.0-beta',
    '1.0.0-beta.2',
    '1.0.0-beta.11',
    '1.0.0-rc.1',
    '1.0.0',
    '1.0.1',
    '1.10.0',
    '2.0.0',
  ];
  const neighbours = ascending.slice(1).map((higher, i) => ({ lower: ascending[i] as string, higher }));

  it.each(neighbours)('orders $lower below $higher', ({ lower, higher }) => {
    // Prepare
    const a = parsed(lower);
    const b = parsed(higher);

    // Act
    const forward = compareSemVer(a, b);
    const backward = compareSemVer(b, a);

    // Assess
    expect(forward).toBe(-1);
    expect(backward).toBe(1);
    expect(precedenceKey(a) < precedenceKey(b)).toBe(true);
  });

  it('sorts a shuffled list into SemVer precedence order, by comparison and by key alike', () => {
    // Prepare
    const shuffled = [
      '1.10.0',
      '1.0.0-beta.11',
      '2.0.0',
      '1.0.0',
      '1.0.0-alpha.beta',
      '1.0.0-rc.1',
      '1.0.0-alpha',
      '1.0.1',
      '1.0.0-beta',
      '1.0.0-alpha.1',
      '1.0.0-beta.2',
    ];

    // Act
    const byCompare = shuffled
      .map(parsed)
      .sort(compareSemVer)
      .map((v) => v.raw);
    const byKey = shuffled
      .map(parsed)
      .sort((a, b) => (precedenceKey(a) < precedenceKey(b) ? -1 : precedenceKey(a) > precedenceKey(b) ? 1 : 0))
      .map((v) => v.raw);

    // Assess
    expect(byCompare).toEqual(ascending);
    expect(byKey).toEqual(ascending);
  });

  it.each([
    { a: '1.0.0+build.5', b: '1.0.0' },
    { a: '1.0.0+build.5', b: '1.0.0+build.6' },
    { a: '2.0.0-rc.1+sha.abc', b: '2.0.0-rc.1' },
  ])('ignores build metadata: $a has the precedence of $b', ({ a, b }) => {
    // Prepare
    const left = parsed(a);
    const right = parsed(b);

    // Act
    const order = compareSemVer(left, right);

    // Assess
    expect(order).toBe(0);
    expect(precedenceKey(left)).toBe(precedenceKey(right));
    expect(formatPrecedence(left)).toBe(formatPrecedence(right));
  });

  it('compares numbers numerically however long they are', () => {
    // Prepare
    const shorter = parsed('99999999999999999999.0.0');
    const longer = parsed('100000000000000000000.0.0');

    // Act
    const order = compareSemVer(shorter, longer);

    // Assess
    expect(order).toBe(-1);
    expect(precedenceKey(shorter) < precedenceKey(longer)).toBe(true);
  });

  it('ranks numeric pre-release identifiers below alphanumeric ones and compares letters by ASCII', () => {
    // Prepare
    const numeric = parsed('1.0.0-999');
    const alpha = parsed('1.0.0-0a');
    const upper = parsed('1.0.0-Z');
    const lower = parsed('1.0.0-a');

    // Act
    const numericVsAlpha = compareSemVer(numeric, alpha);
    const upperVsLower = compareSemVer(upper, lower);

    // Assess
    expect(numericVsAlpha).toBe(-1);
    expect(upperVsLower).toBe(-1);
    expect(precedenceKey(numeric) < precedenceKey(alpha)).toBe(true);
    expect(precedenceKey(upper) < precedenceKey(lower)).toBe(true);
  });

  it('keeps the sort key printable ASCII, so byte order and code-unit order agree', () => {
    // Prepare
    const version = parsed('10.20.30-rc.1.x-y--z.0+meta');

    // Act
    const key = precedenceKey(version);

    // Assess
    expect(key).toMatch(/^[\x21-\x7e]+$/);
  });

  it('formats a version without its build metadata', () => {
    // Prepare
    const version = parsed('2.0.0-rc.1+build.7');

    // Act
    const formatted = formatPrecedence(version);

    // Assess
    expect(formatted).toBe('2.0.0-rc.1');
  });
});
