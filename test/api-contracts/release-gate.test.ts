import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Runtime, startRuntime } from '../../local/runtime.ts';
import { type ApiClient, api, expectNoServerErrors } from '../helpers/http-client.ts';

/**
 * Issue 11 §4 and §5 over HTTP against the local runtime: releasing a version whose contract breaks
 * clients of the latest release below it under too small a SemVer step is a 409 listing the
 * changes, in each policy (enforce, warn, off), with acceptBreaking (audited), for 0.x; the verdict
 * is frozen on the version, its change log filled from the report, and the change log route
 * renders every change between two versions.
 */

let runtime: Runtime;
let client: ApiClient;

const ok = { description: 'ok' };
/** GET /pets always; DELETE /pets/{id} unless dropped; POST /pets with a new operation when `add`. */
function contract(options: { dropDelete?: boolean; add?: boolean; requiredQuery?: boolean } = {}) {
  return {
    openapi: '3.1.0',
    info: { title: 'Pets', version: '1' },
    paths: {
      '/pets': {
        get: {
          parameters: [{ name: 'limit', in: 'query', required: options.requiredQuery ?? false, schema: { type: 'integer' } }],
          responses: { '200': ok },
        },
        ...(options.add ? { post: { responses: { '201': ok } } } : {}),
      },
      ...(options.dropDelete
        ? {}
        : {
            '/pets/{id}': {
              delete: { parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }], responses: { '204': ok } },
            },
          }),
    },
  };
}

async function service(name: string) {
  expect((await client.post('/v1/services', { name, kind: 'api' })).status).toBe(201);
}

async function version(name: string, version: string, document?: unknown) {
  const created = await client.post(`/v1/services/${name}/versions`, { version });
  expect(created.status, created.text).toBe(201);
  if (document) {
    const put = await client.request('PUT', `/v1/services/${name}/versions/${version}/openapi`, document);
    expect(put.status, put.text).toBe(201);
  }
}

const release = (name: string, version: string, body?: unknown) => client.post(`/v1/services/${name}/versions/${version}/release`, body);

async function released(name: string, version: string, document?: unknown) {
  await version_(name, version, document);
  const response = await release(name, version);
  expect(response.status, response.text).toBe(200);
  return response.json;
}
const version_ = version;

beforeAll(async () => {
  runtime = await startRuntime({ memory: true, port: 0, reconcileEveryMs: 3_600_000 });
  client = api(runtime);
});

afterAll(async () => {
  expectNoServerErrors(client.log);
  await runtime?.close();
});

describe('the release gate', () => {
  it('enforce (the default): a breaking change under a minor step is a 409 listing it; as a new major it is released and frozen', async () => {
    await service('gate-enforce');
    const first = await released('gate-enforce', '1.0.0', contract());
    expect(first.contract).toMatchObject({ decision: 'unchecked', base: null, document: { digest: expect.stringMatching(/^sha256:/) } });

    await version('gate-enforce', '1.1.0', contract({ dropDelete: true }));
    const refused = await release('gate-enforce', '1.1.0');
    expect(refused.status).toBe(409);
    expect(refused.json).toMatchObject({ base: '1.0.0', requiredBump: 'major', step: 'minor', summary: { error: 1 } });
    expect(refused.json.changes).toEqual([
      expect.objectContaining({ id: 'api-path-removed-without-deprecation', level: 'error', operation: 'DELETE /pets/{id}' }),
    ]);
    expect(refused.json.detail).toMatch(/acceptBreaking/);
    expect((await client.get('/v1/services/gate-enforce/versions/1.1.0')).json.status).toBe('draft');

    const major = await released('gate-enforce', '2.0.0', contract({ dropDelete: true, add: true }));
    expect(major.contract).toMatchObject({
      decision: 'pass',
      base: '1.0.0',
      requiredBump: 'major',
      compatible: false,
      summary: { error: 1 },
    });
    expect(major.changes).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ type: 'breaking', endpoints: ['DELETE /pets/{id}'] }),
        expect.objectContaining({ type: 'additive', endpoints: ['POST /pets'] }),
      ]),
    );

    // The report frozen at release is what compatibility answers for that pair; the document is frozen too.
    const report = await client.get('/v1/services/gate-enforce/compatibility?base=1.0.0&revision=2.0.0');
    expect(report.json).toMatchObject({ frozen: true, requiredBump: 'major', summary: { error: 1 } });
    expect((await client.request('PUT', '/v1/services/gate-enforce/versions/2.0.0/openapi', contract())).status).toBe(409);
  });

  it('passes additions under a minor step and a compatible patch, comparing with the latest release below', async () => {
    await service('gate-additions');
    await released('gate-additions', '1.0.0', contract());
    const minor = await released('gate-additions', '1.1.0', contract({ add: true }));
    expect(minor.contract).toMatchObject({ decision: 'pass', base: '1.0.0', requiredBump: 'minor', compatible: true });
    const patch = await released('gate-additions', '1.1.1', contract({ add: true }));
    expect(patch.contract).toMatchObject({ decision: 'pass', base: '1.1.0', requiredBump: 'patch' });
    // A backport below the latest release is compared with the release below it.
    const backport = await released('gate-additions', '1.0.1', contract());
    expect(backport.contract).toMatchObject({ base: '1.0.0' });
  });

  it('acceptBreaking: { reason } releases it anyway, frozen with who and why, and recorded in the audit trail', async () => {
    await service('gate-accept');
    await released('gate-accept', '1.0.0', contract());
    await version('gate-accept', '1.1.0', contract({ requiredQuery: true }));
    const response = await release('gate-accept', '1.1.0', { acceptBreaking: { reason: 'only our own CLI calls it' } });
    expect(response.status, response.text).toBe(200);
    expect(response.json.contract).toMatchObject({
      decision: 'accepted',
      acceptedBreaking: { reason: 'only our own CLI calls it', by: expect.any(String) },
    });
    const audit = await client.get('/v1/audit?service=gate-accept&type=version.released');
    expect(audit.status, audit.text).toBe(200);
    expect(JSON.stringify(audit.json.items)).toContain('only our own CLI calls it');
    expect((await release('gate-accept', '1.1.0', { acceptBreaking: {} })).status).toBe(400);
  });

  it('warn and off: released with the verdict recorded, never refused', async () => {
    for (const mode of ['warn', 'off'] as const) {
      const name = `gate-${mode}`;
      await service(name);
      expect((await client.request('PUT', `/v1/services/${name}/version-policy`, { compatibility: mode })).status).toBe(200);
      await released(name, '1.0.0', contract());
      const breaking = await released(name, '1.1.0', contract({ dropDelete: true }));
      expect(breaking.contract).toMatchObject({ decision: 'accepted', requiredBump: 'major', acceptedBreaking: null });
    }
  });

  it('0.x: a patch step may not break (minor counts as major), a minor step may', async () => {
    await service('gate-zero');
    await released('gate-zero', '0.1.0', contract());
    await version('gate-zero', '0.1.1', contract({ dropDelete: true }));
    const refused = await release('gate-zero', '0.1.1');
    expect(refused.status).toBe(409);
    expect(refused.json.detail).toMatch(/0\.x/);
    const minor = await released('gate-zero', '0.2.0', contract({ dropDelete: true }));
    expect(minor.contract).toMatchObject({ decision: 'pass', base: '0.1.0' });
  });

  it('a version without a document is released unchecked', async () => {
    await service('gate-none');
    await released('gate-none', '1.0.0', contract());
    const bare = await released('gate-none', '1.1.0');
    expect(bare.contract).toMatchObject({ decision: 'unchecked', document: null });
  });
});

describe('GET .../changelog', () => {
  it('renders every change between two versions, version by version, grouped, as Markdown or JSON', async () => {
    const markdown = await client.get('/v1/services/gate-additions/changelog?from=1.0.0&to=1.1.1');
    expect(markdown.status, markdown.text).toBe(200);
    expect(markdown.headers.get('content-type')).toMatch(/^text\/markdown/);
    expect(markdown.text).toContain('# gate-additions: changes from 1.0.0 to 1.1.1');
    expect(markdown.text).toContain('## 1.1.0');
    expect(markdown.text).toContain('### Additions');
    expect(markdown.text).toContain('#### POST /pets');
    expect(markdown.text).toContain('## 1.1.1');

    const json = await client.get('/v1/services/gate-enforce/changelog?from=1.0.0&to=2.0.0&format=json');
    expect(json.status, json.text).toBe(200);
    expect(json.json.versions).toHaveLength(1);
    expect(json.json.versions[0]).toMatchObject({ version: '2.0.0', requiredBump: 'major', compatible: false });
    expect(json.json.versions[0].sections.breaking).toEqual([
      expect.objectContaining({ operation: 'DELETE /pets/{id}', class: 'breaking' }),
    ]);
    expect(json.json.versions[0].sections.additions).toEqual([expect.objectContaining({ operation: 'POST /pets', class: 'additive' })]);

    expect((await client.get('/v1/services/gate-enforce/changelog?from=2.0.0&to=1.0.0')).status).toBe(409);
    expect((await client.get('/v1/services/gate-enforce/changelog?from=1.0.0&to=7.0.0')).status).toBe(404);
    expect((await client.get('/v1/services/gate-enforce/changelog?from=1.0.0&to=2.0.0&format=html')).status).toBe(400);
  });
});

describe('the version policy: supported majors', () => {
  it('releasing a new major deprecates the releases of majors beyond supportedMajors, with a sunset and the next major as replacement', async () => {
    await service('policy-majors');
    const policy = await client.request('PUT', '/v1/services/policy-majors/version-policy', {
      supportedMajors: 2,
      autoDeprecateOnMajor: true,
      sunsetAfterDays: 30,
    });
    expect(policy.status, policy.text).toBe(200);
    for (const release of ['1.0.0', '1.1.0', '2.0.0', '2.1.0']) await released('policy-majors', release);
    // Two majors: nothing deprecated yet.
    const before = await client.get('/v1/services/policy-majors/versions?status=deprecated');
    expect(before.json.items).toEqual([]);

    const started = Date.now();
    await released('policy-majors', '3.0.0');
    const deprecated = await client.get('/v1/services/policy-majors/versions?status=deprecated');
    expect(deprecated.json.items.map((item: { version: string }) => item.version).sort()).toEqual(['1.0.0', '1.1.0']);
    for (const item of deprecated.json.items) {
      expect(item.deprecation).toMatchObject({ replacement: '2.1.0', reason: expect.stringContaining('2 supported majors') });
      const sunset = Date.parse(item.deprecation.sunsetAt);
      expect(sunset).toBeGreaterThanOrEqual(started + 30 * 86_400_000 - 1000);
      expect(sunset).toBeLessThanOrEqual(Date.now() + 30 * 86_400_000);
    }
    // A release within a supported major deprecates nothing more.
    await released('policy-majors', '2.2.0');
    expect((await client.get('/v1/services/policy-majors/versions/2.1.0')).json.status).toBe('released');
  });

  it('without autoDeprecateOnMajor, supportedMajors deprecates nothing', async () => {
    await service('policy-manual');
    await client.request('PUT', '/v1/services/policy-manual/version-policy', { supportedMajors: 1 });
    for (const release of ['1.0.0', '2.0.0']) await released('policy-manual', release);
    expect((await client.get('/v1/services/policy-manual/versions/1.0.0')).json.status).toBe('released');
  });
});
