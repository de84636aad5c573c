import '#api-contracts/schema-validator';
import { applyKnownChanges, diffOpenApi, generateLargeDocument, loadOpenApiDocument } from '#api-contracts/diff/index';
import { percentile, round } from '../stats.ts';
import type { BenchContext, Figures, Suite, SuiteResult } from '../suite.ts';

/**
 * API contracts (issue 11): diffing two large OpenAPI documents (the seeded generator: shared
 * components, $refs, recursive schemas; the revision carries a known handful of changes) at about
 * 1, 2 and 4 MB, to show the diff's cost grows with the document, not with its square; loading
 * (parse, $ref resolution, OpenAPI schema validation) of the 2 MB pair; and POST /v1/compatibility
 * with that pair through the local server (HTTP, authorizer, validation of both, the diff).
 */

/** Paths of the generated documents: about 1, 2 and 4 MB of JSON. */
const SIZES = [
  { label: '1 MB', paths: 250 },
  { label: '2 MB', paths: 500 },
  { label: '4 MB', paths: 1000 },
];
const RUNS = 7;

function median(values: number[]): number {
  return percentile(
    [...values].sort((a, b) => a - b),
    50,
  );
}

/** Median and fastest of `runs` timed runs after a warm-up. */
async function timings(runs: number, action: () => unknown | Promise<unknown>): Promise<{ median: number; min: number }> {
  await action(); // warm-up: JIT and caches
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const started = performance.now();
    await action();
    times.push(performance.now() - started);
  }
  return { median: median(times), min: Math.min(...times) };
}

async function timed(runs: number, action: () => unknown | Promise<unknown>): Promise<number> {
  return (await timings(runs, action)).median;
}

async function runContracts(context: BenchContext): Promise<SuiteResult> {
  const figures: Figures = {};
  const rows: string[][] = [['document', 'bytes (JSON)', 'changes found', 'diff (median ms)', 'fastest (ms)', 'fastest ms per MB']];
  const now = new Date('2026-01-01T00:00:00Z');
  const diffMs: Record<string, number> = {};
  const fastestMs: Record<string, number> = {};
  let pair2MB: { base: string; revision: string } | undefined;

  for (const { label, paths } of SIZES) {
    context.progress(`contracts: diff at ${label}`);
    const base = generateLargeDocument({ seed: 11, paths });
    const { document: revision } = applyKnownChanges(base);
    const baseText = JSON.stringify(base);
    const revisionText = JSON.stringify(revision);
    const [loadedBase, loadedRevision] = await Promise.all([
      loadOpenApiDocument(baseText, 'application/json'),
      loadOpenApiDocument(revisionText, 'application/json'),
    ]);
    let found = 0;
    const { median: ms, min } = await timings(RUNS, () => {
      found = diffOpenApi(loadedBase, loadedRevision, { now }).changes.length;
    });
    diffMs[label] = ms;
    fastestMs[label] = min;
    const megabytes = baseText.length / 1024 / 1024;
    rows.push([
      label,
      String(baseText.length),
      String(found),
      String(round(ms, 1)),
      String(round(min, 1)),
      String(round(min / megabytes, 1)),
    ]);
    if (paths === 500) {
      pair2MB = { base: baseText, revision: revisionText };
      figures.compat2MBSpecMs = round(ms, 1);
      figures.compat2MBLoadMs = round(
        await timed(3, () =>
          Promise.all([loadOpenApiDocument(baseText, 'application/json'), loadOpenApiDocument(revisionText, 'application/json')]),
        ),
        1,
      );
    }
  }
  figures.compatDiff1MBMs = round(diffMs['1 MB'] as number, 1);
  figures.compatDiff4MBMs = round(diffMs['4 MB'] as number, 1);
  // Linear: about 4 (twice the paths twice over); quadratic would be about 16. From the fastest runs, which a
  // busy machine disturbs least.
  figures.compatGrowth4MBOver1MB = round((fastestMs['4 MB'] as number) / (fastestMs['1 MB'] as number), 2);

  if (pair2MB) {
    context.progress('contracts: POST /v1/compatibility with the 2 MB pair');
    const runtime = await context.runtime();
    const body = `{"base":${pair2MB.base},"revision":${pair2MB.revision}}`;
    const post = async () => {
      const response = await fetch(`${runtime.url}/v1/compatibility`, {
        method: 'POST',
        headers: { authorization: `Bearer ${runtime.adminKey}`, 'content-type': 'application/json' },
        body,
      });
      if (response.status !== 200) throw new Error(`POST /v1/compatibility answered ${response.status}: ${await response.text()}`);
      await response.arrayBuffer();
    };
    figures.compat2MBHttpMs = round(await timed(3, post), 1);
  }

  return {
    figures,
    tables: [
      {
        title: 'API contracts: diff of two generated OpenAPI documents',
        rows,
        notes: [
          `compat2MBSpecMs = ${figures.compat2MBSpecMs} ms (the diff of the ~2 MB pair, documents loaded); loading the pair (parse, $refs, schema validation) ${figures.compat2MBLoadMs} ms; POST /v1/compatibility end to end ${figures.compat2MBHttpMs} ms.`,
          `4 MB over 1 MB: ${figures.compatGrowth4MBOver1MB}× (linear ≈ 4, quadratic ≈ 16).`,
        ],
      },
    ],
  };
}

export const contractsSuite: Suite = {
  name: 'contracts',
  targets: [
    { figure: 'compat2MBSpecMs', op: '<', value: 1000, description: 'diff of two ~2 MB OpenAPI documents (issue 11)' },
    { figure: 'compatGrowth4MBOver1MB', op: '<', value: 6, description: 'the diff grows linearly: 4 MB costs about 4× 1 MB, not 16×' },
  ],
  run: runContracts,
};
