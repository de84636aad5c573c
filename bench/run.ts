import { format, parseArgs } from 'node:util';
import type { Runtime } from '#local/runtime';
import type { BenchContext, Figures, Suite, Table } from './suite.ts';

/**
 * `npm run bench`: every suite in one run against one in-memory local runtime, printed as a
 * table with the targets; `npm run bench -- --json` prints only one flat JSON object
 * (figure name → number) on stdout. Progress goes to stderr. Targets are informational: the
 * exit code is 0 whether they pass or not, and 1 only when the bench itself fails.
 *
 * Options: --concurrency N (clients of the throughput runs, default 8), --scale X (multiplies
 * request counts, default 1), --suite NAME (repeatable; default all), --quiet (no progress).
 *
 * npm itself prints a "> steward@0.1.0 bench" banner on stdout before the script runs; for a
 * stdout that is exactly the JSON, run `npm run -s bench -- --json` or `npx tsx bench/run.ts --json`.
 * Where the time goes in one scenario: `npx tsx bench/profile.ts get-version`.
 */

// Before any handler module loads: the Powertools logger reads its level when it is created.
process.env.POWERTOOLS_LOG_LEVEL = 'SILENT';
// Before the runtime starts any deployment workflow (the deployments suite): workflow time runs
// 1,000 times faster, so a 1-minute bake lasts 60 ms. Fixed, not taken from the environment:
// transition counts and the suite's duration depend on it.
process.env.STEWARD_TIME_SCALE = '0.001';

const { values } = parseArgs({
  options: {
    json: { type: 'boolean', default: false },
    concurrency: { type: 'string', default: '8' },
    scale: { type: 'string', default: '1' },
    suite: { type: 'string', multiple: true },
    quiet: { type: 'boolean', default: false },
  },
});

async function main(): Promise<string> {
  const settings = { concurrency: positive(values.concurrency, 'concurrency'), scale: positive(values.scale, 'scale') };
  // stdout carries only the result; anything a library logs goes to stderr.
  const toStderr = (...args: unknown[]) => process.stderr.write(`${format(...args)}\n`);
  console.log = toStderr;
  console.info = toStderr;
  console.debug = toStderr;

  const { SUITES } = await import('./suites/index.ts');
  const { startRuntime } = await import('#local/runtime');
  const { formatJson, formatReport } = await import('./report.ts');

  const suites: Suite[] = values.suite?.length ? SUITES.filter((suite) => values.suite?.includes(suite.name)) : SUITES;
  const unknown = values.suite?.filter((name) => !SUITES.some((suite) => suite.name === name)) ?? [];
  if (unknown.length > 0)
    throw new Error(`Unknown suite ${unknown.join(', ')}; there are ${SUITES.map((suite) => suite.name).join(', ')}.`);

  let runtime: Promise<Runtime> | undefined;
  const context: BenchContext = {
    settings,
    // The reconciler's and the runner's timers stay out of the measurements: the bench leaves
    // nothing unprojected, and the monitoring suite runs the one runner tick it measures itself.
    runtime: () => (runtime ??= startRuntime({ memory: true, port: 0, reconcileEveryMs: 3_600_000, tickSeconds: 3600 })),
    progress: (message) => {
      if (!values.quiet) process.stderr.write(`bench: ${message}\n`);
    },
  };

  const started = performance.now();
  const figures: Figures = {};
  const tables: Table[] = [];
  try {
    for (const suite of suites) {
      const result = await suite.run(context);
      for (const [name, value] of Object.entries(result.figures)) {
        if (name in figures) throw new Error(`Figure ${name} is reported by two suites.`);
        figures[name] = value;
      }
      tables.push(...result.tables);
    }
  } finally {
    if (runtime) await (await runtime).close();
  }
  const seconds = (performance.now() - started) / 1000;

  const settingsLine = `${suites.map((suite) => suite.name).join(', ')}; ${settings.concurrency} clients for req/s; scale ${settings.scale}; Node ${process.versions.node}`;
  return values.json ? formatJson(figures) : formatReport({ suites, figures, tables, seconds, settings: settingsLine });
}

function positive(raw: string, name: string): number {
  const value = Number(raw);
  if (!Number.isFinite(value) || value <= 0) throw new Error(`--${name} must be a positive number, not ${raw}.`);
  return value;
}

main().then(
  // Exit once stdout has taken the output: nothing left running can hold the process open.
  (output) => process.stdout.write(output, () => process.exit(0)),
  (error: unknown) => {
    process.stderr.write(`bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  },
);
