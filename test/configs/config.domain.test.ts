import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  chainOf,
  deepMerge,
  dependentsOf,
  escapePointer,
  type JsonValue,
  jsonBytes,
  layerEtag,
  resolvedEtag,
  substitute,
  unstorableNumbers,
} from '../../functions/configs/config.domain.ts';
import { ValidationError } from '../../functions/kernel/errors.ts';

type Layers = Record<string, { extends: string | null }>;

function layers(parents: Record<string, string | null>): Layers {
  return Object.fromEntries(Object.entries(parents).map(([layer, parent]) => [layer, { extends: parent }]));
}

function refusal(act: () => unknown): ValidationError {
  try {
    act();
  } catch (error) {
    expect(error).toBeInstanceOf(ValidationError);
    return error as ValidationError;
  }
  throw new Error('expected a ValidationError, but nothing was thrown');
}

describe('deepMerge', () => {
  it.each<{ rule: string; under: JsonValue; over: JsonValue; merged: JsonValue }>([
    {
      rule: 'merges nested objects key by key',
      under: { db: { host: 'a', pool: { min: 1, max: 5 } } },
      over: { db: { pool: { max: 20 }, ssl: true } },
      merged: { db: { host: 'a', pool: { min: 1, max: 20 }, ssl: true } },
    },
    { rule: 'keeps keys only the lower layer has', under: { a: 1, b: { c: 2 } }, over: { d: 3 }, merged: { a: 1, b: { c: 2 }, d: 3 } },
    {
      rule: 'replaces arrays instead of concatenating them',
      under: { hosts: ['a', 'b', 'c'] },
      over: { hosts: ['d'] },
      merged: { hosts: ['d'] },
    },
    {
      rule: 'replaces arrays of objects whole, not element by element',
      under: { rules: [{ path: '/a', allow: true }, { path: '/b' }] },
      over: { rules: [{ deny: true }] },
      merged: { rules: [{ deny: true }] },
    },
    { rule: 'replaces an array with an empty one', under: { hosts: ['a'] }, over: { hosts: [] }, merged: { hosts: [] } },
    {
      rule: 'replaces scalars',
      under: { port: 80, name: 'x', on: true },
      over: { port: 8080, name: 'y', on: false },
      merged: { port: 8080, name: 'y', on: false },
    },
    { rule: 'replaces a scalar with one of another type', under: { timeout: 30 }, over: { timeout: '30s' }, merged: { timeout: '30s' } },
    { rule: 'lets null replace an object', under: { cache: { ttl: 60 } }, over: { cache: null }, merged: { cache: null } },
    { rule: 'lets an object replace null', under: { cache: null }, over: { cache: { ttl: 60 } }, merged: { cache: { ttl: 60 } } },
    {
      rule: 'lets an object replace a scalar',
      under: { log: 'info' },
      over: { log: { level: 'debug' } },
      merged: { log: { level: 'debug' } },
    },
    { rule: 'lets a scalar replace an object', under: { log: { level: 'debug' } }, over: { log: 'info' }, merged: { log: 'info' } },
    { rule: 'lets an array replace an object', under: { a: { '0': 'x' } }, over: { a: ['y'] }, merged: { a: ['y'] } },
    { rule: 'lets an object replace an array', under: { a: ['y'] }, over: { a: { '0': 'x' } }, merged: { a: { '0': 'x' } } },
    {
      rule: 'keeps an object when the upper layer gives an empty one',
      under: { db: { host: 'a' } },
      over: { db: {} },
      merged: { db: { host: 'a' } },
    },
    { rule: 'merges an empty upper layer to the lower one', under: { a: 1 }, over: {}, merged: { a: 1 } },
    {
      rule: 'treats keys named like Object members as plain keys',
      under: { toString: { a: 1 } },
      over: { toString: { b: 2 }, constructor: 'c', hasOwnProperty: [1] },
      merged: { toString: { a: 1, b: 2 }, constructor: 'c', hasOwnProperty: [1] },
    },
  ])('$rule', ({ under, over, merged }) => {
    // Act
    const result = deepMerge(under, over);

    // Assess
    expect(result).toStrictEqual(merged);
  });

  it('leaves both inputs untouched and shares nothing with them', () => {
    // Prepare
    const under: JsonValue = { db: { pool: { min: 1 } }, hosts: ['a'] };
    const over: JsonValue = { db: { pool: { max: 2 } }, extra: { list: [1] } };
    const underBefore = structuredClone(under);
    const overBefore = structuredClone(over);

    // Act
    const merged = deepMerge(under, over) as any;
    merged.db.pool.min = 99;
    merged.hosts.push('b');
    merged.extra.list.push(2);

    // Assess
    expect(under).toStrictEqual(underBefore);
    expect(over).toStrictEqual(overBefore);
  });

  it('merges a three-layer chain outermost first', () => {
    // Prepare
    const base = { log: { level: 'info', format: 'json' }, replicas: 1, regions: ['eu'] };
    const staging = { log: { level: 'debug' }, replicas: 2 };
    const prod = { log: { level: 'warn' }, regions: ['eu', 'us'] };

    // Act
    const result = [base, staging, prod].reduce<JsonValue>((merged, layer) => deepMerge(merged, layer), {});

    // Assess
    expect(result).toStrictEqual({ log: { level: 'warn', format: 'json' }, replicas: 2, regions: ['eu', 'us'] });
  });
});

describe('substitute', () => {
  const variables = { HOST: 'db.internal', PORT: '5432', USER: 'app', EMPTY: '' };

  it.each<{ rule: string; value: JsonValue; filled: JsonValue }>([
    { rule: 'fills a placeholder that is the whole string', value: { host: '${var:HOST}' }, filled: { host: 'db.internal' } },
    {
      rule: 'fills a placeholder inside a longer string',
      value: { url: 'postgres://${var:HOST}/main' },
      filled: { url: 'postgres://db.internal/main' },
    },
    {
      rule: 'fills several placeholders in one string, repeats included',
      value: { url: '${var:USER}@${var:HOST}:${var:PORT}/${var:USER}' },
      filled: { url: 'app@db.internal:5432/app' },
    },
    { rule: 'fills placeholders in arrays and nested objects', value: { a: [{ b: ['${var:PORT}'] }] }, filled: { a: [{ b: ['5432'] }] } },
    { rule: 'fills an empty variable with the empty string', value: { x: '[${var:EMPTY}]' }, filled: { x: '[]' } },
    { rule: 'always gives strings, even for numeric variables', value: { port: '${var:PORT}' }, filled: { port: '5432' } },
    {
      rule: 'leaves numbers, booleans and null alone',
      value: { n: 1, b: true, z: null, list: [0, false] },
      filled: { n: 1, b: true, z: null, list: [0, false] },
    },
    { rule: 'never substitutes in keys', value: { '${var:HOST}': 'x' }, filled: { '${var:HOST}': 'x' } },
    {
      rule: 'leaves text that is not a placeholder as it is',
      value: { a: '$HOST', b: '${HOST}', c: '${var:}', d: '${VAR:HOST}', e: '${var:1HOST}', f: '${var:HO-ST}', g: '${ var:HOST }' },
      filled: { a: '$HOST', b: '${HOST}', c: '${var:}', d: '${VAR:HOST}', e: '${var:1HOST}', f: '${var:HO-ST}', g: '${ var:HOST }' },
    },
  ])('$rule', ({ value, filled }) => {
    // Act
    const result = substitute(value, variables);

    // Assess
    expect(result).toStrictEqual({ value: filled, missing: [] });
  });

  it('does not look for placeholders inside substituted values', () => {
    // Prepare
    const nested = { OUTER: 'before ${var:INNER} after', INNER: 'secret-looking' };

    // Act
    const { value, missing } = substitute({ text: '${var:OUTER}' }, nested);

    // Assess
    expect(value).toStrictEqual({ text: 'before ${var:INNER} after' });
    expect(missing).toStrictEqual([]);
  });

  it('inserts values with dollar signs literally', () => {
    // Act
    const { value } = substitute({ password: 'p=${var:P}' }, { P: "$1$&$'$`$$" });

    // Assess
    expect(value).toStrictEqual({ password: "p=$1$&$'$`$$" });
  });

  it('reports every placeholder with no variable, with its JSON pointer, and fills the rest', () => {
    // Prepare
    const value = {
      db: { url: 'postgres://${var:HOST}:${var:DB_PORT}/x', replicas: ['${var:REPLICA_A}', 'fixed'] },
      'a/b~c': '${var:NOPE}',
    };

    // Act
    const result = substitute(value, variables, '/values');

    // Assess
    expect(result.missing).toEqual([
      { pointer: '/values/db/url', message: expect.stringContaining('DB_PORT') },
      { pointer: '/values/db/replicas/0', message: expect.stringContaining('REPLICA_A') },
      { pointer: '/values/a~1b~0c', message: expect.stringContaining('NOPE') },
    ]);
    expect(result.value).toStrictEqual({
      db: { url: 'postgres://db.internal:${var:DB_PORT}/x', replicas: ['${var:REPLICA_A}', 'fixed'] },
      'a/b~c': '${var:NOPE}',
    });
  });

  it('does not take Object members for variables', () => {
    // Act
    const { missing } = substitute({ a: '${var:toString}', b: '${var:constructor}' }, {});

    // Assess
    expect(missing.map((entry) => entry.pointer)).toEqual(['/a', '/b']);
  });

  it('leaves its input untouched', () => {
    // Prepare
    const value = { a: ['${var:HOST}'] };

    // Act
    substitute(value, variables);

    // Assess
    expect(value).toStrictEqual({ a: ['${var:HOST}'] });
  });
});

describe('escapePointer', () => {
  it.each([
    ['plain', 'plain'],
    ['a/b', 'a~1b'],
    ['m~n', 'm~0n'],
    ['~/', '~0~1'],
  ])('escapes %j as %j', (segment, escaped) => {
    // Act & Assess
    expect(escapePointer(segment)).toBe(escaped);
  });
});

describe('chainOf', () => {
  const known = layers({ base: null, staging: 'base', prod: 'staging', dev: null, 'prod-eu': 'prod' });

  it.each([
    { layer: 'base', chain: ['base'] },
    { layer: 'staging', chain: ['base', 'staging'] },
    { layer: 'prod', chain: ['base', 'staging', 'prod'] },
    { layer: 'prod-eu', chain: ['base', 'staging', 'prod', 'prod-eu'] },
    { layer: 'dev', chain: ['dev'] },
  ])('orders the chain of $layer outermost first', ({ layer, chain }) => {
    // Act
    const result = chainOf(layer, known);

    // Assess
    expect(result).toEqual(chain);
  });

  it('refuses an extends that names no layer, pointing at extends', () => {
    // Prepare
    const withGap = layers({ base: null, prod: 'staging' });

    // Act
    const error = refusal(() => chainOf('prod', withGap));

    // Assess
    expect(error.errors).toEqual([{ pointer: '/body/extends', message: expect.stringContaining('staging') }]);
    expect(error.detail).toContain('staging');
  });

  it('refuses a layer that does not exist', () => {
    // Act
    const error = refusal(() => chainOf('qa', known));

    // Assess
    expect(error.errors[0]?.message).toContain('qa');
  });

  it('refuses a layer that extends itself', () => {
    // Act
    const error = refusal(() => chainOf('loop', layers({ loop: 'loop' })));

    // Assess
    expect(error.errors).toEqual([{ pointer: '/body/extends', message: expect.stringMatching(/cycle.*loop → loop/) }]);
  });

  it('refuses a three-layer cycle, naming every layer in it', () => {
    // Prepare
    const cycle = layers({ a: 'b', b: 'c', c: 'a' });

    // Act
    const error = refusal(() => chainOf('a', cycle));

    // Assess
    expect(error.errors[0]).toEqual({ pointer: '/body/extends', message: expect.stringContaining('a → b → c → a') });
  });

  it('refuses a chain that runs into a cycle further up', () => {
    // Act
    const error = refusal(() => chainOf('leaf', layers({ leaf: 'a', a: 'b', b: 'a' })));

    // Assess
    expect(error.errors[0]?.message).toMatch(/cycle/);
  });
});

describe('dependentsOf', () => {
  const known = layers({ base: null, staging: 'base', prod: 'staging', dev: null, qa: 'base' });

  it.each([
    { layer: 'base', dependents: ['base', 'staging', 'prod', 'qa'] },
    { layer: 'staging', dependents: ['staging', 'prod'] },
    { layer: 'prod', dependents: ['prod'] },
    { layer: 'dev', dependents: ['dev'] },
  ])('finds the layers whose chain includes $layer', ({ layer, dependents }) => {
    // Act
    const result = dependentsOf(layer, known);

    // Assess
    expect([...result].sort()).toEqual([...dependents].sort());
  });

  it('skips layers whose chain is broken instead of failing', () => {
    // Prepare
    const broken = layers({ base: null, prod: 'base', orphan: 'gone', x: 'y', y: 'x' });

    // Act
    const result = dependentsOf('base', broken);

    // Assess
    expect([...result].sort()).toEqual(['base', 'prod']);
  });
});

describe('resolvedEtag', () => {
  const chain = [
    { layer: 'base', version: 3 },
    { layer: 'staging', version: 1 },
    { layer: 'prod', version: 7 },
  ];

  it('is a quoted strong tag, the same for the same versions', () => {
    // Act
    const first = resolvedEtag(chain, 2);
    const second = resolvedEtag(structuredClone(chain), 2);

    // Assess
    expect(first).toMatch(/^"[A-Za-z0-9_-]{22}"$/);
    expect(second).toBe(first);
  });

  it.each([
    { change: 'the base version', other: [{ layer: 'base', version: 4 }, chain[1], chain[2]], rev: 2 },
    { change: 'a middle layer version', other: [chain[0], { layer: 'staging', version: 2 }, chain[2]], rev: 2 },
    { change: 'the environment version', other: [chain[0], chain[1], { layer: 'prod', version: 8 }], rev: 2 },
    { change: 'the variables revision', other: chain, rev: 3 },
    { change: 'the parent layer (same versions)', other: [chain[0], { layer: 'qa', version: 1 }, chain[2]], rev: 2 },
    { change: 'a layer dropped from the chain', other: [chain[0], chain[2]], rev: 2 },
  ])('changes with $change', ({ other, rev }) => {
    // Act
    const before = resolvedEtag(chain, 2);
    const after = resolvedEtag(other as typeof chain, rev);

    // Assess
    expect(after).not.toBe(before);
  });

  it('changes if and only if a chain version or the variables revision changes', () => {
    // Prepare
    const name = fc.constantFrom('base', 'staging', 'prod', 'qa');
    const input = fc.record({
      chain: fc.array(fc.record({ layer: name, version: fc.integer({ min: 1, max: 5 }) }), { maxLength: 3 }),
      rev: fc.integer({ min: 0, max: 3 }),
    });

    // Act & Assess
    fc.assert(
      fc.property(input, input, (a, b) => {
        const same = JSON.stringify(a) === JSON.stringify(b);
        expect(resolvedEtag(a.chain, a.rev) === resolvedEtag(b.chain, b.rev)).toBe(same);
      }),
      { numRuns: 500 },
    );
  });

  it('never looks like a layer ETag', () => {
    // Act & Assess
    expect(resolvedEtag([{ layer: 'prod', version: 1 }], 0)).not.toBe(layerEtag(1));
    expect(layerEtag(12)).toBe('"12"');
  });
});

describe('jsonBytes', () => {
  it('counts UTF-8 bytes of the serialised JSON', () => {
    // Act & Assess
    expect(jsonBytes({ a: 'é' })).toBe(Buffer.byteLength('{"a":"é"}'));
    expect(jsonBytes({ a: 'é' })).toBe(10);
  });
});

describe('unstorableNumbers', () => {
  it.each([0, -0, 1, -1.5, 0.1, 1e-7, 1e-130, Number.MAX_SAFE_INTEGER, -Number.MAX_SAFE_INTEGER, 1e15])('accepts %d', (value) => {
    // Act & Assess
    expect(unstorableNumbers({ value }, '')).toEqual([]);
  });

  it.each([Number.MAX_SAFE_INTEGER + 2, -1e16, 1.5e300, 1e-131, -1e-200])('refuses %d, which the table cannot keep', (value) => {
    // Act & Assess
    expect(unstorableNumbers({ value }, '/body/values')).toEqual([
      { pointer: '/body/values/value', message: expect.stringContaining('string') },
    ]);
  });

  it('points at every such number, however deep', () => {
    // Act
    const problems = unstorableNumbers({ a: [1, { 'b/c': 1e20 }], d: { e: 1e-200 }, f: 'text 1e400' }, '/body/values');

    // Assess
    expect(problems.map((problem) => problem.pointer)).toEqual(['/body/values/a/1/b~1c', '/body/values/d/e']);
  });
});
