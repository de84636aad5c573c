import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The API reference at /docs: Scalar's API reference (a table of contents, every operation with
 * its request and response schemas, and "try it" against this API) rendering /openapi.json.
 * Its standalone script is served by Steward itself at /docs/scalar.js, never from a CDN, so the
 * page works offline and on a private network. The script (about 5 MB) is not bundled into the
 * system function's code: the stack copies it beside the bundle (lib/bundling.ts,
 * BUNDLED_ASSETS), and the function reads it from there, or from node_modules when run from
 * source (the local runtime, tests).
 */

/** The file name the script is copied to beside the system function's bundle. */
export const SCALAR_ASSET = 'scalar-api-reference.js';

/** Where the script is: beside the bundle on AWS, else in node_modules. */
export function scalarScriptPath(): string {
  const bundled = fileURLToPath(new URL(`./${SCALAR_ASSET}`, import.meta.url));
  if (existsSync(bundled)) return bundled;
  // The package exports no path to its browser build: find it from its main module.
  const main = createRequire(import.meta.url).resolve('@scalar/api-reference');
  return join(dirname(main), 'browser', 'standalone.js');
}

let script: string | undefined;
export function scalarScript(): string {
  script ??= readFileSync(scalarScriptPath(), 'utf8');
  return script;
}

const escapeHtml = (value: string) =>
  value.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string);

/**
 * The page: Scalar pointed at /openapi.json, with everything that would reach outside this API
 * switched off (hosted fonts, telemetry, the AI agent, the developer tools). The element is not
 * `#api-reference`: the standalone script mounts one with its default configuration on that id.
 */
export function docsPage(title: string, version: string): string {
  const configuration = {
    url: '/openapi.json',
    withDefaultFonts: false,
    telemetry: false,
    agent: { disabled: true },
    showDeveloperTools: 'never',
    hideDownloadButton: false,
    persistAuth: false,
    authentication: { preferredSecurityScheme: 'apiKey' },
  };
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)} API reference</title>
</head>
<body>
<noscript><p>The API reference needs JavaScript. The machine-readable document is <a href="/openapi.json">/openapi.json</a> (OpenAPI 3.1).</p></noscript>
<div id="steward-reference"></div>
<script src="/docs/scalar.js?v=${encodeURIComponent(version)}"></script>
<script>Scalar.createApiReference('#steward-reference', ${JSON.stringify(configuration)});</script>
</body>
</html>
`;
}
