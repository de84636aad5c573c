// Builds the web console: console/src/ (ES modules, uPlot from node_modules, CSS) into the three
// files the console is served as: index.html (as is), app.js and app.css (bundled, minified).
// `npm run build:console`; test/console/build.test.ts fails when the committed files are stale.
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const here = (path) => fileURLToPath(new URL(path, import.meta.url));
const BANNER = '/* Steward web console: built from console/src by `npm run build:console`; do not edit. uPlot (MIT) is bundled. */';

/** The built app.js and app.css, as text. */
export async function buildConsole() {
  const common = { bundle: true, minify: true, write: false, legalComments: 'none', logLevel: 'silent', banner: { js: BANNER, css: BANNER } };
  const [js, css] = await Promise.all([
    build({ ...common, entryPoints: [here('./src/main.js')], format: 'esm', target: 'es2022', outfile: 'app.js' }),
    build({ ...common, entryPoints: [here('./src/app.css')], outfile: 'app.css' }),
  ]);
  return { 'app.js': js.outputFiles[0].text, 'app.css': css.outputFiles[0].text };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  for (const [name, text] of Object.entries(await buildConsole())) {
    writeFileSync(here(`./${name}`), text);
    console.log(`wrote console/${name} (${(text.length / 1024).toFixed(1)} KB)`);
  }
}
