import { createHash } from 'node:crypto';
import { ValidationError, type FieldError } from '#kernel/errors';

/**
 * Configuration layers: `base` (no environment) and one layer per environment, each optionally
 * extending another. An environment's resolved configuration is the deep merge of its chain
 * (base → … → env) with `${var:NAME}` placeholders filled from that environment's variables.
 */

export const BASE_LAYER = 'base';
/** Path words under /configs that cannot be environment names. */
export const RESERVED_LAYER_NAMES = ['export', 'import'] as const;
/** A resolved configuration is at most this large (serialised JSON). */
export const MAX_RESOLVED_BYTES = 256 * 1024;

export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };
export type JsonObject = { [key: string]: JsonValue };

/** What the head of a service's configuration knows about one layer. */
export interface LayerSummary {
  version: number;
  extends: string | null;
  updatedAt: string;
}

export function isPlainObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Objects merge key by key; arrays and scalars in `over` replace what `under` had. */
export function deepMerge(under: JsonValue, over: JsonValue): JsonValue {
  if (!isPlainObject(under) || !isPlainObject(over)) return structuredClone(over);
  const merged: JsonObject = { ...structuredClone(under) };
  for (const [key, value] of Object.entries(over)) {
    merged[key] = key in merged ? deepMerge(merged[key] as JsonValue, value) : structuredClone(value);
  }
  return merged;
}

/**
 * The layers to merge for `layer`, outermost first (e.g. ['base', 'staging', 'prod']).
 * Refuses an `extends` that names no layer, and cycles.
 */
export function chainOf(layer: string, layers: Record<string, Pick<LayerSummary, 'extends'>>): string[] {
  const chain: string[] = [];
  let current: string | null = layer;
  while (current !== null) {
    if (chain.includes(current)) {
      throw new ValidationError(`The extends chain of ${layer} loops: ${[...chain, current].join(' → ')}.`, [
        { pointer: '/body/extends', message: `creates a cycle: ${[...chain, current].join(' → ')}` },
      ]);
    }
    const summary: Pick<LayerSummary, 'extends'> | undefined = layers[current];
    if (!summary) {
      throw new ValidationError(`Layer ${chain.at(-1) ?? layer} extends ${current}, which has no configuration.`, [
        { pointer: '/body/extends', message: `names ${current}, which has no configuration yet` },
      ]);
    }
    chain.push(current);
    current = summary.extends;
  }
  return chain.reverse();
}

/** Every layer whose chain includes `layer` (itself included). */
export function dependentsOf(layer: string, layers: Record<string, Pick<LayerSummary, 'extends'>>): string[] {
  return Object.keys(layers).filter((candidate) => {
    try {
      return chainOf(candidate, layers).includes(layer);
    } catch {
      return false;
    }
  });
}

const PLACEHOLDER = /\$\{var:([A-Za-z_][A-Za-z0-9_]*)\}/g;

/** Fills `${var:NAME}` placeholders in every string; reports each placeholder with no variable. */
export function substitute(value: JsonValue, variables: Record<string, string>, pointer = ''): { value: JsonValue; missing: FieldError[] } {
  const missing: FieldError[] = [];
  const walk = (node: JsonValue, at: string): JsonValue => {
    if (typeof node === 'string') {
      return node.replace(PLACEHOLDER, (placeholder, name: string) => {
        if (Object.hasOwn(variables, name)) return variables[name] as string;
        missing.push({ pointer: at, message: `${placeholder} has no variable named ${name}` });
        return placeholder;
      });
    }
    if (Array.isArray(node)) return node.map((item, i) => walk(item, `${at}/${i}`));
    if (isPlainObject(node)) {
      return Object.fromEntries(Object.entries(node).map(([key, item]) => [key, walk(item, `${at}/${escapePointer(key)}`)]));
    }
    return node;
  };
  return { value: walk(value, pointer), missing };
}

export function escapePointer(segment: string): string {
  return segment.replace(/~/g, '~0').replace(/\//g, '~1');
}

/**
 * The ETag of an environment's resolved configuration, computed from versions alone (the layers
 * of its chain and its variables' revision), so a conditional fetch needs only the head item.
 */
export function resolvedEtag(chain: Array<{ layer: string; version: number }>, variablesRev: number): string {
  const fingerprint = JSON.stringify([chain.map(({ layer, version }) => `${layer}@${version}`), variablesRev]);
  return `"${createHash('sha256').update(fingerprint).digest('base64url').slice(0, 22)}"`;
}

export function layerEtag(version: number): string {
  return `"${version}"`;
}

export function jsonBytes(value: unknown): number {
  return Buffer.byteLength(JSON.stringify(value));
}

/**
 * Numbers DynamoDB cannot keep (through the document client): beyond ±(2^53 − 1), which would
 * lose digits, and non-zero ones smaller in magnitude than 1e-130. Each with its pointer, so a
 * write is refused with a 400 instead of failing in the store.
 */
export function unstorableNumbers(value: unknown, pointer: string): FieldError[] {
  if (typeof value === 'number') {
    const magnitude = Math.abs(value);
    return magnitude > Number.MAX_SAFE_INTEGER || (magnitude !== 0 && magnitude < 1e-130)
      ? [
          {
            pointer,
            message: `${value} cannot be stored exactly; numbers are at most ${Number.MAX_SAFE_INTEGER} in size and at least 1e-130 when not 0 (write it as a string)`,
          },
        ]
      : [];
  }
  if (Array.isArray(value)) return value.flatMap((item, i) => unstorableNumbers(item, `${pointer}/${i}`));
  if (isPlainObject(value))
    return Object.entries(value).flatMap(([key, item]) => unstorableNumbers(item, `${pointer}/${escapePointer(key)}`));
  return [];
}

/**
 * Whether two JSON values hold the same content. DynamoDB does not keep the order of a map's
 * keys, so comparing serialised text would see a reordered copy as a change.
 */
export function sameJson(a: unknown, b: unknown): boolean {
  return canonicalJson(a) === canonicalJson(b);
}

/** JSON with object keys sorted, so equal content gives equal text. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([key, item]) => `${JSON.stringify(key)}:${canonicalJson(item)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}
