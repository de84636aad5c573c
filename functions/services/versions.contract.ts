import type { LifecycleAction } from './lifecycle.domain.ts';
import { defineContract } from '#kernel/http/operation';
import { pageOf } from '#kernel/schemas/common';
import { ServiceName } from './services.schema.ts';
import {
  ChangesAdd,
  DeprecateBody,
  ReleaseBody,
  RetireBody,
  VersionCreate,
  VersionListQuery,
  VersionParams,
  VersionPatch,
  VersionView,
} from './versions.schema.ts';

const tag = 'Versions';
const group = 'versions';
const versionHeaders = { ETag: { description: 'The version’s ETag, for If-Match.' } };

export const registerVersion = defineContract({
  operationId: 'registerVersion',
  group,
  tag,
  method: 'POST',
  path: '/v1/services/{name}/versions',
  summary: 'Register a version',
  description:
    'Registers a strict SemVer 2.0.0 version as a draft, with its change log. Versions of equal precedence (differing only in build metadata) are the same version: the second is a 409.',
  access: 'deployer',
  scope: { from: 'path', param: 'name' },
  params: ServiceName,
  body: VersionCreate,
  responses: {
    201: {
      description: 'Registered as a draft.',
      schema: VersionView,
      headers: { Location: { description: 'The new version.' }, ...versionHeaders },
    },
    404: { description: 'No such service.' },
    409: { description: 'The version is already registered.' },
  },
});

export const listVersions = defineContract({
  operationId: 'listVersions',
  group,
  tag,
  method: 'GET',
  path: '/v1/services/{name}/versions',
  summary: 'List versions, newest first',
  description: 'Newest first by SemVer precedence (1.10.0 before 1.2.0; 1.0.0 before 1.0.0-rc.1). Filter with `status`.',
  access: 'viewer',
  scope: { from: 'path', param: 'name' },
  params: ServiceName,
  query: VersionListQuery,
  responses: {
    200: { description: 'A page of versions.', schema: pageOf(VersionView, 'VersionPage') },
    404: { description: 'No such service.' },
  },
});

export const getVersion = defineContract({
  operationId: 'getVersion',
  group,
  tag,
  method: 'GET',
  path: '/v1/services/{name}/versions/{version}',
  summary: 'Get a version',
  description: 'A version registered with build metadata (1.0.0+build.5) is found by either form, with or without it.',
  access: 'viewer',
  scope: { from: 'path', param: 'name' },
  params: VersionParams,
  responses: {
    200: { description: 'The version, its status, change log and timestamps.', schema: VersionView, headers: versionHeaders },
    404: { description: 'No such service or version.' },
  },
});

export const addVersionChanges = defineContract({
  operationId: 'addVersionChanges',
  group,
  tag,
  method: 'POST',
  path: '/v1/services/{name}/versions/{version}/changes',
  summary: 'Add change log entries to a draft',
  description: 'Appends entries while the version is a draft; afterwards its change log is frozen (409).',
  access: 'deployer',
  scope: { from: 'path', param: 'name' },
  params: VersionParams,
  body: ChangesAdd,
  requestHeaders: ['If-Match'],
  responses: {
    200: { description: 'The version with its longer change log.', schema: VersionView, headers: versionHeaders },
    404: { description: 'No such service or version.' },
    409: { description: 'The version is no longer a draft.' },
    412: { description: 'The version changed since the ETag in If-Match.' },
  },
});

export const updateVersion = defineContract({
  operationId: 'updateVersion',
  group,
  tag,
  method: 'PATCH',
  path: '/v1/services/{name}/versions/{version}',
  summary: 'Update a draft version',
  description:
    'Changes a draft’s description, change log, artifact, metadata or model card. Each field sent replaces that field whole (`changes` the whole change log, `model` the whole card: nothing is merged); `null` clears `description`, `artifact` or `model`. A released, deprecated or retired version is frozen (409). A model card on a service that is not a model, or a malformed digest, is a 400. Send `If-Match` with the ETag you read to refuse the update if the version changed since (412). Recorded as `version.updated`, with the fields before and after.',
  access: 'deployer',
  scope: { from: 'path', param: 'name' },
  params: VersionParams,
  body: VersionPatch,
  requestHeaders: ['If-Match'],
  responses: {
    200: { description: 'The draft (unchanged when nothing differed).', schema: VersionView, headers: versionHeaders },
    400: { description: 'A model card on a service that is not a model, or an invalid field.' },
    404: { description: 'No such service or version.' },
    409: { description: 'The version is no longer a draft: it was frozen at release.' },
    412: { description: 'The version changed since the ETag in If-Match.' },
  },
});

const LIFECYCLE_TEXT: Record<LifecycleAction, { summary: string; description: string }> = {
  release: {
    summary: 'Release a draft version',
    description:
      'draft → released. Any other status is a 409 naming the current status and the allowed actions. When the version has an OpenAPI document, the release gate compares it with the latest release below it: breaking changes under too small a SemVer step (0.x: minor counts as major) are a 409 listing them, unless the version policy is `warn` or `off` or the body passes `acceptBreaking: { reason }`. The verdict is frozen on the version (`contract`) and the report’s changes are added to its change log.',
  },
  deprecate: {
    summary: 'Deprecate a released version',
    description: 'released → deprecated, with an optional reason, sunset date and replacement (a released version of the same service).',
  },
  retire: {
    summary: 'Retire a deprecated version',
    description:
      'deprecated → retired: the end of its life; it can no longer be deployed. A version that consumers called in the last 7 days (traffic or inferences labelled `client`: GET .../versions/{version}/consumers) is a 409 naming them, unless the body passes `force: { reason }` (recorded in the audit trail).',
  },
};

function lifecycleContract(action: LifecycleAction) {
  return defineContract({
    operationId: `${action}Version`,
    group,
    tag,
    method: 'POST',
    path: `/v1/services/{name}/versions/{version}/${action}`,
    ...LIFECYCLE_TEXT[action],
    access: 'deployer',
    scope: { from: 'path', param: 'name' },
    params: VersionParams,
    body: action === 'deprecate' ? DeprecateBody : action === 'release' ? ReleaseBody : RetireBody,
    bodyOptional: true,
    requestHeaders: ['If-Match'],
    responses: {
      200: { description: 'The version in its new status.', schema: VersionView, headers: versionHeaders },
      404: { description: 'No such service or version.' },
      409: { description: 'The version’s status does not allow this action.' },
      412: { description: 'The version changed since the ETag in If-Match.' },
    },
  });
}

export const releaseVersion = lifecycleContract('release');
export const deprecateVersion = lifecycleContract('deprecate');
export const retireVersion = lifecycleContract('retire');

export const versionContracts = [
  registerVersion,
  listVersions,
  getVersion,
  updateVersion,
  addVersionChanges,
  releaseVersion,
  deprecateVersion,
  retireVersion,
];
