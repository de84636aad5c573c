import { describe, expect, it } from 'vitest';
import { mergeSketchData, QuantileSketch, type SketchData, StatisticsError } from '../../../functions/models/statistics/index.ts';
import { exactQuantile, lognormal, seededRandom } from './random.ts';

/**
 * The quantile sketch: within 1% of the exact quantile (the value at rank floor(q × (n − 1)) of the
 * sorted data, computed here by sorting), merge equal to the sketch of the union, and a JSON form
 * that survives storage and merges again.
 */

const QUANTILES = [0, 0.001, 0.01, 0.1, 0.25, 0.5, 0.75, 0.9, 0.95, 0.99, 0.999, 1];

function expectWithinOnePercent(sketch: QuantileSketch, values: readonly number[]) {
  const sorted = [...values].sort((a, b) => a - b);
  for (const q of QUANTILES) {
    const exact = exactQuantile(sorted, q);
    const estimate = sketch.quantile(q)!;
    // The tiny slack only absorbs the rounding of the relative error itself.
    expect(Math.abs(estimate - exact), `q=${q}: ${estimate} against ${exact}`).toBeLessThanOrEqual(0.01 * exact * (1 + 1e-12));
  }
}

describe('QuantileSketch accuracy', () => {
  it('estimates every quantile of lognormal latencies within 1% relative error', () => {
    // Prepare
    const random = seededRandom(42);
    const latencies = Array.from({ length: 20_000 }, () => lognormal(random, 180, 0.9));

    // Act
    const sketch = QuantileSketch.of(latencies);

    // Assess
    expectWithinOnePercent(sketch, latencies);
    expect(sketch.count).toBe(20_000);
    expect(sketch.min).toBe(Math.min(...latencies));
    expect(sketch.max).toBe(Math.max(...latencies));
    expect(sketch.mean).toBeCloseTo(latencies.reduce((a, b) => a + b, 0) / latencies.length, 6);
  });

  it('estimates quantiles of uniform confidences, zeros included, within 1% relative error', () => {
    // Prepare: a tenth of the confidences are exactly 0, so low quantiles must be exactly 0.
    const random = seededRandom(7);
    const confidences = Array.from({ length: 10_000 }, (_, i) => (i % 10 === 0 ? 0 : random()));

    // Act
    const sketch = QuantileSketch.of(confidences);

    // Assess
    expectWithinOnePercent(sketch, confidences);
    expect(sketch.quantile(0.05)).toBe(0);
    expect(sketch.toJSON().zeroCount).toBe(1_000);
  });

  it('gives null figures for an empty sketch rather than NaN', () => {
    // Prepare
    const sketch = QuantileSketch.create();

    // Act
    const figures = [sketch.quantile(0.5), sketch.mean, sketch.min, sketch.max];

    // Assess
    expect(figures).toEqual([null, null, null, null]);
    expect(sketch.count).toBe(0);
    expect(sketch.bins()).toEqual([]);
  });

  it('bins positive values below 1e-9 with the zeros, keeping min, max and sum exact', () => {
    // Prepare
    const sketch = QuantileSketch.create().add(1e-12, 2).add(1e-300).add(0.25);

    // Act
    const data = sketch.toJSON();

    // Assess
    expect(data.zeroCount).toBe(3);
    expect(Object.keys(data.bins)).toHaveLength(1);
    expect(data).toMatchObject({ count: 4, min: 1e-300, max: 0.25, sum: 2e-12 + 1e-300 + 0.25 });
    expect(sketch.quantile(0.5)).toBe(1e-300); // clamped up to the exact minimum
  });

  it('counts a value added with a count as that many values', () => {
    // Prepare
    const repeated = QuantileSketch.create().add(10, 3).add(1_000);
    const oneByOne = QuantileSketch.of([10, 10, 10, 1_000]);

    // Act
    const [a, b] = [repeated.toJSON(), oneByOne.toJSON()];

    // Assess
    expect(a).toEqual(b);
    expect(repeated.quantile(0.5)).toBeCloseTo(10, 0);
  });
});

describe('QuantileSketch merge', () => {
  it('merging the sketches of three parts gives the sketch of the whole', () => {
    // Prepare: integer latencies, so the sums are exact whatever the order of addition.
    const random = seededRandom(3);
    const values = Array.from({ length: 6_000 }, () => Math.round(lognormal(random, 300, 1.2)));
    const parts = [values.slice(0, 1_000), values.slice(1_000, 4_500), values.slice(4_500)];

    // Act
    const merged = parts.map((part) => QuantileSketch.of(part)).reduce((a, b) => a.merge(b));

    // Assess
    expect(merged.toJSON()).toEqual(QuantileSketch.of(values).toJSON());
    expectWithinOnePercent(merged, values);
  });

  it('keeps the values just under 1 when merged into a sketch of much smaller values', () => {
    // Prepare: DDSketch's own dense-store merge turns bin 0 into NaN here and reports 0.5 as the maximum.
    const small = QuantileSketch.of([1e-8]);
    const nearOne = QuantileSketch.of([0.5, 1]);

    // Act
    const merged = small.merge(nearOne);

    // Assess
    expect(merged.bins().reduce((total, bin) => total + bin.count, 0)).toBe(3);
    expect(merged.quantile(1)).toBe(1);
    expect(QuantileSketch.fromJSON(merged.toJSON()).toJSON()).toEqual(QuantileSketch.of([1e-8, 0.5, 1]).toJSON());
  });

  it('leaves both inputs unchanged', () => {
    // Prepare
    const a = QuantileSketch.of([1, 2, 3]);
    const b = QuantileSketch.of([100, 200]);
    const before = [a.toJSON(), b.toJSON()];

    // Act
    const merged = a.merge(b);

    // Assess
    expect([a.toJSON(), b.toJSON()]).toEqual(before);
    expect(merged.count).toBe(5);
  });

  it('merges with an empty sketch as with nothing', () => {
    // Prepare
    const a = QuantileSketch.of([0, 5, 50]);

    // Act
    const left = QuantileSketch.create().merge(a).toJSON();
    const right = a.merge(QuantileSketch.create()).toJSON();

    // Assess
    expect(left).toEqual(a.toJSON());
    expect(right).toEqual(a.toJSON());
  });
});

describe('QuantileSketch JSON form', () => {
  it('round-trips through JSON text with the same quantiles, and merges again after reading', () => {
    // Prepare
    const random = seededRandom(11);
    const first = Array.from({ length: 3_000 }, () => lognormal(random, 120, 0.7));
    const second = Array.from({ length: 2_000 }, () => lognormal(random, 400, 0.5));
    const stored = JSON.stringify(QuantileSketch.of(first).toJSON());

    // Act
    const read = QuantileSketch.fromJSON(JSON.parse(stored));
    const mergedAfterReading = read.merge(QuantileSketch.of(second));
    const mergedData = mergeSketchData(JSON.parse(stored), QuantileSketch.of(second).toJSON());

    // Assess
    for (const q of QUANTILES) expect(read.quantile(q)).toBe(QuantileSketch.of(first).quantile(q));
    expectWithinOnePercent(mergedAfterReading, [...first, ...second]);
    expect(QuantileSketch.fromJSON(mergedData).quantile(0.95)).toBe(mergedAfterReading.quantile(0.95));
  });

  it('is small and readable: one entry per non-empty bin', () => {
    // Prepare
    const sketch = QuantileSketch.of([0, 0, 1, 1, 1, 1000]);

    // Act
    const data = sketch.toJSON();

    // Assess
    expect(Object.values(data.bins).sort()).toEqual([1, 3]);
    expect(data).toMatchObject({ relativeAccuracy: 0.01, zeroCount: 2, count: 6, sum: 1003, min: 0, max: 1000 });
  });

  it.each([
    ['not an object', 'sketch'],
    ['another accuracy', { ...QuantileSketch.of([1]).toJSON(), relativeAccuracy: 0.02 }],
    ['a count that does not add up', { ...QuantileSketch.of([1, 2]).toJSON(), count: 3 }],
    ['a bin index that is not an integer', { ...QuantileSketch.of([1]).toJSON(), bins: { '1.5': 1 } }],
    ['a bin index beyond any value', { ...QuantileSketch.of([1]).toJSON(), bins: { '99999999': 1 } }],
    ['a negative bin count', { ...QuantileSketch.of([1]).toJSON(), bins: { '0': -1 }, count: -1 }],
    ['a missing min', { ...QuantileSketch.of([1]).toJSON(), min: null }],
    ['min above max', { ...QuantileSketch.of([1, 5]).toJSON(), min: 6 }],
  ])('refuses a stored sketch with %s', (_, data) => {
    // Prepare
    const read = () => QuantileSketch.fromJSON(data);

    // Act & Assess
    expect(read).toThrow(StatisticsError);
    expect(read).toThrow(/not a stored sketch/);
  });

  it('refuses to merge stored sketches when one is corrupt', () => {
    // Prepare
    const good = QuantileSketch.of([1]).toJSON();
    const corrupt = { ...good, zeroCount: 5 } as SketchData;

    // Act & Assess
    expect(() => mergeSketchData(good, corrupt)).toThrow(StatisticsError);
  });
});

describe('QuantileSketch bins', () => {
  it('lists zeros first, then bins in ascending order, each value within 1% of the values it stands for', () => {
    // Prepare
    const values = [0, 0.5, 0.5, 3, 250, 250, 250, 10_000];

    // Act
    const bins = QuantileSketch.of(values).bins();

    // Assess
    expect(bins.map((b) => b.count)).toEqual([1, 2, 1, 3, 1]);
    expect(bins[0]).toEqual({ value: 0, count: 1 });
    for (let i = 1; i < bins.length; i++) expect(bins[i]!.value).toBeGreaterThan(bins[i - 1]!.value);
    const represented = [0.5, 3, 250, 10_000];
    bins.slice(1).forEach((bin, i) => {
      expect(Math.abs(bin.value - represented[i]!)).toBeLessThanOrEqual(0.01 * represented[i]!);
    });
  });

  it('gives the same value for the same bin in different sketches, so they compare as ties', () => {
    // Prepare
    const a = QuantileSketch.of([100]);
    const b = QuantileSketch.of([100.4]);

    // Act
    const [binA, binB] = [a.bins()[0], b.bins()[0]];

    // Assess
    expect(binA?.value).toBe(binB?.value);
  });
});

describe('QuantileSketch refusals', () => {
  it.each([[-1], [Number.NaN], [Number.POSITIVE_INFINITY], ['12' as unknown as number]])('refuses the value %s', (value) => {
    // Prepare
    const sketch = QuantileSketch.create();

    // Act & Assess
    expect(() => sketch.add(value)).toThrow(StatisticsError);
    expect(() => sketch.add(value)).toThrow(/finite numbers of 0 or more/);
    expect(sketch.count).toBe(0);
  });

  it.each([[0], [1.5], [-2]])('refuses the count %s', (count) => {
    // Act & Assess
    expect(() => QuantileSketch.create().add(1, count)).toThrow(/whole number of 1 or more/);
  });

  it.each([[-0.1], [1.1], [Number.NaN]])('refuses the quantile %s', (q) => {
    // Act & Assess
    expect(() => QuantileSketch.of([1]).quantile(q)).toThrow(/from 0 to 1/);
  });
});
