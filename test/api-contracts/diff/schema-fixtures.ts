// The schema-event matrix as the tests expect it: for each kind of schema change, a trigger and a near miss,
// and the level it must have in requests and in responses (oasdiff's levels, written here independently of
// the catalogue), crossed with every place a schema can sit.

import { type Doc, type Level, type RuleFixture, SCHEMA_SITES } from './fixtures.ts';

interface SchemaEventFixture {
  event: string;
  base: Doc;
  revision: Doc;
  nearMiss: Doc;
  request: Level | null;
  response: Level | null;
  /** Compared for parameters too (value keywords); structural events are not. */
  parameter: boolean;
  /** Compared inside object parameters and response headers (value types only). */
  typeOnly?: boolean;
}

const int = (extra: Doc = {}): Doc => ({ type: 'integer', ...extra });
const str = (extra: Doc = {}): Doc => ({ type: 'string', ...extra });
const arr = (extra: Doc = {}): Doc => ({ type: 'array', items: { type: 'string' }, ...extra });
const obj = (extra: Doc = {}): Doc => ({ type: 'object', properties: { kind: { type: 'string' } }, ...extra });

const value = (
  event: string,
  base: Doc,
  revision: Doc,
  nearMiss: Doc,
  request: Level | null,
  response: Level | null,
  typeOnly = false,
) => ({
  event,
  base,
  revision,
  nearMiss,
  request,
  response,
  parameter: true,
  typeOnly,
});
const structural = (event: string, base: Doc, revision: Doc, nearMiss: Doc, request: Level, response: Level) => ({
  event,
  base,
  revision,
  nearMiss,
  request,
  response,
  parameter: false,
});

export const SCHEMA_EVENT_FIXTURES: SchemaEventFixture[] = [
  value('type-changed', str(), int(), str({ description: 'renamed' }), 'error', 'error', true),
  value('type-generalized', int(), { type: 'number' }, int({ format: 'int32' }), 'info', 'error', true),
  value('type-specialized', { type: 'number' }, int(), { type: ['number', 'string'] }, null, 'info', true),
  value('became-enum', str(), str({ enum: ['a', 'b'] }), str({ maxLength: 5 }), 'error', null),
  value('became-not-enum', str({ enum: ['a'] }), str(), str({ enum: ['a', 'b'] }), 'info', 'warning'),
  value('enum-value-removed', str({ enum: ['a', 'b'] }), str({ enum: ['a'] }), str({ enum: ['b', 'a'] }), 'error', 'info', true),
  value(
    'enum-value-added',
    str({ enum: ['a'] }),
    str({ enum: ['a', 'b'] }),
    str({ enum: ['a'], description: 'x' }),
    'info',
    'warning',
    true,
  ),
  value('became-nullable', str(), { type: ['string', 'null'] }, str({ nullable: false }), 'info', 'error', true),
  value('became-not-nullable', { type: ['string', 'null'] }, str(), str({ nullable: true }), 'error', 'info', true),
  value('max-decreased', int({ maximum: 10 }), int({ maximum: 5 }), int({ maximum: 20 }), 'error', null),
  value('max-increased', int({ maximum: 10 }), int({ maximum: 20 }), int({ maximum: 5 }), 'info', 'error'),
  value('max-set', int(), int({ maximum: 10 }), int({ minimum: 1 }), 'error', null),
  value('max-unset', int({ maximum: 10 }), int(), int({ maximum: 10, description: 'x' }), 'info', 'error'),
  value('min-increased', int({ minimum: 1 }), int({ minimum: 5 }), int({ minimum: 0 }), 'error', null),
  value('min-decreased', int({ minimum: 5 }), int({ minimum: 1 }), int({ minimum: 6 }), 'info', 'error'),
  value('min-set', int(), int({ minimum: 1 }), int({ maximum: 10 }), 'error', null),
  value('min-unset', int({ minimum: 1 }), int(), int({ minimum: 2 }), 'info', 'error'),
  value('max-length-decreased', str({ maxLength: 10 }), str({ maxLength: 5 }), str({ maxLength: 20 }), 'error', null),
  value('max-length-increased', str({ maxLength: 10 }), str({ maxLength: 20 }), str({ maxLength: 5 }), 'info', 'error'),
  value('max-length-set', str(), str({ maxLength: 10 }), str({ minLength: 1 }), 'error', null),
  value('max-length-unset', str({ maxLength: 10 }), str(), str({ maxLength: 10, description: 'x' }), 'info', 'error'),
  value('min-length-increased', str({ minLength: 1 }), str({ minLength: 3 }), str({ minLength: 0 }), 'error', null),
  value('min-length-decreased', str({ minLength: 3 }), str({ minLength: 1 }), str({ minLength: 4 }), 'info', 'error'),
  value('max-items-decreased', arr({ maxItems: 10 }), arr({ maxItems: 5 }), arr({ maxItems: 20 }), 'error', null),
  value('max-items-increased', arr({ maxItems: 10 }), arr({ maxItems: 20 }), arr({ maxItems: 5 }), 'info', 'error'),
  value('max-items-set', arr(), arr({ maxItems: 10 }), arr({ minItems: 1 }), 'error', null),
  value('max-items-unset', arr({ maxItems: 10 }), arr(), arr({ maxItems: 10, description: 'x' }), 'info', 'error'),
  value('min-items-increased', arr({ minItems: 1 }), arr({ minItems: 3 }), arr({ minItems: 0 }), 'error', null),
  value('min-items-decreased', arr({ minItems: 3 }), arr({ minItems: 1 }), arr({ minItems: 4 }), 'info', 'error'),
  value('pattern-added', str(), str({ pattern: '^a' }), str({ format: 'email' }), 'error', 'info'),
  value('pattern-removed', str({ pattern: '^a' }), str(), str({ pattern: '^b' }), 'info', 'error'),
  value('pattern-changed', str({ pattern: '^a' }), str({ pattern: '^b' }), str({ pattern: '^a', description: 'x' }), 'warning', 'warning'),
  value('default-value-added', str(), str({ default: 'x' }), str({ example: 'x' }), 'info', 'info'),
  value('default-value-removed', str({ default: 'x' }), str(), str({ default: 'y' }), 'info', 'info'),
  value('default-value-changed', str({ default: 'x' }), str({ default: 'y' }), str({ default: 'x', description: 'x' }), 'info', 'info'),
  structural(
    'additional-properties-narrowed',
    obj(),
    obj({ additionalProperties: false }),
    obj({ additionalProperties: true }),
    'error',
    'info',
  ),
  structural(
    'additional-properties-widened',
    obj({ additionalProperties: false }),
    obj(),
    obj({ additionalProperties: false }),
    'info',
    'warning',
  ),
  structural('one-of-added', { oneOf: [str()] }, { oneOf: [str(), int()] }, { oneOf: [str({ maxLength: 3 })] }, 'info', 'error'),
  structural('one-of-removed', { oneOf: [str(), int()] }, { oneOf: [str()] }, { oneOf: [str(), int()] }, 'error', 'info'),
  structural('any-of-added', { anyOf: [str()] }, { anyOf: [str(), int()] }, { anyOf: [str({ maxLength: 3 })] }, 'info', 'error'),
  structural('any-of-removed', { anyOf: [str(), int()] }, { anyOf: [str()] }, { anyOf: [str(), int()] }, 'error', 'info'),
  structural(
    'all-of-added',
    { allOf: [obj()] },
    { allOf: [obj(), { title: 'Extra', required: ['kind'] }] },
    { allOf: [obj()] },
    'error',
    'info',
  ),
  structural(
    'all-of-removed',
    { allOf: [obj(), { title: 'Extra', required: ['kind'] }] },
    { allOf: [obj()] },
    { allOf: [obj(), { title: 'Extra' }] },
    'info',
    'error',
  ),
  structural('discriminator-added', obj(), obj({ discriminator: { propertyName: 'kind' } }), obj({ description: 'x' }), 'info', 'info'),
  structural(
    'discriminator-removed',
    obj({ discriminator: { propertyName: 'kind' } }),
    obj(),
    obj({ discriminator: { propertyName: 'kind' } }),
    'info',
    'info',
  ),
  structural(
    'discriminator-property-name-changed',
    obj({ discriminator: { propertyName: 'kind' } }),
    obj({ discriminator: { propertyName: 'type' } }),
    obj({ discriminator: { propertyName: 'kind', mapping: { a: '#/x' } } }),
    'info',
    'info',
  ),
  structural(
    'discriminator-mapping-added',
    obj({ discriminator: { propertyName: 'kind', mapping: { a: '#/a' } } }),
    obj({ discriminator: { propertyName: 'kind', mapping: { a: '#/a', b: '#/b' } } }),
    obj({ discriminator: { propertyName: 'kind', mapping: { a: '#/other' } } }),
    'info',
    'info',
  ),
  structural(
    'discriminator-mapping-deleted',
    obj({ discriminator: { propertyName: 'kind', mapping: { a: '#/a', b: '#/b' } } }),
    obj({ discriminator: { propertyName: 'kind', mapping: { a: '#/a' } } }),
    obj({ discriminator: { propertyName: 'kind', mapping: { b: '#/b', a: '#/a' } } }),
    'info',
    'info',
  ),
  structural(
    'discriminator-mapping-changed',
    obj({ discriminator: { propertyName: 'kind', mapping: { a: '#/a' } } }),
    obj({ discriminator: { propertyName: 'kind', mapping: { a: '#/other' } } }),
    obj({ discriminator: { propertyName: 'kind', mapping: { a: '#/a', b: '#/b' } } }),
    'info',
    'info',
  ),
];

// Subjects that see only value types (deep-object parameter properties, response headers), as in oasdiff.
const TYPE_ONLY_SUBJECTS = {
  'request-parameter-property': [
    'type-changed',
    'type-generalized',
    'enum-value-added',
    'enum-value-removed',
    'became-nullable',
    'became-not-nullable',
  ],
  'response-header': ['type-changed', 'type-generalized', 'type-specialized', 'became-nullable', 'became-not-nullable'],
} as const;

/** oasdiff's spellings and levels where the pattern does not hold. */
const ID_EXCEPTIONS: Record<string, string> = { 'response-body-enum-value-removed': 'response-mediatype-enum-value-removed' };
const LEVEL_EXCEPTIONS: Record<string, Level> = { 'request-parameter-property-type-changed': 'warning' };

export function schemaRuleFixtures(): RuleFixture[] {
  const out: RuleFixture[] = [];
  for (const fixture of SCHEMA_EVENT_FIXTURES) {
    for (const site of Object.values(SCHEMA_SITES)) {
      const direction = site.subject.startsWith('request') ? 'request' : 'response';
      const level = fixture[direction];
      if (level === null) continue;
      const only = TYPE_ONLY_SUBJECTS[site.subject as keyof typeof TYPE_ONLY_SUBJECTS] as readonly string[] | undefined;
      if (only ? !only.includes(fixture.event) : site.subject === 'request-parameter' && !fixture.parameter) continue;
      const plain = `${site.subject}-${fixture.event}`;
      const id = ID_EXCEPTIONS[plain] ?? plain;
      out.push({
        id,
        level: LEVEL_EXCEPTIONS[id] ?? level,
        operation: site.operation,
        pointer: site.pointer,
        base: site.wrap(fixture.base),
        revision: site.wrap(fixture.revision),
        nearMiss: { revision: site.wrap(fixture.nearMiss) },
      });
    }
  }
  return out;
}
