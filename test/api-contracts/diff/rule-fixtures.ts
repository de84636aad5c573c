// One trigger and one near miss for every rule outside the schema matrix: endpoints, deprecation and sunset,
// security, parameters, bodies, responses, headers and object properties.

import {
  api,
  type Doc,
  getA,
  json,
  type Level,
  object,
  ok,
  REQUEST_SCHEMA,
  RESPONSE_SCHEMA,
  type RuleFixture,
  requestBody,
  responseBody,
} from './fixtures.ts';

const fixture = (
  id: string,
  level: Level,
  operation: string | null,
  pointer: string,
  base: Doc,
  revision: Doc,
  nearMiss: RuleFixture['nearMiss'],
  defaultSunsetDays?: number,
): RuleFixture => ({ id, level, operation, pointer, base, revision, nearMiss, ...(defaultSunsetDays ? { defaultSunsetDays } : {}) });

const get = (fields: Doc = {}) => ({ responses: { '200': ok }, ...fields });
const twoPaths = (b: Doc) => api({ '/a': { get: get() }, '/b': { get: get(b) } });
const onlyA = api({ '/a': { get: get() } });
const aWithPost = (post: Doc) => api({ '/a': { get: get(), post: get(post) } });
const onlyGetA = api({ '/a': { get: get() } });
const query = (fields: Doc = {}) => getA({ parameters: [{ name: 'q', in: 'query', schema: { type: 'string' }, ...fields }] });
const secured = (security: unknown) => getA({ security });
const global = (security: unknown) => getA({}, { security });
const post = (fields: Doc) => api({ '/a': { post: { responses: { '200': ok }, ...fields } } });
const body = (required: boolean, content: Doc = json({ type: 'string' })) => post({ requestBody: { required, content } });
const statuses = (...codes: string[]) => getA({ responses: Object.fromEntries(codes.map((code) => [code, ok])) });
const media = (...types: string[]) =>
  getA({ responses: { '200': { description: 'ok', content: Object.fromEntries(types.map((t) => [t, { schema: { type: 'string' } }])) } } });
const header = (name: string | null, required = false) =>
  getA({ responses: { '200': { description: 'ok', ...(name ? { headers: { [name]: { required, schema: { type: 'string' } } } } : {}) } } });
const str = { type: 'string' };

export const FIXED_RULE_FIXTURES: RuleFixture[] = [
  // Endpoints and their life cycle (now is 2025-06-01).
  fixture(
    'endpoint-added',
    'info',
    'GET /b',
    '/paths/~1b/get',
    api({ '/a/{x}': { get: get({ parameters: [{ name: 'x', in: 'path', required: true, schema: str }] }) } }),
    api({ '/a/{x}': { get: get({ parameters: [{ name: 'x', in: 'path', required: true, schema: str }] }) }, '/b': { get: get() } }),
    { revision: api({ '/a/{y}': { get: get({ parameters: [{ name: 'y', in: 'path', required: true, schema: str }] }) } }) },
  ),
  fixture('api-path-removed-without-deprecation', 'error', 'GET /b', '/paths/~1b/get', twoPaths({}), onlyA, {
    base: twoPaths({ deprecated: true }),
    revision: onlyA,
  }),
  fixture(
    'api-path-removed-with-deprecation',
    'info',
    'GET /b',
    '/paths/~1b/get',
    twoPaths({ deprecated: true, 'x-sunset': '2025-01-01' }),
    onlyA,
    {
      base: twoPaths({ deprecated: true, 'x-sunset': '2099-01-01' }),
      revision: onlyA,
    },
  ),
  fixture(
    'api-path-removed-before-sunset',
    'error',
    'GET /b',
    '/paths/~1b/get',
    twoPaths({ deprecated: true, 'x-sunset': '2099-01-01' }),
    onlyA,
    {
      base: twoPaths({ deprecated: true, 'x-sunset': '2025-06-01' }),
      revision: onlyA,
    },
  ),
  fixture('api-path-sunset-parse', 'error', 'GET /b', '/paths/~1b/get', twoPaths({ deprecated: true, 'x-sunset': 'soon' }), onlyA, {
    base: twoPaths({ deprecated: true, 'x-sunset': '2020-01-01' }),
    revision: onlyA,
  }),
  fixture('api-removed-without-deprecation', 'error', 'POST /a', '/paths/~1a/post', aWithPost({}), onlyGetA, {
    base: aWithPost({ deprecated: true }),
    revision: onlyGetA,
  }),
  fixture('api-removed-with-deprecation', 'info', 'POST /a', '/paths/~1a/post', aWithPost({ deprecated: true }), onlyGetA, {
    base: aWithPost({}),
    revision: onlyGetA,
  }),
  fixture(
    'api-removed-before-sunset',
    'error',
    'POST /a',
    '/paths/~1a/post',
    aWithPost({ deprecated: true, 'x-sunset': '2025-06-02' }),
    onlyGetA,
    {
      base: aWithPost({ deprecated: true, 'x-sunset': '2020-01-01' }),
      revision: onlyGetA,
    },
  ),
  fixture('endpoint-deprecated', 'info', 'GET /a', '/paths/~1a/get', getA(), getA({ deprecated: true }), {
    revision: getA({ deprecated: true, 'x-sunset': '2099-01-01' }),
  }),
  fixture(
    'endpoint-deprecated-with-sunset',
    'info',
    'GET /a',
    '/paths/~1a/get',
    getA(),
    getA({ deprecated: true, 'x-sunset': '2099-01-01' }),
    {
      revision: getA({ deprecated: true }),
    },
  ),
  fixture('endpoint-reactivated', 'info', 'GET /a', '/paths/~1a/get', getA({ deprecated: true }), getA(), {
    revision: getA({ deprecated: true }),
  }),
  fixture(
    'api-deprecated-sunset-missing',
    'error',
    'GET /a',
    '/paths/~1a/get',
    getA(),
    getA({ deprecated: true }),
    { revision: getA({ deprecated: true, 'x-sunset': '2099-01-01' }) },
    30,
  ),
  fixture('api-deprecated-sunset-parse', 'error', 'GET /a', '/paths/~1a/get', getA(), getA({ deprecated: true, 'x-sunset': 'next year' }), {
    revision: getA({ deprecated: true, 'x-sunset': '2099-01-01' }),
  }),
  fixture(
    'api-sunset-date-too-small',
    'error',
    'GET /a',
    '/paths/~1a/get',
    getA(),
    getA({ deprecated: true, 'x-sunset': '2025-06-10' }),
    { revision: getA({ deprecated: true, 'x-sunset': '2025-07-01' }) },
    30,
  ),
  fixture(
    'sunset-deleted',
    'error',
    'GET /a',
    '/paths/~1a/get',
    getA({ deprecated: true, 'x-sunset': '2099-01-01' }),
    getA({ deprecated: true }),
    {
      revision: getA({ deprecated: true, 'x-sunset': '2099-06-01' }),
    },
  ),
  fixture(
    'api-sunset-date-changed-too-small',
    'error',
    'GET /a',
    '/paths/~1a/get',
    getA({ deprecated: true, 'x-sunset': '2099-06-01' }),
    getA({ deprecated: true, 'x-sunset': '2099-01-01' }),
    { revision: getA({ deprecated: true, 'x-sunset': '2099-12-01' }) },
  ),
  fixture(
    'api-operation-id-removed',
    'info',
    'GET /a',
    '/paths/~1a/get',
    getA({ operationId: 'getA' }),
    getA({ operationId: 'getAlpha' }),
    {
      revision: getA({ operationId: 'getA', summary: 'changed' }),
    },
  ),
  fixture('api-operation-id-added', 'info', 'GET /a', '/paths/~1a/get', getA(), getA({ operationId: 'getA' }), {
    revision: getA({ summary: 'x' }),
  }),
  fixture('api-tag-removed', 'info', 'GET /a', '/paths/~1a/get', getA({ tags: ['x'] }), getA({ tags: [] }), {
    revision: getA({ tags: ['x', 'y'] }),
  }),
  fixture('api-tag-added', 'info', 'GET /a', '/paths/~1a/get', getA({ tags: [] }), getA({ tags: ['x'] }), { revision: getA({ tags: [] }) }),

  // Security: alternatives and scopes, per operation and global.
  fixture('api-security-removed', 'error', 'GET /a', '/paths/~1a/get/security', secured([{ a: [] }, { b: [] }]), secured([{ a: [] }]), {
    revision: secured([{ b: [] }, { a: [] }]),
  }),
  fixture('api-security-added', 'info', 'GET /a', '/paths/~1a/get/security', secured([{ a: [] }]), secured([{ a: [] }, { b: [] }]), {
    revision: secured([{ a: [] }]),
  }),
  fixture(
    'api-security-scope-added',
    'error',
    'GET /a',
    '/paths/~1a/get/security',
    secured([{ o: ['read'] }]),
    secured([{ o: ['read', 'write'] }]),
    {
      revision: secured([{ o: ['read'] }]),
    },
  ),
  fixture(
    'api-security-scope-removed',
    'info',
    'GET /a',
    '/paths/~1a/get/security',
    secured([{ o: ['read', 'write'] }]),
    secured([{ o: ['read'] }]),
    {
      revision: secured([{ o: ['write', 'read'] }]),
    },
  ),
  fixture('api-global-security-removed', 'error', null, '/security', global([{ a: [] }, { b: [] }]), global([{ a: [] }]), {
    revision: global([{ b: [] }, { a: [] }]),
  }),
  fixture('api-global-security-added', 'info', null, '/security', global([{ a: [] }]), global([{ a: [] }, { b: [] }]), {
    revision: getA({ security: [{ a: [] }, { b: [] }] }, { security: [{ a: [] }] }),
  }),
  fixture('api-global-security-scope-added', 'error', null, '/security', global([{ o: ['read'] }]), global([{ o: ['read', 'write'] }]), {
    revision: global([{ o: ['read'] }]),
  }),
  fixture('api-global-security-scope-removed', 'info', null, '/security', global([{ o: ['read', 'write'] }]), global([{ o: ['read'] }]), {
    revision: global([{ o: ['read', 'write'] }]),
  }),

  // Parameters.
  fixture('request-parameter-removed', 'warning', 'GET /a', '/paths/~1a/get/parameters/0', query(), getA(), {
    base: query({ deprecated: true }),
    revision: getA(),
  }),
  fixture(
    'request-parameter-removed-with-deprecation',
    'info',
    'GET /a',
    '/paths/~1a/get/parameters/0',
    query({ deprecated: true }),
    getA(),
    {
      base: query({ deprecated: true, 'x-sunset': '2099-01-01' }),
      revision: getA(),
    },
  ),
  fixture(
    'request-parameter-removed-before-sunset',
    'error',
    'GET /a',
    '/paths/~1a/get/parameters/0',
    query({ deprecated: true, 'x-sunset': '2099-01-01' }),
    getA(),
    { base: query({ deprecated: true, 'x-sunset': '2020-01-01' }), revision: getA() },
  ),
  fixture(
    'request-parameter-sunset-parse',
    'error',
    'GET /a',
    '/paths/~1a/get/parameters/0',
    query({ deprecated: true, 'x-sunset': 'later' }),
    getA(),
    {
      base: query({ deprecated: true, 'x-sunset': '2020-01-01' }),
      revision: getA(),
    },
  ),
  fixture(
    'new-required-request-parameter',
    'error',
    'GET /a',
    '/paths/~1a/get/parameters/0',
    getA(),
    getA({ parameters: [{ name: 'X-Tenant', in: 'header', required: true, schema: str }] }),
    { revision: getA({ parameters: [{ name: 'X-Tenant', in: 'header', schema: str }] }) },
  ),
  fixture(
    'new-optional-request-parameter',
    'info',
    'GET /a',
    '/paths/~1a/get/parameters/0',
    getA(),
    getA({ parameters: [{ name: 'session', in: 'cookie', schema: str }] }),
    { revision: getA({ parameters: [{ name: 'session', in: 'cookie', required: true, schema: str }] }) },
  ),
  fixture('request-parameter-became-required', 'error', 'GET /a', '/paths/~1a/get/parameters/0', query(), query({ required: true }), {
    revision: query({ required: false }),
  }),
  fixture('request-parameter-became-optional', 'info', 'GET /a', '/paths/~1a/get/parameters/0', query({ required: true }), query(), {
    revision: query({ required: true }),
  }),
  fixture('request-parameter-deprecated', 'info', 'GET /a', '/paths/~1a/get/parameters/0', query(), query({ deprecated: true }), {
    revision: query({ description: 'x' }),
  }),
  fixture('request-parameter-reactivated', 'info', 'GET /a', '/paths/~1a/get/parameters/0', query({ deprecated: true }), query(), {
    revision: query({ deprecated: true }),
  }),

  // Request bodies.
  fixture('request-body-added-required', 'error', 'POST /a', '/paths/~1a/post/requestBody', post({}), body(true), {
    revision: body(false),
  }),
  fixture('request-body-added-optional', 'info', 'POST /a', '/paths/~1a/post/requestBody', post({}), body(false), { revision: body(true) }),
  fixture('request-body-removed', 'error', 'POST /a', '/paths/~1a/post/requestBody', body(false), post({}), { revision: body(true) }),
  fixture('request-body-became-required', 'error', 'POST /a', '/paths/~1a/post/requestBody', body(false), body(true), {
    revision: body(false),
  }),
  fixture('request-body-became-optional', 'info', 'POST /a', '/paths/~1a/post/requestBody', body(true), body(false), {
    revision: body(true),
  }),
  fixture(
    'request-body-media-type-added',
    'info',
    'POST /a',
    '/paths/~1a/post/requestBody/content/application~1xml',
    body(false),
    body(false, { ...json(str), 'application/xml': { schema: str } }),
    { revision: body(false) },
  ),
  fixture(
    'request-body-media-type-removed',
    'error',
    'POST /a',
    '/paths/~1a/post/requestBody/content/application~1xml',
    body(false, { ...json(str), 'application/xml': { schema: str } }),
    body(false),
    { revision: body(false, { 'application/xml': { schema: str }, ...json(str) }) },
  ),

  // Responses and their headers.
  fixture('response-success-status-removed', 'error', 'GET /a', '/paths/~1a/get/responses/201', statuses('200', '201'), statuses('200'), {
    base: statuses('200', '404'),
    revision: statuses('200'),
  }),
  fixture('response-success-status-added', 'info', 'GET /a', '/paths/~1a/get/responses/202', statuses('200'), statuses('200', '202'), {
    revision: statuses('200', '404'),
  }),
  fixture(
    'response-non-success-status-removed',
    'info',
    'GET /a',
    '/paths/~1a/get/responses/404',
    statuses('200', '404'),
    statuses('200'),
    {
      base: statuses('200', '2XX'),
      revision: statuses('200'),
    },
  ),
  fixture(
    'response-non-success-status-added',
    'info',
    'GET /a',
    '/paths/~1a/get/responses/default',
    statuses('200'),
    statuses('200', 'default'),
    {
      revision: statuses('200', '204'),
    },
  ),
  fixture(
    'response-media-type-removed',
    'error',
    'GET /a',
    '/paths/~1a/get/responses/200/content/application~1xml',
    media('application/json', 'application/xml'),
    media('application/json'),
    { revision: media('application/xml', 'application/json') },
  ),
  fixture(
    'response-media-type-added',
    'info',
    'GET /a',
    '/paths/~1a/get/responses/200/content/text~1csv',
    media('application/json'),
    media('application/json', 'text/csv'),
    { revision: media('APPLICATION/JSON') },
  ),
  fixture(
    'required-response-header-removed',
    'error',
    'GET /a',
    '/paths/~1a/get/responses/200/headers/X-Rate',
    header('X-Rate', true),
    header(null),
    {
      base: header('X-Rate', false),
      revision: header(null),
    },
  ),
  fixture(
    'optional-response-header-removed',
    'warning',
    'GET /a',
    '/paths/~1a/get/responses/200/headers/X-Rate',
    header('X-Rate'),
    header(null),
    {
      base: header('X-Rate', true),
      revision: header(null),
    },
  ),
  fixture('response-header-added', 'info', 'GET /a', '/paths/~1a/get/responses/200/headers/X-Rate', header(null), header('X-Rate'), {
    base: header('x-rate'),
    revision: header('X-RATE'),
  }),
  fixture(
    'response-header-became-optional',
    'error',
    'GET /a',
    '/paths/~1a/get/responses/200/headers/X-Rate',
    header('X-Rate', true),
    header('X-Rate'),
    {
      revision: header('X-Rate', true),
    },
  ),

  // Object properties, in requests and in responses.
  fixture(
    'new-required-request-property',
    'error',
    'POST /a',
    `${REQUEST_SCHEMA}/properties/b`,
    requestBody(object({ a: str })),
    requestBody(object({ a: str, b: str }, ['b'])),
    { revision: requestBody(object({ a: str, b: str })) },
  ),
  fixture(
    'new-required-request-property-with-default',
    'error',
    'POST /a',
    `${REQUEST_SCHEMA}/properties/b`,
    requestBody(object({ a: str })),
    requestBody(object({ a: str, b: { type: 'string', default: 'x' } }, ['b'])),
    { revision: requestBody(object({ a: str, b: str }, ['b'])) },
  ),
  fixture(
    'new-optional-request-property',
    'info',
    'POST /a',
    `${REQUEST_SCHEMA}/properties/b`,
    requestBody(object({ a: str })),
    requestBody(object({ a: str, b: str })),
    { revision: requestBody(object({ a: str, b: str }, ['b'])) },
  ),
  fixture(
    'request-property-removed',
    'warning',
    'POST /a',
    `${REQUEST_SCHEMA}/properties/b`,
    requestBody(object({ a: str, b: str })),
    requestBody(object({ a: str })),
    {
      base: requestBody(object({ a: str, b: { type: 'string', readOnly: true } })),
      revision: requestBody(object({ a: str })),
    },
  ),
  fixture(
    'request-property-became-required',
    'error',
    'POST /a',
    `${REQUEST_SCHEMA}/properties/a`,
    requestBody(object({ a: str })),
    requestBody(object({ a: str }, ['a'])),
    { revision: requestBody(object({ a: { type: 'string', readOnly: true } }, ['a'])) },
  ),
  fixture(
    'request-property-became-optional',
    'info',
    'POST /a',
    `${REQUEST_SCHEMA}/properties/a`,
    requestBody(object({ a: str }, ['a'])),
    requestBody(object({ a: str })),
    { revision: requestBody(object({ a: str }, ['a'])) },
  ),
  fixture(
    'response-required-property-removed',
    'error',
    'GET /a',
    `${RESPONSE_SCHEMA}/properties/b`,
    responseBody(object({ a: str, b: str }, ['b'])),
    responseBody(object({ a: str })),
    { base: responseBody(object({ a: str, b: str })), revision: responseBody(object({ a: str })) },
  ),
  fixture(
    'response-optional-property-removed',
    'warning',
    'GET /a',
    `${RESPONSE_SCHEMA}/properties/b`,
    responseBody(object({ a: str, b: str })),
    responseBody(object({ a: str })),
    { base: responseBody(object({ a: str, b: { type: 'string', writeOnly: true } })), revision: responseBody(object({ a: str })) },
  ),
  fixture(
    'response-required-property-added',
    'info',
    'GET /a',
    `${RESPONSE_SCHEMA}/properties/b`,
    responseBody(object({ a: str })),
    responseBody(object({ a: str, b: str }, ['b'])),
    { revision: responseBody(object({ a: str, b: str })) },
  ),
  fixture(
    'response-optional-property-added',
    'info',
    'GET /a',
    `${RESPONSE_SCHEMA}/properties/b`,
    responseBody(object({ a: str })),
    responseBody(object({ a: str, b: str })),
    { revision: responseBody(object({ a: str, b: str }, ['b'])) },
  ),
  fixture(
    'response-property-became-required',
    'info',
    'GET /a',
    `${RESPONSE_SCHEMA}/properties/a`,
    responseBody(object({ a: str })),
    responseBody(object({ a: str }, ['a'])),
    { revision: responseBody(object({ a: { type: 'string', writeOnly: true } }, ['a'])) },
  ),
  fixture(
    'response-property-became-optional',
    'error',
    'GET /a',
    `${RESPONSE_SCHEMA}/properties/a`,
    responseBody(object({ a: str }, ['a'])),
    responseBody(object({ a: str })),
    { revision: responseBody(object({ a: str }, ['a'])) },
  ),
  ...mutability(),
];

/** readOnly flips matter to requests, writeOnly flips to responses; each for a required and an optional property. */
function mutability(): RuleFixture[] {
  const out: RuleFixture[] = [];
  const cases = [
    {
      direction: 'request',
      flag: 'readOnly',
      name: 'read-only',
      wrap: requestBody,
      pointer: `${REQUEST_SCHEMA}/properties/a`,
      operation: 'POST /a',
    },
    {
      direction: 'response',
      flag: 'writeOnly',
      name: 'write-only',
      wrap: responseBody,
      pointer: `${RESPONSE_SCHEMA}/properties/a`,
      operation: 'GET /a',
    },
  ] as const;
  for (const { direction, flag, name, wrap, pointer, operation } of cases) {
    for (const required of [true, false]) {
      const requiredList = required ? ['a'] : undefined;
      const plain = wrap(object({ a: str }, requiredList));
      const flagged = wrap(object({ a: { type: 'string', [flag]: true } }, requiredList));
      const kind = required ? 'required' : 'optional';
      // The other flag does not matter in this direction.
      const other = wrap(object({ a: { type: 'string', [flag === 'readOnly' ? 'writeOnly' : 'readOnly']: true } }, requiredList));
      const level: Level = direction === 'response' && required ? 'warning' : 'info';
      out.push(fixture(`${direction}-${kind}-property-became-${name}`, 'info', operation, pointer, plain, flagged, { revision: other }));
      out.push(
        fixture(`${direction}-${kind}-property-became-not-${name}`, level, operation, pointer, flagged, plain, { revision: flagged }),
      );
    }
  }
  return out;
}
