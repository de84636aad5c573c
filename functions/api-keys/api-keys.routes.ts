import { commandContext } from '#kernel/http/request-context';
import { apiKeyView } from '#services/services.view';
import { createApiKey as createKey, revokeApiKey as revokeKey } from './api-keys.commands.ts';
import * as contracts from './api-keys.contract.ts';
import { ForbiddenError } from '#kernel/errors';
import { canManageKeys, type Principal } from '#kernel/roles';
import { implement } from '#kernel/http/operation';
import { listApiKeys } from './api-keys.store.ts';

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
