import { defineContract } from '#kernel/http/operation';
import { ServiceName } from '#services/services.schema';
import {
  RevealBody,
  SecretDeleteQuery,
  SecretListQuery,
  SecretPage,
  SecretParams,
  SecretPut,
  SecretRevealed,
  SecretView,
} from './secrets.schema.ts';

/** The secrets routes' contracts: validation and OpenAPI only. Behaviour is in functions/secrets/secrets.routes.ts. */

const tag = 'Secrets';
const group = 'secrets';
const secretHeaders = { ETag: { description: 'The secret’s ETag, for If-Match.' } };

export const putSecret = defineContract({
  operationId: 'putSecret',
  group,
  tag,
  method: 'PUT',
  path: '/v1/services/{name}/secrets/{env}/{secretName}',
  summary: 'Store a secret value',
  description:
    'Writes a new value (version 1, or the next version) to the value store — AWS Secrets Manager, or the local encrypted store — and only metadata to Steward’s table. A secret scheduled for deletion is restored. The value is never shown again except by reveal, and never appears in the audit trail.',
  access: 'admin',
  scope: { from: 'path', param: 'name' },
  params: SecretParams,
  body: SecretPut,
  requestHeaders: ['If-Match'],
  responses: {
    200: { description: 'A new version of an existing secret.', schema: SecretView, headers: secretHeaders },
    201: { description: 'Created.', schema: SecretView, headers: { Location: { description: 'The secret.' }, ...secretHeaders } },
    404: { description: 'No such service.' },
    412: { description: 'The secret changed since the ETag in If-Match (or does not exist).' },
    413: { description: 'The value is over 64 KB.' },
    503: { description: 'The value store failed; nothing was recorded.' },
  },
});

export const listSecrets = defineContract({
  operationId: 'listSecrets',
  group,
  tag,
  method: 'GET',
  path: '/v1/services/{name}/secrets',
  summary: 'List a service’s secrets (metadata only)',
  description:
    'By environment, then name; `environment` keeps one environment’s. Includes secrets scheduled for deletion, with their deletion date, until that date.',
  access: 'viewer',
  scope: { from: 'path', param: 'name' },
  params: ServiceName,
  query: SecretListQuery,
  responses: {
    200: { description: 'A page of secrets’ metadata.', schema: SecretPage },
    404: { description: 'No such service.' },
  },
});

export const getSecret = defineContract({
  operationId: 'getSecret',
  group,
  tag,
  method: 'GET',
  path: '/v1/services/{name}/secrets/{env}/{secretName}',
  summary: 'Get a secret’s metadata',
  description: 'Version, type, timestamps, expiry, rotation and last reveal. Never the value: use reveal.',
  access: 'viewer',
  scope: { from: 'path', param: 'name' },
  params: SecretParams,
  responses: {
    200: { description: 'The secret’s metadata.', schema: SecretView, headers: secretHeaders },
    404: { description: 'No such service or secret.' },
  },
});

export const revealSecret = defineContract({
  operationId: 'revealSecret',
  group,
  tag,
  method: 'POST',
  path: '/v1/services/{name}/secrets/{env}/{secretName}/reveal',
  summary: 'Reveal a secret’s value',
  description:
    'Returns the value to an admin key (for all services, or limited to this one) or to a deployer key limited to services that include this one. Viewer keys and deployer keys for all services get 403. Every reveal is recorded in the audit trail (`secret.revealed`: who and when, never the value). The response is not cacheable.',
  access: 'deployer',
  scope: { from: 'path', param: 'name' },
  params: SecretParams,
  body: RevealBody,
  bodyOptional: true,
  responses: {
    200: { description: 'The value.', schema: SecretRevealed, headers: { 'Cache-Control': { description: '`no-store`.' } } },
    404: { description: 'No such service or secret.' },
    409: { description: 'The secret is scheduled for deletion, or its value is missing from the value store.' },
    503: { description: 'The value store failed; nothing was recorded.' },
  },
});

export const deleteSecret = defineContract({
  operationId: 'deleteSecret',
  group,
  tag,
  method: 'DELETE',
  path: '/v1/services/{name}/secrets/{env}/{secretName}',
  summary: 'Schedule a secret’s deletion',
  description:
    'The value is deleted for good after a recovery window (`recoveryDays`, 7–30, default 30); until then reveals answer 409 and a PUT restores the secret. Deleting a secret already scheduled changes nothing.',
  access: 'admin',
  scope: { from: 'path', param: 'name' },
  params: SecretParams,
  query: SecretDeleteQuery,
  requestHeaders: ['If-Match'],
  responses: {
    202: { description: 'Scheduled: `deletionDate` says when the value goes.', schema: SecretView, headers: secretHeaders },
    404: { description: 'No such service or secret.' },
    412: { description: 'The secret changed since the ETag in If-Match.' },
    503: { description: 'The value store failed; nothing was recorded.' },
  },
});

export const secretContracts = [putSecret, listSecrets, getSecret, revealSecret, deleteSecret];
