// Resolves a document's internal $refs into a new object graph, so the diff can walk it without looking
// references up. A target is copied once and shared by every reference to it, which keeps recursive
// schemas finite (they become cycles of objects) and lets the diff memoise by object identity.
// Only references inside the document are followed: nothing is ever fetched.

import type { DocumentProblem } from './errors.ts';
import { child, unescapeToken } from './pointer.ts';

/** Where each shared object came from (its JSON pointer in the raw document), for change pointers. */
const ORIGINS = new WeakMap<object, string>();

/** The raw-document pointer of an object that was the target of a $ref (or of a merged $ref), if any. */
export function originOf(node: unknown): string | undefined {
  return typeof node === 'object' && node !== null ? ORIGINS.get(node) : undefined;
}

type JsonObject = { [key: string]: unknown };

// Keywords whose values are data (examples, defaults): a "$ref" inside them is a value, not a reference.
const DATA_KEYWORDS = new Set(['example', 'examples', 'default', 'const', 'enum']);
// Keywords whose values are maps from names to objects: their keys are names, never keywords.
const NAME_MAPS = new Set([
  'paths',
  'webhooks',
  'properties',
  'patternProperties',
  'dependentSchemas',
  '$defs',
  'definitions',
  'schemas',
  'responses',
  'parameters',
  'requestBodies',
  'headers',
  'securitySchemes',
  'links',
  'pathItems',
  'content',
  'encoding',
  'mapping',
  'scopes',
  'variables',
]);
// Keys allowed beside a $ref that do not change what it means (annotations of a Reference Object).
const ANNOTATION_SIBLINGS = new Set(['summary', 'description', '$comment']);

type Context = 'keyword' | 'names' | 'callbacks' | 'example-map' | 'example' | 'data';

export function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Sets a key without ever touching a prototype (a document may have a "__proto__" key). */
function setOwn(target: JsonObject, key: string, value: unknown): void {
  if (key === '__proto__') Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
  else target[key] = value;
}

export interface DereferenceResult {
  document: JsonObject;
  problems: DocumentProblem[];
}

/**
 * Copies `raw` with every internal `$ref` replaced by (a shared copy of) its target. External references
 * and references that resolve to nothing are reported as problems, with the pointer of the `$ref`.
 * In OpenAPI 3.1 a schema `$ref` with other keywords beside it is merged with its target (3.0 ignores them).
 */
export function dereference(raw: JsonObject): DereferenceResult {
  const problems: DocumentProblem[] = [];
  const copies = new Map<object, unknown>();
  const merges: Array<{ into: JsonObject; target: () => unknown; siblings: JsonObject }> = [];
  const mergeSiblings = typeof raw['openapi'] === 'string' && raw['openapi'].startsWith('3.1');

  const resolve = (ref: string, at: string): { node: unknown; pointer: string } | undefined => {
    if (!ref.startsWith('#')) {
      problems.push({ pointer: at, message: `external references are not supported: ${ref}` });
      return undefined;
    }
    if (ref !== '#' && !ref.startsWith('#/')) {
      problems.push({ pointer: at, message: `only JSON-pointer references (#/...) are supported, not ${ref}` });
      return undefined;
    }
    let node: unknown = raw;
    let pointer = '';
    const tokens = ref === '#' ? [] : ref.slice(2).split('/');
    for (const encoded of tokens) {
      let token: string;
      try {
        token = unescapeToken(decodeURIComponent(encoded));
      } catch {
        problems.push({ pointer: at, message: `$ref ${ref} is not a valid URI fragment` });
        return undefined;
      }
      const next: unknown =
        Array.isArray(node) && /^(0|[1-9]\d*)$/.test(token)
          ? node[Number(token)]
          : isObject(node) && Object.hasOwn(node, token)
            ? node[token]
            : undefined;
      if (next === undefined) {
        problems.push({ pointer: at, message: `$ref ${ref} cannot be resolved: ${pointer || '/'} has no "${token}"` });
        return undefined;
      }
      node = next;
      pointer = child(pointer, token);
    }
    return { node, pointer };
  };

  // Follows a chain of pure references ($ref to an object that is itself only a $ref) to the real target.
  const follow = (ref: string, at: string): { node: unknown; pointer: string } | undefined => {
    const seen = new Set<string>();
    let current = ref;
    let site = at;
    for (;;) {
      if (seen.has(current)) {
        problems.push({ pointer: at, message: `$ref ${ref} is part of a cycle of references that never reaches a value` });
        return undefined;
      }
      seen.add(current);
      const found = resolve(current, site);
      if (!found) return undefined;
      const next = isObject(found.node) ? found.node['$ref'] : undefined;
      if (typeof next !== 'string' || !isPureReference(found.node as JsonObject)) return found;
      current = next;
      site = child(found.pointer, '$ref');
    }
  };

  const isPureReference = (node: JsonObject): boolean =>
    Object.keys(node).every((key) => key === '$ref' || ANNOTATION_SIBLINGS.has(key) || !mergeSiblings);

  // The path to the node being copied, as tokens; turned into a pointer only when one is needed.
  const path: string[] = [];
  const here = (...tokens: string[]): string => child('', ...path, ...tokens);

  const visit = (node: unknown, context: Context, at?: string): unknown => {
    if (typeof node !== 'object' || node === null || context === 'data') return node;
    const known = copies.get(node);
    if (known !== undefined) return known;
    if (at === undefined) return copy(node, context);
    // A $ref target is copied where it is, not where it was referenced from.
    const saved = path.splice(0, path.length, ...tokensOf(at));
    try {
      return copy(node, context);
    } finally {
      path.splice(0, path.length, ...saved);
    }
  };

  const copy = (node: object, context: Context): unknown => {
    if (Array.isArray(node)) {
      const out: unknown[] = [];
      copies.set(node, out);
      const itemContext = context === 'names' ? 'keyword' : context;
      for (let index = 0; index < node.length; index++) {
        path.push(String(index));
        out.push(visit(node[index], itemContext));
        path.pop();
      }
      return out;
    }
    const object = node as JsonObject;
    const ref = object['$ref'];
    if ((context === 'keyword' || context === 'example') && typeof ref === 'string') {
      const target = follow(ref, here('$ref'));
      if (!target) return {};
      if (isPureReference(object)) {
        const shared = visit(target.node, 'keyword', target.pointer);
        if (typeof shared === 'object' && shared !== null && !ORIGINS.has(shared)) ORIGINS.set(shared, target.pointer);
        return shared;
      }
      // 3.1: keywords beside a $ref apply together with the target's; merged once the whole graph exists.
      const merged: JsonObject = {};
      copies.set(node, merged);
      ORIGINS.set(merged, target.pointer);
      const siblings: JsonObject = {};
      for (const key of Object.keys(object)) {
        if (key === '$ref') continue;
        path.push(key);
        setOwn(siblings, key, visit(object[key], childContext('keyword', key, object[key])));
        path.pop();
      }
      merges.push({ into: merged, target: () => visit(target.node, 'keyword', target.pointer), siblings });
      return merged;
    }
    const out: JsonObject = {};
    copies.set(node, out);
    for (const key of Object.keys(object)) {
      const value = object[key];
      path.push(key);
      setOwn(out, key, visit(value, childContext(context, key, value)));
      path.pop();
    }
    return out;
  };

  const document = visit(raw, 'keyword') as JsonObject;
  // Later merges may be the targets of earlier ones, so fill them from the last to the first.
  for (const { into, target, siblings } of merges.reverse()) {
    const resolved = target();
    if (isObject(resolved)) for (const [key, value] of Object.entries(resolved)) setOwn(into, key, value);
    for (const [key, value] of Object.entries(siblings)) setOwn(into, key, value);
  }
  return { document, problems };
}

/** What the value under `key` is, given what the object holding it is. */
function childContext(context: Context, key: string, value: unknown): Context {
  switch (context) {
    case 'names':
      return key.startsWith('x-') ? 'data' : 'keyword';
    case 'callbacks':
      return 'names';
    case 'example-map':
      return 'example';
    case 'example':
      return key === 'value' || key.startsWith('x-') ? 'data' : 'keyword';
    default:
      if (key.startsWith('x-')) return 'data';
      if (key === 'examples' && isObject(value)) return 'example-map';
      if (DATA_KEYWORDS.has(key)) return 'data';
      if (key === 'callbacks' && isObject(value)) return 'callbacks';
      if (NAME_MAPS.has(key) && isObject(value)) return 'names';
      return 'keyword';
  }
}

function tokensOf(pointer: string): string[] {
  return pointer === '' ? [] : pointer.slice(1).split('/').map(unescapeToken);
}
