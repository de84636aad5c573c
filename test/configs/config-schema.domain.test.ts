import { describe, expect, it } from 'vitest';
import { schemaProblems, schemaViolations } from '../../functions/configs/config-schema.domain.ts';

const serviceSchema = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  type: 'object',
  properties: {
    port: { type: 'integer', minimum: 1, maximum: 65535 },
    mode: { enum: ['blue', 'green'] },
    owner: { type: 'string', format: 'email' },
    docs: { type: 'string', format: 'uri' },
    launchAt: { type: 'string', format: 'date-time' },
    hosts: { type: 'array', items: { type: 'string', minLength: 1 } },
    db: {
      type: 'object',
      properties: { pool: { type: 'object', properties: { max: { type: 'integer', maximum: 100 } } } },
      additionalProperties: false,
    },
  },
  required: ['port', 'mode'],
};

describe('schemaProblems', () => {
  it.each([
    { schema: {}, label: 'the empty schema' },
    { schema: serviceSchema, label: 'a schema that names draft 2020-12' },
    {
      schema: { type: 'object', $defs: { port: { type: 'integer' } }, properties: { p: { $ref: '#/$defs/port' } } },
      label: 'a schema with local references',
    },
    {
      schema: { type: 'object', properties: { x: { description: 'free text', 'x-owner': 'team' } } },
      label: 'a schema with annotations and unknown keywords',
    },
  ])('accepts $label', ({ schema }) => {
    // Act
    const problems = schemaProblems(schema);

    // Assess
    expect(problems).toEqual([]);
  });

  it.each([
    { label: 'an array', schema: [] },
    { label: 'a string', schema: 'object' },
    { label: 'null', schema: null },
    { label: 'a boolean schema', schema: true },
  ])('refuses $label: a schema document is an object', ({ schema }) => {
    // Act
    const problems = schemaProblems(schema);

    // Assess
    expect(problems).toEqual([{ pointer: '/body', message: 'a JSON Schema is a JSON object' }]);
  });

  it.each([
    { label: 'an unknown type', schema: { type: 'object', properties: { port: { type: 'int' } } }, pointer: '/body/properties/port/type' },
    {
      label: 'a minimum that is not a number',
      schema: { properties: { port: { minimum: 'one' } } },
      pointer: '/body/properties/port/minimum',
    },
    { label: 'required that is not a list', schema: { type: 'object', required: 'port' }, pointer: '/body/required' },
    { label: 'properties that are not schemas', schema: { properties: { port: 5 } }, pointer: '/body/properties/port' },
    {
      label: 'a nested mistake',
      schema: { properties: { db: { properties: { pool: { maxItems: -1 } } } } },
      pointer: '/body/properties/db/properties/pool/maxItems',
    },
  ])('refuses $label with a pointer into the schema', ({ schema, pointer }) => {
    // Act
    const problems = schemaProblems(schema);

    // Assess
    expect(problems.length).toBeGreaterThan(0);
    expect(problems.map((problem) => problem.pointer)).toContain(pointer);
    for (const problem of problems) expect(problem.message).toMatch(/\w+/);
  });

  it.each([
    { label: 'a reference to nothing', schema: { properties: { a: { $ref: '#/$defs/missing' } } }, words: /resolve reference/ },
    { label: 'a remote reference', schema: { $ref: 'https://example.com/schemas/remote.json' }, words: /resolve reference/ },
    {
      label: 'a pattern that is not a regular expression',
      schema: { properties: { a: { type: 'string', pattern: '(' } } },
      words: /regular expression/i,
    },
  ])('refuses $label, saying why', ({ schema, words }) => {
    // Act
    const problems = schemaProblems(schema);

    // Assess
    expect(problems).toEqual([{ pointer: '/body', message: expect.stringMatching(words) }]);
  });

  it.each([
    { label: 'draft-07', $schema: 'http://json-schema.org/draft-07/schema#' },
    { label: 'an unknown meta-schema', $schema: 'https://example.com/my-meta' },
  ])('refuses a schema written for $label as a problem, not a crash', ({ $schema }) => {
    // Act
    const problems = schemaProblems({ $schema, type: 'object' });

    // Assess
    expect(problems).toEqual([{ pointer: '/body/$schema', message: expect.stringContaining('2020-12') }]);
  });

  it('accepts a new version of a schema that keeps its $id', () => {
    // Prepare
    const first = { $id: 'https://steward.example/schemas/payments', type: 'object', properties: { port: { type: 'integer' } } };
    const second = { ...first, required: ['port'] };

    // Act
    const problems = [schemaProblems(first), schemaProblems(second)];

    // Assess
    expect(problems).toEqual([[], []]);
    expect(schemaViolations(second, {}, '/values')).toEqual([{ pointer: '/values', message: "must have required property 'port'" }]);
    expect(schemaViolations(first, {}, '/values')).toEqual([]);
  });
});

describe('schemaViolations', () => {
  it('finds nothing wrong with values that satisfy the schema', () => {
    // Prepare
    const values = {
      port: 443,
      mode: 'blue',
      owner: 'team@example.com',
      docs: 'https://docs.example.com/x',
      launchAt: '2026-11-23T09:30:00Z',
      hosts: ['a'],
      db: { pool: { max: 10 } },
    };

    // Act
    const violations = schemaViolations(serviceSchema, values, '/values');

    // Assess
    expect(violations).toEqual([]);
  });

  it('reports every violation at once, each with a pointer and a readable message', () => {
    // Prepare
    const values = { port: 0, hosts: ['ok', '', 7], db: { pool: { max: 500 }, extra: true } };

    // Act
    const violations = schemaViolations(serviceSchema, values, '/values');

    // Assess
    expect(violations).toEqual(
      expect.arrayContaining([
        { pointer: '/values', message: "must have required property 'mode'" },
        { pointer: '/values/port', message: 'must be >= 1' },
        { pointer: '/values/hosts/1', message: 'must NOT have fewer than 1 characters' },
        { pointer: '/values/hosts/2', message: 'must be string' },
        { pointer: '/values/db/pool/max', message: 'must be <= 100' },
        { pointer: '/values/db', message: 'must NOT have additional properties (extra)' },
      ]),
    );
    expect(violations).toHaveLength(6);
  });

  it('prefixes pointers as asked and escapes keys with / and ~', () => {
    // Prepare
    const schema = { type: 'object', properties: { 'a/b': { type: 'number' }, 'c~d': { type: 'number' } } };

    // Act
    const violations = schemaViolations(schema, { 'a/b': 'x', 'c~d': 'y' }, '/body/values');

    // Assess
    expect(violations.map((violation) => violation.pointer).sort()).toEqual(['/body/values/a~1b', '/body/values/c~0d']);
  });

  it('names the allowed values of an enum in its message', () => {
    // Act
    const violations = schemaViolations(serviceSchema, { port: 1, mode: 'red' }, '/values');

    // Assess
    expect(violations).toEqual([{ pointer: '/values/mode', message: 'must be equal to one of the allowed values' }]);
  });

  it.each([
    {
      format: 'email',
      property: 'owner',
      good: ['team@example.com', 'a.b+c@sub.example.org'],
      bad: ['team', 'team@', '@example.com', 'a b@example.com'],
    },
    {
      format: 'uri',
      property: 'docs',
      good: ['https://example.com/a?b=c', 'urn:isbn:0451450523', 'mailto:x@example.com'],
      bad: ['not a uri', '/relative/path', 'example.com'],
    },
    {
      format: 'date-time',
      property: 'launchAt',
      good: ['2026-11-23T09:30:00Z', '2026-11-23T09:30:00.123+02:00', '2026-02-28T23:59:59-05:00'],
      bad: ['2026-11-23', '2026-11-23T09:30:00', '2026-13-01T00:00:00Z', '2026-02-30T00:00:00Z', '23/11/2026 09:30', 'yesterday'],
    },
  ])('checks the $format format', ({ format, property, good, bad }) => {
    // Act
    const goodResults = good.map((value) => schemaViolations(serviceSchema, { port: 1, mode: 'blue', [property]: value }, '/values'));
    const badResults = bad.map((value) => schemaViolations(serviceSchema, { port: 1, mode: 'blue', [property]: value }, '/values'));

    // Assess
    expect(goodResults).toEqual(good.map(() => []));
    expect(badResults).toEqual(bad.map(() => [{ pointer: `/values/${property}`, message: `must match format "${format}"` }]));
  });

  it('enforces draft 2020-12 keywords', () => {
    // Prepare
    const schema = {
      type: 'object',
      properties: { pair: { type: 'array', prefixItems: [{ type: 'string' }, { type: 'integer' }], items: false } },
      unevaluatedProperties: false,
    };

    // Act
    const violations = schemaViolations(schema, { pair: ['a', 'b', 'c'], stray: 1 }, '/values');

    // Assess
    expect(violations.map((violation) => violation.pointer).sort()).toEqual(['/values', '/values/pair', '/values/pair/1']);
  });

  it('keeps answering after many different schemas', () => {
    // Prepare
    const schemas = Array.from({ length: 150 }, (_, i) => ({ type: 'object', properties: { n: { maximum: i } } }));

    // Act
    const results = schemas.map((schema) => schemaViolations(schema, { n: 100 }, ''));

    // Assess
    expect(results.filter((violations) => violations.length === 0)).toHaveLength(50);
  });
});
