import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import middy from '@middy/core';
import { build } from 'esbuild';
// Through the package's name, as a managed Lambda imports it (package.json `exports`).
import { lifecycleHeaders as middleware } from 'steward/lifecycle-headers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deprecationHeader, lifecycleHeaders, linkHeader, sunsetHeader } from '../../functions/api-contracts/lifecycle.domain.ts';
import { type Runtime, startRuntime } from '../../local/runtime.ts';
import { type ApiClient, api, expectNoServerErrors } from '../helpers/http-client.ts';

/**
 * Issue 11 §9: the lifecycle route's headers, checked against the examples of RFC 9745
 * (Deprecation), RFC 8594 (Sunset) and RFC 8288 (Link), and the lifecycleHeaders middy middleware
 * reading them from a running Steward: cached for 60 s, the last known headers when Steward is
 * unreachable, never a failed request. The middleware is imported as its users import it
 * (`steward/lifecycle-headers`), and bundled from a project outside this repository.
 */

const REPO = resolve(import.meta.dirname, '../..');

describe('header values, against the RFCs’ examples', () => {
  it('RFC 9745 §2.1: Deprecation is a Structured Field Date, @ and epoch seconds', () => {
    // "Deprecation: @1688169599" (the resource was deprecated on Friday, June 30, 2023 at 23:59:59 UTC).
    expect(deprecationHeader(new Date('2023-06-30T23:59:59Z'))).toBe('@1688169599');
    // The example, 2025-12-31T23:59:59Z; fractions of a second are dropped, not rounded.
    expect(deprecationHeader(new Date('2025-12-31T23:59:59.900Z'))).toBe('@1767225599');
  });

  it('RFC 8594 §3: Sunset is an HTTP-date in IMF-fixdate form', () => {
    // The RFC's example is "Sunset: Sat, 31 Dec 2018 23:59:59 GMT", but 31 December 2018 was a Monday: the
    // same instant, written as IMF-fixdate requires (RFC 9110 §5.6.7: day-name is the day of that date).
    const example = new Date(Date.parse('Sat, 31 Dec 2018 23:59:59 GMT'));
    expect(example.toISOString()).toBe('2018-12-31T23:59:59.000Z');
    expect(sunsetHeader(example)).toBe('Mon, 31 Dec 2018 23:59:59 GMT');
    const IMF_FIXDATE =
      /^(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d{2} (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{4} \d{2}:\d{2}:\d{2} GMT$/;
    expect(sunsetHeader(example)).toMatch(IMF_FIXDATE);
    expect(sunsetHeader(new Date('2026-03-05T07:04:09Z'))).toBe('Thu, 05 Mar 2026 07:04:09 GMT');
  });

  it('RFC 9745 §3 / RFC 8288: Link with rel="deprecation" and rel="successor-version"', () => {
    // "Link: <https://developer.example.com/deprecation>; rel="deprecation"; type="text/html""
    expect(linkHeader([{ href: 'https://developer.example.com/deprecation', rel: 'deprecation', type: 'text/html' }])).toBe(
      '<https://developer.example.com/deprecation>; rel="deprecation"; type="text/html"',
    );
    const headers = lifecycleHeaders(
      { status: 'deprecated', deprecatedAt: '2023-06-30T23:59:59Z', sunsetAt: '2018-12-31T23:59:59Z', replacement: '2.0.0' },
      { deprecation: 'https://steward.example.com/d', successor: (version) => `https://steward.example.com/v/${version}` },
    );
    expect(headers).toEqual({
      Deprecation: '@1688169599',
      Sunset: 'Mon, 31 Dec 2018 23:59:59 GMT',
      Link: '<https://steward.example.com/d>; rel="deprecation"; type="application/json", <https://steward.example.com/v/2.0.0>; rel="successor-version"',
    });
  });

  it('a current version sends none of them', () => {
    expect(
      lifecycleHeaders(
        { status: 'released', deprecatedAt: null, sunsetAt: null, replacement: null },
        { deprecation: 'x', successor: () => 'y' },
      ),
    ).toEqual({});
  });
});

describe('GET .../versions/{v}/lifecycle and the middleware, against a running Steward', () => {
  let runtime: Runtime;
  let client: ApiClient;
  const SERVICE = 'lifecycle-api';
  const SUNSET = '2027-01-31T12:00:00.000Z';

  beforeAll(async () => {
    runtime = await startRuntime({ memory: true, port: 0, reconcileEveryMs: 3_600_000 });
    client = api(runtime);
    expect((await client.post('/v1/services', { name: SERVICE, kind: 'api' })).status).toBe(201);
    for (const version of ['1.0.0', '2.0.0']) {
      expect((await client.post(`/v1/services/${SERVICE}/versions`, { version })).status).toBe(201);
      expect((await client.post(`/v1/services/${SERVICE}/versions/${version}/release`)).status).toBe(200);
    }
  });

  afterAll(async () => {
    expectNoServerErrors(client.log);
    await runtime?.close();
  });

  it('a released version has no headers; once deprecated with a sunset and a replacement, all three', async () => {
    const current = await client.get(`/v1/services/${SERVICE}/versions/1.0.0/lifecycle`);
    expect(current.status, current.text).toBe(200);
    expect(current.json).toEqual({
      service: SERVICE,
      version: '1.0.0',
      status: 'released',
      deprecatedAt: null,
      sunsetAt: null,
      replacement: null,
      headers: {},
    });

    const deprecated = await client.post(`/v1/services/${SERVICE}/versions/1.0.0/deprecate`, { sunsetAt: SUNSET, replacement: '2.0.0' });
    expect(deprecated.status, deprecated.text).toBe(200);
    const lifecycle = await client.get(`/v1/services/${SERVICE}/versions/1.0.0/lifecycle`);
    const deprecatedAt = deprecated.json.deprecatedAt as string;
    expect(lifecycle.json).toMatchObject({ status: 'deprecated', deprecatedAt, sunsetAt: SUNSET, replacement: '2.0.0' });
    expect(lifecycle.json.headers).toEqual({
      Deprecation: `@${Math.floor(Date.parse(deprecatedAt) / 1000)}`,
      Sunset: 'Sun, 31 Jan 2027 12:00:00 GMT',
      Link: `<${runtime.url}/v1/services/${SERVICE}/versions/1.0.0/lifecycle>; rel="deprecation"; type="application/json", <${runtime.url}/v1/services/${SERVICE}/versions/2.0.0>; rel="successor-version"`,
    });
    expect(lifecycle.json.headers.Deprecation).toMatch(/^@\d{10}$/);
    expect((await client.get(`/v1/services/${SERVICE}/versions/9.0.0/lifecycle`)).status).toBe(404);
  });

  it('the middleware sets them on every response, reads Steward once per 60 s, and keeps the last headers when Steward is gone', async () => {
    let clock = 1_000_000;
    let calls = 0;
    let reachable = true;
    const countingFetch: typeof fetch = async (input, init) => {
      calls += 1;
      if (!reachable) throw new TypeError('fetch failed: connect ECONNREFUSED');
      return fetch(input, init);
    };
    const handler = middy(async () => ({ statusCode: 200, headers: { 'content-type': 'application/json' }, body: '{"ok":true}' })).use(
      middleware({
        service: SERVICE,
        version: '1.0.0',
        stewardUrl: runtime.url,
        apiKey: runtime.adminKey,
        fetch: countingFetch,
        now: () => clock,
      }),
    );
    const invoke = () => handler({}, {} as never) as Promise<{ statusCode: number; headers: Record<string, string> }>;

    const first = await invoke();
    expect(first.statusCode).toBe(200);
    expect(first.headers['content-type']).toBe('application/json');
    expect(first.headers.Deprecation).toMatch(/^@\d{10}$/);
    expect(first.headers.Sunset).toBe('Sun, 31 Jan 2027 12:00:00 GMT');
    expect(first.headers.Link).toContain('rel="successor-version"');
    await invoke();
    clock += 59_000;
    await invoke();
    expect(calls).toBe(1);

    // Steward unreachable after the cache expired: the request is answered, with the last known headers.
    reachable = false;
    clock += 2_000;
    const offline = await invoke();
    expect(calls).toBe(2);
    expect(offline.statusCode).toBe(200);
    expect(offline.headers.Sunset).toBe('Sun, 31 Jan 2027 12:00:00 GMT');

    // An error answer (a key without access) keeps them too.
    reachable = true;
    clock += 61_000;
    const denied = middy(async () => ({ statusCode: 204 })).use(
      middleware({ service: SERVICE, version: '1.0.0', stewardUrl: runtime.url, apiKey: 'not-a-key' }),
    );
    const bare = (await denied({}, {} as never)) as { statusCode: number; headers?: Record<string, string> };
    expect(bare.statusCode).toBe(204);
    expect(bare.headers?.Deprecation).toBeUndefined();
  });

  it('a Steward that never answers does not hold a request longer than the timeout', async () => {
    const hanging: typeof fetch = (_input, init) =>
      new Promise((_resolve, reject) => init?.signal?.addEventListener('abort', () => reject(init.signal?.reason)));
    const handler = middy(async () => ({ statusCode: 200, body: 'x' })).use(
      middleware({ service: SERVICE, version: '1.0.0', stewardUrl: runtime.url, fetch: hanging, timeoutMs: 50 }),
    );
    const response = (await handler({}, {} as never)) as { statusCode: number };
    expect(response.statusCode).toBe(200);
  });
  it('a managed Lambda bundles `steward/lifecycle-headers` with nothing else of Steward, and its responses carry the headers', async () => {
    // A project of its own: steward and @middy/core in its node_modules (links, as `npm install <path>` makes).
    const project = mkdtempSync(join(tmpdir(), 'managed-lambda-'));
    try {
      mkdirSync(join(project, 'node_modules', '@middy'), { recursive: true });
      symlinkSync(REPO, join(project, 'node_modules', 'steward'), 'dir');
      symlinkSync(join(REPO, 'node_modules', '@middy', 'core'), join(project, 'node_modules', '@middy', 'core'), 'dir');
      writeFileSync(
        join(project, 'handler.ts'),
        [
          "import middy from '@middy/core';",
          "import { lifecycleHeaders } from 'steward/lifecycle-headers';",
          'const app = async () => ({ statusCode: 200, headers: { "content-type": "text/plain" }, body: "pets" });',
          `export const handler = middy(app).use(lifecycleHeaders({ service: ${JSON.stringify(SERVICE)}, version: '1.0.0' }));`,
        ].join('\n'),
      );
      const outfile = join(project, 'dist', 'handler.mjs');
      // As CDK's NodejsFunction bundles a function.
      const result = await build({
        entryPoints: [join(project, 'handler.ts')],
        absWorkingDir: project,
        bundle: true,
        platform: 'node',
        format: 'esm',
        target: 'node22',
        outfile,
        metafile: true,
        logLevel: 'silent',
      });
      const fromSteward = Object.keys(result.metafile.inputs)
        .map((input) => resolve(project, input))
        .filter((input) => input.startsWith(REPO) && !input.includes(`${REPO}/node_modules/`))
        .map((input) => relative(REPO, input));
      expect(fromSteward).toEqual(['functions/api-contracts/lifecycle-headers.ts']);
      expect(readFileSync(outfile, 'utf8')).not.toMatch(/#kernel|#api-contracts/);

      process.env.STEWARD_URL = runtime.url;
      process.env.STEWARD_API_KEY = runtime.adminKey;
      try {
        const bundled = (await import(pathToFileURL(outfile).href)) as { handler: (event: unknown, context: unknown) => Promise<unknown> };
        const response = (await bundled.handler({}, {})) as { statusCode: number; body: string; headers: Record<string, string> };
        expect(response).toMatchObject({ statusCode: 200, body: 'pets' });
        expect(response.headers).toMatchObject({
          'content-type': 'text/plain',
          Deprecation: expect.stringMatching(/^@\d{10}$/),
          Sunset: 'Sun, 31 Jan 2027 12:00:00 GMT',
          Link: expect.stringContaining(`/v1/services/${SERVICE}/versions/2.0.0>; rel="successor-version"`),
        });
      } finally {
        delete process.env.STEWARD_URL;
        delete process.env.STEWARD_API_KEY;
      }
    } finally {
      rmSync(project, { recursive: true, force: true });
    }
  });
});
