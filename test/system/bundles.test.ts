import { existsSync, readFileSync } from 'node:fs';
import { cp, mkdir, mkdtemp, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundleHandler, measureBundles } from '../../bench/bundle-size.ts';
import { BUNDLED_ASSETS, HANDLER_ENTRIES } from '../../lib/bundling.ts';
import { SCALAR_ASSET } from '../../functions/system/docs-page.ts';
import { OPENAPI_DOCUMENT_FILE } from '../../functions/system/openapi-document.ts';
import { allContracts } from '../../functions/system/all-contracts.ts';
import { openApiDocument } from '../../functions/system/openapi.ts';
import { ROUTE_LIST_FILE, routeListSource } from '../../local/generate-route-list.ts';
import { GENERATED_VERSION, OPENAPI_FILE, openApiSource } from '../../local/generate-openapi.ts';
import { apiEvent } from '../helpers/api-event.ts';
import { invoke, type RouteHandler } from '../helpers/handler-client.ts';

/**
 * Every Lambda bundle as deployed stays under 300 KB (cold starts grow with it: docs/architecture.md
 * §8); the $default function knows every route from the generated list, and the system function
 * serves the generated OpenAPI document, both of which must match the contracts.
 */
const MAX_BUNDLE_BYTES = 300 * 1024;

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

describe('Lambda bundles', () => {
  // Bundling every function takes a while on two busy cores.
  it('are each under 300 KB, built as the stack builds them', { timeout: 120_000 }, async () => {
    // Act
    const sizes = await measureBundles();

    // Assess
    expect(sizes.map(({ entry }) => entry)).toEqual([...HANDLER_ENTRIES]);
    const tooLarge = sizes
      .filter(({ bytes }) => bytes > MAX_BUNDLE_BYTES)
      .map(({ entry, bytes }) => `${entry}: ${(bytes / 1024).toFixed(1)} KB`);
    expect(tooLarge).toEqual([]);
  });

  it('keep the $default (404/405) function small: it reads the route list, not the contracts', async () => {
    // Act
    const [fallback] = await measureBundles(['fallback']);

    // Assess
    expect(fallback!.bytes).toBeLessThan(100 * 1024);
  });

  it("keep zod-openapi and the other features' contracts out of the system function: it serves the generated document", async () => {
    // Act
    const [system] = await measureBundles(['system']);

    // Assess: its own contracts only (system, health, docs), and the kernel's schemas.
    const features = new Set(system!.inputs.filter((input) => input.startsWith('functions/')).map((input) => input.split('/')[1]));
    expect(system!.inputs.filter((input) => input.includes('node_modules/zod-openapi/'))).toEqual([]);
    expect(system!.inputs).not.toContain('functions/system/all-contracts.ts');
    expect(system!.inputs).not.toContain('functions/system/openapi.ts');
    expect([...features].filter((feature) => !['handlers', 'kernel', 'system', 'api-keys'].includes(feature!))).toEqual([]);
  });
});

describe('files copied beside a bundle', () => {
  it("include the API reference's script and the OpenAPI document for the system function, under the names it reads (not the web console: CloudFront serves it)", () => {
    // Assess: the script stays out of the system function's code (under the bound above) and ships beside it.
    const assets = BUNDLED_ASSETS.system ?? [];
    expect(assets.map(({ to }) => to)).toEqual([SCALAR_ASSET, OPENAPI_DOCUMENT_FILE]);
    for (const { from } of assets) expect(existsSync(new URL(`../../${from}`, import.meta.url)), from).toBe(true);
  });
});

describe('the generated route list', () => {
  it('is what `npm run generate` makes from the contracts now', () => {
    // Act & Assess: run `npm run generate` when this fails.
    expect(readFileSync(ROUTE_LIST_FILE, 'utf8')).toBe(routeListSource());
  });
});

describe('the generated OpenAPI document', () => {
  it('is what `npm run generate` makes from the contracts now', () => {
    // Act & Assess: run `npm run generate` when this fails.
    expect(readFileSync(OPENAPI_FILE, 'utf8')).toBe(openApiSource());
  });

  it('is no longer what the contracts make once a contract changes, so the check above fails until it is regenerated', () => {
    // Prepare: one operation's summary edited, as a contract change would.
    const [first, ...rest] = allContracts;
    const edited = [{ ...first!, summary: `${first!.summary} (edited)` }, ...rest];

    // Act
    const source = openApiSource(edited);

    // Assess
    expect(source).not.toBe(readFileSync(OPENAPI_FILE, 'utf8'));
    expect(JSON.parse(source).paths[first!.path][first!.method.toLowerCase()].summary).toBe(`${first!.summary} (edited)`);
  });
});

describe('the system function as the stack deploys it', () => {
  let outdir: string;
  let handler: RouteHandler;
  const previousVersion = process.env.STEWARD_VERSION;

  beforeAll(async () => {
    // Bundled as the stack bundles it, with the files the stack copies beside it; under node_modules,
    // so that Node resolves the AWS SDK the bundle leaves out as the Lambda runtime does, and imports it as it is.
    await mkdir(join(ROOT, 'node_modules', '.cache'), { recursive: true });
    outdir = await mkdtemp(join(ROOT, 'node_modules', '.cache', 'steward-system-bundle-'));
    const { file } = await bundleHandler('system', outdir);
    for (const { from, to } of BUNDLED_ASSETS.system ?? []) {
      await mkdir(dirname(join(outdir, to)), { recursive: true });
      await cp(join(ROOT, from), join(outdir, to));
    }
    handler = (await import(pathToFileURL(file).href)).handler;
  }, 120_000);

  afterAll(async () => {
    if (previousVersion === undefined) delete process.env.STEWARD_VERSION;
    else process.env.STEWARD_VERSION = previousVersion;
    await rm(outdir, { recursive: true, force: true });
  });

  it('serves the OpenAPI document the contracts make, with the running version, from the file beside it', async () => {
    // Prepare
    process.env.STEWARD_VERSION = '9.8.7';
    const expected = JSON.parse(JSON.stringify(openApiDocument(allContracts, '9.8.7')));

    // Act
    const reply = await invoke(handler, apiEvent({ routeKey: 'GET /openapi.json' }));

    // Assess
    expect(reply.status).toBe(200);
    expect(reply.headers['content-type']).toMatch(/^application\/json/);
    expect(reply.body).toEqual(expected);
    expect(reply.body.info.version).not.toBe(GENERATED_VERSION);
  });

  it('serves the API reference page and its script', async () => {
    // Act
    const page = await invoke(handler, apiEvent({ routeKey: 'GET /docs' }));
    const script = await invoke(handler, apiEvent({ routeKey: 'GET /docs/scalar.js' }));

    // Assess
    expect(page.status).toBe(200);
    expect(page.text).toContain('"url":"/openapi.json"');
    expect(script.status).toBe(200);
    expect(script.text.length).toBeGreaterThan(1024 * 1024);
  });
});
