import { createApiKey, revokeApiKey } from '#commands/api-keys';
import { ForbiddenError } from '#domain/errors';
import type { Principal } from '#domain/roles';
import { canManageKeys } from '#domain/roles';
import { commandContext } from '#api/context';
import { apiKeyView } from '#api/views';
import { defineOperation } from '#http/operation';
import { ListQuery, pageOf } from '#schemas/common';
import { ApiKeyCreate, ApiKeyCreated, ApiKeyId, ApiKeyView } from '#schemas/api-keys';
import { listApiKeys } from '#store/api-keys';

const tag = 'API keys';
const group = 'api-keys';

/** A key limited to some services could otherwise mint a key for all of them. */
function requireKeyManager(principal: Principal): void {
  if (!canManageKeys(principal)) {
    throw new ForbiddenError(`Managing API keys needs an admin key for all services; key "${principal.name}" is limited to some.`);
  }
}

export const createApiKeyOperation = defineOperation({
  operationId: 'createApiKey',
  group,
  tag,
  method: 'POST',
  path: '/v1/api-keys',
  summary: 'Create an API key',
  description: 'Returns the secret `key` this once; Steward keeps only its SHA-256 hash. Needs an admin key not limited to services.',
  access: 'admin',
  body: ApiKeyCreate,
  responses: {
    201: { description: 'Created. Store the key now: it is never shown again.', schema: ApiKeyCreated, headers: { Location: { description: 'The key.' } } },
  },
  handle: async (request) => {
    requireKeyManager(request.principal);
    const { apiKey, key } = await createApiKey(request.body, commandContext(request));
    return {
      status: 201,
      body: { ...apiKeyView(apiKey), key },
      headers: { location: `/v1/api-keys/${apiKey.id}`, 'cache-control': 'no-store' },
    };
  },
});

export const listApiKeysOperation = defineOperation({
  operationId: 'listApiKeys',
  group,
  tag,
  method: 'GET',
  path: '/v1/api-keys',
  summary: 'List API keys',
  description: 'Active and revoked keys in id order (generated ids are ULIDs, so creation order; the bootstrap key sorts last). Secrets are never shown.',
  access: 'admin',
  query: ListQuery,
  responses: { 200: { description: 'A page of keys.', schema: pageOf(ApiKeyView, 'ApiKeyPage') } },
  handle: async (request) => {
    requireKeyManager(request.principal);
    const page = await listApiKeys(request.query);
    return { status: 200, body: { items: page.items.map(apiKeyView), nextCursor: page.nextCursor } };
  },
});

export const revokeApiKeyOperation = defineOperation({
  operationId: 'revokeApiKey',
  group,
  tag,
  method: 'DELETE',
  path: '/v1/api-keys/{id}',
  summary: 'Revoke an API key',
  description:
    'Revokes the key. Locally it stops working at once; on AWS within the authorizer cache TTL (60 seconds by default). Revoking a revoked key is a no-op.',
  access: 'admin',
  params: ApiKeyId,
  responses: { 204: { description: 'Revoked.' }, 404: { description: 'No such key.' } },
  handle: async (request) => {
    requireKeyManager(request.principal);
    await revokeApiKey(request.params.id, commandContext(request));
    return { status: 204 };
  },
});

export const apiKeyOperations = [createApiKeyOperation, listApiKeysOperation, revokeApiKeyOperation];
