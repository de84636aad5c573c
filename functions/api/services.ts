import { registerService, updateService } from '#commands/services';
import { ForbiddenError, NotFoundError } from '#domain/errors';
import { canSeeService } from '#domain/roles';
import { commandContext } from '#api/context';
import { servicePath, serviceView } from '#api/views';
import { defineOperation } from '#http/operation';
import { ListQuery, pageOf } from '#schemas/common';
import { ServiceCreate, ServiceName, ServicePatch, ServiceView } from '#schemas/services';
import { getService, listServices } from '#store/services';

const tag = 'Services';
const group = 'services';

export const createServiceOperation = defineOperation({
  operationId: 'createService',
  group,
  tag,
  method: 'POST',
  path: '/v1/services',
  summary: 'Register a service',
  description: 'Registers an HTTP API or ML model under a unique slug name. Needs the admin role.',
  access: 'admin',
  body: ServiceCreate,
  responses: {
    201: { description: 'Registered.', schema: ServiceView, headers: { Location: { description: 'The new service.' }, ETag: { description: 'Its ETag.' } } },
    409: { description: 'A service with this name exists.' },
  },
  handle: async (request) => {
    if (!canSeeService(request.principal, request.body.name)) {
      throw new ForbiddenError(`Key "${request.principal.name}" is limited to other services than ${request.body.name}.`);
    }
    const service = await registerService(request.body, commandContext(request));
    const view = serviceView(service);
    return { status: 201, body: view, headers: { location: servicePath(service.name), etag: view.etag } };
  },
});

export const listServicesOperation = defineOperation({
  operationId: 'listServices',
  group,
  tag,
  method: 'GET',
  path: '/v1/services',
  summary: 'List services',
  description: 'Services in name order, each with its version count, latest released version and status. Keys scoped to services see only those.',
  access: 'viewer',
  query: ListQuery,
  responses: { 200: { description: 'A page of services.', schema: pageOf(ServiceView, 'ServicePage') } },
  handle: async (request) => {
    const page = await listServices({ ...request.query, only: request.principal.services });
    return { status: 200, body: { items: page.items.map(serviceView), nextCursor: page.nextCursor } };
  },
});

export const getServiceOperation = defineOperation({
  operationId: 'getService',
  group,
  tag,
  method: 'GET',
  path: '/v1/services/{name}',
  summary: 'Get a service',
  access: 'viewer',
  serviceParam: 'name',
  params: ServiceName,
  responses: {
    200: { description: 'The service.', schema: ServiceView, headers: { ETag: { description: 'Send it back in If-Match to update.' } } },
    404: { description: 'No such service.' },
  },
  handle: async (request) => {
    const stored = await getService(request.params.name);
    if (!stored) throw new NotFoundError(`There is no service named ${request.params.name}.`);
    const view = serviceView(stored.service);
    return { status: 200, body: view, headers: { etag: view.etag } };
  },
});

export const updateServiceOperation = defineOperation({
  operationId: 'updateService',
  group,
  tag,
  method: 'PATCH',
  path: '/v1/services/{name}',
  summary: 'Update a service',
  description: 'Changes descriptive fields. Send `If-Match` with the ETag you read to refuse the update if someone changed it since (412). Needs admin.',
  access: 'admin',
  serviceParam: 'name',
  params: ServiceName,
  body: ServicePatch,
  requestHeaders: ['If-Match'],
  responses: {
    200: { description: 'Updated (or unchanged, when nothing differed).', schema: ServiceView, headers: { ETag: { description: 'The new ETag.' } } },
    404: { description: 'No such service.' },
    412: { description: 'The service changed since the ETag in If-Match.' },
  },
  handle: async (request) => {
    const service = await updateService(request.params.name, request.body, commandContext(request));
    const view = serviceView(service);
    return { status: 200, body: view, headers: { etag: view.etag } };
  },
});

export const serviceOperations = [createServiceOperation, listServicesOperation, getServiceOperation, updateServiceOperation];
