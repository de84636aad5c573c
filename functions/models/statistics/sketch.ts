import { DDSketch } from '@datadog/sketches-js';
import { describeValue, StatisticsError } from './errors.ts';

/**
 * A mergeable quantile sketch for non-negative values (latencies in ms, confidences in 0..1): a thin
 * wrapper around DDSketch with 1% relative accuracy. Telemetry is aggregated per version and minute,
 * so a sketch is stored as a plain JSON attribute (`SketchData`), read back, and merged with others;
 * merging the bins of two sketches gives exactly the sketch of the union of their values.
 */

/** Every quantile is within this relative error of the value at its rank. */
export const SKETCH_RELATIVE_ACCURACY = 0.01;

/** The stored form: bin index → count of the positive values, plus what DDSketch keeps beside. */
export interface SketchData {
  relativeAccuracy: number;
  /** Bin index (an integer, as a string key) → how many values fell into that bin. Empty bins are left out. */
  bins: Record<string, number>;
  /** Values of 0, and positive values below SKETCH_ZERO_THRESHOLD. */
  zeroCount: number;
  count: number;
  sum: number;
  /** Exact extremes; null when the sketch is empty (JSON has no Infinity). */
  min: number | null;
  max: number | null;
}

/** One bin as a value standing for all the values in it, and how many there were. */
export interface WeightedValue {
  value: number;
  count: number;
}

/**
 * Positive values below this count as 0 in the bins (min, max and sum stay exact): nothing measured
 * here is meaningful at 1e-9 (ms or confidence), and DDSketch's store is dense, so one value of 1e-300
 * would otherwise stretch every sketch it is merged into over some 35,000 bins.
 */
export const SKETCH_ZERO_THRESHOLD = 1e-9;

/** Keys outside these would only come from corrupt data, and would make DDSketch allocate a huge dense array. */
const mappingBounds = (() => {
  const probe = new DDSketch({ relativeAccuracy: SKETCH_RELATIVE_ACCURACY });
  return { minKey: probe.mapping.key(SKETCH_ZERO_THRESHOLD), maxKey: probe.mapping.key(probe.mapping.maxPossible) };
})();

export class QuantileSketch {
  readonly #sketch: DDSketch;

  private constructor(sketch: DDSketch) {
    this.#sketch = sketch;
  }

  /** An empty sketch. */
  static create(): QuantileSketch {
    return new QuantileSketch(new DDSketch({ relativeAccuracy: SKETCH_RELATIVE_ACCURACY }));
  }

  /** A sketch of the given values. */
  static of(values: Iterable<number>): QuantileSketch {
    const sketch = QuantileSketch.create();
    for (const value of values) sketch.add(value);
    return sketch;
  }

  /** Reads the stored form back, checking it, so a corrupt attribute fails here with a clear message. */
  static fromJSON(data: unknown): QuantileSketch {
    const parsed = parseSketchData(data);
    const bins = new Map(Object.entries(parsed.bins).map(([key, count]) => [Number(key), count]));
    return QuantileSketch.#build(bins, parsed);
  }

  /** A DDSketch holding exactly these bins and summary figures. */
  static #build(
    bins: ReadonlyMap<number, number>,
    summary: Pick<SketchData, 'zeroCount' | 'count' | 'sum' | 'min' | 'max'>,
  ): QuantileSketch {
    const inner = new DDSketch({ relativeAccuracy: SKETCH_RELATIVE_ACCURACY });
    const keys = [...bins.keys()].sort((a, b) => a - b);
    // Lowest and highest first, so the dense store is sized once rather than shifted for every key.
    const order = keys.length > 1 ? [keys[0]!, keys.at(-1)!, ...keys.slice(1, -1)] : keys;
    for (const key of order) inner.store.add(key, bins.get(key)!);
    inner.zeroCount = summary.zeroCount;
    inner.count = summary.count;
    inner.sum = summary.sum;
    inner.min = summary.min ?? Number.POSITIVE_INFINITY;
    inner.max = summary.max ?? Number.NEGATIVE_INFINITY;
    return new QuantileSketch(inner);
  }

  /** Adds `value` `count` times. Mutates this sketch (it is a builder); returns it for chaining. */
  add(value: number, count = 1): this {
    if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
      throw new StatisticsError(`A sketch takes finite numbers of 0 or more; got ${describeValue(value)}.`);
    }
    if (!Number.isSafeInteger(count) || count < 1) {
      throw new StatisticsError(`The count of a value added to a sketch is a whole number of 1 or more; got ${describeValue(count)}.`);
    }
    if (value >= SKETCH_ZERO_THRESHOLD) {
      this.#sketch.accept(value, count);
      return this;
    }
    const { sum, min, max } = this.#sketch;
    this.#sketch.accept(0, count);
    this.#sketch.sum = sum + value * count;
    this.#sketch.min = Math.min(min, value);
    this.#sketch.max = Math.max(max, value);
    return this;
  }

  /**
   * A new sketch of the values of both; neither input changes. Bins are added up here rather than
   * with DDSketch's own merge, whose dense store loses the counts of bin 0 (values just under 1)
   * when that bin lies beyond the range already allocated.
   */
  merge(other: QuantileSketch): QuantileSketch {
    const bins = new Map<number, number>();
    for (const sketch of [this, other]) {
      for (const [key, count] of sketch.#binCounts()) bins.set(key, (bins.get(key) ?? 0) + count);
    }
    const extreme = (pick: (x: number, y: number) => number, x: number | null, y: number | null) =>
      x === null ? y : y === null ? x : pick(x, y);
    return QuantileSketch.#build(bins, {
      zeroCount: this.#sketch.zeroCount + other.#sketch.zeroCount,
      count: this.count + other.count,
      sum: this.sum + other.sum,
      min: extreme(Math.min, this.min, other.min),
      max: extreme(Math.max, this.max, other.max),
    });
  }

  get count(): number {
    return this.#sketch.count;
  }

  get sum(): number {
    return this.#sketch.sum;
  }

  get mean(): number | null {
    return this.count === 0 ? null : this.sum / this.count;
  }

  get min(): number | null {
    return this.count === 0 ? null : this.#sketch.min;
  }

  get max(): number | null {
    return this.count === 0 ? null : this.#sketch.max;
  }

  /**
   * The value at rank floor(q × (count − 1)) of the sorted values, within 1% relative error (or
   * SKETCH_ZERO_THRESHOLD absolute below it); null when empty. Clamped to the exact min and max,
   * which only brings it closer to the true value.
   */
  quantile(q: number): number | null {
    if (typeof q !== 'number' || !(q >= 0 && q <= 1)) {
      throw new StatisticsError(`A quantile is a number from 0 to 1, such as 0.95; got ${describeValue(q)}.`);
    }
    if (this.count === 0) return null;
    // The extremes are known exactly.
    if (q === 0) return this.#sketch.min;
    if (q === 1) return this.#sketch.max;
    const value = this.#sketch.getValueAtQuantile(q);
    return Math.min(Math.max(value, this.#sketch.min), this.#sketch.max);
  }

  /**
   * The bins in ascending order of value, zeros first, each with the value that stands for it (the
   * same for the same bin in any sketch, so values of two sketches in one bin compare as ties).
   */
  bins(): WeightedValue[] {
    const result: WeightedValue[] = [];
    if (this.#sketch.zeroCount > 0) result.push({ value: 0, count: this.#sketch.zeroCount });
    for (const [key, count] of this.#binCounts()) result.push({ value: this.#sketch.mapping.value(key), count });
    return result;
  }

  /** The stored form (plain JSON, a DynamoDB map as it is). */
  toJSON(): SketchData {
    const bins: Record<string, number> = {};
    for (const [key, count] of this.#binCounts()) bins[String(key)] = count;
    return {
      relativeAccuracy: SKETCH_RELATIVE_ACCURACY,
      bins,
      zeroCount: this.#sketch.zeroCount,
      count: this.count,
      sum: this.sum,
      min: this.min,
      max: this.max,
    };
  }

  /** The non-empty bins of positive values as (bin index, count), ascending. */
  *#binCounts(): Generator<[number, number]> {
    const { store } = this.#sketch;
    for (let index = 0; index < store.bins.length; index++) {
      const count = store.bins[index] ?? 0;
      if (count > 0) yield [index + store.offset, count];
    }
  }
}

/** The stored form of the merge of two stored sketches. */
export function mergeSketchData(a: SketchData, b: SketchData): SketchData {
  return QuantileSketch.fromJSON(a).merge(QuantileSketch.fromJSON(b)).toJSON();
}

/** The stored form of a sketch with no values. */
export function emptySketchData(): SketchData {
  return QuantileSketch.create().toJSON();
}

function parseSketchData(data: unknown): SketchData {
  const fail = (why: string): never => {
    throw new StatisticsError(`This is not a stored sketch: ${why}.`);
  };
  if (typeof data !== 'object' || data === null || Array.isArray(data)) return fail(`expected an object, got ${describeValue(data)}`);
  const record = data as Record<string, unknown>;
  if (record['relativeAccuracy'] !== SKETCH_RELATIVE_ACCURACY) {
    fail(
      `relativeAccuracy must be ${SKETCH_RELATIVE_ACCURACY} (sketches of another accuracy cannot be merged), got ${describeValue(record['relativeAccuracy'])}`,
    );
  }
  const count = record['count'];
  const zeroCount = record['zeroCount'];
  const sum = record['sum'];
  const min = record['min'];
  const max = record['max'];
  const bins = record['bins'];
  if (!Number.isSafeInteger(count) || (count as number) < 0) fail(`count must be a whole number of 0 or more, got ${describeValue(count)}`);
  if (!Number.isSafeInteger(zeroCount) || (zeroCount as number) < 0)
    fail(`zeroCount must be a whole number of 0 or more, got ${describeValue(zeroCount)}`);
  if (typeof sum !== 'number' || !Number.isFinite(sum) || sum < 0)
    fail(`sum must be a finite number of 0 or more, got ${describeValue(sum)}`);
  if (typeof bins !== 'object' || bins === null || Array.isArray(bins))
    fail(`bins must be an object of bin index → count, got ${describeValue(bins)}`);
  let binTotal = 0;
  for (const [key, binCount] of Object.entries(bins as Record<string, unknown>)) {
    const index = Number(key);
    if (!/^-?\d+$/.test(key) || index < mappingBounds.minKey || index > mappingBounds.maxKey) {
      fail(`bin index ${describeValue(key)} is not a whole number from ${mappingBounds.minKey} to ${mappingBounds.maxKey}`);
    }
    if (!Number.isSafeInteger(binCount) || (binCount as number) < 1)
      fail(`the count of bin ${key} must be a whole number of 1 or more, got ${describeValue(binCount)}`);
    binTotal += binCount as number;
  }
  if (binTotal + (zeroCount as number) !== count)
    fail(`count ${count} is not zeroCount plus the bin counts (${(zeroCount as number) + binTotal})`);
  if (count === 0) {
    if (min !== null || max !== null) fail('an empty sketch has min and max null');
  } else {
    if (typeof min !== 'number' || typeof max !== 'number' || !Number.isFinite(min) || !Number.isFinite(max) || min < 0 || max < min) {
      fail(`min and max must be finite numbers with 0 ≤ min ≤ max, got ${describeValue(min)} and ${describeValue(max)}`);
    }
  }
  return data as SketchData;
}
