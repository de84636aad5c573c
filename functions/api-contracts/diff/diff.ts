// Compares two versions of an API contract and says what the revision breaks, adds or changes, operation by
// operation, with the SemVer bump the changes require. Pure: the caller passes the time ("now") used to judge
// sunset dates, and nothing is read or fetched.

import { isObject, dereference } from './deref.ts';
import { OpenApiDiffError, OpenApiDocumentError } from './errors.ts';
import type { LoadedOpenApiDocument } from './load.ts';
import {
  type ApiModel,
  buildModel,
  isSuccessStatus,
  type MediaTypeModel,
  type OperationModel,
  type ParameterModel,
  type SecurityModel,
} from './model.ts';
import { getRule, type Level, PROPERTY_RULES, SCHEMA_EVENTS, type SchemaSubject, schemaRuleId } from './rules.ts';
import { type Direction, type SchemaChange, SchemaDiffer } from './schema-diff.ts';
import { addDays, dayOf, formatDay, parseSunset } from './sunset.ts';

export type Bump = 'major' | 'minor' | 'patch';

export interface DiffOptions {
  /** The moment the diff is judged at: decides whether a sunset date has passed. */
  now: Date;
  /**
   * Minimum deprecation window in days (default 0). When above 0, a newly deprecated operation must carry an
   * x-sunset at least this many days after `now` (api-sunset-date-too-small), and one without x-sunset is an
   * error (api-deprecated-sunset-missing).
   */
  defaultSunsetDays?: number;
}

export interface Change {
  id: string;
  level: Level;
  /** `GET /pets/{id}` (the revision's path template; the base's for removals); null for API-wide changes. */
  operation: string | null;
  path: string | null;
  /** JSON pointer into the revision, or into the base for what was removed. */
  pointer: string;
  text: string;
}

export interface DiffReport {
  compatible: boolean;
  requiredBump: Bump;
  changes: Change[];
  summary: { error: number; warning: number; info: number };
}

/** A loaded document, or a plain document object (its internal $refs are resolved here). */
export type OpenApiInput = LoadedOpenApiDocument | Record<string, unknown>;

type Site =
  | { kind: 'parameter'; parameter: ParameterModel }
  | { kind: 'request-body'; media: string }
  | { kind: 'response-body'; status: string; media: string }
  | { kind: 'response-header'; status: string; name: string };

export function diffOpenApi(base: OpenApiInput, revision: OpenApiInput, options: DiffOptions): DiffReport {
  if (!isObject(options) || !(options.now instanceof Date) || Number.isNaN(options.now.getTime())) {
    throw new OpenApiDiffError('options.now must be a valid Date: the diff judges sunset dates against it');
  }
  const minDays = options.defaultSunsetDays ?? 0;
  if (typeof minDays !== 'number' || !Number.isFinite(minDays) || minDays < 0) {
    throw new OpenApiDiffError('options.defaultSunsetDays must be a number of days, 0 or more');
  }
  const differ = new Differ(modelOf(base, 'base'), modelOf(revision, 'revision'), dayOf(options.now), minDays);
  return differ.run();
}

function modelOf(input: OpenApiInput, which: string): ApiModel {
  if (!isObject(input)) throw new OpenApiDiffError(`the ${which} document must be an object (a loaded document or an OpenAPI object)`);
  if (isObject(input['document']) && typeof input['digest'] === 'string') return buildModel(input['document']);
  if (typeof input['openapi'] !== 'string')
    throw new OpenApiDiffError(`the ${which} document has no openapi field: is it an OpenAPI 3 document?`);
  const { document, problems } = dereference(input);
  if (problems.length > 0) throw new OpenApiDocumentError(problems);
  return buildModel(document);
}

/** Which bump a set of changes needs: errors break clients; additions, deprecations and warnings are minor. */
export function requiredBumpOf(changes: readonly Pick<Change, 'id' | 'level'>[]): Bump {
  if (changes.some((change) => change.level === 'error')) return 'major';
  if (changes.some((change) => change.level === 'warning' || getRule(change.id).kind !== 'change')) return 'minor';
  return 'patch';
}

class Differ {
  private readonly changes: Change[] = [];
  private readonly schemas = new SchemaDiffer();

  private readonly base: ApiModel;
  private readonly revision: ApiModel;
  private readonly today: number;
  private readonly minDays: number;

  constructor(base: ApiModel, revision: ApiModel, today: number, minDays: number) {
    this.base = base;
    this.revision = revision;
    this.today = today;
    this.minDays = minDays;
  }

  run(): DiffReport {
    this.compareSecurity(this.base.security, this.revision.security, null, 'global');
    for (const [key, before] of this.base.operations) {
      const after = this.revision.operations.get(key);
      if (after) this.compareOperation(before, after);
      else this.removed(before, !this.revision.paths.has(key.slice(key.indexOf(' ') + 1)));
    }
    for (const [key, after] of this.revision.operations) {
      if (!this.base.operations.has(key)) this.emit('endpoint-added', after, after.pointer, `Added ${after.label}`);
    }

    const unique = new Map<string, Change>();
    for (const change of this.changes)
      unique.set(`${change.id}\u0000${change.operation}\u0000${change.pointer}\u0000${change.text}`, change);
    const changes = [...unique.values()].sort(compareChanges);
    const summary = { error: 0, warning: 0, info: 0 };
    for (const change of changes) summary[change.level] += 1;
    return { compatible: summary.error === 0, requiredBump: requiredBumpOf(changes), changes, summary };
  }

  private emit(id: string, operation: OperationModel | null, pointer: string, text: string): void {
    const rule = getRule(id);
    this.changes.push({ id, level: rule.level, operation: operation?.label ?? null, path: operation?.path ?? null, pointer, text });
  }

  private removed(operation: OperationModel, wholePath: boolean): void {
    const sunset = parseSunset(operation.sunset);
    const what = wholePath ? `Removed path ${operation.path} with ${operation.label}` : `Removed ${operation.label}`;
    const prefix = wholePath ? 'api-path-removed' : 'api-removed';
    if (!operation.deprecated) {
      this.emit(`${prefix}-without-deprecation`, operation, operation.pointer, `${what} without deprecating it first`);
      return;
    }
    if (sunset.kind === 'invalid') {
      this.emit('api-path-sunset-parse', operation, operation.pointer, `${what}, whose x-sunset ${sunset.raw} is not a date (YYYY-MM-DD)`);
      return;
    }
    if (sunset.kind === 'none') {
      this.emit(`${prefix}-with-deprecation`, operation, operation.pointer, `${what}, deprecated (no x-sunset)`);
      return;
    }
    if (this.today < sunset.day) {
      this.emit(`${prefix}-before-sunset`, operation, operation.pointer, `${what} before its sunset date ${sunset.text}`);
      return;
    }
    this.emit(`${prefix}-with-deprecation`, operation, operation.pointer, `${what}, deprecated, after its sunset date ${sunset.text}`);
  }

  private compareOperation(before: OperationModel, after: OperationModel): void {
    this.compareDeprecation(before, after);
    if (before.operationId !== undefined && before.operationId !== after.operationId) {
      const replaced = after.operationId === undefined ? 'removed' : `replaced with ${JSON.stringify(after.operationId)}`;
      this.emit('api-operation-id-removed', after, after.pointer, `operationId ${JSON.stringify(before.operationId)} ${replaced}`);
    } else if (before.operationId === undefined && after.operationId !== undefined) {
      this.emit('api-operation-id-added', after, after.pointer, `operationId ${JSON.stringify(after.operationId)} added`);
    }
    for (const tag of before.tags)
      if (!after.tags.includes(tag)) this.emit('api-tag-removed', after, after.pointer, `Tag ${JSON.stringify(tag)} removed`);
    for (const tag of after.tags)
      if (!before.tags.includes(tag)) this.emit('api-tag-added', after, after.pointer, `Tag ${JSON.stringify(tag)} added`);
    // An operation that inherits the global requirements in both versions is covered by the global comparison.
    if (before.security.declared || after.security.declared) this.compareSecurity(before.security, after.security, after, 'operation');
    this.compareParameters(before, after);
    this.compareRequestBody(before, after);
    this.compareResponses(before, after);
  }

  private compareDeprecation(before: OperationModel, after: OperationModel): void {
    const was = parseSunset(before.sunset);
    const is = parseSunset(after.sunset);
    const at = after.pointer;
    if (!before.deprecated && after.deprecated) {
      const earliest = addDays(this.today, this.minDays);
      if (is.kind === 'invalid')
        this.emit('api-deprecated-sunset-parse', after, at, `Deprecated with x-sunset ${is.raw}, which is not a date (YYYY-MM-DD)`);
      else if (is.kind === 'none' && this.minDays > 0) {
        this.emit(
          'api-deprecated-sunset-missing',
          after,
          at,
          `Deprecated without an x-sunset date (at least ${this.minDays} days ahead is required)`,
        );
      } else if (is.kind === 'none') this.emit('endpoint-deprecated', after, at, 'Deprecated');
      else if (is.day < earliest) {
        this.emit(
          'api-sunset-date-too-small',
          after,
          at,
          `Deprecated with sunset date ${is.text}, earlier than the allowed ${formatDay(earliest)}`,
        );
      } else this.emit('endpoint-deprecated-with-sunset', after, at, `Deprecated with sunset date ${is.text}`);
    } else if (before.deprecated && !after.deprecated) {
      this.emit('endpoint-reactivated', after, at, 'No longer deprecated');
    } else if (before.deprecated && after.deprecated) {
      if (was.kind === 'date' && is.kind === 'none')
        this.emit('sunset-deleted', after, at, `Sunset date ${was.text} removed while still deprecated`);
      else if (is.kind === 'invalid' && was.kind !== 'invalid') {
        this.emit('api-deprecated-sunset-parse', after, at, `x-sunset changed to ${is.raw}, which is not a date (YYYY-MM-DD)`);
      } else if (was.kind === 'date' && is.kind === 'date' && is.day < was.day) {
        this.emit('api-sunset-date-changed-too-small', after, at, `Sunset date moved earlier, from ${was.text} to ${is.text}`);
      }
    }
  }

  private compareSecurity(
    before: SecurityModel,
    after: SecurityModel,
    operation: OperationModel | null,
    scope: 'global' | 'operation',
  ): void {
    const prefix = scope === 'global' ? 'api-global-security' : 'api-security';
    const where = scope === 'global' ? 'global security' : 'security';
    // Once anonymous access is allowed, no client can be locked out by a lost alternative or a new scope.
    const open = after.requirements.some((requirement) => requirement.key === '');
    for (const requirement of before.requirements) {
      const match = after.requirements.find((candidate) => candidate.key === requirement.key);
      if (!match && open) continue;
      if (!match) {
        this.emit(
          `${prefix}-removed`,
          operation,
          before.pointer,
          `Removed ${describeRequirement(requirement.key)} from the ${where} requirements`,
        );
        continue;
      }
      for (const [scheme, scopes] of requirement.schemes) {
        const now = match.schemes.get(scheme) ?? [];
        for (const scope of now) {
          if (!scopes.includes(scope) && !open)
            this.emit(
              `${prefix}-scope-added`,
              operation,
              after.pointer,
              `Scope ${JSON.stringify(scope)} now required for scheme ${JSON.stringify(scheme)}`,
            );
        }
        for (const scope of scopes) {
          if (!now.includes(scope))
            this.emit(
              `${prefix}-scope-removed`,
              operation,
              after.pointer,
              `Scope ${JSON.stringify(scope)} no longer required for scheme ${JSON.stringify(scheme)}`,
            );
        }
      }
    }
    for (const requirement of after.requirements) {
      if (!before.requirements.some((candidate) => candidate.key === requirement.key)) {
        this.emit(
          `${prefix}-added`,
          operation,
          after.pointer,
          `Added ${describeRequirement(requirement.key)} to the ${where} requirements`,
        );
      }
    }
  }

  private compareParameters(before: OperationModel, after: OperationModel): void {
    for (const [key, was] of before.parameters) {
      const is = after.parameters.get(key);
      const label = `${was.in} parameter ${JSON.stringify(was.name)}`;
      if (!is) {
        this.parameterRemoved(after, was, label);
        continue;
      }
      const now = `${is.in} parameter ${JSON.stringify(is.name)}`;
      if (!was.required && is.required)
        this.emit('request-parameter-became-required', after, is.pointer, `${capitalise(now)} became required`);
      if (was.required && !is.required)
        this.emit('request-parameter-became-optional', after, is.pointer, `${capitalise(now)} became optional`);
      if (!was.deprecated && is.deprecated) this.emit('request-parameter-deprecated', after, is.pointer, `${capitalise(now)} deprecated`);
      if (was.deprecated && !is.deprecated)
        this.emit('request-parameter-reactivated', after, is.pointer, `${capitalise(now)} no longer deprecated`);
      if (was.schema && is.schema) {
        const changes = this.schemas.diff(was.schema, is.schema, 'request', was.schemaPointer, is.schemaPointer);
        this.schemaChanges(after, { kind: 'parameter', parameter: is }, 'request', changes);
      }
    }
    for (const [key, is] of after.parameters) {
      if (before.parameters.has(key)) continue;
      const label = `${is.in} parameter ${JSON.stringify(is.name)}`;
      if (is.required) this.emit('new-required-request-parameter', after, is.pointer, `Added the required ${label}`);
      else this.emit('new-optional-request-parameter', after, is.pointer, `Added the optional ${label}`);
    }
  }

  private parameterRemoved(operation: OperationModel, parameter: ParameterModel, label: string): void {
    const sunset = parseSunset(parameter.sunset);
    if (!parameter.deprecated) {
      this.emit('request-parameter-removed', operation, parameter.pointer, `Removed the ${label}`);
      return;
    }
    if (sunset.kind === 'invalid') {
      this.emit(
        'request-parameter-sunset-parse',
        operation,
        parameter.pointer,
        `Removed the ${label}, whose x-sunset ${sunset.raw} is not a date`,
      );
      return;
    }
    if (sunset.kind === 'date' && this.today < sunset.day) {
      this.emit(
        'request-parameter-removed-before-sunset',
        operation,
        parameter.pointer,
        `Removed the ${label} before its sunset date ${sunset.text}`,
      );
      return;
    }
    this.emit('request-parameter-removed-with-deprecation', operation, parameter.pointer, `Removed the deprecated ${label}`);
  }

  private compareRequestBody(before: OperationModel, after: OperationModel): void {
    const was = before.requestBody;
    const is = after.requestBody;
    if (!was && !is) return;
    if (was && !is) {
      this.emit('request-body-removed', after, was.pointer, 'Removed the request body');
      return;
    }
    if (!was && is) {
      if (is.required) {
        this.emit('request-body-added-required', after, is.pointer, 'Added a required request body');
        return;
      }
      this.emit('request-body-added-optional', after, is.pointer, 'Added an optional request body');
      return;
    }
    if (!was || !is) return;
    if (!was.required && is.required) this.emit('request-body-became-required', after, is.pointer, 'The request body became required');
    if (was.required && !is.required) this.emit('request-body-became-optional', after, is.pointer, 'The request body became optional');
    this.compareContent(was.content, is.content, after, {
      removed: (media) =>
        this.emit('request-body-media-type-removed', after, media.pointer, `Removed the request media type ${media.mediaType}`),
      added: (media) => this.emit('request-body-media-type-added', after, media.pointer, `Added the request media type ${media.mediaType}`),
      site: (media) => ({ kind: 'request-body', media }),
      direction: 'request',
    });
  }

  private compareResponses(before: OperationModel, after: OperationModel): void {
    for (const [status, was] of before.responses) {
      const is = after.responses.get(status);
      const success = isSuccessStatus(status);
      if (!is) {
        const id = success ? 'response-success-status-removed' : 'response-non-success-status-removed';
        this.emit(id, after, was.pointer, `Removed the ${success ? 'success' : 'non-success'} response ${status}`);
        continue;
      }
      this.compareContent(was.content, is.content, after, {
        removed: (media) =>
          this.emit('response-media-type-removed', after, media.pointer, `Removed the media type ${media.mediaType} of response ${status}`),
        added: (media) =>
          this.emit('response-media-type-added', after, media.pointer, `Added the media type ${media.mediaType} to response ${status}`),
        site: (media) => ({ kind: 'response-body', status, media }),
        direction: 'response',
      });
      for (const [name, header] of was.headers) {
        const now = is.headers.get(name);
        const label = `response header ${JSON.stringify(header.name)} of response ${status}`;
        if (!now) {
          const id = header.required ? 'required-response-header-removed' : 'optional-response-header-removed';
          this.emit(id, after, header.pointer, `Removed the ${header.required ? 'required' : 'optional'} ${label}`);
          continue;
        }
        if (header.required && !now.required)
          this.emit('response-header-became-optional', after, now.pointer, `${capitalise(label)} became optional`);
        if (header.schema && now.schema) {
          const changes = this.schemas.diff(header.schema, now.schema, 'response', header.schemaPointer, now.schemaPointer);
          this.schemaChanges(after, { kind: 'response-header', status, name: now.name }, 'response', changes);
        }
      }
      for (const [name, header] of is.headers) {
        if (!was.headers.has(name))
          this.emit(
            'response-header-added',
            after,
            header.pointer,
            `Added the response header ${JSON.stringify(header.name)} to response ${status}`,
          );
      }
    }
    for (const [status, is] of after.responses) {
      if (before.responses.has(status)) continue;
      const success = isSuccessStatus(status);
      const id = success ? 'response-success-status-added' : 'response-non-success-status-added';
      this.emit(id, after, is.pointer, `Added the ${success ? 'success' : 'non-success'} response ${status}`);
    }
  }

  private compareContent(
    before: Map<string, MediaTypeModel>,
    after: Map<string, MediaTypeModel>,
    operation: OperationModel,
    handlers: {
      removed: (media: MediaTypeModel) => void;
      added: (media: MediaTypeModel) => void;
      site: (media: string) => Site;
      direction: Direction;
    },
  ): void {
    for (const [key, was] of before) {
      const is = after.get(key);
      if (!is) {
        handlers.removed(was);
        continue;
      }
      if (!was.schema || !is.schema) continue;
      const changes = this.schemas.diff(was.schema, is.schema, handlers.direction, was.schemaPointer, is.schemaPointer);
      this.schemaChanges(operation, handlers.site(is.mediaType), handlers.direction, changes);
    }
    for (const [key, is] of after) if (!before.has(key)) handlers.added(is);
  }

  private schemaChanges(operation: OperationModel, site: Site, direction: Direction, changes: SchemaChange[]): void {
    for (const change of changes) {
      if (change.event.startsWith('property-')) {
        if (site.kind !== 'request-body' && site.kind !== 'response-body') continue; // parameters and headers: value types only
        const id = propertyRuleId(direction, change);
        this.emit(id, operation, change.pointer, `${capitalise(subjectText(site, change.path))}: ${propertyPhrase(change)}`);
        continue;
      }
      const event = change.event as keyof typeof SCHEMA_EVENTS;
      const subject = subjectOf(site, change.path);
      const id = subject && schemaRuleId(subject, event);
      if (!id) continue; // not visible to clients in this direction (a narrowed response, say)
      const detail = change.detail === '' ? '' : ` ${change.detail}`;
      this.emit(id, operation, change.pointer, `${capitalise(subjectText(site, change.path))}: ${SCHEMA_EVENTS[event].what}${detail}`);
    }
  }
}

function subjectOf(site: Site, path: string[]): SchemaSubject | undefined {
  switch (site.kind) {
    case 'parameter':
      // An array parameter's items are still the parameter's values.
      return path.every((segment) => segment === 'items') ? 'request-parameter' : 'request-parameter-property';
    case 'request-body':
      return path.length === 0 ? 'request-body' : 'request-property';
    case 'response-body':
      return path.length === 0 ? 'response-body' : 'response-property';
    case 'response-header':
      return path.length === 0 ? 'response-header' : undefined;
  }
}

function subjectText(site: Site, path: string[]): string {
  const property = path.join('/');
  switch (site.kind) {
    case 'parameter': {
      const label = `${site.parameter.in} parameter ${JSON.stringify(site.parameter.name)}`;
      if (path.every((segment) => segment === 'items')) return path.length === 0 ? label : `${label} (${property})`;
      return `property ${JSON.stringify(property)} of the ${label}`;
    }
    case 'request-body':
      return path.length === 0 ? `request body (${site.media})` : `request property ${JSON.stringify(property)} (${site.media})`;
    case 'response-body':
      return path.length === 0
        ? `response body of ${site.status} (${site.media})`
        : `response property ${JSON.stringify(property)} of ${site.status} (${site.media})`;
    case 'response-header':
      return `response header ${JSON.stringify(site.name)} of ${site.status}`;
  }
}

function propertyRuleId(direction: Direction, change: SchemaChange): string {
  const required = change.required === true;
  const request = direction === 'request';
  switch (change.event) {
    case 'property-added':
      if (request) {
        if (!required) return PROPERTY_RULES.newOptionalRequestProperty;
        return change.hasDefault ? PROPERTY_RULES.newRequiredRequestPropertyWithDefault : PROPERTY_RULES.newRequiredRequestProperty;
      }
      return required ? PROPERTY_RULES.responseRequiredPropertyAdded : PROPERTY_RULES.responseOptionalPropertyAdded;
    case 'property-removed':
      if (request) return PROPERTY_RULES.requestPropertyRemoved;
      return required ? PROPERTY_RULES.responseRequiredPropertyRemoved : PROPERTY_RULES.responseOptionalPropertyRemoved;
    case 'property-became-required':
      return request ? PROPERTY_RULES.requestPropertyBecameRequired : PROPERTY_RULES.responsePropertyBecameRequired;
    case 'property-became-optional':
      return request ? PROPERTY_RULES.requestPropertyBecameOptional : PROPERTY_RULES.responsePropertyBecameOptional;
    default: {
      // Mutability flips: property-became-read-only → request-required-property-became-read-only, and so on.
      const flip = change.event.slice('property-'.length);
      return `${direction}-${required ? 'required' : 'optional'}-property-${flip}`;
    }
  }
}

function propertyPhrase(change: SchemaChange): string {
  switch (change.event) {
    case 'property-added':
      return `added (${change.required ? 'required' : 'optional'}${change.hasDefault ? ', with a default' : ''})`;
    case 'property-removed':
      return change.required ? 'removed (it was required)' : 'removed';
    default:
      return change.event.slice('property-'.length).replaceAll('-', ' ');
  }
}

function describeRequirement(key: string): string {
  return key === '' ? 'anonymous access (no security)' : `the security requirement ${key.split('+').join(' + ')}`;
}

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

const METHOD_ORDER = ['GET', 'PUT', 'POST', 'DELETE', 'OPTIONS', 'HEAD', 'PATCH', 'TRACE'];

function compareChanges(a: Change, b: Change): number {
  return (
    compareText(a.path ?? '', b.path ?? '') ||
    METHOD_ORDER.indexOf(methodOf(a)) - METHOD_ORDER.indexOf(methodOf(b)) ||
    compareText(a.pointer, b.pointer) ||
    compareText(a.id, b.id) ||
    compareText(a.text, b.text)
  );
}

function methodOf(change: Change): string {
  return change.operation?.slice(0, change.operation.indexOf(' ')) ?? '';
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
