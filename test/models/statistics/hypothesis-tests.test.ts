import { errorFunction, standardNormalTable, wilcoxonRankSum } from 'simple-statistics';
import { describe, expect, it } from 'vitest';
import {
  erfc,
  mannWhitneyU,
  normalCdf,
  StatisticsError,
  twoProportionZTest,
  twoSidedPValue,
  type WeightedValue,
} from '../../../functions/models/statistics/index.ts';
import { seededRandom } from './random.ts';

/**
 * The tests against references computed independently of the code under test:
 * - the normal CDF against values of Φ known to 16 digits, simple-statistics' standard normal table
 *   (4 decimals) and its errorFunction (Numerical Recipes' erfc, fractional error below 1.2e-7);
 * - the two-proportion test against statsmodels' regression test for proportions_ztest,
 *   and against Pearson's chi-square of the 2×2 table computed here (z² = χ²);
 * - Mann-Whitney against SciPy's regression tests for mannwhitneyu (two-sided, continuity correction;
 *   the tied one, "test_mannwhitneyu_ones", checked by SciPy against R's wilcox.test), and against a
 *   straightforward O(n·m) computation on the expanded raw samples, with simple-statistics'
 *   wilcoxonRankSum for the rank sum and the variance from the ranks themselves.
 */

const expand = (bins: readonly WeightedValue[]) => bins.flatMap(({ value, count }) => Array<number>(count).fill(value));
const pFromZ = (z: number) => 1 - errorFunction(Math.abs(z) / Math.SQRT2);

describe('normalCdf', () => {
  it.each([
    [1.96, 0.9750021048517795],
    [0, 0.5],
    [1, 0.8413447460685429],
    [-1, 0.15865525393145707],
    [3, 0.9986501019683699],
    [0.5, 0.6914624612740131],
  ])('Φ(%s) = %s to 1e-15', (x, expected) => {
    // Act
    const value = normalCdf(x);

    // Assess
    expect(Math.abs(value - expected)).toBeLessThan(1e-15);
  });

  it.each([
    [-5, 2.866515718791946e-7],
    [-8, 6.220960574271819e-16],
  ])('keeps the far tail Φ(%s) = %s to 1e-12 relative', (x, expected) => {
    // Act
    const value = normalCdf(x);

    // Assess
    expect(Math.abs(value / expected - 1)).toBeLessThan(1e-12);
  });

  it("agrees with simple-statistics' standard normal table (4 decimals) from 0 to 3.09", () => {
    // Prepare
    const table = standardNormalTable as number[];

    // Act
    const worst = Math.max(...table.map((expected, i) => Math.abs(normalCdf(i / 100) - expected)));

    // Assess
    expect(table.length).toBe(310);
    expect(worst).toBeLessThanOrEqual(0.5e-4 + 1e-12);
  });

  it("agrees with simple-statistics' errorFunction within its stated 1.2e-7, from −5 to 5", () => {
    // Prepare
    const xs = Array.from({ length: 1001 }, (_, i) => -5 + i / 100);

    // Act
    const worst = Math.max(...xs.map((x) => Math.abs(1 - erfc(x) - errorFunction(x))));

    // Assess
    expect(worst).toBeLessThan(1.2e-7);
  });

  it('is symmetric, monotonic and within [0, 1] far out', () => {
    // Prepare
    const xs = Array.from({ length: 121 }, (_, i) => -30 + i / 2);

    // Act
    const values = xs.map(normalCdf);

    // Assess
    xs.forEach((x, i) => {
      expect(Math.abs(values[i]! + normalCdf(-x) - 1)).toBeLessThan(1e-15);
    });
    for (let i = 1; i < values.length; i++) expect(values[i]!).toBeGreaterThanOrEqual(values[i - 1]!);
    expect(values[0]).toBeGreaterThan(0);
    expect(values[0]).toBeLessThan(1e-190); // Φ(−30) ≈ 4.9e-198
    expect(values.at(-1)).toBe(1);
  });

  it('gives two-sided p-values: 0.05 at 1.959963984540054, 1 at 0', () => {
    // Act & Assess
    expect(twoSidedPValue(1.959963984540054)).toBeCloseTo(0.05, 14);
    expect(twoSidedPValue(-1.959963984540054)).toBeCloseTo(0.05, 14);
    expect(twoSidedPValue(0)).toBe(1);
  });

  it('refuses NaN with its own error', () => {
    // Act & Assess
    expect(() => normalCdf(Number.NaN)).toThrow(StatisticsError);
  });
});

describe('twoProportionZTest', () => {
  it("matches statsmodels' proportions_ztest regression values: 5/83 against 12/99", () => {
    // Act
    const result = twoProportionZTest({ count: 5, total: 83 }, { count: 12, total: 99 });

    // Assess: statsmodels reports z for first − second (−1.4078304151258787); here it is second − first.
    expect(result.z).toBeCloseTo(1.4078304151258787, 12);
    expect(result.pValue).toBeCloseTo(0.15918129181156992, 12);
    expect(result.difference).toBeCloseTo(12 / 99 - 5 / 83, 15);
    expect(result.degenerate).toBeNull();
  });

  it("squares to Pearson's chi-square of the 2×2 table, and its p-value matches simple-statistics' erf", () => {
    // Prepare
    const random = seededRandom(5);
    for (let run = 0; run < 50; run++) {
      const n1 = 20 + Math.floor(random() * 5_000);
      const n2 = 20 + Math.floor(random() * 5_000);
      const x1 = Math.floor(random() * n1 * 0.3);
      const x2 = Math.floor(random() * n2 * 0.3);
      const table = [
        [x1, n1 - x1],
        [x2, n2 - x2],
      ];
      const n = n1 + n2;
      const columns = [x1 + x2, n - x1 - x2];
      let chiSquare = 0;
      table.forEach((row, r) => {
        row.forEach((observed, c) => {
          const expected = ((r === 0 ? n1 : n2) * columns[c]!) / n;
          chiSquare += (observed - expected) ** 2 / expected;
        });
      });

      // Act
      const result = twoProportionZTest({ count: x1, total: n1 }, { count: x2, total: n2 });

      // Assess
      expect(result.z ** 2).toBeCloseTo(chiSquare, 8);
      expect(Math.abs(result.pValue - pFromZ(result.z))).toBeLessThan(1.2e-7);
    }
  });

  it('has z > 0 when the second rate is higher, and swapping the groups flips only the sign', () => {
    // Act
    const forward = twoProportionZTest({ count: 10, total: 1000 }, { count: 30, total: 1000 });
    const backward = twoProportionZTest({ count: 30, total: 1000 }, { count: 10, total: 1000 });

    // Assess
    expect(forward.z).toBeGreaterThan(0);
    expect(backward.z).toBeCloseTo(-forward.z, 12);
    expect(backward.pValue).toBe(forward.pValue);
    expect(forward.pValue).toBeLessThan(0.01);
  });

  it.each([
    ['an empty group', { count: 0, total: 0 }, { count: 3, total: 10 }, 'empty-group'],
    ['no events on either side', { count: 0, total: 500 }, { count: 0, total: 800 }, 'zero-variance'],
    ['events everywhere', { count: 20, total: 20 }, { count: 30, total: 30 }, 'zero-variance'],
  ])('gives p = 1 and a flag, not NaN, for %s', (_, first, second, flag) => {
    // Act
    const result = twoProportionZTest(first, second);

    // Assess
    expect(result).toMatchObject({ z: 0, pValue: 1, degenerate: flag });
    expect(Number.isNaN(result.difference)).toBe(false);
  });

  it.each([
    [{ count: 11, total: 10 }, /from 0 to its total/],
    [{ count: -1, total: 10 }, /from 0 to its total/],
    [{ count: 1.5, total: 10 }, /from 0 to its total/],
    [{ count: 1, total: Number.NaN }, /total must be a whole number/],
    [null, /is \{ count, total \}/],
  ])('refuses %j with its own error', (bad, message) => {
    // Act & Assess
    expect(() => twoProportionZTest(bad as never, { count: 1, total: 10 })).toThrow(StatisticsError);
    expect(() => twoProportionZTest(bad as never, { count: 1, total: 10 })).toThrow(message);
  });
});

/** The O(n·m) reference on raw samples: U by counting pairs, the variance from the ranks (which accounts for ties). */
function referenceMannWhitney(first: number[], second: number[]) {
  let uSecond = 0;
  for (const a of first) for (const b of second) uSecond += b > a ? 1 : b === a ? 0.5 : 0;
  const n1 = first.length;
  const n2 = second.length;
  const n = n1 + n2;
  // Average ranks of the pooled sample.
  const pooled = [...first, ...second].sort((a, b) => a - b);
  const ranks = new Map<number, number>();
  for (let i = 0; i < n; ) {
    let j = i;
    while (j < n && pooled[j] === pooled[i]) j++;
    ranks.set(pooled[i]!, (i + 1 + j) / 2);
    i = j;
  }
  const sumOfSquaredRanks = pooled.reduce((total, value) => total + ranks.get(value)! ** 2, 0);
  // Conditional variance of a rank sum given the tied ranks (Lehmann, Nonparametrics, 1975).
  const variance = ((n1 * n2) / (n * (n - 1))) * sumOfSquaredRanks - (n1 * n2 * (n + 1) ** 2) / (4 * (n - 1));
  const deviation = uSecond - (n1 * n2) / 2;
  const z = (Math.sign(deviation) * Math.max(0, Math.abs(deviation) - 0.5)) / Math.sqrt(variance);
  return { uSecond, z, rankSumFirst: wilcoxonRankSum(first, second) };
}

describe('mannWhitneyU', () => {
  it("matches SciPy's regression test with heavy ties, checked there against R: U = 16980.5, p = 5.642865531266e-5", () => {
    // Prepare: SciPy's "test_mannwhitneyu_ones" samples, as counts of 1, 2 and 3.
    const x = [
      { value: 1, count: 233 },
      { value: 2, count: 10 },
      { value: 3, count: 1 },
    ];
    const y = [
      { value: 1, count: 132 },
      { value: 2, count: 25 },
      { value: 3, count: 1 },
    ];

    // Act
    const result = mannWhitneyU(x, y);

    // Assess
    expect(result.uFirst).toBe(16980.5);
    expect(result.uSecond).toBe(244 * 158 - 16980.5);
    expect(result.pValue / 5.642865531266e-5 - 1).toBeLessThan(1e-10);
    expect(result.pValue / 5.642865531266e-5 - 1).toBeGreaterThan(-1e-10);
    expect(result.z).toBeGreaterThan(0);
  });

  it("matches SciPy's two-sided regression test without ties: U = 498, p = 9.188326533255e-5", () => {
    // Prepare: SciPy's X and Y samples of its mannwhitneyu tests.
    const X = [
      19.8958398126694, 19.5452691647182, 19.0577309166425, 21.716543054589, 20.3269502208702, 20.0009273294025, 19.3440043632957,
      20.4216806548105, 19.0649894736528, 18.7808043120398, 19.3680942943298, 19.4848044069953, 20.7514611265663, 19.0894948874598,
      19.4975522356628, 18.9971170734274, 20.3239606288208, 20.6921298083835, 19.0724259532507, 18.9825187935021, 19.5144462609601,
      19.8256857844223, 20.5174677102032, 21.1122407995892, 17.9490854922535, 18.2847521114727, 20.1072217648826, 18.6439891962179,
      20.4970638083542, 19.5567594734914,
    ];
    const Y = [
      19.2790668029091, 16.993808441865, 18.5416338448258, 17.2634018833575, 19.1577183624616, 18.5119655377495, 18.6068455037221,
      18.8358343362655, 19.0366413269742, 18.1135025515417, 19.2201873866958, 17.8344909022841, 18.2894380745856, 18.6661374133922,
      19.9688601693252, 16.0672254617636, 19.00596360572, 19.201561539032, 19.0487501090183, 19.0847908674356,
    ];
    const one = (value: number) => ({ value, count: 1 });

    // Act
    const result = mannWhitneyU(X.map(one), Y.map(one));

    // Assess
    expect(result.uFirst).toBe(498);
    expect(result.uSecond).toBe(102);
    expect(result.pValue / 9.188326533255e-5 - 1).toBeLessThan(1e-10);
    expect(result.pValue / 9.188326533255e-5 - 1).toBeGreaterThan(-1e-10);
    expect(result.commonLanguageEffect).toBeCloseTo(102 / 600, 15);
    expect(result.rankBiserial).toBeCloseTo((2 * 102) / 600 - 1, 15);
  });

  it('agrees with the O(n·m) computation on the raw expanded samples, ties and all', () => {
    // Prepare: random binned data on a few distinct values, so ties within and across groups abound.
    const random = seededRandom(2024);
    for (let run = 0; run < 40; run++) {
      const distinct = 2 + Math.floor(random() * 12);
      const shift = random() < 0.5 ? 0 : Math.floor(random() * 3);
      const bins = (offset: number) =>
        Array.from({ length: distinct }, (_, i) => ({ value: (i + offset) * 2.5, count: Math.floor(random() * 15) })).filter(
          () => random() > 0.2,
        );
      const first = bins(0);
      const second = bins(shift);
      const rawFirst = expand(first);
      const rawSecond = expand(second);
      if (rawFirst.length === 0 || rawSecond.length === 0 || new Set([...rawFirst, ...rawSecond]).size < 2) continue;
      const reference = referenceMannWhitney(rawFirst, rawSecond);

      // Act
      const result = mannWhitneyU(first, second);

      // Assess
      expect(result.uSecond).toBe(reference.uSecond);
      expect(result.uFirst).toBe(reference.rankSumFirst - (rawFirst.length * (rawFirst.length + 1)) / 2);
      expect(result.z).toBeCloseTo(reference.z, 9);
      expect(Math.abs(result.pValue - pFromZ(reference.z))).toBeLessThan(1.2e-7);
      expect(result.commonLanguageEffect).toBeCloseTo(reference.uSecond / (rawFirst.length * rawSecond.length), 12);
    }
  });

  it('does not depend on the order of the entries or on a value being split over several entries', () => {
    // Prepare
    const first = [
      { value: 5, count: 4 },
      { value: 1, count: 2 },
      { value: 3, count: 7 },
    ];
    const second = [
      { value: 3, count: 2 },
      { value: 8, count: 6 },
      { value: 1, count: 1 },
    ];
    const reordered = [
      { value: 3, count: 3 },
      { value: 1, count: 2 },
      { value: 5, count: 4 },
      { value: 3, count: 4 },
      { value: 7, count: 0 },
    ];

    // Act
    const a = mannWhitneyU(first, second);
    const b = mannWhitneyU(reordered, [...second].reverse());

    // Assess
    expect(b).toEqual(a);
  });

  it('flips the sign of z and the effect when the groups are swapped, with the same p-value', () => {
    // Prepare
    const low = [
      { value: 10, count: 40 },
      { value: 20, count: 10 },
    ];
    const high = [
      { value: 10, count: 10 },
      { value: 20, count: 40 },
    ];

    // Act
    const up = mannWhitneyU(low, high);
    const down = mannWhitneyU(high, low);

    // Assess
    expect(up.z).toBeGreaterThan(0);
    expect(down.z).toBeCloseTo(-up.z, 12);
    expect(down.pValue).toBe(up.pValue);
    expect(up.rankBiserial).toBeCloseTo(-down.rankBiserial, 12);
    expect(up.pValue).toBeLessThan(1e-6);
  });

  it.each([
    ['an empty first group', [], [{ value: 1, count: 3 }], 'empty-group'],
    ['an empty second group', [{ value: 1, count: 3 }], [{ value: 2, count: 0 }], 'empty-group'],
    ['all values tied', [{ value: 7, count: 30 }], [{ value: 7, count: 12 }], 'all-tied'],
  ])('gives p = 1 and a flag, not NaN, for %s', (_, first, second, flag) => {
    // Act
    const result = mannWhitneyU(first, second);

    // Assess
    expect(result).toMatchObject({ z: 0, pValue: 1, degenerate: flag, commonLanguageEffect: 0.5, rankBiserial: 0 });
  });

  it('gives p = 1 when U is within the continuity correction of its mean', () => {
    // Act
    const result = mannWhitneyU(
      [
        { value: 1, count: 1 },
        { value: 3, count: 1 },
      ],
      [
        { value: 2, count: 1 },
        { value: 3, count: 1 },
      ],
    );

    // Assess: uSecond = 2.5 against a mean of 2.
    expect(result.uSecond).toBe(2.5);
    expect(result).toMatchObject({ z: 0, pValue: 1, degenerate: null });
  });

  it.each([
    [[{ value: Number.NaN, count: 1 }], /value must be a finite number/],
    [[{ value: 1, count: -1 }], /count must be a whole number/],
    [[{ value: 1, count: 0.5 }], /count must be a whole number/],
    [[null], /value must be a finite number/],
    ['bins', /array of \{ value, count \}/],
  ])('refuses %j with its own error', (bad, message) => {
    // Act & Assess
    expect(() => mannWhitneyU(bad as never, [{ value: 1, count: 1 }])).toThrow(StatisticsError);
    expect(() => mannWhitneyU(bad as never, [{ value: 1, count: 1 }])).toThrow(message);
  });
});
