// Change logs as people and programs read them: sections, grouping by operation, classes, escaping.

import { describe, expect, it } from 'vitest';
import {
  classifyChange,
  type DiffReport,
  diffOpenApi,
  OpenApiDiffError,
  renderChangelogJson,
  renderChangelogMarkdown,
} from '../../../functions/api-contracts/diff/index.ts';
import { api, NOW, ok } from './fixtures.ts';

const base = api({
  '/pets': { get: { operationId: 'listPets', responses: { '200': ok, '404': ok } } },
  '/pets/{id}': { get: { responses: { '200': ok } }, delete: { responses: { '204': ok } } },
});
const revision = api({
  '/pets': { get: { operationId: 'listPets', deprecated: true, responses: { '200': ok } } },
  '/pets/{id}': {
    get: { parameters: [{ name: 'q', in: 'query', schema: { type: 'string' } }], responses: { '200': ok } },
    put: { responses: { '200': ok } },
  },
  '/toys': { get: { operationId: 'list_<toys>', responses: { '200': ok } } },
});

function report(): DiffReport {
  return diffOpenApi(base, revision, { now: NOW });
}

describe('classifying changes', () => {
  it.each([
    ['response-success-status-removed', 'error', 'breaking'],
    ['endpoint-added', 'info', 'additive'],
    ['endpoint-deprecated', 'info', 'additive'],
    ['request-parameter-removed', 'warning', 'fix'],
    ['api-operation-id-added', 'info', 'fix'],
  ] as const)('%s is %s', (id, level, expected) => {
    // Act
    const kind = classifyChange({ id, level });

    // Assess
    expect(kind).toBe(expected);
  });
});

describe('the Markdown change log', () => {
  it('groups changes into breaking changes, deprecations, additions and other changes, then by operation', () => {
    // Act
    const markdown = renderChangelogMarkdown({ version: '2.0.0', report: report() }, { title: 'Pets API' });

    // Assess
    expect(markdown).toBe(
      [
        '# Pets API',
        '',
        '## 2.0.0',
        '',
        'Requires a major release: 1 breaking, 0 warnings, 5 other.',
        '',
        '### Breaking changes',
        '',
        '#### DELETE /pets/{id}',
        '',
        '- Removed DELETE /pets/{id} without deprecating it first (`api-removed-without-deprecation`)',
        '',
        '### Deprecations',
        '',
        '#### GET /pets',
        '',
        '- Deprecated (`endpoint-deprecated`)',
        '',
        '### Additions',
        '',
        '#### GET /pets/{id}',
        '',
        '- Added the optional query parameter "q" (`new-optional-request-parameter`)',
        '',
        '#### PUT /pets/{id}',
        '',
        '- Added PUT /pets/{id} (`endpoint-added`)',
        '',
        '#### GET /toys',
        '',
        '- Added GET /toys (`endpoint-added`)',
        '',
        '### Other changes',
        '',
        '#### GET /pets',
        '',
        '- Removed the non-success response 404 (`response-non-success-status-removed`)',
        '',
      ].join('\n'),
    );
  });

  it('renders several versions in order, says when a version changed nothing, and escapes Markdown in names', () => {
    // Prepare
    const same = diffOpenApi(base, base, { now: NOW });
    const added = diffOpenApi(api({}), api({ '/a_<b>': { get: { responses: { '200': ok } } } }), { now: NOW });

    // Act
    const markdown = renderChangelogMarkdown([
      { version: '1.0.1', report: same },
      { version: '1.1.0', report: added },
    ]);

    // Assess
    expect(markdown).toContain('## 1.0.1\n\nRequires a patch release: 0 breaking, 0 warnings, 0 other.\n\nNo changes.\n\n## 1.1.0');
    expect(markdown).toContain('#### GET /a\\_\\<b\\>\n\n- Added GET /a\\_\\<b\\> (`endpoint-added`)');
  });
});

describe('the JSON change log', () => {
  it('holds every change once, in its section, with its class', () => {
    // Act
    const json = renderChangelogJson([{ version: '2.0.0', report: report() }]);

    // Assess
    const [entry] = json.versions;
    expect(entry).toEqual(
      expect.objectContaining({ version: '2.0.0', compatible: false, requiredBump: 'major', summary: { error: 1, warning: 0, info: 5 } }),
    );
    expect(entry?.sections.breaking.map((change) => [change.id, change.class])).toEqual([['api-removed-without-deprecation', 'breaking']]);
    expect(entry?.sections.deprecations.map((change) => [change.id, change.class])).toEqual([['endpoint-deprecated', 'additive']]);
    expect(entry?.sections.additions).toHaveLength(3);
    expect(entry?.sections.other.map((change) => [change.id, change.class])).toEqual([['response-non-success-status-removed', 'fix']]);
    expect(JSON.parse(JSON.stringify(json))).toEqual(json);
  });

  it('refuses an entry without a report', () => {
    // Act
    const act = () => renderChangelogJson([{ version: '1.0.0' } as never]);

    // Assess
    expect(act).toThrow(OpenApiDiffError);
  });
});
