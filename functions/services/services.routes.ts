import { commandContext } from '#kernel/http/request-context';
import { servicePath, serviceView } from './services.view.ts';
import { registerService, updateService } from './services.commands.ts';
import * as contracts from './services.contract.ts';
import { NotFoundError } from '#kernel/errors';
import { implement } from '#kernel/http/operation';
import { getService, listServices } from './services.store.ts';

export const serviceOperations = [
  implement(contracts.createService, async (request) => {
    const service = await registerService(request.body, commandContext(request));
    const view = serviceView(service);
    return { status: 201, body: view, headers: { location: servicePath(service.name), etag: view.etag } };
  }),

  implement(contracts.listServices, async (request) => {
    const page = await listServices({ ...request.query, only: request.principal.services });
    return { status: 200, body: { items: page.items.map(serviceView), nextCursor: page.nextCursor } };
  }),

  implement(contracts.getService, async (request) => {
    const stored = await getService(request.params.name);
    if (!stored) throw new NotFoundError(`There is no service named ${request.params.name}.`);
    const view = serviceView(stored.service);
    return { status: 200, body: view, headers: { etag: view.etag } };
  }),

  implement(contracts.updateService, async (request) => {
    const service = await updateService(request.params.name, request.body, commandContext(request));
    const view = serviceView(service);
    return { status: 200, body: view, headers: { etag: view.etag } };
  }),
];
