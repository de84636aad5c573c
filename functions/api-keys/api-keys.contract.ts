import { defineContract } from '#kernel/http/operation';
import { ApiKeyCreate, ApiKeyCreated, ApiKeyId, ApiKeyView } from './api-keys.schema.ts';
import { ListQuery, pageOf } from '#kernel/schemas/common';

const tag = 'API keys';
const group = 'api-keys';

export const createApiKey = defineContract({
  operationId: 'createApiKey',
  group,
  tag,
  method: 'POST',
  path: '/v1/api-keys',
  summary: 'Create an API key',
  description: 'Returns the secret `key` this once; Steward keeps only its SHA-256 hash. Needs an admin key not limited to services.',
  access: 'admin',
  scope: { from: 'global' },
  body: ApiKeyCreate,
  responses: {
    201: {
      description: 'Created. Store the key now: it is never shown again.',
      schema: ApiKeyCreated,
      headers: { Location: { description: 'The key.' } },
    },
  },
});

export const listApiKeys = defineContract({
  operationId: 'listApiKeys',
  group,
  tag,
  method: 'GET',
  path: '/v1/api-keys',
  summary: 'List API keys',
  description:
    'Active and revoked keys in id order (generated ids are ULIDs, so creation order; the bootstrap key sorts last). Secrets are never shown.',
  access: 'admin',
  scope: { from: 'global' },
  query: ListQuery,
  responses: { 200: { description: 'A page of keys.', schema: pageOf(ApiKeyView, 'ApiKeyPage') } },
});

export const revokeApiKey = defineContract({
  operationId: 'revokeApiKey',
  group,
  tag,
  method: 'DELETE',
  path: '/v1/api-keys/{id}',
  summary: 'Revoke an API key',
  description:
    'Revokes the key. Locally it stops working at once; on AWS within the authorizer cache TTL (60 seconds by default). Revoking a revoked key is a no-op.',
  access: 'admin',
  scope: { from: 'global' },
  params: ApiKeyId,
  responses: { 204: { description: 'Revoked.' }, 404: { description: 'No such key.' } },
});

export const apiKeyContracts = [createApiKey, listApiKeys, revokeApiKey];
