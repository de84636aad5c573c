// Compares two JSON schemas and lists what changed, as neutral events ("maximum decreased", "property
// removed"); whether an event breaks clients is decided later from the direction and the rule catalogue.
// Shared components are compared once per pair of objects and direction (memoised by identity), and a pair
// met again while it is still being compared (a recursive schema) is cut, so cost stays linear and finite.

import { canonicalJson } from './canonical.ts';
import { isObject, originOf } from './deref.ts';
import { OpenApiDiffError } from './errors.ts';
import { child, lastToken } from './pointer.ts';
import type { SchemaEventName } from './rules.ts';

export type Direction = 'request' | 'response';
type Schema = Record<string, unknown>;

export type PropertyEventName =
  | 'property-added'
  | 'property-removed'
  | 'property-became-required'
  | 'property-became-optional'
  | 'property-became-read-only'
  | 'property-became-not-read-only'
  | 'property-became-write-only'
  | 'property-became-not-write-only';

export interface SchemaChange {
  event: SchemaEventName | PropertyEventName;
  /** Property path from the compared root ('items' for array items); [] is the root itself. */
  path: string[];
  /** The schema in the revision where the change shows, or the base property for a removed property. */
  pointer: string;
  /** The specifics, e.g. 'from 10 to 5' or '"cat"'. */
  detail: string;
  /** Property events: whether the property is (was, for removals and flips) required for this direction. */
  required?: boolean;
  /** Property added: it has a default. */
  hasDefault?: boolean;
}

// Most schema pairs are unchanged: they all share this one empty result.
const NO_CHANGES: SchemaChange[] = Object.freeze([]) as unknown as SchemaChange[];

// Pair keys are numbers: two 26-bit object ids and the direction bit stay below 2^53.
const ID_SPACE = 2 ** 26;

const EMPTY: Schema = Object.freeze({}) as Schema;
const COMPOSITIONS = [
  ['oneOf', 'one-of'],
  ['anyOf', 'any-of'],
  ['allOf', 'all-of'],
] as const;

/** One differ per diff run: its memo is what makes shared components cost once. */
export class SchemaDiffer {
  // Keyed by the pair of schema objects and the direction. Pointers are not part of the key: a schema object
  // sits at one place in its document (YAML aliases aside, where either place is a true answer).
  private readonly memo = new Map<number, SchemaChange[]>();
  /** Pairs being compared right now, with their depth on the stack. */
  private readonly active = new Map<number, number>();
  private readonly ids = new WeakMap<object, number>();
  private nextId = 1;
  private readonly frames: Array<{ lowest: number }> = [];

  private idOf(schema: object): number {
    let id = this.ids.get(schema);
    if (id === undefined) {
      id = this.nextId++;
      if (id >= ID_SPACE) throw new OpenApiDiffError('the documents hold too many schemas to compare');
      this.ids.set(schema, id);
    }
    return id;
  }

  /**
   * The changes between two schemas seen from one place (a parameter, a body, a header). A change in a shared
   * schema reached along several paths (or around a cycle) is one change: it is reported once, at its shortest path.
   */
  diff(base: unknown, revision: unknown, direction: Direction, basePointer: string, revisionPointer: string): SchemaChange[] {
    const changes = this.compare(asSchema(base), asSchema(revision), direction, basePointer, revisionPointer);
    if (changes.length < 2) return changes;
    const best = new Map<string, SchemaChange>();
    for (const change of changes) {
      const key = `${change.event}\u0000${change.pointer}\u0000${change.detail}\u0000${change.required}`;
      const kept = best.get(key);
      if (
        !kept ||
        change.path.length < kept.path.length ||
        (change.path.length === kept.path.length && change.path.join('/') < kept.path.join('/'))
      ) {
        best.set(key, change);
      }
    }
    return [...best.values()];
  }

  private compare(base: Schema, revision: Schema, direction: Direction, basePointer: string, revisionPointer: string): SchemaChange[] {
    if (base === revision && basePointer === revisionPointer) return [];
    const key = (this.idOf(base) * ID_SPACE + this.idOf(revision)) * 2 + (direction === 'request' ? 0 : 1);
    const done = this.memo.get(key);
    if (done) return done;
    const activeDepth = this.active.get(key);
    if (activeDepth !== undefined) {
      // A recursive schema met itself: stop here, and remember how far up the cut reaches.
      const top = this.frames.at(-1);
      if (top) top.lowest = Math.min(top.lowest, activeDepth);
      return NO_CHANGES;
    }
    const depth = this.frames.length;
    this.active.set(key, depth);
    this.frames.push({ lowest: Number.POSITIVE_INFINITY });
    const found = this.compute(base, revision, direction, basePointer, revisionPointer);
    const changes = found.length === 0 ? NO_CHANGES : found;
    const frame = this.frames.pop() ?? { lowest: Number.POSITIVE_INFINITY };
    this.active.delete(key);
    if (frame.lowest >= depth) {
      // Complete from here (any cut returned to this very pair), so every later visit may reuse it.
      this.memo.set(key, changes);
    } else {
      const parent = this.frames.at(-1);
      if (parent) parent.lowest = Math.min(parent.lowest, frame.lowest);
    }
    return changes;
  }

  private compute(base: Schema, revision: Schema, direction: Direction, basePointer: string, revisionPointer: string): SchemaChange[] {
    const out: SchemaChange[] = [];
    const add = (event: SchemaEventName, detail: string): void => {
      out.push({ event, path: [], pointer: revisionPointer, detail });
    };
    const nested = (segment: string, changes: SchemaChange[]): void => {
      for (let i = 0; i < changes.length; i++) {
        const change = changes[i] as SchemaChange;
        out.push({ ...change, path: [segment, ...change.path] });
      }
    };

    const typeChange = compareTypes(base, revision);
    if (typeChange) add(typeChange, `from ${describeType(base)} to ${describeType(revision)}`);
    const baseNullable = isNullable(base);
    const revisionNullable = isNullable(revision);
    if (!baseNullable && revisionNullable) add('became-nullable', '');
    if (baseNullable && !revisionNullable) add('became-not-nullable', '');
    // Once the types have nothing in common, every other keyword change is noise.
    if (typeChange === 'type-changed' && typesDisjoint(base, revision)) return out;

    compareEnums(base, revision, add);
    compareUpper('max', upperNumber(base), upperNumber(revision), add);
    compareLower('min', lowerNumber(base), lowerNumber(revision), add);
    compareUpper('max-length', numberAt(base, 'maxLength'), numberAt(revision, 'maxLength'), add);
    compareCount('min-length', numberAt(base, 'minLength') ?? 0, numberAt(revision, 'minLength') ?? 0, add);
    compareUpper('max-items', numberAt(base, 'maxItems'), numberAt(revision, 'maxItems'), add);
    compareCount('min-items', numberAt(base, 'minItems') ?? 0, numberAt(revision, 'minItems') ?? 0, add);

    const basePattern = typeof base['pattern'] === 'string' ? base['pattern'] : undefined;
    const revisionPattern = typeof revision['pattern'] === 'string' ? revision['pattern'] : undefined;
    if (basePattern === undefined && revisionPattern !== undefined) add('pattern-added', quote(revisionPattern));
    else if (basePattern !== undefined && revisionPattern === undefined) add('pattern-removed', `(was ${quote(basePattern)})`);
    else if (basePattern !== revisionPattern) add('pattern-changed', `from ${quote(basePattern)} to ${quote(revisionPattern)}`);

    const baseDefault = base['default'];
    const revisionDefault = revision['default'];
    if (baseDefault === undefined && revisionDefault !== undefined) add('default-value-added', value(revisionDefault));
    else if (baseDefault !== undefined && revisionDefault === undefined) add('default-value-removed', `(was ${value(baseDefault)})`);
    else if (baseDefault !== undefined && canonicalJson(baseDefault) !== canonicalJson(revisionDefault)) {
      add('default-value-changed', `from ${value(baseDefault)} to ${value(revisionDefault)}`);
    }

    this.compareProperties(base, revision, direction, basePointer, revisionPointer, out, nested);
    this.compareAdditional(base, revision, direction, basePointer, revisionPointer, add, nested);

    if (isObject(base['items']) || isObject(revision['items'])) {
      const baseItems = asSchema(base['items']);
      const revisionItems = asSchema(revision['items']);
      nested(
        'items',
        this.compare(
          baseItems,
          revisionItems,
          direction,
          originOf(baseItems) ?? child(basePointer, 'items'),
          originOf(revisionItems) ?? child(revisionPointer, 'items'),
        ),
      );
    }

    for (const [keyword, prefix] of COMPOSITIONS) {
      const baseMembers = members(base[keyword], basePointer, keyword);
      const revisionMembers = members(revision[keyword], revisionPointer, keyword);
      for (const [key, member] of baseMembers) {
        const match = revisionMembers.get(key);
        if (!match) add(`${prefix}-removed`, member.label);
        else nested(`${keyword}[${member.label}]`, this.compare(member.schema, match.schema, direction, member.pointer, match.pointer));
      }
      for (const [key, member] of revisionMembers) if (!baseMembers.has(key)) add(`${prefix}-added`, member.label);
    }

    compareDiscriminators(base['discriminator'], revision['discriminator'], add);
    return out;
  }

  private compareProperties(
    base: Schema,
    revision: Schema,
    direction: Direction,
    basePointer: string,
    revisionPointer: string,
    out: SchemaChange[],
    nested: (segment: string, changes: SchemaChange[]) => void,
  ): void {
    const baseProperties = isObject(base['properties']) ? base['properties'] : {};
    const revisionProperties = isObject(revision['properties']) ? revision['properties'] : {};
    const baseRequired = requiredSet(base);
    const revisionRequired = requiredSet(revision);
    const names = [...new Set([...Object.keys(baseProperties), ...Object.keys(revisionProperties)])];

    for (const name of names) {
      const inBase = Object.hasOwn(baseProperties, name);
      const inRevision = Object.hasOwn(revisionProperties, name);
      const baseProperty = asSchema(baseProperties[name]);
      const revisionProperty = asSchema(revisionProperties[name]);
      const baseAt = originOf(baseProperty) ?? child(basePointer, 'properties', name);
      const revisionAt = originOf(revisionProperty) ?? child(revisionPointer, 'properties', name);
      const baseEffective = inBase && baseRequired.has(name) && !hidden(baseProperty, direction);
      const revisionEffective = inRevision && revisionRequired.has(name) && !hidden(revisionProperty, direction);
      const push = (event: PropertyEventName, pointer: string, required: boolean, extra: Partial<SchemaChange> = {}): void => {
        out.push({ event, path: [name], pointer, detail: '', required, ...extra });
      };

      if (!inRevision) {
        if (!hidden(baseProperty, direction)) push('property-removed', baseAt, baseEffective);
        continue;
      }
      if (!inBase) {
        if (!hidden(revisionProperty, direction)) {
          push('property-added', revisionAt, revisionEffective, { hasDefault: revisionProperty['default'] !== undefined });
        }
        continue;
      }
      if (!baseEffective && revisionEffective) push('property-became-required', revisionAt, true);
      if (baseEffective && !revisionEffective) push('property-became-optional', revisionAt, false);
      // Mutability flips matter in the direction where they hide or reveal the property.
      const flag = direction === 'request' ? 'readOnly' : 'writeOnly';
      const was = baseProperty[flag] === true;
      const is = revisionProperty[flag] === true;
      if (was !== is) {
        const suffix = direction === 'request' ? 'read-only' : 'write-only';
        push(is ? `property-became-${suffix}` : `property-became-not-${suffix}`, revisionAt, baseRequired.has(name));
      }
      if (was && is) continue; // never sent (request) or never seen (response): its schema does not matter
      nested(name, this.compare(baseProperty, revisionProperty, direction, baseAt, revisionAt));
    }
  }

  private compareAdditional(
    base: Schema,
    revision: Schema,
    direction: Direction,
    basePointer: string,
    revisionPointer: string,
    add: (event: SchemaEventName, detail: string) => void,
    nested: (segment: string, changes: SchemaChange[]) => void,
  ): void {
    if (!isObjectLike(base) && !isObjectLike(revision)) return;
    const was = additional(base);
    const is = additional(revision);
    if (was === is && was !== 'schema') return;
    if (was === 'schema' && is === 'schema') {
      const baseSchema = asSchema(base['additionalProperties']);
      const revisionSchema = asSchema(revision['additionalProperties']);
      nested(
        'additionalProperties',
        this.compare(
          baseSchema,
          revisionSchema,
          direction,
          originOf(baseSchema) ?? child(basePointer, 'additionalProperties'),
          originOf(revisionSchema) ?? child(revisionPointer, 'additionalProperties'),
        ),
      );
      return;
    }
    // open ⊃ schema ⊃ closed
    const rank = { closed: 0, schema: 1, open: 2 } as const;
    const detail = `from ${was} to ${is}`;
    add(rank[is] < rank[was] ? 'additional-properties-narrowed' : 'additional-properties-widened', detail);
  }
}

function asSchema(value: unknown): Schema {
  return isObject(value) ? value : EMPTY;
}

function hidden(property: Schema, direction: Direction): boolean {
  return direction === 'request' ? property['readOnly'] === true : property['writeOnly'] === true;
}

function requiredSet(schema: Schema): Set<string> {
  const list = schema['required'];
  return new Set(Array.isArray(list) ? list.filter((name): name is string => typeof name === 'string') : []);
}

function isObjectLike(schema: Schema): boolean {
  return isObject(schema['properties']) || schema['additionalProperties'] !== undefined || typesOf(schema)?.includes('object') === true;
}

function additional(schema: Schema): 'open' | 'schema' | 'closed' {
  const value = schema['additionalProperties'];
  if (value === false) return 'closed';
  if (isObject(value) && Object.keys(value).length > 0) return 'schema';
  return 'open';
}

/** Declared types without 'null' (nullability is its own event); undefined means any type. */
function typesOf(schema: Schema): string[] | undefined {
  const type = schema['type'];
  const list = typeof type === 'string' ? [type] : Array.isArray(type) ? type.filter((t): t is string => typeof t === 'string') : [];
  const types = list.filter((t) => t !== 'null');
  return types.length === 0 ? undefined : [...new Set(types)].sort();
}

function covers(wide: string[], narrow: string[]): boolean {
  return narrow.every((type) => wide.includes(type) || (type === 'integer' && wide.includes('number')));
}

type Relation = 'same' | 'widen' | 'narrow' | 'other';

function compareTypes(base: Schema, revision: Schema): 'type-changed' | 'type-generalized' | 'type-specialized' | undefined {
  const baseTypes = typesOf(base);
  const revisionTypes = typesOf(revision);
  let types: Relation;
  if (!baseTypes && !revisionTypes) types = 'same';
  else if (!baseTypes) types = 'narrow';
  else if (!revisionTypes) types = 'widen';
  else if (baseTypes.join() === revisionTypes.join()) types = 'same';
  else if (covers(revisionTypes, baseTypes)) types = 'widen';
  else if (covers(baseTypes, revisionTypes)) types = 'narrow';
  else types = 'other';

  const baseFormat = typeof base['format'] === 'string' ? base['format'] : undefined;
  const revisionFormat = typeof revision['format'] === 'string' ? revision['format'] : undefined;
  const format: Relation =
    baseFormat === revisionFormat ? 'same' : revisionFormat === undefined ? 'widen' : baseFormat === undefined ? 'narrow' : 'other';

  const relations = new Set([types, format]);
  relations.delete('same');
  if (relations.size === 0) return undefined;
  if (relations.has('other') || relations.size > 1) return 'type-changed';
  return relations.has('widen') ? 'type-generalized' : 'type-specialized';
}

function typesDisjoint(base: Schema, revision: Schema): boolean {
  const baseTypes = typesOf(base);
  const revisionTypes = typesOf(revision);
  if (!baseTypes || !revisionTypes) return false;
  const numeric = (types: string[]) => types.includes('number') || types.includes('integer');
  return !baseTypes.some((type) => revisionTypes.includes(type)) && !(numeric(baseTypes) && numeric(revisionTypes));
}

function describeType(schema: Schema): string {
  const types = typesOf(schema)?.join('|') ?? 'any';
  return typeof schema['format'] === 'string' ? `${types} (${schema['format']})` : types;
}

function isNullable(schema: Schema): boolean {
  const type = schema['type'];
  return schema['nullable'] === true || type === 'null' || (Array.isArray(type) && type.includes('null'));
}

/** Allowed values: `enum`, or `const` as a one-value enum; undefined when unrestricted. */
function enumValues(schema: Schema): Map<string, unknown> | undefined {
  const list = Array.isArray(schema['enum']) ? schema['enum'] : schema['const'] !== undefined ? [schema['const']] : undefined;
  return list ? new Map(list.map((item) => [canonicalJson(item), item])) : undefined;
}

function compareEnums(base: Schema, revision: Schema, add: (event: SchemaEventName, detail: string) => void): void {
  const was = enumValues(base);
  const is = enumValues(revision);
  if (!was && is) add('became-enum', [...is.values()].map(value).join(', '));
  else if (was && !is) add('became-not-enum', '');
  else if (was && is) {
    for (const [key, item] of was) if (!is.has(key)) add('enum-value-removed', value(item));
    for (const [key, item] of is) if (!was.has(key)) add('enum-value-added', value(item));
  }
}

function numberAt(schema: Schema, keyword: string): number | undefined {
  const found = schema[keyword];
  return typeof found === 'number' && Number.isFinite(found) ? found : undefined;
}

/** The tightest upper bound: `maximum`, or a 3.1 numeric `exclusiveMaximum` (an approximation: strictness is ignored). */
function upperNumber(schema: Schema): number | undefined {
  const bounds = [numberAt(schema, 'maximum'), numberAt(schema, 'exclusiveMaximum')].filter((n): n is number => n !== undefined);
  return bounds.length === 0 ? undefined : Math.min(...bounds);
}

function lowerNumber(schema: Schema): number | undefined {
  const bounds = [numberAt(schema, 'minimum'), numberAt(schema, 'exclusiveMinimum')].filter((n): n is number => n !== undefined);
  return bounds.length === 0 ? undefined : Math.max(...bounds);
}

type Add = (event: SchemaEventName, detail: string) => void;

function compareUpper(kind: 'max' | 'max-length' | 'max-items', was: number | undefined, is: number | undefined, add: Add): void {
  if (was === is) return;
  if (was === undefined) add(`${kind}-set`, `to ${is}`);
  else if (is === undefined) add(`${kind}-unset`, `(was ${was})`);
  else add(is < was ? `${kind}-decreased` : `${kind}-increased`, `from ${was} to ${is}`);
}

function compareLower(kind: 'min', was: number | undefined, is: number | undefined, add: Add): void {
  if (was === is) return;
  if (was === undefined) add(`${kind}-set`, `to ${is}`);
  else if (is === undefined) add(`${kind}-unset`, `(was ${was})`);
  else add(is > was ? `${kind}-increased` : `${kind}-decreased`, `from ${was} to ${is}`);
}

/** minLength and minItems: absent means 0, so only "increased" and "decreased" exist. */
function compareCount(kind: 'min-length' | 'min-items', was: number, is: number, add: Add): void {
  if (was !== is) add(is > was ? `${kind}-increased` : `${kind}-decreased`, `from ${was} to ${is}`);
}

interface Member {
  schema: Schema;
  pointer: string;
  label: string;
}

/**
 * Composition members keyed so that versions line up: a referenced component by its pointer, an inline member
 * by its title, else by its position among the inline members.
 */
function members(list: unknown, pointer: string, keyword: string): Map<string, Member> {
  const out = new Map<string, Member>();
  if (!Array.isArray(list)) return out;
  let inline = 0;
  list.forEach((item, index) => {
    const schema = asSchema(item);
    const origin = originOf(schema);
    const title = typeof schema['title'] === 'string' ? schema['title'] : undefined;
    const at = origin ?? child(pointer, keyword, index);
    if (origin) out.set(`ref:${origin}`, { schema, pointer: at, label: lastToken(origin) });
    else if (title) out.set(`title:${title}`, { schema, pointer: at, label: title });
    else {
      out.set(`inline:${inline}`, { schema, pointer: at, label: `#${index}` });
      inline += 1;
    }
  });
  return out;
}

function compareDiscriminators(base: unknown, revision: unknown, add: Add): void {
  const was = isObject(base) ? base : undefined;
  const is = isObject(revision) ? revision : undefined;
  if (!was && !is) return;
  if (!was && is) {
    add('discriminator-added', quote(is['propertyName']));
    return;
  }
  if (was && !is) {
    add('discriminator-removed', `(was ${quote(was['propertyName'])})`);
    return;
  }
  if (!was || !is) return;
  if (was['propertyName'] !== is['propertyName']) {
    add('discriminator-property-name-changed', `from ${quote(was['propertyName'])} to ${quote(is['propertyName'])}`);
  }
  const baseMapping = isObject(was['mapping']) ? was['mapping'] : {};
  const revisionMapping = isObject(is['mapping']) ? is['mapping'] : {};
  for (const [key, target] of Object.entries(baseMapping)) {
    if (!Object.hasOwn(revisionMapping, key)) add('discriminator-mapping-deleted', quote(key));
    else if (revisionMapping[key] !== target)
      add('discriminator-mapping-changed', `${quote(key)} from ${quote(target)} to ${quote(revisionMapping[key])}`);
  }
  for (const key of Object.keys(revisionMapping)) if (!Object.hasOwn(baseMapping, key)) add('discriminator-mapping-added', quote(key));
}

function quote(text: unknown): string {
  return JSON.stringify(String(text));
}

function value(item: unknown): string {
  const text = canonicalJson(item);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}
