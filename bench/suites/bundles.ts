import { measureBundles } from '../bundle-size.ts';
import { round } from '../stats.ts';
import type { BenchContext, Figures, Suite, SuiteResult } from '../suite.ts';

/** Each Lambda handler's minified bundle, built with the stack's own esbuild settings. */

const LIMIT_KB = 300;

export const bundlesSuite: Suite = {
  name: 'bundles',
  targets: [{ figure: 'maxBundleKB', op: '<', value: LIMIT_KB, description: 'largest handler bundle, minified (KB = 1024 bytes)' }],
  run: runBundles,
};

async function runBundles(context: BenchContext): Promise<SuiteResult> {
  context.progress('bundles: esbuild per handler entry');
  const sizes = await measureBundles();
  const figures: Figures = {};
  for (const { entry, bytes } of sizes) figures[`bundleKB_${entry}`] = round(bytes / 1024, 1);
  const largest = Math.max(...sizes.map((size) => size.bytes));
  figures.maxBundleKB = round(largest / 1024, 1);
  return {
    figures,
    tables: [
      {
        title: 'Handler bundles (minified ESM, @aws-sdk/* external, source map not counted)',
        rows: [
          ['handler', 'KB', 'bytes'],
          ...[...sizes].sort((a, b) => b.bytes - a.bytes).map(({ entry, bytes }) => [entry, (bytes / 1024).toFixed(1), String(bytes)]),
        ],
      },
    ],
  };
}
