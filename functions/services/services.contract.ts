import { defineContract } from '#kernel/http/operation';
import { ListQuery, pageOf } from '#kernel/schemas/common';
import { ServiceCreate, ServiceName, ServicePatch, ServiceView } from './services.schema.ts';

const tag = 'Services';
const group = 'services';

export const createService = defineContract({
  operationId: 'createService',
  group,
  tag,
  method: 'POST',
  path: '/v1/services',
  summary: 'Register a service',
  description: 'Registers an HTTP API or ML model under a unique slug name. Needs the admin role.',
  access: 'admin',
  scope: { from: 'body', field: 'name' },
  body: ServiceCreate,
  responses: {
    201: {
      description: 'Registered.',
      schema: ServiceView,
      headers: { Location: { description: 'The new service.' }, ETag: { description: 'Its ETag.' } },
    },
    409: { description: 'A service with this name exists.' },
  },
});

export const listServices = defineContract({
  operationId: 'listServices',
  group,
  tag,
  method: 'GET',
  path: '/v1/services',
  summary: 'List services',
  description:
    'Services in name order, each with its version count, latest released version and status. Keys scoped to services see only those.',
  access: 'viewer',
  scope: { from: 'list' },
  query: ListQuery,
  responses: { 200: { description: 'A page of services.', schema: pageOf(ServiceView, 'ServicePage') } },
});

export const getService = defineContract({
  operationId: 'getService',
  group,
  tag,
  method: 'GET',
  path: '/v1/services/{name}',
  summary: 'Get a service',
  access: 'viewer',
  scope: { from: 'path', param: 'name' },
  params: ServiceName,
  responses: {
    200: { description: 'The service.', schema: ServiceView, headers: { ETag: { description: 'Send it back in If-Match to update.' } } },
    404: { description: 'No such service.' },
  },
});

export const updateService = defineContract({
  operationId: 'updateService',
  group,
  tag,
  method: 'PATCH',
  path: '/v1/services/{name}',
  summary: 'Update a service',
  description:
    'Changes descriptive fields. Send `If-Match` with the ETag you read to refuse the update if someone changed it since (412). Needs admin.',
  access: 'admin',
  scope: { from: 'path', param: 'name' },
  params: ServiceName,
  body: ServicePatch,
  requestHeaders: ['If-Match'],
  responses: {
    200: {
      description: 'Updated (or unchanged, when nothing differed).',
      schema: ServiceView,
      headers: { ETag: { description: 'The new ETag.' } },
    },
    404: { description: 'No such service.' },
    412: { description: 'The service changed since the ETag in If-Match.' },
  },
});

export const serviceContracts = [createService, listServices, getService, updateService];
