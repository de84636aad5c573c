/** One RFC 6902 operation, as jsonPatch makes them: add, remove and replace. */
export type Operation = { op: 'add' | 'replace'; path: string; value: unknown } | { op: 'remove'; path: string };

/**
 * RFC 6902 JSON Patch turning `from` into `to`: fast-json-patch's `compare`, ported (the same
 * operations in the same order; test/unit/domain/config-json-patch.test.ts holds them equal)
 * because the package is CommonJS and brings its whole 12 KB, patch application included, into
 * the configuration write functions, which only need this.
 */
export function jsonPatch(from: unknown, to: unknown): Operation[] {
  const patch: Operation[] = [];
  generate((from ?? {}) as Json, (to ?? {}) as Json, patch, '');
  return patch;
}

type Json = Record<string, unknown> | unknown[];

function generate(mirror: Json, next: Json, patch: Operation[], path: string): void {
  if (next === mirror) return;
  const obj = typeof (next as { toJSON?: unknown }).toJSON === 'function' ? (next as { toJSON: () => Json }).toJSON() : next;
  const oldRecord = mirror as Record<string, unknown>;
  const newRecord = obj as Record<string, unknown>;
  const newKeys = keysOf(obj);
  const oldKeys = keysOf(mirror);
  let deleted = false;
  for (let t = oldKeys.length - 1; t >= 0; t--) {
    const key = oldKeys[t] as string;
    const oldValue = oldRecord[key];
    const at = `${path}/${escapePathComponent(key)}`;
    if (Object.hasOwn(obj, key) && !(newRecord[key] === undefined && oldValue !== undefined && !Array.isArray(obj))) {
      const newValue = newRecord[key];
      if (isCollection(oldValue) && isCollection(newValue) && Array.isArray(oldValue) === Array.isArray(newValue)) {
        generate(oldValue, newValue, patch, at);
      } else if (oldValue !== newValue) {
        patch.push({ op: 'replace', path: at, value: deepClone(newValue) });
      }
    } else if (Array.isArray(mirror) === Array.isArray(obj)) {
      patch.push({ op: 'remove', path: at });
      deleted = true;
    } else {
      patch.push({ op: 'replace', path, value: obj });
    }
  }
  if (!deleted && newKeys.length === oldKeys.length) return;
  for (const key of newKeys) {
    if (!Object.hasOwn(mirror, key) && newRecord[key] !== undefined) {
      patch.push({ op: 'add', path: `${path}/${escapePathComponent(key)}`, value: deepClone(newRecord[key]) });
    }
  }
}

const isCollection = (value: unknown): value is Json => typeof value === 'object' && value !== null;

const keysOf = (value: Json): string[] => (Array.isArray(value) ? value.map((_, index) => String(index)) : Object.keys(value));

const escapePathComponent = (key: string) => (key.includes('/') || key.includes('~') ? key.replace(/~/g, '~0').replace(/\//g, '~1') : key);

function deepClone(value: unknown): unknown {
  if (typeof value === 'object') return JSON.parse(JSON.stringify(value));
  return value === undefined ? null : value;
}

/** Patches larger than this are left out of audit records (the versions themselves keep the content). */
export const MAX_AUDITED_PATCH_BYTES = 32 * 1024;

/** The patch for an audit record, or a note that it was too large to keep there. */
export function auditedPatch(from: unknown, to: unknown): { patch: Operation[] } | { patchOmitted: string } {
  const patch = jsonPatch(from, to);
  const bytes = Buffer.byteLength(JSON.stringify(patch));
  return bytes <= MAX_AUDITED_PATCH_BYTES ? { patch } : { patchOmitted: `${bytes} bytes; compare the versions with the diff endpoint` };
}
