import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { parseJsonOrYaml } from '../../functions/kernel/http/json-or-yaml-body.ts';
import { parseYaml, stringifyYaml } from '../../functions/kernel/http/yaml.ts';

/**
 * Configuration documents are read and written with js-yaml, set up to read them as the `yaml`
 * package did (YAML 1.2 core schema) before it was dropped from the config-transfer function for
 * size. `yaml` stays a dev dependency, as the reference these tests hold js-yaml to.
 */

/** What a YAML body becomes, as the import handler sees it: through JSON. */
const viaYaml = (text: string) =>
  JSON.parse(JSON.stringify(parse(text, { uniqueKeys: true, maxAliasCount: 100, logLevel: 'error' })) ?? 'null');
const viaOurs = (text: string) => parseJsonOrYaml(text, 'application/yaml');

const SCALARS = [
  ...['1', '-1', '+12', '017', '0o17', '0x1F', '0b101', '1_000', '12345678901234567890', '9007199254740993'],
  ...['1.5', '+.5', '.5', '1.', '-0', '1e3', '1E3', '1.0e+3', '.inf', '-.Inf', '.nan', '.NaN'],
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
  'a: !!str 1\nb: !!int 12\nc: !!int abc\nd: !!float 1\ne: !!float 1.5\nf: !!null ""\ng: !!null x\nh: !!bool yes\n',
  'a: !!map {b: 1}\nc: !!seq [1]\n',
  'a: !!binary aGVsbG8=\nb: !!timestamp 2020-01-01\nc: !!set {x, y}\nd: !!omap [x: 1]\ne: !!pairs [x: 1, y: 2]\n',
  'a: !custom 1\nb: !custom {c: 1}\nc: !custom [1]\nd: !!unknown text\n',
];

describe('reading YAML bodies', () => {
  it.each(SCALARS)('reads the plain scalar %j as the YAML 1.2 core schema does', (scalar) => {
    // Act & Assess
    expect(viaOurs(`v: ${scalar}`)).toEqual(viaYaml(`v: ${scalar}`));
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

  it('accepts and refuses aliases as yaml counted them (its maxAliasCount of 100)', () => {
    // Act & Assess: some of these are refused (aliases of aliases multiply), most are not.
    let refused = 0;
    fc.assert(
      fc.property(aliasDocument, (text) => {
        let expected: unknown;
        try {
          expected = viaYaml(text);
        } catch {
          refused++;
          expect(() => viaOurs(text)).toThrow(expect.objectContaining({ errors: [{ pointer: '/body', message: expect.any(String) }] }));
          return;
        }
        expect(viaOurs(text)).toEqual(expected);
      }),
      { numRuns: 1000 },
    );
    expect(refused).toBeGreaterThan(10);
  });
});

describe('writing YAML exports', () => {
  const json = fc.jsonValue({ maxDepth: 4 });
  const tricky = fc.constantFrom(
    ...SCALARS,
    '+.5',
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

  it('writes documents that yaml and the import read back as the same JSON', () => {
    // Act & Assess
    fc.assert(
      fc.property(fc.dictionary(fc.oneof(fc.string(), tricky), fc.oneof(json, tricky)), (document) => {
        const value = JSON.parse(JSON.stringify(document));
        const text = stringifyYaml(value);
        expect(viaYaml(text)).toEqual(value);
        expect(JSON.parse(JSON.stringify(parseYaml(text)))).toEqual(value);
      }),
      { numRuns: 500 },
    );
  });
});
