// Canonical JSON: one spelling per value, so equal documents (or enum values, defaults) compare and hash equal
// whatever their key order or whether they were written as JSON or YAML.

/** JSON with object keys sorted at every level (native stringify does the rest, which keeps it fast). */
export function canonicalJson(value: unknown): string {
  if (typeof value !== 'object' || value === null) return JSON.stringify(value) ?? 'null';
  return JSON.stringify(value, sortKeys) ?? 'null';
}

function sortKeys(_key: string, value: unknown): unknown {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return value;
  const record = value as Record<string, unknown>;
  const keys = Object.keys(record);
  let sorted = true;
  for (let i = 1; i < keys.length && sorted; i++) sorted = (keys[i - 1] as string) < (keys[i] as string);
  if (sorted) return value;
  // fromEntries defines own properties, so a "__proto__" key stays data.
  return Object.fromEntries(keys.sort().map((key) => [key, record[key]]));
}
