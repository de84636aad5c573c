import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { parseJsonOrYaml } from '../../functions/kernel/http/json-or-yaml-body.ts';
import { parseYaml, stringifyYaml } from '../../functions/kernel/http/yaml.ts';

/**
 * Configuration documents are read with js-yaml's core schema and written with its default
 * schema. The `yaml` package (YAML 1.2) is the independent reference these tests hold them to;
 * where the two schemas differ on purpose, the difference is named below.
 */

/** What a YAML body becomes, as the import handler sees it: through JSON. */
const viaYaml = (text: string) =>
  JSON.parse(JSON.stringify(parse(text, { uniqueKeys: true, maxAliasCount: 100, logLevel: 'error' })) ?? 'null');
const viaOurs = (text: string) => parseJsonOrYaml(text, 'application/yaml');

/** Plain scalars js-yaml's core schema reads otherwise than YAML 1.2: a binary number, and a float without digits before the dot. */
const CORE_SCHEMA_DIFFERENCES: Array<[string, unknown]> = [
  ['0b101', 5],
  ['+.5', '+.5'],
];

const SCALARS = [
  ...['1', '-1', '+12', '017', '0o17', '0x1F', '1_000', '12345678901234567890', '9007199254740993'],
  ...['1.5', '.5', '1.', '-0', '1e3', '1E3', '1.0e+3', '.inf', '-.Inf', '.nan', '.NaN'],
  ...['~', '', 'null', 'Null', 'NULL', 'nULL', 'true', 'True', 'TRUE', 'tRUE', 'false', 'yes', 'no', 'on', 'off', 'y', 'n'],
  ...['2026-11-23', '2026-11-23T09:30:00Z', '12:30', '1:20:30', '=', '<<', '0x', '1__0', 'text', '"quoted"', "'it''s'"],
];

const DOCUMENTS = [
  'layers:\n  base:\n    values: {a: 1, b: [1, 2, {c: d}]}\n',
  'a: &x {b: 1}\nc: *x\nd: *x\n',
  'a: &s text\nb: *s\n',
  'a: |\n  l1\n  l2\nb: >\n  f1\n  f2\nc: |-\n  x\n',
  "a: \"\\u00e9\\n\"\nb: 'it''s'\n",
  '1: one\n2: two\ntrue: x\n',
  '- 1\n- [2, 3]\n',
  'scalar',
  '',
  '# only a comment',
  '---',
  'a: 1\n...\n',
  '%YAML 1.2\n---\na: 1',
  'key with spaces: v\n"quoted key": 1\n',
  'a: !!str 1\nb: !!int 12\nd: !!float 1.5\nf: !!null null\n',
  'a: !!map {b: 1}\nc: !!seq [1]\n',
];

describe('reading YAML bodies', () => {
  it.each(SCALARS)('reads the plain scalar %j as the YAML 1.2 core schema does', (scalar) => {
    // Act & Assess
    expect(viaOurs(`v: ${scalar}`)).toEqual(viaYaml(`v: ${scalar}`));
  });

  it.each(CORE_SCHEMA_DIFFERENCES)('reads the plain scalar %j as %j, as the core schema of js-yaml does', (scalar, value) => {
    // Act & Assess
    expect(viaOurs(`v: ${scalar}`)).toEqual({ v: value });
  });

  it.each(DOCUMENTS)('reads %j as yaml did', (text) => {
    // Act & Assess
    expect(viaOurs(text)).toEqual(viaYaml(text));
  });

  it.each([
    { label: 'a stray closing brace', text: 'layers:\n  base:\n    values: {a: 1}}\n', line: 3, column: 19 },
    { label: 'a duplicate key', text: 'layers:\n  base:\n    values: {}\nlayers: {}\n', line: 4, column: 1 },
    { label: 'tabs for indentation', text: 'layers:\n\tbase: 1\n', line: 2, column: 1 },
  ])('refuses $label at the line and column yaml gave', ({ text, line, column }) => {
    // Act & Assess
    expect(() => viaYaml(text)).toThrow(`line ${line}, column ${column}`);
    expect(() => viaOurs(text)).toThrow(expect.objectContaining({ errors: [expect.objectContaining({ line, column })] }));
  });

  it.each([
    { label: 'a custom tag', text: 'a: 1\nb: !custom 1\n', line: 2 },
    { label: 'a YAML 1.1 tag', text: 'a: !!binary aGVsbG8=\n', line: 1 },
    { label: 'a core tag on a value it does not fit', text: 'a: 1\nc: !!int abc\n', line: 2 },
  ])('refuses $label with where it is, rather than guess', ({ text, line }) => {
    // Act & Assess
    expect(() => viaOurs(text)).toThrow(expect.objectContaining({ errors: [expect.objectContaining({ line })] }));
  });

  it('refuses an alias bomb ("billion laughs") with a problem at /body, without expanding it', () => {
    // Prepare: nine levels of ten aliases: a billion values once copied, a few hundred bytes of text.
    const levels = ['l0: &l0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]'];
    for (let level = 1; level < 9; level++)
      levels.push(
        `l${level}: &l${level} [${Array(10)
          .fill(`*l${level - 1}`)
          .join(', ')}]`,
      );

    // Act & Assess
    expect(() => viaOurs(`${levels.join('\n')}\n`)).toThrow(
      expect.objectContaining({ errors: [{ pointer: '/body', message: expect.stringContaining('alias bomb') }] }),
    );
  });

  it('refuses an anchor that contains its own alias', () => {
    // Act & Assess
    expect(() => viaOurs('a: &a [1, *a]\n')).toThrow(
      expect.objectContaining({ errors: [{ pointer: '/body', message: expect.any(String) }] }),
    );
  });

  /** Documents of anchors and aliases of aliases: scalars, flow and block collections, empty ones. */
  const aliasDocument = fc
    .array(
      fc.record({ kind: fc.constantFrom('flow-seq', 'flow-map', 'block-seq', 'scalar', 'empty'), width: fc.nat(6), uses: fc.nat(12) }),
      { minLength: 1, maxLength: 4 },
    )
    .map((levels) => {
      const lines: string[] = [];
      levels.forEach(({ kind, width, uses }, level) => {
        const previous = level === 0 ? 'x' : `*a${level - 1}`;
        const items = Array.from({ length: kind === 'empty' ? 0 : width }, (_, index) => (index < uses % (width + 1) ? previous : 'x'));
        const references = Array(uses).fill(previous);
        if (kind === 'scalar') lines.push(`a${level}: &a${level} long-scalar-${level}`, `r${level}: [${references.join(', ')}]`);
        else if (kind === 'flow-map') lines.push(`a${level}: &a${level} {${items.map((item, index) => `k${index}: ${item}`).join(', ')}}`);
        else if (kind === 'block-seq')
          lines.push(`a${level}: &a${level}`, ...(items.length ? items.map((item) => `  - ${item}`) : ['  []']));
        else lines.push(`a${level}: &a${level} [${items.join(', ')}]`);
        if (kind !== 'scalar') lines.push(`r${level}:`, ...references.map((reference) => `  - ${reference}`));
      });
      return `${lines.join('\n')}\n`;
    });

  it('reads documents of anchors and aliases of aliases as yaml does with no alias limit', () => {
    // Act & Assess: these expand at most a few thousand times, well inside the budget.
    fc.assert(
      fc.property(aliasDocument, (text) => {
        const expected = JSON.parse(JSON.stringify(parse(text, { uniqueKeys: true, maxAliasCount: -1, logLevel: 'error' })) ?? 'null');
        expect(viaOurs(text)).toEqual(expected);
      }),
      { numRuns: 500 },
    );
  });
});

describe('writing YAML exports', () => {
  const json = fc.jsonValue({ maxDepth: 4 });
  const tricky = fc.constantFrom(
    ...SCALARS,
    '+.5',
    '+.0',
    '+.0e1',
    '- item',
    '#x',
    'a: b',
    '*alias',
    '&anchor',
    '{x: 1}',
    '  padded  ',
    'multi\nline\n',
    'ünï ✓',
  );

  it('writes documents that the import reads back as the same JSON, and yaml too', () => {
    // Act & Assess
    fc.assert(
      fc.property(fc.dictionary(fc.oneof(fc.string(), tricky), fc.oneof(json, tricky)), (document) => {
        const value = JSON.parse(JSON.stringify(document));
        const text = stringifyYaml(value);
        expect(JSON.parse(JSON.stringify(parseYaml(text)))).toEqual(value);
        if (!CORE_SCHEMA_DIFFERENCES.some(([scalar]) => text.includes(scalar))) expect(viaYaml(text)).toEqual(value);
      }),
      { numRuns: 500 },
    );
  });
});
