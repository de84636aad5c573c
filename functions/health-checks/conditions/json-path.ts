import type { PathSegment } from './ast.ts';

export type Lookup = { found: true; value: unknown } | { found: false };

/**
 * The value at a JSONPath (`.key` and `[index]` segments) in a parsed JSON value. A key looks only
 * at an object's own properties (never `constructor` or `__proto__` from the prototype), an index
 * only into arrays. A JSON `null` that is there is found.
 */
export function lookup(root: unknown, path: readonly PathSegment[]): Lookup {
  let current = root;
  for (const segment of path) {
    if (segment.kind === 'key') {
      if (current === null || typeof current !== 'object' || Array.isArray(current)) return { found: false };
      if (!Object.hasOwn(current, segment.key)) return { found: false };
      current = (current as Record<string, unknown>)[segment.key];
    } else {
      if (!Array.isArray(current) || segment.index >= current.length) return { found: false };
      current = current[segment.index];
    }
  }
  return { found: true, value: current };
}
