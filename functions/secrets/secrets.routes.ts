import { commandContext } from '#kernel/http/request-context';
import { secretPath, secretView } from './secrets.view.ts';
import { deleteSecret, putSecret, readSecret, revealSecret } from './secrets.commands.ts';
import * as contracts from './secrets.contract.ts';
import { ForbiddenError, NotFoundError } from '#kernel/errors';
import { canRevealSecret } from './secret.domain.ts';
import { implement, type Operation } from '#kernel/http/operation';
import { listSecrets } from './secrets.store.ts';
import { getService } from '#services/public';

function refOf(params: { name: string; env: string; secretName: string }) {
  return { service: params.name, environment: params.env, name: params.secretName };
}

export const secretOperations: Operation[] = [
  implement(contracts.putSecret, async (request) => {
    const { secret, created } = await putSecret(refOf(request.params), request.body, commandContext(request));
    const view = secretView(secret);
    const headers: Record<string, string> = { etag: view.etag };
    if (created) headers.location = secretPath(secret);
    return { status: created ? 201 : 200, body: view, headers };
  }),

  implement(contracts.listSecrets, async (request) => {
    const [service, page] = await Promise.all([
      getService(request.params.name),
      listSecrets(request.params.name, { ...request.query, now: new Date() }),
    ]);
    if (!service) throw new NotFoundError(`There is no service named ${request.params.name}.`);
    return { status: 200, body: { items: page.items.map(secretView), nextCursor: page.nextCursor } };
  }),

  implement(contracts.getSecret, async (request) => {
    const view = secretView(await readSecret(refOf(request.params)));
    return { status: 200, body: view, headers: { etag: view.etag } };
  }),

  implement(contracts.revealSecret, async (request) => {
    const ref = refOf(request.params);
    // The contract lets deployers in; which deployers may read values is a rule of the domain.
    if (!canRevealSecret(request.principal, ref.service)) {
      const { name, role, services } = request.principal;
      throw new ForbiddenError(
        `Revealing secrets of ${ref.service} needs an admin key, or a deployer key limited to services that include ${ref.service}; key "${name}" is a ${role} key for ${services === null ? 'all services' : services.join(', ')}.`,
      );
    }
    const { secret, value, revealedAt } = await revealSecret(ref, commandContext(request));
    return {
      status: 200,
      body: { service: secret.service, environment: secret.environment, name: secret.name, version: secret.version, value, revealedAt },
      headers: { 'cache-control': 'no-store' },
    };
  }),

  implement(contracts.deleteSecret, async (request) => {
    const view = secretView(await deleteSecret(refOf(request.params), request.query.recoveryDays, commandContext(request)));
    return { status: 202, body: view, headers: { etag: view.etag } };
  }),
];
