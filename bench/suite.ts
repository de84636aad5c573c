import type { Runtime } from '#local/runtime';

/**
 * A bench suite measures one area and returns named figures. Later features add a suite (a
 * file under bench/suites/ listed in bench/suites/index.ts); `npm run bench -- --json` prints
 * every suite's figures as one flat object, so figure names must be unique across suites.
 */

/** Figure name → number, e.g. `getVersionP50Ms: 1.23`. */
export type Figures = Record<string, number>;

/** A goal on one figure; informational: a miss is reported, it does not fail the run. */
export interface Target {
  figure: string;
  op: '<' | '<=' | '>' | '>=';
  value: number;
  /** What the target means, for the table. */
  description: string;
}

/** A table a suite wants printed: rows of cells, the first row being the header. */
export interface Table {
  title: string;
  rows: string[][];
  /** Lines printed under the table. */
  notes?: string[];
}

export interface SuiteResult {
  figures: Figures;
  tables: Table[];
}

export interface BenchSettings {
  /** Workers of the throughput runs. */
  concurrency: number;
  /** Scales every request count (0.2 for a quick look; figures get noisier). */
  scale: number;
}

export interface BenchContext {
  settings: BenchSettings;
  /** The one in-memory local runtime every suite of this run shares, started on first use. */
  runtime: () => Promise<Runtime>;
  /** Progress, to stderr: stdout is kept for the table or the JSON. */
  progress: (message: string) => void;
}

export interface Suite {
  name: string;
  targets: Target[];
  run: (context: BenchContext) => Promise<SuiteResult>;
}

export function meets(target: Target, value: number): boolean {
  switch (target.op) {
    case '<':
      return value < target.value;
    case '<=':
      return value <= target.value;
    case '>':
      return value > target.value;
    case '>=':
      return value >= target.value;
  }
}
