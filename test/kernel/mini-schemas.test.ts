import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import * as z from 'zod';
import * as classic from '../../functions/kernel/schemas/common.ts';
import * as mini from '../../functions/kernel/schemas/mini.ts';

/**
 * The configuration contracts use zod/mini twins of a few classic schemas (#schemas/mini), so
 * their functions bundle no classic zod. A twin must document (JSON Schema, hence OpenAPI) and
 * validate (same issues, same messages) exactly as the classic schema does.
 */
const TWINS = [
  { name: 'ListQuery', classic: classic.ListQuery, mini: mini.ListQuery },
  { name: 'Timestamp', classic: classic.Timestamp, mini: mini.Timestamp },
  { name: 'Slug', classic: classic.Slug, mini: mini.Slug },
  { name: 'EnvironmentName', classic: classic.EnvironmentName, mini: mini.EnvironmentName },
];

const inputs = fc.oneof(
  fc.constantFrom('', 'a', 'qa', 'abc', 'Prod', '-ab', 'a'.repeat(63), 'a'.repeat(64), '0', '1', '100', '101', '1.5', 'x'),
  fc.constantFrom('2026-11-23T09:30:00.000Z', '2026-11-23T09:30:00+02:00', '2026-11-23', 'not a date'),
  fc.record(
    { limit: fc.constantFrom('0', '1', '25', '100', '101', 'x', '1000'), cursor: fc.constantFrom('', 'c', 'x'.repeat(2049)) },
    { requiredKeys: [] },
  ),
  fc.record({ limit: fc.string(), extra: fc.string() }, { requiredKeys: [] }),
  fc.jsonValue({ maxDepth: 2 }),
);

describe('zod/mini twins of classic schemas', () => {
  it.each(TWINS)('$name has the JSON Schema of its classic twin', ({ classic: classicSchema, mini: miniSchema }) => {
    // Act & Assess
    for (const io of ['input', 'output'] as const) {
      expect(z.toJSONSchema(miniSchema, { io, unrepresentable: 'any' })).toEqual(
        z.toJSONSchema(classicSchema, { io, unrepresentable: 'any' }),
      );
    }
  });

  it.each(TWINS)('$name accepts, refuses and reports as its classic twin', ({ classic: classicSchema, mini: miniSchema }) => {
    // Act & Assess
    fc.assert(
      fc.property(inputs, (input) => {
        expect(z.safeParse(miniSchema, input)).toEqual(z.safeParse(classicSchema, input));
      }),
      { numRuns: 300 },
    );
  });
});
