import { defineContract } from '#kernel/http/operation';
import { ListQuery, pageOf } from '#kernel/schemas/common';
import {
  ChangelogQuery,
  ConsumerInput,
  ConsumerParams,
  ConsumerView,
  EnvironmentInfoView,
  EnvironmentParams,
  ChangelogView,
  CompatibilityQuery,
  LifecycleView,
  ServiceParams,
  VersionPolicyPatch,
  VersionConsumersQuery,
  VersionConsumersView,
  VersionPolicyView,
} from './contracts.schema.ts';
import { CompatibilityReport, OpenApiDocumentBody, VersionParams } from './wire.schema.ts';

const tag = 'API contracts';
const group = 'api-contracts';

export const getOpenApi = defineContract({
  operationId: 'getOpenApi',
  group,
  tag,
  method: 'GET',
  path: '/v1/services/{name}/versions/{version}/openapi',
  summary: "A version's OpenAPI document",
  description:
    'The document as uploaded (JSON or YAML). For a released version, the one its release judged. `If-None-Match` with the ETag answers 304.',
  access: 'viewer',
  scope: { from: 'path', param: 'name' },
  params: VersionParams,
  requestHeaders: ['If-None-Match'],
  responses: {
    200: { description: 'The document.', schema: OpenApiDocumentBody, headers: { ETag: { description: 'The digest.' } } },
    304: { description: 'Unchanged since the ETag in If-None-Match.' },
    404: { description: 'No such service or version, or the version has no document.' },
  },
});

export const getCompatibility = defineContract({
  operationId: 'getCompatibility',
  group,
  tag,
  method: 'GET',
  path: '/v1/services/{name}/compatibility',
  summary: 'What a version breaks, adds and changes against another',
  description:
    'Diffs the two versions’ OpenAPI documents: every change with its rule id (oasdiff’s names), level, operation and pointer, the SemVer bump the changes require, and whether the step from base to revision is enough. When the revision was released against `base`, the report frozen at its release is returned.',
  access: 'viewer',
  scope: { from: 'path', param: 'name' },
  params: ServiceParams,
  query: CompatibilityQuery,
  responses: {
    200: { description: 'The compatibility report.', schema: CompatibilityReport },
    404: { description: 'No such service or version, or a version without an OpenAPI document.' },
  },
});

export const getVersionPolicy = defineContract({
  operationId: 'getVersionPolicy',
  group,
  tag,
  method: 'GET',
  path: '/v1/services/{name}/version-policy',
  summary: "A service's version policy",
  description:
    'The defaults until one is set: compatibility enforced, no supported-majors limit, sunset 90 days after an automatic deprecation, manual migrations complete after 7 quiet days.',
  access: 'viewer',
  scope: { from: 'path', param: 'name' },
  params: ServiceParams,
  responses: {
    200: { description: 'The policy.', schema: VersionPolicyView, headers: { ETag: { description: 'For If-Match.' } } },
    404: { description: 'No such service.' },
  },
});

export const putVersionPolicy = defineContract({
  operationId: 'putVersionPolicy',
  group,
  tag,
  method: 'PUT',
  path: '/v1/services/{name}/version-policy',
  summary: "Set a service's version policy",
  description:
    '`compatibility`: `enforce` (a release whose contract breaks clients under too small a SemVer bump is refused with 409), `warn` (released, the report says so) or `off`. `supportedMajors` with `autoDeprecateOnMajor`: releasing a new major deprecates the releases of majors beyond the supported count, with a sunset `sunsetAfterDays` ahead and the newest release of the next major as replacement. `migrationQuietDays`: a manual migration plan completes once the old version has had no traffic for that many days. Fields left out keep their value.',
  access: 'deployer',
  scope: { from: 'path', param: 'name' },
  params: ServiceParams,
  body: VersionPolicyPatch,
  requestHeaders: ['If-Match'],
  responses: {
    200: { description: 'The policy.', schema: VersionPolicyView, headers: { ETag: { description: 'For If-Match.' } } },
    404: { description: 'No such service.' },
    412: { description: 'The policy changed since the ETag in If-Match.' },
  },
});

export const getChangelog = defineContract({
  operationId: 'getChangelog',
  group,
  tag,
  method: 'GET',
  path: '/v1/services/{name}/changelog',
  summary: 'The change log between two versions',
  description:
    'Every contract change of each version after `from` up to `to` (versions with an OpenAPI document, each against the one before), grouped into breaking changes, deprecations, additions and other changes, then by operation: as Markdown to paste into release notes, or as JSON.',
  access: 'viewer',
  scope: { from: 'path', param: 'name' },
  params: ServiceParams,
  query: ChangelogQuery,
  responses: {
    200: { description: 'The change log (text/markdown, or JSON).', schema: ChangelogView },
    404: { description: 'No such service or version.' },
    409: { description: '`from` is not before `to`.' },
  },
});

export const getLifecycle = defineContract({
  operationId: 'getVersionLifecycle',
  group,
  tag,
  method: 'GET',
  path: '/v1/services/{name}/versions/{version}/lifecycle',
  summary: "A version's lifecycle and the HTTP headers its responses carry",
  description:
    'Status, deprecation and sunset dates, the replacement, and `headers` exactly as the service should send them: RFC 9745 `Deprecation` (`@<epoch seconds>`), RFC 8594 `Sunset` (an IMF-fixdate) and a `Link` to the deprecation (rel="deprecation") and to the replacement (rel="successor-version"). The `lifecycleHeaders` middy middleware (`steward/lifecycle-headers`) reads this and sets them on every response.',
  access: 'viewer',
  scope: { from: 'path', param: 'name' },
  params: VersionParams,
  responses: {
    200: { description: 'The lifecycle.', schema: LifecycleView },
    404: { description: 'No such service or version.' },
  },
});

export const putConsumer = defineContract({
  operationId: 'putConsumer',
  group,
  tag,
  method: 'PUT',
  path: '/v1/services/{name}/consumers/{consumer}',
  summary: 'Register a consumer of a service',
  description:
    'A consumer is named as its traffic is labelled (`client`). Registered consumers are shown with their contact when they still call a version, and retiring such a version is refused.',
  access: 'deployer',
  scope: { from: 'path', param: 'name' },
  params: ConsumerParams,
  body: ConsumerInput,
  bodyOptional: true,
  responses: {
    200: { description: 'Described anew (or unchanged).', schema: ConsumerView },
    201: { description: 'Registered.', schema: ConsumerView },
    404: { description: 'No such service.' },
  },
});

export const listServiceConsumers = defineContract({
  operationId: 'listConsumers',
  group,
  tag,
  method: 'GET',
  path: '/v1/services/{name}/consumers',
  summary: "A service's registered consumers",
  access: 'viewer',
  scope: { from: 'path', param: 'name' },
  params: ServiceParams,
  query: ListQuery,
  responses: {
    200: { description: 'A page of consumers.', schema: pageOf(ConsumerView, 'ConsumerPage') },
    404: { description: 'No such service.' },
  },
});

export const getVersionConsumers = defineContract({
  operationId: 'getVersionConsumers',
  group,
  tag,
  method: 'GET',
  path: '/v1/services/{name}/versions/{version}/consumers',
  summary: 'Who still calls a version, and when last',
  description:
    'From the traffic metric (default `http.requests`) reported with labels `version` and `client` (POST /v1/metrics) and a model’s inference records’ `client`: each client that called the version in the last `days` (default 7), with its requests and last call, newest first; registered consumers with their contact. Retiring a version any of them called in the last 7 days is a 409 naming them, unless the retire body passes `force: { reason }`.',
  access: 'viewer',
  scope: { from: 'path', param: 'name' },
  params: VersionParams,
  query: VersionConsumersQuery,
  responses: {
    200: { description: 'The version’s consumers.', schema: VersionConsumersView },
    404: { description: 'No such service or version.' },
  },
});

export const getEnvironmentInfo = defineContract({
  operationId: 'getEnvironmentInfo',
  group,
  tag,
  method: 'GET',
  path: '/v1/services/{name}/environments/{env}/info',
  summary: 'Where things stand in an environment',
  description:
    'The versions served with their weights, the running (or latest) deployment, since when the active version is active, and the breaking changes between the active version and the previous one.',
  access: 'viewer',
  scope: { from: 'path', param: 'name' },
  params: EnvironmentParams,
  responses: {
    200: { description: 'The environment’s state.', schema: EnvironmentInfoView },
    404: { description: 'No such service or environment.' },
  },
});

export const apiContractContracts = [
  getEnvironmentInfo,
  putConsumer,
  listServiceConsumers,
  getVersionConsumers,
  getOpenApi,
  getCompatibility,
  getVersionPolicy,
  putVersionPolicy,
  getChangelog,
  getLifecycle,
];
