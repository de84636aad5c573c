import { commandContext } from '#api/context';
import { versionPath, versionView } from '#api/views';
import { addVersionChanges, moveVersion, readVersion, registerVersion } from '#commands/versions';
import * as contracts from '#contracts/versions';
import { NotFoundError } from '#domain/errors';
import type { LifecycleAction } from '#domain/lifecycle';
import { type Contract, implement } from '#http/operation';
import { getService } from '#store/services';
import { listVersions } from '#store/versions';

function lifecycleOperation(contract: Contract, action: LifecycleAction) {
  return implement(contract, async (request) => {
    const params = request.params as { name: string; version: string };
    const body = request.body as { reason?: string; sunsetAt?: string; replacement?: string };
    const view = versionView(await moveVersion(params.name, params.version, action, body, commandContext(request)));
    return { status: 200, body: view, headers: { etag: view.etag } };
  });
}

export const versionOperations = [
  implement(contracts.registerVersion, async (request) => {
    const version = await registerVersion(request.params.name, request.body, commandContext(request));
    const view = versionView(version);
    return { status: 201, body: view, headers: { location: versionPath(version.service, version.version), etag: view.etag } };
  }),

  implement(contracts.listVersions, async (request) => {
    const [stored, page] = await Promise.all([getService(request.params.name), listVersions(request.params.name, request.query)]);
    if (!stored) throw new NotFoundError(`There is no service named ${request.params.name}.`);
    return { status: 200, body: { items: page.items.map(versionView), nextCursor: page.nextCursor } };
  }),

  implement(contracts.getVersion, async (request) => {
    const view = versionView(await readVersion(request.params.name, request.params.version));
    return { status: 200, body: view, headers: { etag: view.etag } };
  }),

  implement(contracts.addVersionChanges, async (request) => {
    const version = await addVersionChanges(request.params.name, request.params.version, request.body.changes, commandContext(request));
    const view = versionView(version);
    return { status: 200, body: view, headers: { etag: view.etag } };
  }),

  lifecycleOperation(contracts.releaseVersion, 'release'),
  lifecycleOperation(contracts.deprecateVersion, 'deprecate'),
  lifecycleOperation(contracts.retireVersion, 'retire'),
];
