import fc from 'fast-check';
import * as semver from 'semver';
import { describe, expect, it } from 'vitest';
import { compareSemVer, MAX_VERSION_LENGTH, parseSemVer, precedenceKey, type SemVer } from '../../functions/services/semver.domain.ts';

/**
 * Properties of the sort-key encoding the table stores versions under: DynamoDB orders sort
 * keys by their UTF-8 bytes, which for ASCII is plain JavaScript string (code-unit) order, so
 * `precedenceKey` must order exactly as SemVer 2.0.0 precedence.
 */

const RUNS = 1000;

/** A numeric identifier: 0 or digits without a leading zero, some of them very long. */
function numericIdentifier(maxDigits: number) {
  return fc.oneof(
    { weight: 3, arbitrary: fc.constantFrom('0', '1', '2', '9', '10', '11', '99', '100') },
    {
      weight: 2,
      arbitrary: fc
        .tuple(fc.constantFrom('1', '2', '9'), fc.string({ unit: fc.constantFrom('0', '1', '9'), maxLength: maxDigits - 1 }))
        .map(([head, tail]) => head + tail),
    },
  );
}

/**
 * An alphanumeric identifier: ASCII letters, digits and '-', with at least one non-digit. A small
 * alphabet makes identifiers that are prefixes of each other ('a', 'a-', 'a-0') common, which is
 * where a separator or terminator in the encoding would show.
 */
const ALNUM_UNITS = ['0', '1', '9', 'a', 'z', 'A', 'Z', '-'];
const alphanumericIdentifier = fc.oneof(
  { weight: 2, arbitrary: fc.constantFrom('alpha', 'beta', 'rc', 'a', 'a-', 'b', 'Z', '-', '--', 'x-1', '0a', '1-') },
  {
    weight: 2,
    arbitrary: fc
      .tuple(
        fc.string({ unit: fc.constantFrom('0', 'a', '-'), maxLength: 2 }),
        fc.constantFrom('a', '-'),
        fc.string({ unit: fc.constantFrom('0', 'a', '-'), maxLength: 2 }),
      )
      .map(([before, letter, after]) => before + letter + after),
  },
  {
    weight: 2,
    arbitrary: fc
      .tuple(
        fc.string({ unit: fc.constantFrom(...ALNUM_UNITS), maxLength: 4 }),
        fc.constantFrom('a', 'b', 'z', 'A', 'Z', '-'),
        fc.string({ unit: fc.constantFrom(...ALNUM_UNITS), maxLength: 4 }),
      )
      .map(([before, letter, after]) => before + letter + after),
  },
);

const buildIdentifier = fc.string({ unit: fc.constantFrom('0', '1', 'a', 'Z', '-'), minLength: 1, maxLength: 6 });

/**
 * Strict SemVer strings. Small numbers dominate so that versions often share a core and differ
 * only in pre-release identifiers, where the encoding is hardest.
 */
function semverString(options: { maxDigits: number }) {
  const coreNumber = fc.oneof(
    { weight: 4, arbitrary: fc.constantFrom('0', '1', '2', '10') },
    { weight: 1, arbitrary: numericIdentifier(options.maxDigits) },
  );
  const preIdentifier = fc.oneof(numericIdentifier(options.maxDigits), alphanumericIdentifier);
  return fc
    .record({
      major: coreNumber,
      minor: coreNumber,
      patch: coreNumber,
      prerelease: fc.option(fc.array(preIdentifier, { minLength: 1, maxLength: 4 }), { nil: undefined, freq: 3 }),
      build: fc.option(fc.array(buildIdentifier, { minLength: 1, maxLength: 3 }), { nil: undefined, freq: 2 }),
    })
    .map(
      ({ major, minor, patch, prerelease, build }) =>
        `${major}.${minor}.${patch}${prerelease ? `-${prerelease.join('.')}` : ''}${build ? `+${build.join('.')}` : ''}`,
    )
    .filter((version) => version.length <= MAX_VERSION_LENGTH);
}

/**
 * Two versions that share their core and the start of their pre-release and differ after it —
 * often at an identifier that extends the other one ('a' and 'a-', '1' and '10'): the pairs whose
 * order depends on how identifiers, their separators and their ends are encoded.
 */
function siblingPair(options: { maxDigits: number }) {
  const preIdentifier = fc.oneof(numericIdentifier(options.maxDigits), alphanumericIdentifier);
  const tail = fc.array(preIdentifier, { maxLength: 2 });
  const divergence = fc.oneof(
    fc.constant<[string[], string[]]>([[], []]),
    fc
      .tuple(preIdentifier, fc.constantFrom('-', 'a', '0', '-0', '9', 'Z'))
      .filter(([base, extension]) => /^(0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*)$/.test(base + extension))
      .map(([base, extension]): [string[], string[]] => [[base], [base + extension]]),
  );
  return fc
    .record({
      core: fc.constantFrom('1.0.0', '0.1.0', '2.10.3'),
      shared: fc.array(preIdentifier, { maxLength: 2 }),
      divergence,
      left: tail,
      right: tail,
      swap: fc.boolean(),
    })
    .map(({ core, shared, divergence: [first, second], left, right, swap }) => {
      const version = (ids: string[]) => (ids.length === 0 ? core : `${core}-${ids.join('.')}`);
      const pair = [version([...shared, ...first, ...left]), version([...shared, ...second, ...right])] as const;
      return swap ? ([pair[1], pair[0]] as const) : pair;
    })
    .filter(([a, b]) => a.length <= MAX_VERSION_LENGTH && b.length <= MAX_VERSION_LENGTH);
}

/** Versions from a small space (two cores, short pre-releases), so lists hold many near neighbours. */
const closeVersion = fc
  .record({
    core: fc.constantFrom('1.0.0', '1.0.1'),
    prerelease: fc.array(fc.oneof(numericIdentifier(3), alphanumericIdentifier), { maxLength: 3 }),
  })
  .map(({ core, prerelease }) => (prerelease.length === 0 ? core : `${core}-${prerelease.join('.')}`));

/** Numbers of any length, up to 40 digits. */
const anyVersion = semverString({ maxDigits: 40 });
/** Numbers the `semver` package represents exactly (it converts them to JS numbers). */
const safeVersion = semverString({ maxDigits: 15 });

function parsed(input: string): SemVer {
  const result = parseSemVer(input);
  if (!result.ok) throw new Error(`generated ${JSON.stringify(input)} was refused: ${result.reason}`);
  return result.value;
}

function codeUnitOrder(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

describe('the version sort key', () => {
  it('accepts every generated strict SemVer string', () => {
    fc.assert(
      fc.property(anyVersion, (version) => {
        // Act
        const result = parseSemVer(version);

        // Assess
        expect(result.ok).toBe(true);
      }),
      { numRuns: RUNS },
    );
  });

  it('sorts a list by plain string order of its keys exactly as by SemVer precedence', () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(anyVersion, closeVersion), { minLength: 2, maxLength: 25 }), (versions) => {
        // Prepare
        const items = versions.map(parsed);

        // Act: both sorts are stable, so ties keep input order in each.
        const byPrecedence = [...items].sort(compareSemVer).map((v) => v.raw);
        const byKey = [...items].sort((a, b) => codeUnitOrder(precedenceKey(a), precedenceKey(b))).map((v) => v.raw);

        // Assess
        expect(byKey).toEqual(byPrecedence);
      }),
      { numRuns: RUNS },
    );
  });

  it('orders every pair by key as compareSemVer orders them, and keys are equal iff precedence is', () => {
    const pairs = fc.oneof(fc.tuple(anyVersion, anyVersion), siblingPair({ maxDigits: 40 }));
    fc.assert(
      fc.property(pairs, ([left, right]) => {
        // Prepare
        const a = parsed(left);
        const b = parsed(right);

        // Act
        const byKey = codeUnitOrder(precedenceKey(a), precedenceKey(b));
        const byPrecedence = compareSemVer(a, b);

        // Assess
        expect(byKey).toBe(byPrecedence);
        expect(precedenceKey(a) === precedenceKey(b)).toBe(byPrecedence === 0);
      }),
      { numRuns: RUNS * 3 },
    );
  });

  it('gives versions that differ only in build metadata the same key, and no others', () => {
    fc.assert(
      fc.property(anyVersion, fc.array(buildIdentifier, { minLength: 1, maxLength: 3 }), (version, build) => {
        // Prepare
        const withoutBuild = version.split('+')[0] as string;
        const withOtherBuild = `${withoutBuild}+${build.join('.')}`;
        fc.pre(withOtherBuild.length <= MAX_VERSION_LENGTH);

        // Act
        const original = precedenceKey(parsed(version));
        const rebuilt = precedenceKey(parsed(withOtherBuild));

        // Assess
        expect(rebuilt).toBe(original);
      }),
      { numRuns: RUNS },
    );
  });

  it('is printable ASCII well inside the sort-key size limit', () => {
    fc.assert(
      fc.property(anyVersion, (version) => {
        // Act
        const key = precedenceKey(parsed(version));

        // Assess
        expect(key).toMatch(/^[\x21-\x7e]+$/);
        expect(Buffer.byteLength(`VER#${key}`)).toBeLessThan(1024);
      }),
      { numRuns: RUNS },
    );
  });
});

describe('compareSemVer', () => {
  it('agrees with the semver package on precedence', () => {
    fc.assert(
      fc.property(fc.oneof(fc.tuple(safeVersion, safeVersion), siblingPair({ maxDigits: 15 })), ([left, right]) => {
        // Prepare
        const a = parsed(left);
        const b = parsed(right);

        // Act
        const ours = compareSemVer(a, b);
        const theirs = semver.compare(left, right);

        // Assess
        expect(ours).toBe(theirs);
      }),
      { numRuns: RUNS * 3 },
    );
  });

  it('is antisymmetric and transitive', () => {
    fc.assert(
      fc.property(anyVersion, anyVersion, anyVersion, (x, y, z) => {
        // Prepare
        const [a, b, c] = [parsed(x), parsed(y), parsed(z)];

        // Act
        const ab = compareSemVer(a, b);
        const ba = compareSemVer(b, a);
        const bc = compareSemVer(b, c);
        const ac = compareSemVer(a, c);

        // Assess
        expect(ab).toBe(-ba || 0);
        if (ab <= 0 && bc <= 0) expect(ac).toBeLessThanOrEqual(0);
      }),
      { numRuns: RUNS },
    );
  });
});
