import { commandContext } from '#api/context';
import { apiKeyView } from '#api/views';
import { createApiKey as createKey, revokeApiKey as revokeKey } from '#commands/api-keys';
import * as contracts from '#contracts/api-keys';
import { ForbiddenError } from '#domain/errors';
import { canManageKeys, type Principal } from '#domain/roles';
import { implement } from '#http/operation';
import { listApiKeys } from '#store/api-keys';

/** A key limited to some services could otherwise mint a key for all of them. */
function requireKeyManager(principal: Principal): void {
  if (!canManageKeys(principal)) {
    throw new ForbiddenError(`Managing API keys needs an admin key for all services; key "${principal.name}" is limited to some.`);
  }
}

export const apiKeyOperations = [
  implement(contracts.createApiKey, async (request) => {
    requireKeyManager(request.principal);
    const { apiKey, key } = await createKey(request.body, commandContext(request));
    return {
      status: 201,
      body: { ...apiKeyView(apiKey), key },
      headers: { location: `/v1/api-keys/${apiKey.id}`, 'cache-control': 'no-store' },
    };
  }),

  implement(contracts.listApiKeys, async (request) => {
    requireKeyManager(request.principal);
    const page = await listApiKeys(request.query);
    return { status: 200, body: { items: page.items.map(apiKeyView), nextCursor: page.nextCursor } };
  }),

  implement(contracts.revokeApiKey, async (request) => {
    requireKeyManager(request.principal);
    await revokeKey(request.params.id, commandContext(request));
    return { status: 204 };
  }),
];
