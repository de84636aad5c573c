import { CORE_SCHEMA, DEFAULT_SCHEMA, dump, load, Type } from 'js-yaml';

/**
 * YAML bodies (configuration imports) and exports, with js-yaml's own core schema: plain
 * scalars resolve to null, booleans, numbers and strings as YAML's core schema says (`yes`,
 * `2026-11-23` and `12:30` stay strings), and a tag outside the core schema (`!custom`,
 * `!!binary`) is refused rather than guessed at.
 *
 * js-yaml shares one value per anchor, so an alias bomb ("billion laughs") loads in
 * microseconds and explodes only when it is copied (into JSON, a diff, the table). After
 * loading, the value is walked once as a copy would walk it, and refused past a budget that
 * grows with the text: an honest document expands a little through its aliases, a bomb by
 * orders of magnitude.
 */

/** Values a document may expand to through aliases: this many, or ten per byte of text if more. */
export const MIN_EXPANDED_VALUES = 10_000;
const VALUES_PER_BYTE = 10;

export class YamlExpansionError extends Error {
  override name = 'YamlExpansionError';
}

/** The value of one YAML document. Throws js-yaml's YAMLException (with `mark`), or YamlExpansionError. */
export function parseYaml(text: string): unknown {
  const value = load(text, { schema: CORE_SCHEMA });
  refuseExpansion(value, Math.max(MIN_EXPANDED_VALUES, VALUES_PER_BYTE * text.length));
  return value;
}

/**
 * YAML text for a JSON-like value. Written with js-yaml's default schema, so strings that an
 * older YAML 1.1 reader would take for something else (`yes`, `2026-11-23`) are quoted.
 */
export function stringifyYaml(value: unknown): string {
  return dump(value, { schema: EXPORT_SCHEMA });
}

/**
 * YAML 1.2's core schema reads some plain scalars as numbers that js-yaml's schema reads as
 * strings (`+.5`, `+.0e1`). A type that resolves them, and represents nothing, makes the dump
 * quote such strings, so any YAML 1.2 reader gets the string back.
 */
const YAML_12_NUMBER = /^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$|^0o[0-7]+$|^0x[0-9a-fA-F]+$/;
const EXPORT_SCHEMA = DEFAULT_SCHEMA.extend({
  implicit: [new Type('tag:steward,2026:yaml12-number', { kind: 'scalar', resolve: (data: string) => YAML_12_NUMBER.test(data) })],
});

/** Counts the values a copy of `value` would hold, and refuses a value that contains itself. */
function refuseExpansion(value: unknown, budget: number): void {
  let count = 0;
  const onPath = new Set<object>();
  const walk = (node: unknown): void => {
    count += 1;
    if (count > budget) {
      throw new YamlExpansionError(`its aliases expand it past ${budget.toLocaleString('en-US')} values (an alias bomb?)`);
    }
    if (node === null || typeof node !== 'object') return;
    if (onPath.has(node)) throw new YamlExpansionError('an alias inside its own anchor makes the document contain itself');
    onPath.add(node);
    for (const child of Array.isArray(node) ? node : Object.values(node)) walk(child);
    onPath.delete(node);
  };
  walk(value);
}
