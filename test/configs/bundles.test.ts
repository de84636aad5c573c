import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { afterAll, describe, expect, it } from 'vitest';
import { HANDLER_BUNDLING } from '../../lib/bundling.ts';

/**
 * config-writes and config-transfer bundle Ajv (and YAML); their contracts are zod/mini so that
 * they stay small (#schemas/mini). Classic zod creeping back in (one import of #schemas/common
 * or of a classic schema) would add about 70 KB without failing anything else, and zod/mini
 * sets no locale of its own: so build them as deployed and check both.
 */
const ROOT = fileURLToPath(new URL('../..', import.meta.url));
// Inside the repository, so the bundle finds @aws-sdk/* (external, as on Lambda) in node_modules.
const CACHE = join(ROOT, 'node_modules', '.cache');
await mkdir(CACHE, { recursive: true });
const outdir = await mkdtemp(join(CACHE, 'steward-config-bundles-'));
afterAll(() => rm(outdir, { recursive: true, force: true }));

async function bundle(entry: string) {
  const outfile = join(outdir, `${entry}.mjs`);
  const result = await build({
    absWorkingDir: ROOT,
    entryPoints: [join(ROOT, 'functions', 'handlers', `${entry}.ts`)],
    outfile,
    bundle: true,
    platform: 'node',
    target: HANDLER_BUNDLING.target,
    format: HANDLER_BUNDLING.format,
    minify: HANDLER_BUNDLING.minify,
    external: [...HANDLER_BUNDLING.external],
    banner: { js: HANDLER_BUNDLING.banner },
    metafile: true,
    logLevel: 'silent',
  });
  return { inputs: Object.keys(result.metafile.inputs), handler: (await import(outfile)).handler };
}

const event = (routeKey: string, pathParameters: Record<string, string | undefined>, body: unknown) => ({
  version: '2.0',
  routeKey,
  rawPath: '/',
  rawQueryString: '',
  headers: { 'content-type': 'application/json' },
  queryStringParameters: { unknown: '1' },
  pathParameters,
  requestContext: {
    requestId: 'bundle-test',
    http: { method: routeKey.split(' ')[0], path: '/' },
    authorizer: { lambda: { authenticated: 'true', keyId: 'k', name: 'admin', role: 'admin', services: 'null' } },
  },
  body: JSON.stringify(body),
  isBase64Encoded: false,
});
const context = { functionName: 'bundle-test', awsRequestId: 'a', getRemainingTimeInMillis: () => 1000 };

describe.each([
  {
    entry: 'config-writes',
    routeKey: 'PUT /v1/services/{name}/configs/{env}',
    params: { name: 'ab', env: 'export' },
    body: { values: 1, x: 1 },
  },
  { entry: 'config-transfer', routeKey: 'POST /v1/services/{name}/configs/import', params: { name: 'ab' }, body: { layers: 1, x: 1 } },
])('the $entry bundle', ({ entry, routeKey, params, body }) => {
  it('holds zod/mini and no classic zod', async () => {
    // Act
    const { inputs } = await bundle(entry);

    // Assess
    expect(inputs.filter((input) => input.includes('zod/v4/classic'))).toEqual([]);
    expect(inputs.some((input) => input.includes('zod/v4/mini'))).toBe(true);
  });

  it('answers invalid requests with the English messages of zod', async () => {
    // Prepare
    const { handler } = await bundle(entry);

    // Act
    const result = await handler(event(routeKey, params, body), context);

    // Assess
    expect(result.statusCode).toBe(400);
    const messages = (JSON.parse(result.body).errors as Array<{ message: string }>).map((error) => error.message);
    expect(messages).toContain('must be at least 3 characters');
    expect(messages).toContain('is not a known field');
    expect(messages).toContain('Invalid input: expected record, received number');
  });
});
