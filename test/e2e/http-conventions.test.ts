import { request as httpRequest } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Runtime, startRuntime } from '../../local/runtime.ts';
import { type ApiClient, api, expectInvalid, expectNoServerErrors, expectProblem } from '../helpers/http-client.ts';

/**
 * docs/architecture.md §4 over real HTTP, and the "Bad input and faults": malformed JSON, unknown
 * fields, bodies over 1 MB, wrong media types, unknown routes, wrong methods — all answered as
 * RFC 9457 problems, none as a 500 — plus a handful of odd inputs a client might send.
 */

const ONE_MB = 1024 * 1024;

let runtime: Runtime;
let client: ApiClient;

beforeAll(async () => {
  runtime = await startRuntime({ memory: true, port: 0, reconcileEveryMs: 3_600_000 });
  client = api(runtime);
  expect((await client.post('/v1/services', { name: 'conv-api', kind: 'api' })).status).toBe(201);
  expect((await client.post('/v1/services/conv-api/versions', { version: '1.0.0' })).status).toBe(201);
});

afterAll(async () => {
  await runtime?.close();
});

describe('problem documents', () => {
  it('carry type, title, status, detail, the path as instance and the request id', async () => {
    const response = await client.get('/v1/services/nothing-here');
    const problem = expectProblem(response, 404);
    expect(problem.type).toMatch(/^https:\/\//);
    expect(problem.instance).toBe('/v1/services/nothing-here');
    expect(problem.requestId).toBe(response.headers.get('apigw-requestid'));
  });

  it('use a distinct type per kind of problem', async () => {
    const types = new Set<string>();
    types.add(expectProblem(await client.post('/v1/services', undefined, { raw: '{', contentType: 'application/json' }), 400).type);
    types.add(expectProblem(await client.post('/v1/services', { name: 'X', kind: 'api' }), 400).type);
    types.add(expectProblem(await client.get('/v1/nowhere'), 404).type);
    types.add(expectProblem(await client.request('PUT', '/v1/services'), 405).type);
    types.add(expectProblem(await client.post('/v1/services', { name: 'conv-api', kind: 'api' }), 409).type);
    types.add(expectProblem(await client.patch('/v1/services/conv-api', { owner: 'x' }, { headers: { 'if-match': '"0"' } }), 412).type);
    types.add(expectProblem(await client.post('/v1/services', undefined, { raw: 'x', contentType: 'text/plain' }), 415).type);
    types.add(expectProblem(await client.get('/v1/services', { key: null }), 401).type);
    expect(types.size).toBe(8);
  });
});

describe('malformed JSON', () => {
  it.each([
    ['POST', '/v1/services'],
    ['PATCH', '/v1/services/conv-api'],
    ['POST', '/v1/services/conv-api/versions'],
    ['POST', '/v1/services/conv-api/versions/1.0.0/changes'],
    ['POST', '/v1/services/conv-api/versions/1.0.0/deprecate'],
    ['POST', '/v1/api-keys'],
  ])('is a 400 problem on %s %s', async (method, path) => {
    for (const raw of ['{', '{"name": "x",}', "{'name': 'x'}", 'undefined', '{"a":1}{"b":2}', '\u0000']) {
      const problem = expectProblem(await client.request(method, path, undefined, { raw, contentType: 'application/json' }), 400);
      expect(problem.title).toBe('Malformed JSON');
      expect(problem.detail).toMatch(/not valid JSON/);
    }
  });

  it('is told apart from JSON that is valid but not an object', async () => {
    for (const raw of ['null', '[]', '"service"', '42', 'true']) {
      expectInvalid(await client.post('/v1/services', undefined, { raw, contentType: 'application/json' }), '/body');
    }
  });

  it('a missing body is a 400 pointing at /body', async () => {
    expectInvalid(await client.post('/v1/services'), '/body');
    expectInvalid(await client.post('/v1/services', undefined, { raw: '', contentType: 'application/json' }), '/body');
    // ...except where the body is optional
    expect((await client.post('/v1/services/conv-api/versions/1.0.0/release')).status).toBe(200);
  });
});

describe('unknown fields', () => {
  it('are rejected in bodies, each with a pointer to it', async () => {
    expectInvalid(await client.post('/v1/services', { name: 'colour-api', kind: 'api', colour: 'blue' }), '/body/colour');
    expectInvalid(
      await client.post('/v1/services/conv-api/versions', { version: '2.0.0', artifact: { type: 'zip', uri: 's3://b/k', sha: 'x' } }),
      '/body/artifact/sha',
    );
    expectInvalid(
      await client.post('/v1/services/conv-api/versions', { version: '2.0.0', changes: [{ type: 'fix', description: 'x', author: 'me' }] }),
      '/body/changes/0/author',
    );
    expectInvalid(await client.patch('/v1/services/conv-api', { status: 'retired' }), '/body/status');
    expectInvalid(await client.post('/v1/api-keys', { name: 'x', role: 'viewer', expiresAt: '2030-01-01' }), '/body/expiresAt');
    expectInvalid(await client.post('/v1/services/conv-api/versions/1.0.0/retire', { reason: 'x' }), '/body/reason');
    const problem = expectProblem(await client.post('/v1/services', { name: 'two-api', kind: 'api', a: 1, b: 2 }), 400);
    expect(problem.errors.map((error: { pointer: string }) => error.pointer).sort()).toEqual(['/body/a', '/body/b']);
    expect(problem.errors[0].message).toMatch(/not a known field/);
    // nothing was made
    expectProblem(await client.get('/v1/services/colour-api'), 404);
    expectProblem(await client.get('/v1/services/conv-api/versions/2.0.0'), 404);
  });

  it('are rejected in the query of list routes', async () => {
    expectInvalid(await client.get('/v1/services', { query: { sort: 'name' } }), '/query/sort');
    expectInvalid(await client.get('/v1/api-keys', { query: { role: 'admin' } }), '/query/role');
    expectInvalid(await client.get('/v1/audit', { query: { kind: 'api' } }), '/query/kind');
  });

  it('escape / and ~ in pointers as JSON Pointer does', async () => {
    expectInvalid(await client.post('/v1/services', { name: 'ptr-api', kind: 'api', 'a/b~c': 1 }), '/body/a~1b~0c');
  });
});

describe('request bodies over 1 MB', () => {
  const sized = (bytes: number) => {
    const prefix = '{"name":"big-api","kind":"api","description":"';
    const suffix = '"}';
    return prefix + 'x'.repeat(bytes - prefix.length - suffix.length) + suffix;
  };

  it('are refused with 413, while one of exactly 1 MB is read (and here fails validation)', async () => {
    expect(Buffer.byteLength(sized(ONE_MB))).toBe(ONE_MB);
    expectInvalid(
      await client.post('/v1/services', undefined, { raw: sized(ONE_MB), contentType: 'application/json' }),
      '/body/description',
    );
    const problem = expectProblem(
      await client.post('/v1/services', undefined, { raw: sized(ONE_MB + 1), contentType: 'application/json' }),
      413,
    );
    expect(problem.detail).toMatch(/1 MB/);
    expectProblem(await client.post('/v1/services', undefined, { raw: sized(3 * ONE_MB), contentType: 'application/json' }), 413);
    expectProblem(await client.patch('/v1/services/conv-api', undefined, { raw: sized(2 * ONE_MB), contentType: 'application/json' }), 413);
    expectProblem(
      await client.post('/v1/services/conv-api/versions', undefined, { raw: sized(2 * ONE_MB), contentType: 'application/json' }),
      413,
    );
    expectProblem(await client.get('/v1/services/big-api'), 404);
  });

  it('say the real size of the body, not the limit plus one', async () => {
    // Act
    const problem = expectProblem(
      await client.post('/v1/services', undefined, { raw: sized(2_000_054), contentType: 'application/json' }),
      413,
    );
    const farOver = expectProblem(
      await client.post('/v1/services', undefined, { raw: 'x'.repeat(11 * ONE_MB), contentType: 'application/json' }),
      413,
    );

    // Assess
    expect(problem.detail).toBe('The request body is 2000054 bytes; the limit is 1048576 bytes (1 MB).');
    expect(farOver.detail).toBe(`The request body is ${11 * ONE_MB} bytes; the limit is 1048576 bytes (1 MB).`);
  });

  it('count bytes, not characters', async () => {
    const prefix = '{"name":"wide-api","kind":"api","description":"';
    const wide = `${prefix}${'é'.repeat(ONE_MB / 2)}"}`; // fewer than 1 M characters, more than 1 MB
    expect(wide.length).toBeLessThan(ONE_MB);
    expectProblem(await client.post('/v1/services', undefined, { raw: wide, contentType: 'application/json' }), 413);
  });

  it('are refused with 413 even when they are not JSON, and when far over the limit', async () => {
    expectProblem(
      await client.post('/v1/services', undefined, { raw: new Uint8Array(2 * ONE_MB), contentType: 'application/octet-stream' }),
      413,
    );
    expectProblem(await client.post('/v1/services', undefined, { raw: 'x'.repeat(12 * ONE_MB), contentType: 'application/json' }), 413);
    // and the server goes on answering
    expect((await client.get('/health')).status).toBe(200);
  });
});

describe('bodies that are not JSON', () => {
  it.each([
    ['text/plain', 'name=x'],
    ['application/x-www-form-urlencoded', 'name=x&kind=api'],
    ['application/xml', '<service name="x"/>'],
    ['multipart/form-data; boundary=x', '--x--'],
    ['application/jsonl', '{"name":"x","kind":"api"}'],
  ])('are refused with 415 (%s)', async (contentType, raw) => {
    const problem = expectProblem(await client.post('/v1/services', undefined, { raw, contentType }), 415);
    expect(problem.detail).toMatch(/application\/json/);
  });

  it('are refused with 415 when no content type is sent', async () => {
    expectProblem(
      await client.post('/v1/services', undefined, { raw: new TextEncoder().encode('{"name":"typeless-api","kind":"api"}') }),
      415,
    );
    expectProblem(await client.get('/v1/services/typeless-api'), 404);
  });

  it('JSON with a charset or a +json type is accepted', async () => {
    expect(
      (await client.post('/v1/services', { name: 'charset-api', kind: 'api' }, { contentType: 'application/json; charset=utf-8' })).status,
    ).toBe(201);
    expect(
      (await client.patch('/v1/services/charset-api', { owner: 'x@example.com' }, { contentType: 'application/merge-patch+json' })).status,
    ).toBe(200);
    expect((await client.post('/v1/services', { name: 'upper-api', kind: 'api' }, { contentType: 'Application/JSON' })).status).toBe(201);
  });
});

/** Sends headers exactly as given, repeated ones as separate lines (fetch would join them first). */
function rawRequest(
  method: string,
  path: string,
  headers: Record<string, string | string[]>,
  body?: string,
): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; json: any }> {
  return new Promise((resolve, reject) => {
    const request = httpRequest(new URL(path, runtime.url), { method, headers }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        resolve({ status: response.statusCode ?? 0, headers: response.headers, json: text ? JSON.parse(text) : undefined });
      });
    });
    request.on('error', reject);
    request.end(body);
  });
}

describe('two Content-Type headers', () => {
  it('are a 400 that names both, whichever comes first (curl with a shared JSON header array, then YAML)', async () => {
    // Act
    const yaml = await rawRequest(
      'POST',
      '/v1/services/conv-api/configs/import?dryRun=true',
      { authorization: `Bearer ${runtime.adminKey}`, 'content-type': ['application/json', 'application/yaml'] },
      'layers: {}\n',
    );
    const json = await rawRequest(
      'POST',
      '/v1/services',
      { authorization: `Bearer ${runtime.adminKey}`, 'content-type': ['application/yaml', 'application/json'] },
      '{"name":"twice-api","kind":"api"}',
    );

    // Assess
    for (const response of [yaml, json]) {
      expect(response.status).toBe(400);
      expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(response.json.title).toBe('Conflicting Content-Type headers');
    }
    expect(yaml.json.detail).toBe('The request has 2 Content-Type headers (application/json, application/yaml); send one.');
    expect(json.json.detail).toBe('The request has 2 Content-Type headers (application/yaml, application/json); send one.');
    expectProblem(await client.get('/v1/services/twice-api'), 404);
  });

  it('saying the same type twice is read as one', async () => {
    // Act
    const response = await rawRequest(
      'POST',
      '/v1/services',
      { authorization: `Bearer ${runtime.adminKey}`, 'content-type': ['application/json', 'application/json; charset=utf-8'] },
      '{"name":"same-twice-api","kind":"api"}',
    );

    // Assess
    expect(response.status).toBe(201);
  });
});

describe('the root and 401s', () => {
  it('GET / redirects to /docs', async () => {
    // Act
    const response = await fetch(`${runtime.url}/`, { redirect: 'manual' });

    // Assess
    expect(response.status).toBe(302);
    expect(response.headers.get('location')).toBe('/docs');
  });

  it('a 401 names the Bearer scheme in WWW-Authenticate', async () => {
    // Act
    const none = await client.get('/v1/services', { key: null });
    const wrong = await client.as('stw_not-a-key-at-all-0000').get('/v1/services');

    // Assess
    for (const response of [none, wrong]) {
      expectProblem(response, 401);
      expect(response.headers.get('www-authenticate')).toMatch(/^Bearer\b/);
    }
    expect((await client.get('/v1/services')).headers.get('www-authenticate')).toBeNull();
  });
});

describe('routes', () => {
  it.each([
    ['GET', '/v1'],
    ['GET', '/v1/'],
    ['GET', '/v1/nowhere'],
    ['GET', '/v2/services'],
    ['GET', '/v1/services/'],
    ['GET', '/v1/services/conv-api/'],
    ['GET', '/v1/services/conv-api/versions/1.0.0/changes/extra'],
    ['POST', '/v1/services/conv-api/versions/1.0.0/publish'],
    ['GET', '/v1/SERVICES'],
    ['DELETE', '/v1/nowhere'],
    ['GET', '/v1/services/a/b/c/d/e/f/g'],
    ['GET', '/v1/services/%ZZ'],
  ])('an unknown route (%s %s) is a 404 problem, with or without a key', async (method, path) => {
    const problem = expectProblem(await client.request(method, path), 404);
    expect(problem.detail).toMatch(/No route matches/);
    expectProblem(await client.request(method, path, undefined, { key: null }), 404);
  });

  it.each([
    ['DELETE', '/v1/services', ['GET', 'POST']],
    ['PUT', '/v1/services', ['GET', 'POST']],
    ['PUT', '/v1/services/conv-api', ['GET', 'PATCH']],
    ['DELETE', '/v1/services/conv-api', ['GET', 'PATCH']],
    ['POST', '/v1/services/conv-api', ['GET', 'PATCH']],
    ['DELETE', '/v1/services/conv-api/versions', ['GET', 'POST']],
    ['DELETE', '/v1/services/conv-api/versions/1.0.0', ['GET', 'PATCH']],
    ['GET', '/v1/services/conv-api/versions/1.0.0/release', ['POST']],
    ['GET', '/v1/services/conv-api/versions/1.0.0/changes', ['POST']],
    ['POST', '/v1/services/conv-api/history', ['GET']],
    ['POST', '/v1/audit', ['GET']],
    ['DELETE', '/v1/audit/export', ['GET']],
    ['PUT', '/v1/api-keys', ['GET', 'POST']],
    ['GET', '/v1/api-keys/01ARZ3NDEKTSV4RRFFQ69G5FAV', ['DELETE']],
    ['POST', '/health', ['GET']],
    ['DELETE', '/openapi.json', ['GET']],
    ['OPTIONS', '/v1/services', ['GET', 'POST']],
  ])('a wrong method (%s %s) is a 405 problem with Allow listing the methods', async (method, path, allowed) => {
    const response = await client.request(method, path);
    const problem = expectProblem(response, 405);
    const allow = (response.headers.get('allow') ?? '')
      .split(',')
      .map((m) => m.trim())
      .filter(Boolean);
    expect(allow.sort()).toEqual([...allowed].sort());
    expect(problem.detail).toContain(allowed[0]);
    expectProblem(await client.request(method, path, undefined, { key: null }), 405);
  });
});

describe('odd inputs', () => {
  it.each([
    ['huge', '99999999999999999999999'],
    ['1e9', '1e9'],
    ['negative', '-1'],
    ['zero', '0'],
    ['fraction', '2.5'],
    ['word', 'ten'],
    ['empty', ''],
    ['infinity', 'Infinity'],
  ])('a %s limit is a 400 pointing at /query/limit', async (_what, limit) => {
    for (const path of ['/v1/services', '/v1/services/conv-api/versions', '/v1/services/conv-api/history', '/v1/audit', '/v1/api-keys']) {
      expectInvalid(await client.get(`${path}?limit=${encodeURIComponent(limit)}`), '/query/limit');
    }
  });

  it('a repeated limit is a 400', async () => {
    expectInvalid(await client.get('/v1/services?limit=1&limit=2'), '/query/limit');
  });

  it.each([
    ['garbage', 'garbage'],
    ['punctuation', '!!!***'],
    ['base64 of nothing useful', Buffer.from('{}').toString('base64url')],
    ['base64 of an array', Buffer.from('[]').toString('base64url')],
    ['base64 of null', Buffer.from('null').toString('base64url')],
    ['base64 of a number key', Buffer.from('{"PK":1,"SK":2}').toString('base64url')],
    [
      'a key into another partition',
      Buffer.from(
        JSON.stringify({ PK: 'ELSEWHERE', SK: 'x', GSI1PK: 'ELSEWHERE', GSI1SK: 'x', GSI2PK: 'ELSEWHERE', GSI2SK: 'x' }),
      ).toString('base64url'),
    ],
    [
      'a key with extra attributes',
      Buffer.from(JSON.stringify({ PK: 'SVC#a', SK: 'SERVICE', GSI1PK: 'SERVICES', GSI1SK: 'a', evil: 'x' })).toString('base64url'),
    ],
    ['too long', 'a'.repeat(3000)],
  ])('a cursor that is %s is a 400', async (_what, cursor) => {
    for (const path of [
      '/v1/services',
      '/v1/services/conv-api/versions',
      '/v1/services/conv-api/history',
      '/v1/audit',
      '/v1/audit/export',
      '/v1/api-keys',
    ]) {
      expectProblem(await client.get(path, { query: { cursor } }), 400);
    }
  });

  it('a forged cursor into the right partition is answered with a page, not a 500', async () => {
    const forged = (key: Record<string, string>) => Buffer.from(JSON.stringify(key)).toString('base64url');
    const cases: Array<[string, Record<string, string>]> = [
      ['/v1/services', { PK: 'made-up', SK: 'made-up', GSI1PK: 'SERVICES', GSI1SK: 'm' }],
      ['/v1/services/conv-api/versions', { PK: 'SVC#conv-api', SK: 'VER#zzz' }],
      ['/v1/audit', { PK: 'made-up', SK: 'made-up', GSI1PK: 'AUDIT', GSI1SK: '2000-01-01T00:00:00.000Z#X' }],
      ['/v1/api-keys', { PK: 'made-up', SK: 'made-up', GSI1PK: 'APIKEYS', GSI1SK: '0' }],
    ];
    for (const [path, key] of cases) {
      const response = await client.get(path, { query: { cursor: forged(key) } });
      expect([200, 400], `${path}: ${response.text}`).toContain(response.status);
    }
  });

  it('paths with encoded characters are a 400 or 404, never a 500', async () => {
    expectInvalid(await client.get('/v1/services/a%2Fb'), '/path/name');
    expectInvalid(await client.get('/v1/services/%E2%9C%93%E2%9C%93%E2%9C%93'), '/path/name');
    expectInvalid(await client.get('/v1/services/abc%00'), '/path/name');
    expectInvalid(await client.get('/v1/services/..%2F..%2Fhealth'), '/path/name');
    expectInvalid(await client.get('/v1/services/conv%20api'), '/path/name');
    expectInvalid(await client.get(`/v1/services/${'a'.repeat(300)}`), '/path/name');
    expectInvalid(await client.get('/v1/services/conv-api/versions/1.0.0%20'), '/path/version');
    expectInvalid(await client.get('/v1/services/conv-api/versions/%F0%9F%9A%80'), '/path/version');
    expectInvalid(await client.delete('/v1/api-keys/%3Cscript%3E'), '/path/id');
    expect((await client.get('/v1/services/conv%2Dapi')).status).toBe(200);
    expect((await client.get('/v1/services/conv-api/versions/1.0.0%2Bbuild.9')).json.version).toBe('1.0.0');
    expectProblem(await client.get('/v1/services/conv-api/versions/%E0%A4%A'), 404);
  });

  it('unicode is refused in names and kept in free text', async () => {
    expectInvalid(await client.post('/v1/services', { name: 'zahlungs-dienst-ü', kind: 'api' }), '/body/name');
    expectInvalid(await client.post('/v1/services', { name: '支払い', kind: 'api' }), '/body/name');
    expectInvalid(await client.post('/v1/services', { name: 'ｐａｙ', kind: 'api' }), '/body/name');
    expectInvalid(await client.post('/v1/services', { name: 'uni-api', kind: 'api', tags: { équipe: 'x' } }), '/body/tags/équipe');

    const text = {
      displayName: '支払い API 🚀',
      description: 'Zahlungen — naïve café; RTL: مرحبا; NUL: \u0000; lone surrogate: \ud800.',
      owner: 'ÉQUIPE',
      tags: { team: 'paiements 💶' },
    };
    const created = await client.post('/v1/services', { name: 'uni-api', kind: 'api', ...text });
    expect(created.status, created.text).toBe(201);
    const fetched = await client.get('/v1/services/uni-api');
    expect(fetched.json.displayName).toBe(text.displayName);
    expect(fetched.json.owner).toBe(text.owner);
    expect(fetched.json.tags).toEqual(text.tags);
    expect(fetched.json.description.startsWith('Zahlungen — naïve café; RTL: مرحبا; NUL: \u0000;')).toBe(true);

    const version = await client.post('/v1/services/uni-api/versions', {
      version: '1.0.0-ß',
      changes: [{ type: 'fix', description: 'x' }],
    });
    expectInvalid(version, '/body/version');
  });

  it('metadata is stored as sent, within what the table can hold', async () => {
    const metadata = {
      '': 'empty key',
      nested: { a: [1, 2.5, -3, { b: null, c: true }] },
      big: Number.MAX_SAFE_INTEGER,
      small: 1e-100,
      text: '',
    };
    const created = await client.post('/v1/services/conv-api/versions', { version: '3.0.0', metadata });
    expect(created.status, created.text).toBe(201);
    expect((await client.get('/v1/services/conv-api/versions/3.0.0')).json.metadata).toEqual(metadata);

    expectInvalid(await client.post('/v1/services/conv-api/versions', { version: '3.0.1', metadata: { n: 2 ** 64 } }), '/body/metadata');
    expectInvalid(await client.post('/v1/services/conv-api/versions', { version: '3.0.1', metadata: { n: -1e300 } }), '/body/metadata');
    expectInvalid(await client.post('/v1/services/conv-api/versions', { version: '3.0.1', metadata: { n: 1.5e-200 } }), '/body/metadata');
    let deep: unknown = 'bottom';
    for (let i = 0; i < 40; i++) deep = { deeper: deep };
    expectInvalid(
      await client.post('/v1/services/conv-api/versions', { version: '3.0.1', metadata: deep as Record<string, unknown> }),
      '/body/metadata',
    );
    // nested far past any stack: still a 400
    const abyss = `{"version":"3.0.1","metadata":{"a":${'['.repeat(300_000)}${']'.repeat(300_000)}}}`;
    expectInvalid(
      await client.post('/v1/services/conv-api/versions', undefined, { raw: abyss, contentType: 'application/json' }),
      '/body/metadata',
    );
    expectInvalid(
      await client.post('/v1/services/conv-api/versions', { version: '3.0.1', metadata: { blob: 'x'.repeat(20_000) } }),
      '/body/metadata',
    );
    expectInvalid(
      await client.post('/v1/services/conv-api/versions', { version: '3.0.1', metadata: ['not', 'a', 'map'] }),
      '/body/metadata',
    );
    expectProblem(await client.get('/v1/services/conv-api/versions/3.0.1'), 404);
  });

  it('deeply nested JSON anywhere is a 400', async () => {
    const abyss = `{"name":"deep-api","kind":"api","tags":${'['.repeat(200_000)}${']'.repeat(200_000)}}`;
    expectInvalid(await client.post('/v1/services', undefined, { raw: abyss, contentType: 'application/json' }), '/body/tags');
  });

  it('oversized fields and lists are 400s, not 500s', async () => {
    expectInvalid(await client.post('/v1/services', { name: 'long-api', kind: 'api', description: 'x'.repeat(4001) }), '/body/description');
    expectInvalid(
      await client.post('/v1/services', {
        name: 'tags-api',
        kind: 'api',
        tags: Object.fromEntries(Array.from({ length: 51 }, (_, i) => [`t${i}`, 'v'])),
      }),
      '/body/tags',
    );
    const changes = Array.from({ length: 501 }, () => ({ type: 'fix', description: 'x' }));
    expectInvalid(await client.post('/v1/services/conv-api/versions', { version: '4.0.0', changes }), '/body/changes');
    const bulky = Array.from({ length: 500 }, (_, i) => ({ type: 'fix', description: `${i} ${'y'.repeat(1900)}` }));
    const tooBig = await client.post('/v1/services/conv-api/versions', { version: '4.0.0', changes: bulky });
    expect([400, 413]).toContain(tooBig.status);
    expectProblem(tooBig, tooBig.status);
    expectProblem(await client.get('/v1/services/conv-api/versions/4.0.0'), 404);
  });

  it('odd If-Match values are a 412 or are honoured, never a 500', async () => {
    expectProblem(await client.patch('/v1/services/conv-api', { owner: 'o' }, { headers: { 'if-match': 'garbage' } }), 412);
    expectProblem(await client.patch('/v1/services/conv-api', { owner: 'o' }, { headers: { 'if-match': '""' } }), 412);
    expectProblem(await client.patch('/v1/services/conv-api', { owner: 'o' }, { headers: { 'if-match': ',,,' } }), 412);
    const etag = (await client.get('/v1/services/conv-api')).headers.get('etag') as string;
    expect((await client.patch('/v1/services/conv-api', { owner: 'o' }, { headers: { 'if-match': `W/${etag}` } })).status).toBe(200);
  });

  it('odd Authorization headers are a 401', async () => {
    for (const authorization of [
      'Bearer  ',
      'bearer',
      'Token abc',
      `Bearer ${'x'.repeat(5000)}`,
      `Bearer ${runtime.adminKey} extra`,
      `Bearer ${runtime.adminKey.toUpperCase()}`,
    ]) {
      expectProblem(await client.get('/v1/services', { key: null, headers: { authorization } }), 401);
    }
    // the scheme is case-insensitive
    expect((await client.get('/v1/services', { key: null, headers: { authorization: `bearer ${runtime.adminKey}` } })).status).toBe(200);
  });

  it('a body on a route that takes none is ignored', async () => {
    expect(
      (
        await client.request('DELETE', '/v1/api-keys/01ARZ3NDEKTSV4RRFFQ69G5FAV', undefined, {
          raw: '{not json',
          contentType: 'application/json',
        })
      ).status,
    ).toBe(404);
  });
});

it('answered no request with a server error, and every error as problem+json', () => {
  expect(client.log.length).toBeGreaterThan(200);
  expectNoServerErrors(client.log);
});
