import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Contract } from '#kernel/http/operation';
import { allContracts } from '#system/all-contracts';
import { OPENAPI_DOCUMENT_FILE } from '#system/openapi-document';
import { openApiDocument } from '#system/openapi';

/**
 * Writes functions/system/openapi.generated.json: the OpenAPI 3.1 document built from every
 * contract's zod schemas (functions/system/openapi.ts), so that the system function serves it
 * as a file instead of bundling zod-openapi and every feature's contracts. The stack copies it
 * beside the system function's bundle (lib/bundling.ts BUNDLED_ASSETS). `npm run generate` runs
 * it; test/system/bundles.test.ts fails when the file is not what the contracts make now.
 */
export const OPENAPI_FILE = fileURLToPath(new URL(`../functions/system/${OPENAPI_DOCUMENT_FILE}`, import.meta.url));

/**
 * `info.version` in the file: the system function replaces it with the running build's version
 * when it serves the document, so a release does not make the file stale.
 */
export const GENERATED_VERSION = '0.0.0';

export function openApiSource(contracts: Contract[] = allContracts): string {
  return `${JSON.stringify(openApiDocument(contracts, GENERATED_VERSION), null, 2)}\n`;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  writeFileSync(OPENAPI_FILE, openApiSource());
  console.log(`wrote ${OPENAPI_FILE}`);
}
