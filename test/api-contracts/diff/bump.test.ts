// Version steps against required bumps, checked against the semver package (npm's own) as the reference.

import fc from 'fast-check';
import semver from 'semver';
import { describe, expect, it } from 'vitest';
import { checkBump, compareSemver, parseSemver, SemverError } from '../../../functions/api-contracts/diff/index.ts';

describe('checkBump', () => {
  it.each([
    ['1.2.3', '2.0.0', 'major', true, 'major'],
    ['1.2.3', '1.3.0', 'major', false, 'minor'],
    ['1.2.3', '1.3.0', 'minor', true, 'minor'],
    ['1.2.3', '1.2.4', 'minor', false, 'patch'],
    ['1.2.3', '1.2.4', 'patch', true, 'patch'],
    ['1.2.3', '2.0.0-rc.1', 'major', true, 'major'],
    ['2.0.0-rc.1', '2.0.0', 'major', true, 'prerelease'],
    ['2.0.0-rc.1', '2.0.0-rc.2', 'major', true, 'prerelease'],
    ['1.2.3', '1.2.3', 'patch', false, 'none'],
    ['1.2.3', '1.2.3+build.7', 'patch', false, 'none'],
    ['1.3.0', '1.2.9', 'patch', false, 'none'],
    // In 0.x a minor step counts as major, and a patch step as minor.
    ['0.3.1', '0.4.0', 'major', true, 'major'],
    ['0.3.1', '0.3.2', 'major', false, 'minor'],
    ['0.3.1', '0.3.2', 'minor', true, 'minor'],
    ['0.9.0', '1.0.0', 'major', true, 'major'],
  ] as const)('%s → %s satisfies a %s bump: %s', (base, revision, required, satisfied, step) => {
    // Act
    const check = checkBump(base, revision, required);

    // Assess
    expect(check).toEqual(expect.objectContaining({ satisfied, step, required }));
    expect(check.message).toContain(revision);
  });

  it('explains the 0.x rule when a 0.x patch step is not enough', () => {
    // Act
    const check = checkBump('0.3.1', '0.3.2', 'major');

    // Assess
    expect(check.message).toBe('0.3.1 → 0.3.2 is a minor step, but the changes require a major bump (in 0.x a minor step counts as major)');
  });

  it.each([
    ['v1.2.3', /without the leading "v"/],
    ['1.2', /not a semantic version/],
    ['01.2.3', /not a semantic version/],
    ['1.2.3-01', /leading zero/],
    ['1.2.3-', /not a semantic version/],
  ])('refuses the version %s', (version, message) => {
    // Act
    const act = () => checkBump(version, '9.9.9', 'patch');

    // Assess
    expect(act).toThrow(SemverError);
    expect(act).toThrow(message);
  });

  it('refuses an unknown required bump', () => {
    // Act
    const act = () => checkBump('1.0.0', '2.0.0', 'huge' as never);

    // Assess
    expect(act).toThrow(SemverError);
  });
});

// The reference: the semver package that npm itself uses.
const identifier = fc.oneof(fc.nat({ max: 20 }).map(String), fc.stringMatching(/^[a-z-][0-9a-z-]{0,4}$/));
const version = fc
  .record({
    major: fc.nat({ max: 3 }),
    minor: fc.nat({ max: 3 }),
    patch: fc.nat({ max: 3 }),
    prerelease: fc.array(identifier, { maxLength: 3 }),
    build: fc.array(fc.stringMatching(/^[0-9a-z]{1,3}$/), { maxLength: 2 }),
  })
  .map(
    ({ major, minor, patch, prerelease, build }) =>
      `${major}.${minor}.${patch}${prerelease.length ? `-${prerelease.join('.')}` : ''}${build.length ? `+${build.join('.')}` : ''}`,
  );

describe('SemVer parsing and ordering', () => {
  it('orders versions exactly as the semver package does', () => {
    fc.assert(
      fc.property(version, version, (a, b) => {
        // Act
        const ours = compareSemver(parseSemver(a), parseSemver(b));

        // Assess
        expect(ours).toBe(semver.compare(a, b));
      }),
      { numRuns: 500 },
    );
  });

  it('accepts exactly the versions the semver package accepts strictly', () => {
    fc.assert(
      fc.property(fc.oneof(version, fc.string({ maxLength: 12 })), (text) => {
        // Act
        let accepted = true;
        try {
          parseSemver(text);
        } catch {
          accepted = false;
        }

        // Assess
        // semver also tolerates a leading "v" or "=" and surrounding spaces, which we refuse.
        expect(accepted).toBe(semver.valid(text) !== null && !/^[=v\s]/.test(text) && text.trim() === text);
      }),
      { numRuns: 500 },
    );
  });

  it('calls a release step what the semver package calls it (releases from 1.0.0 up)', () => {
    const release = fc
      .record({ major: fc.integer({ min: 1, max: 3 }), minor: fc.nat({ max: 3 }), patch: fc.nat({ max: 3 }) })
      .map(({ major, minor, patch }) => `${major}.${minor}.${patch}`);
    fc.assert(
      fc.property(release, release, (a, b) => {
        fc.pre(semver.gt(b, a));

        // Act
        const check = checkBump(a, b, 'patch');

        // Assess
        expect(check.step).toBe(semver.diff(a, b));
      }),
      { numRuns: 300 },
    );
  });
});
