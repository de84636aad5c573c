import { readFileSync } from 'node:fs';

/**
 * The OpenAPI document GET /openapi.json serves, read from the file `npm run generate` writes
 * from every contract (local/generate-openapi.ts, with functions/system/openapi.ts): building it
 * at run time would bundle zod-openapi and every feature's contracts into the system function.
 * The file sits beside this module in the source tree, and the stack copies it beside the
 * bundle under the same name (lib/bundling.ts BUNDLED_ASSETS), so one relative path finds it
 * in both. test/system/bundles.test.ts fails when the file is not what the contracts make.
 */
export const OPENAPI_DOCUMENT_FILE = 'openapi.generated.json';

type OpenApiDocument = { info: Record<string, unknown> } & Record<string, unknown>;

let served: OpenApiDocument | undefined;

/** The document, with `info.version` the running build's (the file's is a placeholder); read once. */
export function openApiDocumentFor(version: string): OpenApiDocument {
  if (served?.info.version !== version) {
    const generated = JSON.parse(readFileSync(new URL(`./${OPENAPI_DOCUMENT_FILE}`, import.meta.url), 'utf8')) as OpenApiDocument;
    served = { ...generated, info: { ...generated.info, version } };
  }
  return served;
}
