// The catalogue of every change the diff can report: one rule per kind of change, with its level.
// Ids and levels follow oasdiff's checker where it has the same concept, so people who know oasdiff read
// these reports without a glossary. Schema rules are a matrix: what changed (the event) times where
// (a parameter, a body, a property, a header); the matrix is written once below, not rule by rule.
// Deliberate departures from oasdiff are marked "Steward:" where they are declared.

export type Level = 'error' | 'warning' | 'info';
/** What a change means for a change log and the SemVer bump: something new, a deprecation, or anything else. */
export type RuleKind = 'addition' | 'deprecation' | 'change';

export interface Rule {
  id: string;
  level: Level;
  kind: RuleKind;
  description: string;
}

/** What a schema comparison can find, and how bad it is when clients send (request) or read (response) it. */
interface SchemaEventSpec {
  request: Level | null;
  response: Level | null;
  /** The event lets more values through: in a request that is an addition, not a change. */
  widens?: true;
  /** Parameters are compared on value keywords only; structural events do not apply to them. */
  structural?: true;
  what: string;
}

export const SCHEMA_EVENTS = {
  'type-changed': { request: 'error', response: 'error', what: 'type or format changed incompatibly' },
  'type-generalized': { request: 'info', response: 'error', widens: true, what: 'type or format widened' },
  // A narrowed type in a request is reported as type-changed (oasdiff has no request "specialized" rule).
  'type-specialized': { request: null, response: 'info', what: 'type or format narrowed' },
  'became-enum': { request: 'error', response: null, what: 'restricted to a list of enum values' },
  // Steward: oasdiff reports a dropped enum in requests only; in a response it means unknown values may come.
  'became-not-enum': { request: 'info', response: 'warning', widens: true, what: 'no longer restricted to enum values' },
  'enum-value-removed': { request: 'error', response: 'info', what: 'enum value removed' },
  'enum-value-added': { request: 'info', response: 'warning', widens: true, what: 'enum value added' },
  'became-nullable': { request: 'info', response: 'error', widens: true, what: 'became nullable' },
  'became-not-nullable': { request: 'error', response: 'info', what: 'became not nullable' },
  'max-decreased': { request: 'error', response: null, what: 'maximum decreased' },
  'max-increased': { request: 'info', response: 'error', widens: true, what: 'maximum increased' },
  'max-set': { request: 'error', response: null, what: 'maximum set' },
  'max-unset': { request: 'info', response: 'error', widens: true, what: 'maximum removed' },
  'min-increased': { request: 'error', response: null, what: 'minimum increased' },
  'min-decreased': { request: 'info', response: 'error', widens: true, what: 'minimum decreased' },
  'min-set': { request: 'error', response: null, what: 'minimum set' },
  'min-unset': { request: 'info', response: 'error', widens: true, what: 'minimum removed' },
  'max-length-decreased': { request: 'error', response: null, what: 'maxLength decreased' },
  'max-length-increased': { request: 'info', response: 'error', widens: true, what: 'maxLength increased' },
  'max-length-set': { request: 'error', response: null, what: 'maxLength set' },
  'max-length-unset': { request: 'info', response: 'error', widens: true, what: 'maxLength removed' },
  'min-length-increased': { request: 'error', response: null, what: 'minLength increased' },
  'min-length-decreased': { request: 'info', response: 'error', widens: true, what: 'minLength decreased' },
  'max-items-decreased': { request: 'error', response: null, what: 'maxItems decreased' },
  'max-items-increased': { request: 'info', response: 'error', widens: true, what: 'maxItems increased' },
  'max-items-set': { request: 'error', response: null, what: 'maxItems set' },
  'max-items-unset': { request: 'info', response: 'error', widens: true, what: 'maxItems removed' },
  'min-items-increased': { request: 'error', response: null, what: 'minItems increased' },
  'min-items-decreased': { request: 'info', response: 'error', widens: true, what: 'minItems decreased' },
  'pattern-added': { request: 'error', response: 'info', what: 'pattern added' },
  'pattern-removed': { request: 'info', response: 'error', widens: true, what: 'pattern removed' },
  'pattern-changed': { request: 'warning', response: 'warning', what: 'pattern changed' },
  'default-value-added': { request: 'info', response: 'info', what: 'default value added' },
  'default-value-removed': { request: 'info', response: 'info', what: 'default value removed' },
  'default-value-changed': { request: 'info', response: 'info', what: 'default value changed' },
  // Steward: no oasdiff rule; closing an object rejects the extra properties clients may send.
  'additional-properties-narrowed': { request: 'error', response: 'info', structural: true, what: 'additional properties restricted' },
  'additional-properties-widened': {
    request: 'info',
    response: 'warning',
    widens: true,
    structural: true,
    what: 'additional properties allowed more widely',
  },
  'one-of-added': { request: 'info', response: 'error', widens: true, structural: true, what: 'oneOf alternative added' },
  'one-of-removed': { request: 'error', response: 'info', structural: true, what: 'oneOf alternative removed' },
  'any-of-added': { request: 'info', response: 'error', widens: true, structural: true, what: 'anyOf alternative added' },
  'any-of-removed': { request: 'error', response: 'info', structural: true, what: 'anyOf alternative removed' },
  'all-of-added': { request: 'error', response: 'info', structural: true, what: 'allOf member added' },
  'all-of-removed': { request: 'info', response: 'error', widens: true, structural: true, what: 'allOf member removed' },
  'discriminator-added': { request: 'info', response: 'info', structural: true, what: 'discriminator added' },
  'discriminator-removed': { request: 'info', response: 'info', structural: true, what: 'discriminator removed' },
  'discriminator-property-name-changed': {
    request: 'info',
    response: 'info',
    structural: true,
    what: 'discriminator property name changed',
  },
  'discriminator-mapping-added': { request: 'info', response: 'info', structural: true, what: 'discriminator mapping added' },
  'discriminator-mapping-deleted': { request: 'info', response: 'info', structural: true, what: 'discriminator mapping deleted' },
  'discriminator-mapping-changed': { request: 'info', response: 'info', structural: true, what: 'discriminator mapping changed' },
} as const satisfies Record<string, SchemaEventSpec>;

export type SchemaEventName = keyof typeof SCHEMA_EVENTS;

/** Where a schema event was seen; each subject is the prefix of its rule ids. */
export type SchemaSubject =
  | 'request-parameter'
  | 'request-parameter-property'
  | 'request-body'
  | 'request-property'
  | 'response-body'
  | 'response-property'
  | 'response-header';

const SUBJECT_NOUNS: Record<SchemaSubject, string> = {
  'request-parameter': 'Request parameter',
  'request-parameter-property': 'Property of an object request parameter',
  'request-body': 'Request body',
  'request-property': 'Request body property',
  'response-body': 'Response body',
  'response-property': 'Response body property',
  'response-header': 'Response header',
};

// Deep-object parameters and response headers are compared on their value type only (as oasdiff does).
const PARAMETER_PROPERTY_EVENTS: SchemaEventName[] = [
  'type-changed',
  'type-generalized',
  'enum-value-added',
  'enum-value-removed',
  'became-nullable',
  'became-not-nullable',
];
const HEADER_EVENTS: SchemaEventName[] = ['type-changed', 'type-generalized', 'type-specialized', 'became-nullable', 'became-not-nullable'];

// oasdiff spellings that do not follow the subject-event pattern, and its levels where they differ from the matrix.
const ID_OVERRIDES: Record<string, string> = { 'response-body|enum-value-removed': 'response-mediatype-enum-value-removed' };
// A deep-object parameter's property type change is a warning: some serialisations tolerate it.
const LEVEL_OVERRIDES: Record<string, Level> = { 'request-parameter-property-type-changed': 'warning' };

function rule(id: string, level: Level, description: string, kind: RuleKind = 'change'): Rule {
  return { id, level, kind, description };
}

// Property rules that are not "subject + event": existence and requiredness of object properties.
export const PROPERTY_RULES = {
  newRequiredRequestProperty: 'new-required-request-property',
  newRequiredRequestPropertyWithDefault: 'new-required-request-property-with-default',
  newOptionalRequestProperty: 'new-optional-request-property',
  requestPropertyRemoved: 'request-property-removed',
  requestPropertyBecameRequired: 'request-property-became-required',
  requestPropertyBecameOptional: 'request-property-became-optional',
  responseRequiredPropertyRemoved: 'response-required-property-removed',
  responseOptionalPropertyRemoved: 'response-optional-property-removed',
  responseRequiredPropertyAdded: 'response-required-property-added',
  responseOptionalPropertyAdded: 'response-optional-property-added',
  responsePropertyBecameRequired: 'response-property-became-required',
  responsePropertyBecameOptional: 'response-property-became-optional',
} as const;

const FIXED_RULES: Rule[] = [
  // Endpoints and their life cycle.
  rule('endpoint-added', 'info', 'An operation was added.', 'addition'),
  rule('api-path-removed-without-deprecation', 'error', 'A path was removed although its operation was not deprecated.'),
  // Steward: oasdiff is silent after the sunset date; we report the sanctioned removal as info under this id.
  rule('api-path-removed-with-deprecation', 'info', 'A path was removed after deprecation (no x-sunset, or its sunset date has passed).'),
  rule('api-path-removed-before-sunset', 'error', 'A path was removed before the x-sunset date of its deprecated operation.'),
  rule('api-path-sunset-parse', 'error', 'A path or operation was removed whose x-sunset is not a date (YYYY-MM-DD).'),
  rule('api-removed-without-deprecation', 'error', 'An operation was removed although it was not deprecated.'),
  rule('api-removed-with-deprecation', 'info', 'An operation was removed after deprecation (no x-sunset, or its sunset date has passed).'),
  rule('api-removed-before-sunset', 'error', 'An operation was removed before its x-sunset date.'),
  rule('endpoint-deprecated', 'info', 'An operation was deprecated.', 'deprecation'),
  rule('endpoint-deprecated-with-sunset', 'info', 'An operation was deprecated with an x-sunset date.', 'deprecation'),
  rule('endpoint-reactivated', 'info', 'A deprecated operation is no longer deprecated.'),
  rule('api-deprecated-sunset-missing', 'error', 'An operation was deprecated without the x-sunset date that the sunset policy requires.'),
  rule('api-deprecated-sunset-parse', 'error', 'A deprecated operation has an x-sunset that is not a date (YYYY-MM-DD).'),
  rule('api-sunset-date-too-small', 'error', 'An operation was deprecated with an x-sunset sooner than the sunset policy allows.'),
  rule('sunset-deleted', 'error', 'A deprecated operation lost its x-sunset date.'),
  rule('api-sunset-date-changed-too-small', 'error', 'The x-sunset date of a deprecated operation was moved earlier.'),
  rule('api-operation-id-removed', 'info', 'An operationId was removed or replaced (generated clients rename the method).'),
  rule('api-operation-id-added', 'info', 'An operationId was added.'),
  rule('api-tag-removed', 'info', 'A tag was removed from an operation.'),
  rule('api-tag-added', 'info', 'A tag was added to an operation.'),
  // Security: a requirement list is a set of alternatives, so removing one locks some clients out.
  rule('api-security-removed', 'error', "A security alternative was removed from an operation's requirements."),
  rule('api-security-added', 'info', "A security alternative was added to an operation's requirements.", 'addition'),
  rule('api-security-scope-added', 'error', "A scope was added to a scheme of an operation's security requirement."),
  rule('api-security-scope-removed', 'info', "A scope was removed from a scheme of an operation's security requirement."),
  rule('api-global-security-removed', 'error', 'A security alternative was removed from the global requirements.'),
  rule('api-global-security-added', 'info', 'A security alternative was added to the global requirements.', 'addition'),
  rule('api-global-security-scope-added', 'error', 'A scope was added to a scheme of a global security requirement.'),
  rule('api-global-security-scope-removed', 'info', 'A scope was removed from a scheme of a global security requirement.'),
  // Parameters (path, query, header, cookie).
  rule('request-parameter-removed', 'warning', 'A request parameter was removed; clients that still send it may be refused.'),
  rule('request-parameter-removed-with-deprecation', 'info', 'A deprecated request parameter was removed (no x-sunset, or after it).'),
  rule('request-parameter-removed-before-sunset', 'error', 'A deprecated request parameter was removed before its x-sunset date.'),
  rule('request-parameter-sunset-parse', 'error', 'A deprecated request parameter was removed whose x-sunset is not a date (YYYY-MM-DD).'),
  rule('new-required-request-parameter', 'error', 'A required request parameter was added.'),
  rule('new-optional-request-parameter', 'info', 'An optional request parameter was added.', 'addition'),
  rule('request-parameter-became-required', 'error', 'A request parameter became required.'),
  rule('request-parameter-became-optional', 'info', 'A request parameter became optional.', 'addition'),
  rule('request-parameter-deprecated', 'info', 'A request parameter was deprecated.', 'deprecation'),
  rule('request-parameter-reactivated', 'info', 'A deprecated request parameter is no longer deprecated.'),
  // Request bodies.
  rule('request-body-added-required', 'error', 'A required request body was added.'),
  rule('request-body-added-optional', 'info', 'An optional request body was added.', 'addition'),
  rule('request-body-removed', 'error', 'The request body was removed.'),
  rule('request-body-became-required', 'error', 'The request body became required.'),
  rule('request-body-became-optional', 'info', 'The request body became optional.', 'addition'),
  rule('request-body-media-type-added', 'info', 'A media type was added to the request body.', 'addition'),
  rule('request-body-media-type-removed', 'error', 'A media type was removed from the request body.'),
  // Responses.
  rule('response-success-status-removed', 'error', 'A success (2XX) response status was removed.'),
  rule('response-success-status-added', 'info', 'A success (2XX) response status was added.', 'addition'),
  rule('response-non-success-status-removed', 'info', 'A non-success response status was removed.'),
  rule('response-non-success-status-added', 'info', 'A non-success response status was added.'),
  rule('response-media-type-removed', 'error', 'A media type was removed from a response.'),
  rule('response-media-type-added', 'info', 'A media type was added to a response.', 'addition'),
  rule('required-response-header-removed', 'error', 'A required response header was removed.'),
  rule('optional-response-header-removed', 'warning', 'An optional response header was removed.'),
  rule('response-header-added', 'info', 'A response header was added.', 'addition'),
  rule('response-header-became-optional', 'error', 'A response header is no longer guaranteed (became optional).'),
  // Object properties: direction decides who must adapt.
  rule(PROPERTY_RULES.newRequiredRequestProperty, 'error', 'A required property was added to a request body.'),
  rule(PROPERTY_RULES.newRequiredRequestPropertyWithDefault, 'error', 'A required property with a default was added to a request body.'),
  rule(PROPERTY_RULES.newOptionalRequestProperty, 'info', 'An optional property was added to a request body.', 'addition'),
  rule(
    PROPERTY_RULES.requestPropertyRemoved,
    'warning',
    'A property was removed from a request body; clients that still send it may be refused.',
  ),
  rule(PROPERTY_RULES.requestPropertyBecameRequired, 'error', 'A request body property became required.'),
  rule(PROPERTY_RULES.requestPropertyBecameOptional, 'info', 'A request body property became optional.', 'addition'),
  rule(PROPERTY_RULES.responseRequiredPropertyRemoved, 'error', 'A required property was removed from a response body.'),
  // Steward: oasdiff says info; a client that reads the property now gets nothing, so we warn.
  rule(PROPERTY_RULES.responseOptionalPropertyRemoved, 'warning', 'An optional property was removed from a response body.'),
  rule(PROPERTY_RULES.responseRequiredPropertyAdded, 'info', 'A required property was added to a response body.', 'addition'),
  rule(PROPERTY_RULES.responseOptionalPropertyAdded, 'info', 'An optional property was added to a response body.', 'addition'),
  rule(PROPERTY_RULES.responsePropertyBecameRequired, 'info', 'A response body property became required (always present).'),
  rule(PROPERTY_RULES.responsePropertyBecameOptional, 'error', 'A response body property became optional (no longer always present).'),
  rule('request-required-property-became-read-only', 'info', 'A required request property became read-only.'),
  rule('request-optional-property-became-read-only', 'info', 'An optional request property became read-only.'),
  rule('request-required-property-became-not-read-only', 'info', 'A required request property is no longer read-only.'),
  rule('request-optional-property-became-not-read-only', 'info', 'An optional request property is no longer read-only.'),
  rule('response-required-property-became-write-only', 'info', 'A required response property became write-only.'),
  rule('response-optional-property-became-write-only', 'info', 'An optional response property became write-only.'),
  rule('response-required-property-became-not-write-only', 'warning', 'A required response property is no longer write-only.'),
  rule('response-optional-property-became-not-write-only', 'info', 'An optional response property is no longer write-only.'),
];

const SCHEMA_RULE_IDS = new Map<string, string>();

function schemaRules(): Rule[] {
  const out: Rule[] = [];
  const subjects: Array<[SchemaSubject, 'request' | 'response', (event: SchemaEventName) => boolean]> = [
    ['request-parameter', 'request', (event) => !('structural' in SCHEMA_EVENTS[event])],
    ['request-parameter-property', 'request', (event) => PARAMETER_PROPERTY_EVENTS.includes(event)],
    ['request-body', 'request', () => true],
    ['request-property', 'request', () => true],
    ['response-body', 'response', () => true],
    ['response-property', 'response', () => true],
    ['response-header', 'response', (event) => HEADER_EVENTS.includes(event)],
  ];
  for (const [subject, direction, applies] of subjects) {
    for (const [event, spec] of Object.entries(SCHEMA_EVENTS) as Array<[SchemaEventName, SchemaEventSpec]>) {
      const level = spec[direction];
      if (level === null || !applies(event)) continue;
      const id = ID_OVERRIDES[`${subject}|${event}`] ?? `${subject}-${event}`;
      SCHEMA_RULE_IDS.set(`${subject}|${event}`, id);
      const kind: RuleKind = direction === 'request' && spec.widens ? 'addition' : 'change';
      out.push(rule(id, LEVEL_OVERRIDES[id] ?? level, `${SUBJECT_NOUNS[subject]}: ${spec.what}.`, kind));
    }
  }
  return out;
}

/** Every rule, in a stable order: the fixed rules, then the schema matrix by subject. */
export const RULES: readonly Rule[] = Object.freeze([...FIXED_RULES, ...schemaRules()]);

const BY_ID = new Map(RULES.map((entry) => [entry.id, entry]));

export function getRule(id: string): Rule {
  const found = BY_ID.get(id);
  if (!found) throw new Error(`unknown rule ${id}`); // a programming error: every emitted id is declared above
  return found;
}

/**
 * The rule id for a schema event seen at a subject, or undefined when the event does not matter there
 * (for example a narrowed response, which no client can notice).
 */
export function schemaRuleId(subject: SchemaSubject, event: SchemaEventName): string | undefined {
  // A request type that narrows rejects values clients send: that is a type change for them.
  const effective = event === 'type-specialized' && subject.startsWith('request') ? 'type-changed' : event;
  return SCHEMA_RULE_IDS.get(`${subject}|${effective}`);
}
