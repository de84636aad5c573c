import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { HANDLER_BUNDLING, HANDLER_ENTRIES } from '../lib/bundling.ts';

/**
 * Bundles each handler the way the stack's NodejsFunction does (the esbuild arguments CDK
 * derives from HANDLER_BUNDLING: --bundle --platform=node --target --format --minify
 * --sourcemap --external --banner:js), into a temporary folder, and measures the minified
 * JavaScript the function ships (index.mjs), not its source map.
 */

const ROOT = fileURLToPath(new URL('..', import.meta.url));

export interface BundleSize {
  entry: string;
  bytes: number;
  /** The files bundled (esbuild's metafile inputs, relative to the project root). */
  inputs: string[];
}

export async function measureBundles(entries: readonly string[] = HANDLER_ENTRIES): Promise<BundleSize[]> {
  const outdir = await mkdtemp(join(tmpdir(), 'steward-bench-bundles-'));
  try {
    return await Promise.all(entries.map((entry) => bundleOne(entry, join(outdir, entry))));
  } finally {
    await rm(outdir, { recursive: true, force: true });
  }
}

async function bundleOne(entry: string, outdir: string): Promise<BundleSize> {
  const { file, inputs } = await bundleHandler(entry, outdir);
  return { entry, bytes: (await stat(file)).size, inputs };
}

/** Bundles one handler into `outdir`; returns the bundle's file and the files it bundled. */
export async function bundleHandler(entry: string, outdir: string): Promise<{ file: string; inputs: string[] }> {
  const outfile = join(outdir, HANDLER_BUNDLING.format === 'esm' ? 'index.mjs' : 'index.js');
  const { metafile } = await build({
    absWorkingDir: ROOT,
    entryPoints: [join(ROOT, 'functions', 'handlers', `${entry}.ts`)],
    outfile,
    bundle: true,
    platform: 'node',
    target: HANDLER_BUNDLING.target,
    format: HANDLER_BUNDLING.format,
    minify: HANDLER_BUNDLING.minify,
    sourcemap: HANDLER_BUNDLING.sourceMap,
    external: [...HANDLER_BUNDLING.external],
    banner: { js: HANDLER_BUNDLING.banner },
    logLevel: 'silent',
    write: true,
    metafile: true,
  });
  return { file: outfile, inputs: Object.keys(metafile.inputs) };
}
