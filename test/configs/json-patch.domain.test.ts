import fastJsonPatch, { type Operation } from 'fast-json-patch';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { auditedPatch, jsonPatch, MAX_AUDITED_PATCH_BYTES } from '../../functions/configs/json-patch.domain.ts';

function apply(document: unknown, patch: Operation[]): unknown {
  return fastJsonPatch.applyPatch(structuredClone(document), patch, true, false).newDocument;
}

/** JSON objects whose keys include the awkward ones: '/', '~', digits, empty. */
const key = fc.oneof(fc.constantFrom('a', 'b', '0', '1', '', 'a/b', 'm~n', '~1', 'x y'), fc.string({ maxLength: 4 }));
const json = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    fc.constant(null),
    fc.boolean(),
    fc.integer(),
    fc.string({ maxLength: 5 }),
    tie('array'),
    tie('object'),
  ),
  array: fc.array(tie('value'), { maxLength: 4 }),
  object: fc.dictionary(key, tie('value'), { maxKeys: 4, noNullPrototype: true }),
}));
const object = json.object as fc.Arbitrary<Record<string, unknown>>;

describe('jsonPatch', () => {
  it('gives an RFC 6902 patch that turns from into to', () => {
    // Act & Assess
    fc.assert(
      fc.property(object, object, (from, to) => {
        expect(apply(from, jsonPatch(from, to))).toEqual(to);
      }),
      { numRuns: 300 },
    );
  });

  it('gives the very operations of fast-json-patch compare, which it was ported from', () => {
    // Act & Assess: arrays and objects swapped at the same place, keys removed and added, all in order.
    fc.assert(
      fc.property(json.value, json.value, (from, to) => {
        const [left, right] = [from ?? {}, to ?? {}];
        if (typeof left !== 'object' || typeof right !== 'object') return;
        expect(jsonPatch(left, right)).toEqual(fastJsonPatch.compare(left as object, right as object));
      }),
      { numRuns: 1000 },
    );
  });

  it('gives an empty patch between equal documents', () => {
    // Act & Assess
    fc.assert(
      fc.property(object, (document) => {
        expect(jsonPatch(document, structuredClone(document))).toEqual([]);
      }),
      { numRuns: 100 },
    );
  });

  it('treats a missing side as an empty object', () => {
    // Act & Assess
    expect(jsonPatch(undefined, { a: 1 })).toEqual([{ op: 'add', path: '/a', value: 1 }]);
    expect(jsonPatch({ a: 1 }, null)).toEqual([{ op: 'remove', path: '/a' }]);
  });
});

describe('auditedPatch', () => {
  it('keeps a small patch', () => {
    // Act
    const audited = auditedPatch({ a: 1 }, { a: 2 });

    // Assess
    expect(audited).toEqual({ patch: [{ op: 'replace', path: '/a', value: 2 }] });
  });

  it('leaves out a patch over the limit, saying how large it was', () => {
    // Prepare
    const big = { blob: 'x'.repeat(MAX_AUDITED_PATCH_BYTES) };

    // Act
    const audited = auditedPatch({}, big);

    // Assess
    expect(audited).toEqual({ patchOmitted: expect.stringMatching(/^\d+ bytes/) });
  });
});
