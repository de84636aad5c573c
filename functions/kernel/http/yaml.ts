import * as jsYaml from 'js-yaml';
import { DEFAULT_SCHEMA, dump, FAILSAFE_SCHEMA, load, Type } from 'js-yaml';

/**
 * YAML for configuration documents, with js-yaml (about 43 KB minified, against 112 KB for the
 * `yaml` package this replaced, in a function that also bundles Ajv and zod), set up to read
 * documents as `yaml` read them (test/unit/yaml.test.ts compares the two).
 *
 * js-yaml's own CORE_SCHEMA reads a few plain scalars otherwise than YAML 1.2 (`0b101`, `1_000`
 * are numbers there, `+.5` a string), so documents are read with the YAML 1.2 core schema
 * written out below: the spec's resolution, which is also what `yaml` does.
 */

interface CoreScalar {
  tag: string;
  test: RegExp;
  construct: (text: string) => unknown;
}

const CORE_SCALARS: CoreScalar[] = [
  { tag: 'null', test: /^(?:~|[Nn]ull|NULL)?$/, construct: () => null },
  { tag: 'bool', test: /^(?:[Tt]rue|TRUE|[Ff]alse|FALSE)$/, construct: (text) => text[0] === 't' || text[0] === 'T' },
  {
    tag: 'int',
    test: /^(?:[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+)$/,
    construct: (text) =>
      text.startsWith('0o')
        ? Number.parseInt(text.slice(2), 8)
        : text.startsWith('0x')
          ? Number.parseInt(text.slice(2), 16)
          : Number.parseInt(text, 10),
  },
  {
    tag: 'float',
    // A dot or an exponent: `1` is an int, and `!!float 1` stays a string, as in `yaml`.
    test: /^(?:[-+]?(?:\.[0-9]+|[0-9]+\.[0-9]*)(?:[eE][-+]?[0-9]+)?|[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)[eE][-+]?[0-9]+|[-+]?\.(?:inf|Inf|INF)|\.nan|\.NaN|\.NAN)$/,
    construct: (text) =>
      /nan$/i.test(text)
        ? Number.NaN
        : /inf$/i.test(text)
          ? (text[0] === '-' ? -1 : 1) * Number.POSITIVE_INFINITY
          : Number.parseFloat(text),
  },
];

// js-yaml 4.1+ exports its types; @types/js-yaml (written for 4.0) does not declare them.
const { types } = jsYaml as unknown as { types: Record<'binary' | 'timestamp' | 'set' | 'omap' | 'pairs', Type> };

/** One of js-yaml's YAML 1.1 types, constructing what `yaml` constructed for it. */
const retyped = (tag: string, kind: 'scalar' | 'sequence' | 'mapping', type: Type, construct: (data: any) => unknown) =>
  new Type(`tag:yaml.org,2002:${tag}`, { kind, resolve: type.resolve, construct });

/**
 * What documents are read with, built to read them as `yaml` (YAML 1.2 core schema) did: plain
 * scalars resolved by the core types; an explicit core tag that does not fit its value
 * (`!!int abc`) leaves the value a string; the YAML 1.1 tags it knew (`!!binary`, `!!timestamp`,
 * `!!set`, `!!omap`, `!!pairs`) give what they gave; an unknown tag (`!custom`) is ignored.
 */
const READ_SCHEMA = FAILSAFE_SCHEMA.extend({
  implicit: CORE_SCALARS.map(
    ({ tag, test, construct }) =>
      new Type(`tag:yaml.org,2002:${tag}`, {
        kind: 'scalar',
        // js-yaml passes the tag only when it was written out.
        resolve: (text: string | null, explicitTag?: string) => explicitTag !== undefined || test.test(text ?? ''),
        construct: (text: string | null) => (test.test(text ?? '') ? construct(text ?? '') : (text ?? '')),
      }),
  ),
  explicit: [
    retyped('binary', 'scalar', types.binary, (text: string) => Buffer.from(types.binary.construct(text))),
    types.timestamp,
    retyped('set', 'mapping', types.set, (map: object | null) => new Set(Object.keys(map ?? {}))),
    retyped('omap', 'sequence', types.omap, (items: object[] | null) => new Map(items?.flatMap(Object.entries))),
    retyped('pairs', 'sequence', types.pairs, (items: object[] | null) => items ?? []),
    ...(['scalar', 'sequence', 'mapping'] as const).map(
      (kind) => new Type('', { kind, multi: true, construct: (value: unknown) => value }),
    ),
  ],
});

/**
 * What documents are written with: js-yaml's default schema (numbers written its way, and strings
 * quoted when a YAML 1.1 reader would not read them back as strings: `2026-11-23`, `yes`), plus
 * the YAML 1.2 core resolvers, so a string those would read otherwise (`+.5`) is quoted too. They
 * only decide quoting; under tags of their own, so they do not replace js-yaml's number types.
 */
const WRITE_SCHEMA = DEFAULT_SCHEMA.extend({
  implicit: CORE_SCALARS.map(
    ({ tag, test }) =>
      new Type(`tag:steward.dev,2026:yaml-1.2-core-${tag}`, { kind: 'scalar', resolve: (text: string | null) => test.test(text ?? '') }),
  ),
});

/** Aliases a document may resolve, counted as the `yaml` package counts them (its maxAliasCount). */
export const MAX_ALIAS_COUNT = 100;
/** js-yaml refuses documents nested deeper than this; `yaml` had no such limit, so it is set high. */
const MAX_DEPTH = 1000;

/** The value of one YAML document. Throws js-yaml's YAMLException (with `mark`) or an Error without a position. */
export function parseYaml(text: string): unknown {
  // Every node, where it starts and ends, for the alias count. js-yaml may read a stretch twice
  // (it backtracks), so nodes are kept by where they start, as last read, and aliases by where
  // their `*` is; a parent that starts where its first child does replaces it, which only ever
  // drops a node that a collection's other nodes already count for.
  const nodes = new Map<number, YamlNode>();
  const aliases = new Map<number, YamlNode>();
  const opened: number[] = [];
  const value = load(text, {
    schema: READ_SCHEMA,
    maxDepth: MAX_DEPTH,
    listener(event, state) {
      if (event === 'open') {
        opened.push(state.position);
        return;
      }
      const start = opened.pop() ?? 0;
      const properties = propertiesAt(text, start);
      const scalar = state.kind !== 'sequence' && state.kind !== 'mapping';
      if (properties.aliasAt !== undefined)
        aliases.set(properties.aliasAt, { start: properties.aliasAt, end: state.position, alias: properties.alias, scalar });
      else nodes.set(start, { start, end: state.position, anchor: properties.anchor, scalar });
    },
  } as LoadOptions);
  refuseAliasBombs([...nodes.values(), ...aliases.values()].sort((a, b) => a.start - b.start));
  return value;
}

export function stringifyYaml(value: unknown): string {
  return dump(value, { schema: WRITE_SCHEMA });
}

// @types/js-yaml declares the listener with js-yaml's internal state as unknown.
type LoadOptions = Parameters<typeof load>[1];

interface YamlNode {
  start: number;
  end: number;
  anchor?: string;
  alias?: string;
  scalar: boolean;
}

const NAME_END = /[\s,[\]{}]/;

/** The anchor (`&a`) or alias (`*a`) a node starts with, past spaces, comments and tags. */
function propertiesAt(text: string, from: number): { anchor?: string; alias?: string; aliasAt?: number } {
  let at = from;
  let anchor: string | undefined;
  const token = () => {
    let end = at + 1;
    while (end < text.length && !NAME_END.test(text[end] as string)) end++;
    const name = text.slice(at + 1, end);
    at = end;
    return name;
  };
  for (;;) {
    while (at < text.length && /\s/.test(text[at] as string)) at++;
    if (text[at] === '#') {
      while (at < text.length && text[at] !== '\n') at++;
    } else if (text[at] === '&') anchor = token();
    else if (text[at] === '!') token();
    else if (text[at] === '*') return { aliasAt: at, alias: token() };
    else return anchor === undefined ? {} : { anchor };
  }
}

/**
 * Refuses what the `yaml` package refused (its maxAliasCount): each alias, in document order,
 * adds one to its anchor's count (which starts at 1), and an anchor may not be counted more
 * than MAX_ALIAS_COUNT over its worth: 1 for a scalar, and for a collection the most that any
 * node inside it is worth, an alias there being worth its own anchor's count × worth. So a
 * document whose aliases of aliases would expand a millionfold ("billion laughs") is refused
 * before it is copied, and so is one that repeats a long scalar through aliases.
 */
function refuseAliasBombs(nodes: YamlNode[]): void {
  const anchors = new Map<YamlNode, { count: number; worth: number }>();
  const latest = new Map<string, YamlNode>();
  const dataOf = (node: YamlNode) => {
    const data = anchors.get(node) ?? { count: 1, worth: 0 };
    anchors.set(node, data);
    return data;
  };
  // The nodes inside an anchored collection follow it (nodes are in document order), up to its end:
  // as `yaml` walked the anchored node, this walks its nodes only.
  const worthOf = (index: number, targets: Map<YamlNode, YamlNode>): number => {
    const anchor = nodes[index] as YamlNode;
    if (anchor.scalar) return 1;
    let worth = 0;
    for (let next = index + 1; next < nodes.length && (nodes[next] as YamlNode).start < anchor.end; next++) {
      const node = nodes[next] as YamlNode;
      const target = targets.get(node);
      const value = node.alias === undefined ? (node.scalar ? 1 : 0) : target ? dataOf(target).count * dataOf(target).worth : 0;
      worth = Math.max(worth, value);
    }
    return worth;
  };
  const targets = new Map<YamlNode, YamlNode>();
  const indexOf = new Map<YamlNode, number>();
  for (const [index, node] of nodes.entries()) {
    if (node.anchor !== undefined) {
      latest.set(node.anchor, node);
      indexOf.set(node, index);
    }
    if (node.alias === undefined) continue;
    const target = latest.get(node.alias);
    if (!target) continue;
    targets.set(node, target);
    const data = dataOf(target);
    data.count += 1;
    if (data.worth === 0) data.worth = worthOf(indexOf.get(target) ?? index, targets);
    if (data.count * data.worth > MAX_ALIAS_COUNT) throw new Error('Excessive alias count indicates a resource exhaustion attack');
  }
}
