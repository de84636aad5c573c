import { defineContract } from '#kernel/http/operation';
import { ListQuery } from '#kernel/schemas/common';
import {
  DeploymentCreate,
  DeploymentEventPage,
  DeploymentListQuery,
  DeploymentPage,
  DeploymentParams,
  DeploymentView,
  EnvironmentPage,
  EnvironmentParams,
  EnvironmentPut,
  EnvironmentView,
  PromoteBody,
  ReasonBody,
  RoutingView,
} from './deployments.schema.ts';
import { ServiceName } from '#services/services.schema';

const group = 'deployments';
const environmentsTag = 'Environments';
const tag = 'Deployments';
const notFound = { description: 'No such service, environment or deployment.' };

export const putEnvironment = defineContract({
  operationId: 'putEnvironment',
  group,
  tag: environmentsTag,
  method: 'PUT',
  path: '/v1/services/{name}/environments/{env}',
  summary: 'Define or change an environment',
  description:
    'Traffic driver (none: Steward keeps the routing table; http: Steward POSTs weights to your router, signed as a Standard Webhook — the signing secret is in the response once; lambda-alias: Steward updates a Lambda alias), protection (approval, allowed strategies) and default health gate. Needs admin.',
  access: 'admin',
  scope: { from: 'path', param: 'name' },
  params: EnvironmentParams,
  body: EnvironmentPut,
  bodyOptional: true,
  requestHeaders: ['If-Match'],
  responses: {
    200: { description: 'Updated.', schema: EnvironmentView, headers: { ETag: { description: 'Its ETag.' } } },
    201: { description: 'Created.', schema: EnvironmentView, headers: { ETag: { description: 'Its ETag.' } } },
    404: notFound,
    412: { description: 'The environment changed since the ETag in If-Match.' },
  },
});

export const listEnvironments = defineContract({
  operationId: 'listEnvironments',
  group,
  tag: environmentsTag,
  method: 'GET',
  path: '/v1/services/{name}/environments',
  summary: "A service's environments",
  access: 'viewer',
  scope: { from: 'path', param: 'name' },
  params: ServiceName,
  query: ListQuery,
  responses: { 200: { description: 'A page of environments.', schema: EnvironmentPage } },
});

export const getEnvironment = defineContract({
  operationId: 'getEnvironment',
  group,
  tag: environmentsTag,
  method: 'GET',
  path: '/v1/services/{name}/environments/{env}',
  summary: 'An environment: active and previous version, weights, the active deployment and the last ones',
  access: 'viewer',
  scope: { from: 'path', param: 'name' },
  params: EnvironmentParams,
  responses: { 200: { description: 'The environment.', schema: EnvironmentView }, 404: notFound },
});

export const getRouting = defineContract({
  operationId: 'getRouting',
  group,
  tag: environmentsTag,
  method: 'GET',
  path: '/v1/services/{name}/environments/{env}/routing',
  summary: 'The routing table data planes read',
  description: 'For the `none` driver: poll it with If-None-Match; 304 while the weights are unchanged.',
  access: 'viewer',
  scope: { from: 'path', param: 'name' },
  params: EnvironmentParams,
  requestHeaders: ['If-None-Match'],
  responses: {
    200: { description: 'Weights by version.', schema: RoutingView, headers: { ETag: { description: 'The routing revision.' } } },
    304: { description: 'Unchanged.' },
    404: notFound,
  },
});

export const promote = defineContract({
  operationId: 'promote',
  group,
  tag,
  method: 'POST',
  path: '/v1/services/{name}/environments/{env}/promote',
  summary: 'Promote a version (all at once)',
  description: 'The all-at-once shortcut: the version takes all traffic, the one serving now becomes the previous version.',
  access: 'deployer',
  scope: { from: 'path', param: 'name' },
  params: EnvironmentParams,
  body: PromoteBody,
  requestHeaders: ['Idempotency-Key'],
  responses: {
    202: {
      description: 'Accepted; the deployment runs.',
      schema: DeploymentView,
      headers: { Location: { description: 'The deployment.' } },
    },
    404: notFound,
    409: { description: 'Not deployable now.' },
  },
});

export const startDeployment = defineContract({
  operationId: 'startDeployment',
  group,
  tag,
  method: 'POST',
  path: '/v1/services/{name}/deployments',
  summary: 'Start a deployment',
  description:
    'Only released versions deploy (deprecated with force, retired never); one active deployment per environment. With Idempotency-Key, a repeated request returns the first deployment.',
  access: 'deployer',
  scope: { from: 'path', param: 'name' },
  params: ServiceName,
  body: DeploymentCreate,
  requestHeaders: ['Idempotency-Key'],
  responses: {
    202: { description: 'Accepted; the workflow runs.', schema: DeploymentView, headers: { Location: { description: 'The deployment.' } } },
    404: notFound,
    409: { description: 'Another deployment is active here, or the version is not deployable.' },
  },
});

export const listDeployments = defineContract({
  operationId: 'listDeployments',
  group,
  tag,
  method: 'GET',
  path: '/v1/services/{name}/deployments',
  summary: 'Deployments, newest first',
  access: 'viewer',
  scope: { from: 'path', param: 'name' },
  params: ServiceName,
  query: DeploymentListQuery,
  responses: { 200: { description: 'A page of deployments.', schema: DeploymentPage } },
});

export const getDeployment = defineContract({
  operationId: 'getDeployment',
  group,
  tag,
  method: 'GET',
  path: '/v1/services/{name}/deployments/{id}',
  summary: 'A deployment: status, weights, current step, timings, why it failed',
  access: 'viewer',
  scope: { from: 'path', param: 'name' },
  params: DeploymentParams,
  responses: { 200: { description: 'The deployment.', schema: DeploymentView }, 404: notFound },
});

export const listDeploymentEvents = defineContract({
  operationId: 'listDeploymentEvents',
  group,
  tag,
  method: 'GET',
  path: '/v1/services/{name}/deployments/{id}/events',
  summary: 'Every step, weight change and gate result, in order',
  access: 'viewer',
  scope: { from: 'path', param: 'name' },
  params: DeploymentParams,
  query: ListQuery,
  responses: { 200: { description: 'A page of events.', schema: DeploymentEventPage }, 404: notFound },
});

function intervention(action: 'approve' | 'cancel' | 'rollback', summary: string, description: string) {
  return defineContract({
    operationId: `${action}Deployment`,
    group,
    tag,
    method: 'POST',
    path: `/v1/services/{name}/deployments/{id}/${action}`,
    summary,
    description,
    access: 'deployer',
    scope: { from: 'path', param: 'name' },
    params: DeploymentParams,
    body: ReasonBody,
    bodyOptional: true,
    responses: {
      200: { description: 'The deployment after it.', schema: DeploymentView },
      404: notFound,
      409: { description: 'Not possible in its status.' },
      502: { description: 'The traffic driver (router, Lambda) failed; nothing was changed, or the deployment is recorded as failed.' },
    },
  });
}

export const approveDeployment = intervention(
  'approve',
  'Approve a deployment',
  'While it is awaiting approval (or accepted and not yet started, when its environment requires approval).',
);
export const cancelDeployment = intervention(
  'cancel',
  'Cancel a deployment',
  'Stops the workflow and restores the weights from before it. Only while it is active.',
);
export const rollbackDeployment = intervention(
  'rollback',
  'Roll back a succeeded deployment',
  'Puts the previous version back at once. Only for the latest deployment of its environment (and, for blue-green, within keepPreviousMinutes).',
);

export const deploymentContracts = [
  putEnvironment,
  listEnvironments,
  getEnvironment,
  getRouting,
  promote,
  startDeployment,
  listDeployments,
  getDeployment,
  listDeploymentEvents,
  approveDeployment,
  cancelDeployment,
  rollbackDeployment,
];
