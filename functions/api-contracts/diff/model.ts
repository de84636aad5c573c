// A normalised view of a dereferenced OpenAPI document: what a client can call and what it gets back,
// keyed so that two versions line up (operations by method and path shape, parameters by location and
// name, bodies by media type, responses by status). The diff compares models, never raw documents.

import { isObject, originOf } from './deref.ts';
import { child } from './pointer.ts';

export const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'] as const;
export type HttpMethod = (typeof METHODS)[number];

// Header parameters that OpenAPI says are ignored: they are described elsewhere (content, security).
const IGNORED_HEADERS = new Set(['accept', 'content-type', 'authorization']);

export type Schema = Record<string, unknown>;

export interface MediaTypeModel {
  mediaType: string;
  pointer: string;
  schema: Schema | undefined;
  schemaPointer: string;
}

export interface ParameterModel {
  /** `in:name` (header names lower-cased); path parameters are keyed by position: `path:#0`. */
  key: string;
  name: string;
  in: 'path' | 'query' | 'header' | 'cookie';
  required: boolean;
  deprecated: boolean;
  sunset: unknown;
  pointer: string;
  schema: Schema | undefined;
  schemaPointer: string;
}

export interface RequestBodyModel {
  required: boolean;
  pointer: string;
  content: Map<string, MediaTypeModel>;
}

export interface HeaderModel {
  name: string;
  required: boolean;
  pointer: string;
  schema: Schema | undefined;
  schemaPointer: string;
}

export interface ResponseModel {
  /** '200', '2XX' or 'default'. */
  status: string;
  pointer: string;
  content: Map<string, MediaTypeModel>;
  /** Keyed by lower-cased name. */
  headers: Map<string, HeaderModel>;
}

/** One alternative of a security requirement list: every scheme in it applies together. */
export interface SecurityRequirementModel {
  /** Scheme names sorted and joined with '+'; '' is anonymous access (an empty requirement). */
  key: string;
  schemes: Map<string, string[]>;
}

export interface SecurityModel {
  /** Alternatives; an absent or empty list is normalised to one anonymous alternative. */
  requirements: SecurityRequirementModel[];
  pointer: string;
  /** True when the document (or operation) states its own `security`. */
  declared: boolean;
}

export interface OperationModel {
  /** `GET /pets/{}`: the method and the path with parameter names erased, so renamed path parameters still match. */
  key: string;
  method: string;
  /** The path template as written, e.g. `/pets/{petId}`. */
  path: string;
  /** `GET /pets/{petId}`, for reports. */
  label: string;
  pointer: string;
  operationId: string | undefined;
  tags: string[];
  deprecated: boolean;
  sunset: unknown;
  parameters: Map<string, ParameterModel>;
  requestBody: RequestBodyModel | undefined;
  responses: Map<string, ResponseModel>;
  security: SecurityModel;
}

export interface ApiModel {
  version: '3.0' | '3.1';
  /** Normalised path → its template and pointer. */
  paths: Map<string, { template: string; pointer: string }>;
  operations: Map<string, OperationModel>;
  security: SecurityModel;
}

/** `/pets/{petId}` and `/pets/{id}` are the same path. */
export function normalisePath(template: string): string {
  return template.replace(/\{[^}/]*\}/g, '{}');
}

/** Where a node sits in the raw document: its $ref target if it came from one, else where it was reached. */
export function pointerOf(node: unknown, fallback: string): string {
  return originOf(node) ?? fallback;
}

export function buildModel(document: Record<string, unknown>): ApiModel {
  const version = typeof document['openapi'] === 'string' && document['openapi'].startsWith('3.1') ? '3.1' : '3.0';
  const security = securityModel(document['security'], '/security');
  const paths = new Map<string, { template: string; pointer: string }>();
  const operations = new Map<string, OperationModel>();
  const pathMap = isObject(document['paths']) ? document['paths'] : {};

  for (const [template, item] of Object.entries(pathMap)) {
    if (!template.startsWith('/') || !isObject(item)) continue;
    const normal = normalisePath(template);
    if (paths.has(normal)) continue; // an ambiguous duplicate: the first spelling wins
    const itemPointer = pointerOf(item, child('/paths', template));
    paths.set(normal, { template, pointer: itemPointer });
    const pathParameters = parameterList(item['parameters'], child(itemPointer, 'parameters'), template);

    for (const method of METHODS) {
      const operation = item[method];
      if (!isObject(operation)) continue;
      const pointer = pointerOf(operation, child(itemPointer, method));
      const parameters = new Map(pathParameters);
      for (const [key, parameter] of parameterList(operation['parameters'], child(pointer, 'parameters'), template))
        parameters.set(key, parameter);
      const ownSecurity = operation['security'];
      const upper = method.toUpperCase();
      operations.set(`${upper} ${normal}`, {
        key: `${upper} ${normal}`,
        method: upper,
        path: template,
        label: `${upper} ${template}`,
        pointer,
        operationId: typeof operation['operationId'] === 'string' ? operation['operationId'] : undefined,
        tags: Array.isArray(operation['tags']) ? operation['tags'].filter((tag): tag is string => typeof tag === 'string') : [],
        deprecated: operation['deprecated'] === true,
        sunset: operation['x-sunset'],
        parameters,
        requestBody: requestBodyModel(operation['requestBody'], child(pointer, 'requestBody')),
        responses: responsesModel(operation['responses'], child(pointer, 'responses')),
        security: Array.isArray(ownSecurity) ? securityModel(ownSecurity, child(pointer, 'security')) : security,
      });
    }
  }
  return { version, paths, operations, security };
}

function parameterList(list: unknown, pointer: string, template: string): Map<string, ParameterModel> {
  const out = new Map<string, ParameterModel>();
  if (!Array.isArray(list)) return out;
  const pathNames = [...template.matchAll(/\{([^}/]*)\}/g)].map((match) => match[1]);
  list.forEach((parameter, index) => {
    if (!isObject(parameter) || typeof parameter['name'] !== 'string') return;
    const location = parameter['in'];
    if (location !== 'path' && location !== 'query' && location !== 'header' && location !== 'cookie') return;
    const name = parameter['name'];
    if (location === 'header' && IGNORED_HEADERS.has(name.toLowerCase())) return;
    const position = location === 'path' ? pathNames.indexOf(name) : -1;
    const key =
      location === 'path' && position >= 0 ? `path:#${position}` : `${location}:${location === 'header' ? name.toLowerCase() : name}`;
    const at = pointerOf(parameter, child(pointer, index));
    const { schema, schemaPointer } = parameterSchema(parameter, at);
    out.set(key, {
      key,
      name,
      in: location,
      required: location === 'path' || parameter['required'] === true,
      deprecated: parameter['deprecated'] === true,
      sunset: parameter['x-sunset'],
      pointer: at,
      schema,
      schemaPointer,
    });
  });
  return out;
}

/** A parameter's schema, or the schema of its single `content` entry. */
function parameterSchema(holder: Record<string, unknown>, pointer: string): { schema: Schema | undefined; schemaPointer: string } {
  if (isObject(holder['schema'])) return { schema: holder['schema'], schemaPointer: pointerOf(holder['schema'], child(pointer, 'schema')) };
  const content = holder['content'];
  if (isObject(content)) {
    for (const [mediaType, media] of Object.entries(content)) {
      if (isObject(media) && isObject(media['schema'])) {
        return { schema: media['schema'], schemaPointer: pointerOf(media['schema'], child(pointer, 'content', mediaType, 'schema')) };
      }
    }
  }
  return { schema: undefined, schemaPointer: child(pointer, 'schema') };
}

function contentModel(content: unknown, pointer: string): Map<string, MediaTypeModel> {
  const out = new Map<string, MediaTypeModel>();
  if (!isObject(content)) return out;
  for (const [mediaType, media] of Object.entries(content)) {
    if (!isObject(media)) continue;
    const at = pointerOf(media, child(pointer, mediaType));
    const schema = isObject(media['schema']) ? media['schema'] : undefined;
    out.set(mediaType.toLowerCase(), { mediaType, pointer: at, schema, schemaPointer: pointerOf(schema, child(at, 'schema')) });
  }
  return out;
}

function requestBodyModel(body: unknown, pointer: string): RequestBodyModel | undefined {
  if (!isObject(body)) return undefined;
  const at = pointerOf(body, pointer);
  return { required: body['required'] === true, pointer: at, content: contentModel(body['content'], child(at, 'content')) };
}

function responsesModel(responses: unknown, pointer: string): Map<string, ResponseModel> {
  const out = new Map<string, ResponseModel>();
  if (!isObject(responses)) return out;
  for (const [code, response] of Object.entries(responses)) {
    if (!isObject(response) || code.startsWith('x-')) continue;
    const status = code.toUpperCase() === 'DEFAULT' ? 'default' : code.toUpperCase();
    const at = pointerOf(response, child(pointer, code));
    const headers = new Map<string, HeaderModel>();
    if (isObject(response['headers'])) {
      for (const [name, header] of Object.entries(response['headers'])) {
        if (!isObject(header) || name.toLowerCase() === 'content-type') continue;
        const headerPointer = pointerOf(header, child(at, 'headers', name));
        const { schema, schemaPointer } = parameterSchema(header, headerPointer);
        headers.set(name.toLowerCase(), { name, required: header['required'] === true, pointer: headerPointer, schema, schemaPointer });
      }
    }
    out.set(status, { status, pointer: at, content: contentModel(response['content'], child(at, 'content')), headers });
  }
  return out;
}

function securityModel(list: unknown, pointer: string): SecurityModel {
  const requirements: SecurityRequirementModel[] = [];
  if (Array.isArray(list)) {
    for (const requirement of list) {
      if (!isObject(requirement)) continue;
      const schemes = new Map<string, string[]>();
      for (const name of Object.keys(requirement).sort()) {
        const scopes = requirement[name];
        schemes.set(name, Array.isArray(scopes) ? scopes.filter((scope): scope is string => typeof scope === 'string') : []);
      }
      const key = [...schemes.keys()].join('+');
      if (!requirements.some((existing) => existing.key === key)) requirements.push({ key, schemes });
    }
  }
  if (requirements.length === 0) requirements.push({ key: '', schemes: new Map() });
  return { requirements, pointer, declared: Array.isArray(list) };
}

/** 2XX and 2xx codes are successes; everything else (1XX, 3XX, errors, default) is not. */
export function isSuccessStatus(status: string): boolean {
  return /^2(\d\d|XX)$/.test(status);
}
