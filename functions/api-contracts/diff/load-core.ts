// Turns the bytes of an uploaded OpenAPI document into something the diff can trust, or refuses it with
// errors a user can act on. Cheap refusals come first (size, syntax, version, alias bombs) so hostile input
// is turned away quickly; nothing here reads files or the network. YAML parsing (load.ts) and the OpenAPI
// schema validator (../schema-validator.ts, which reads the schemas) are handed in, so a function that takes
// JSON only bundles no YAML parser, and this folder stays pure.

import { createHash } from 'node:crypto';
import { canonicalJson } from './canonical.ts';
import { dereference, isObject } from './deref.ts';
import { type DocumentProblem, OpenApiDocumentError } from './errors.ts';
import { child } from './pointer.ts';

export const MAX_DOCUMENT_BYTES = 10 * 1024 * 1024;
/** A YAML document may expand through aliases to at most this many values per character of its text... */
export const MAX_EXPANSION_RATIO = 50;
/** ...and never beyond this many values. */
export const MAX_NODES = 2_000_000;
/** Deeper nesting than this is refused: no real contract needs it, and it protects the recursive walks. */
export const MAX_DEPTH = 256;

export type OpenApiMediaType = 'application/json' | 'application/yaml';

export interface LoadedOpenApiDocument {
  /** The document with internal $refs resolved; recursive schemas are cycles of shared objects. */
  document: Record<string, unknown>;
  /** The document exactly as parsed, for storage and ETags. */
  raw: Record<string, unknown>;
  version: '3.0' | '3.1';
  /** sha256 of the canonical JSON of `raw` (sorted keys): the same for a JSON and a YAML spelling. */
  digest: string;
}

const SUPPORTED_VERSIONS = ['3.0.0', '3.0.1', '3.0.2', '3.0.3', '3.0.4', '3.1.0', '3.1.1', '3.1.2'];

function refuse(pointer: string, message: string): never {
  throw new OpenApiDocumentError([{ pointer, message }]);
}

/** Throws an error whose `details` are Ajv's errors when `raw` does not match its OpenAPI version's schema. */
export type SchemaValidator = (raw: Record<string, unknown>) => void;

let schemaValidator: SchemaValidator | undefined;

/** Installed by ../schema-validator.ts when it is imported. */
export function setSchemaValidator(validator: SchemaValidator): void {
  schemaValidator = validator;
}

/** Parses YAML text; throws js-yaml's errors (with `mark` and `reason`). */
export type YamlParser = (text: string) => unknown;

export async function loadWith(
  bytes: Uint8Array | string,
  mediaType: OpenApiMediaType,
  parseYamlText?: YamlParser,
): Promise<LoadedOpenApiDocument> {
  const text = decode(bytes);
  const format = formatOf(mediaType);
  if (format === 'yaml' && !parseYamlText) refuse('', 'send the document as JSON here');
  const raw = format === 'json' ? parseJson(text) : parseYaml(text, parseYamlText as YamlParser);

  if (!isObject(raw)) refuse('', `an OpenAPI document must be an object, not ${describe(raw)}`);
  if (raw['swagger'] !== undefined) {
    refuse('/swagger', 'Swagger 2.0 documents are not supported; convert to OpenAPI 3 (e.g. swagger2openapi)');
  }
  const openapi = raw['openapi'];
  if (openapi === undefined) refuse('', 'the document has no openapi field; start it with openapi: 3.1.0 (or 3.0.x)');
  if (typeof openapi !== 'string')
    refuse('/openapi', `openapi must be a string such as "3.1.0", not ${describe(openapi)} (quote it in YAML)`);
  if (!SUPPORTED_VERSIONS.includes(openapi)) {
    refuse('/openapi', `OpenAPI ${openapi} is not supported; use one of ${SUPPORTED_VERSIONS.join(', ')}`);
  }
  const info = raw['info'];
  if (isObject(info) && typeof info['version'] === 'number') {
    refuse('/info/version', `info.version must be a string such as "1.0.0", not the number ${info['version']} (quote it in YAML)`);
  }
  if (raw['paths'] === undefined && (openapi.startsWith('3.0') || raw['webhooks'] === undefined)) {
    refuse('', openapi.startsWith('3.0') ? 'missing required property "paths"' : 'the document has neither paths nor webhooks');
  }
  checkShape(raw, format === 'yaml' ? Math.min(MAX_NODES, MAX_EXPANSION_RATIO * Math.max(text.length, 1)) : Number.POSITIVE_INFINITY);

  const { document, problems } = dereference(raw);
  if (problems.length > 0) throw new OpenApiDocumentError(problems);
  validate(raw);

  return {
    document,
    raw,
    version: openapi.startsWith('3.1') ? '3.1' : '3.0',
    digest: `sha256:${createHash('sha256').update(canonicalJson(raw)).digest('hex')}`,
  };
}

function decode(bytes: Uint8Array | string): string {
  let text: string;
  if (typeof bytes === 'string') {
    const size = Buffer.byteLength(bytes, 'utf8');
    if (size > MAX_DOCUMENT_BYTES) tooLarge(size);
    text = bytes;
  } else if (bytes instanceof Uint8Array) {
    if (bytes.byteLength > MAX_DOCUMENT_BYTES) tooLarge(bytes.byteLength);
    try {
      text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    } catch {
      refuse('', 'the document is not valid UTF-8 text');
    }
  } else {
    refuse('', 'the document must be given as bytes or text');
  }
  return text.startsWith('\uFEFF') ? text.slice(1) : text;
}

function tooLarge(size: number): never {
  refuse('', `the document is ${size} bytes (${(size / 1024 / 1024).toFixed(1)} MB); the limit is ${MAX_DOCUMENT_BYTES} bytes (10 MB)`);
}

function formatOf(mediaType: string): 'json' | 'yaml' {
  const essence = typeof mediaType === 'string' ? (mediaType.split(';')[0] ?? '').trim().toLowerCase() : '';
  if (essence === 'application/json' || essence.endsWith('+json')) return 'json';
  if (['application/yaml', 'application/x-yaml', 'text/yaml', 'text/x-yaml'].includes(essence) || essence.endsWith('+yaml')) return 'yaml';
  return refuse('', `unsupported media type ${JSON.stringify(mediaType)}; send application/json or application/yaml`);
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    return refuse('', `the document is not valid JSON: ${(error as Error).message}`);
  }
}

function parseYaml(text: string, parse: YamlParser): unknown {
  try {
    return parse(text);
  } catch (error) {
    const mark = (error as { mark?: { line: number; column: number } }).mark;
    const reason = (error as { reason?: string }).reason ?? (error as Error).message;
    const where = mark ? ` at line ${mark.line + 1}, column ${mark.column + 1}` : '';
    return refuse('', `the document is not valid YAML${where}: ${reason}`);
  }
}

/** Refuses alias bombs (expansion beyond `budget` values), alias cycles and absurd nesting, before any other walk. */
function checkShape(root: unknown, budget: number): void {
  let count = 0;
  const onPath = new Set<object>();
  // Tokens of the current location; a pointer is built only for an error.
  const path: string[] = [];
  const here = (): string => child('', ...path);
  const walk = (node: unknown, depth: number): void => {
    count += 1;
    if (count > budget) {
      refuse(
        here(),
        `the document expands to more than ${budget} values through YAML aliases (more than ${MAX_EXPANSION_RATIO} times its size); write it without anchors and aliases`,
      );
    }
    if (typeof node !== 'object' || node === null) return;
    if (depth > MAX_DEPTH) refuse(here(), `the document is nested more than ${MAX_DEPTH} levels deep`);
    if (onPath.has(node)) refuse(here(), 'YAML aliases make the document contain itself (an alias inside its own anchor)');
    onPath.add(node);
    if (Array.isArray(node)) {
      for (let index = 0; index < node.length; index++) {
        path.push(String(index));
        walk(node[index], depth + 1);
        path.pop();
      }
    } else {
      const record = node as Record<string, unknown>;
      for (const key of Object.keys(record)) {
        path.push(key);
        walk(record[key], depth + 1);
        path.pop();
      }
    }
    onPath.delete(node);
  };
  walk(root, 0);
}

interface AjvError {
  instancePath: string;
  keyword: string;
  params: Record<string, unknown>;
  message?: string;
}

// Wrapper keywords whose failure only repeats what a branch already said.
const WRAPPER_KEYWORDS = new Set(['oneOf', 'anyOf', 'allOf', 'if', 'then', 'else', 'not', '$ref', '$dynamicRef']);
const MAX_REPORTED = 50;

/**
 * Schema validation with swagger-parser's validator settings and schemas (../schema-validator.ts). Its
 * `validate()` would first crawl the document for $refs again (already resolved above) at three times the
 * cost. The validator only reads the document (Ajv without defaults or coercion), so it checks `raw`
 * itself, with no copy, and nothing is resolved or fetched.
 */
function validate(raw: Record<string, unknown>): void {
  if (!schemaValidator) throw new Error('no OpenAPI schema validator is installed: import functions/api-contracts/schema-validator.ts');
  try {
    schemaValidator(raw);
  } catch (error) {
    const details = (error as { details?: AjvError[] }).details;
    if (!Array.isArray(details) || details.length === 0)
      refuse('', `the document is not a valid OpenAPI document: ${(error as Error).message}`);
    throw new OpenApiDocumentError(toProblems(details));
  }
}

function toProblems(details: AjvError[]): DocumentProblem[] {
  const mapped: DocumentProblem[] = [];
  for (const detail of details) {
    const params = detail.params ?? {};
    if (detail.keyword === 'required' && params['missingProperty'] === '$ref') continue; // the Reference Object branch
    if (WRAPPER_KEYWORDS.has(detail.keyword)) continue;
    const pointer = detail.instancePath;
    if (detail.keyword === 'required')
      mapped.push({ pointer, message: `missing required property "${String(params['missingProperty'])}"` });
    else if (detail.keyword === 'additionalProperties' || detail.keyword === 'unevaluatedProperties') {
      const name = String(params['additionalProperty'] ?? params['unevaluatedProperty']);
      mapped.push({ pointer: child(pointer, name), message: `unexpected property "${name}"` });
    } else if (detail.keyword === 'enum' && Array.isArray(params['allowedValues'])) {
      mapped.push({ pointer, message: `must be one of ${params['allowedValues'].map((v) => JSON.stringify(v)).join(', ')}` });
    } else mapped.push({ pointer, message: detail.message ?? `fails the ${detail.keyword} rule of the OpenAPI schema` });
  }
  // Alternative forms (oneOf branches) fail one keyword each at the same place: say it once.
  const unique = new Map<string, DocumentProblem>();
  const required = new Map<string, string[]>();
  const allowed = new Map<string, unknown[]>();
  for (const problem of mapped) unique.set(`${problem.pointer}\u0000${problem.message}`, problem);
  for (const detail of details) {
    const params = detail.params ?? {};
    if (detail.keyword === 'required' && params['missingProperty'] !== '$ref') {
      const names = required.get(detail.instancePath) ?? [];
      names.push(String(params['missingProperty']));
      required.set(detail.instancePath, names);
    } else if (detail.keyword === 'enum' && Array.isArray(params['allowedValues'])) {
      allowed.set(detail.instancePath, [...(allowed.get(detail.instancePath) ?? []), ...params['allowedValues']]);
    }
  }
  for (const [pointer, names] of required) {
    if (names.length < 2) continue;
    for (const name of names) unique.delete(`${pointer}\u0000missing required property "${name}"`);
    const list = [...new Set(names)].map((name) => `"${name}"`);
    unique.set(`${pointer}\u0000required`, {
      pointer,
      message: `missing required property ${list.slice(0, -1).join(', ')} or ${list.at(-1)} (depending on its form)`,
    });
  }
  for (const [pointer, values] of allowed) {
    for (const key of [...unique.keys()]) if (key.startsWith(`${pointer}\u0000must be one of`)) unique.delete(key);
    unique.set(`${pointer}\u0000enum`, {
      pointer,
      message: `must be one of ${[...new Set(values.map((v) => JSON.stringify(v)))].join(', ')}`,
    });
  }
  const problems = [...unique.values()].sort((a, b) => (a.pointer < b.pointer ? -1 : a.pointer > b.pointer ? 1 : 0));
  if (problems.length === 0) {
    // Only wrapper failures: say where, in the schema's own words.
    const first = details[0];
    return [{ pointer: first?.instancePath ?? '', message: first?.message ?? 'does not match the OpenAPI schema' }];
  }
  return problems.slice(0, MAX_REPORTED);
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'string') return `a string (${JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value)})`;
  return `a ${typeof value} (${String(value)})`;
}
