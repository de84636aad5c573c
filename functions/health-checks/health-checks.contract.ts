import { defineContract } from '#kernel/http/operation';
import {
  HealthCheckCreate,
  HealthCheckPage,
  HealthCheckParams,
  HealthCheckPatch,
  HealthCheckResultPage,
  HealthCheckRunView,
  HealthCheckView,
  ResultsQuery,
  RevealedHeadersView,
  RunBody,
} from './health-checks.schema.ts';
import { ServiceName } from '#services/services.schema';
import { ListQuery } from '#kernel/schemas/common';

/** The health-check routes' contracts: validation and OpenAPI only. Behaviour is in functions/health-checks/health-checks.routes.ts. */

const tag = 'Health checks';
const group = 'health-checks';
const base = '/v1/services/{name}/health-checks';
const etag = { ETag: { description: 'The check’s ETag, for If-Match.' } };

export const createHealthCheck = defineContract({
  operationId: 'createHealthCheck',
  group,
  tag,
  method: 'POST',
  path: base,
  summary: 'Define a scheduled HTTP health check',
  description:
    'The runner requests `url` every `intervalSeconds` (through the outbound address policy) and evaluates `conditions`. The check turns unhealthy after `failureThreshold` failed runs in a row and healthy after `successThreshold` passing runs in a row; each change is a `healthcheck.state_changed` event. An invalid condition is a 400 pointing at it (`/body/conditions/<i>`).',
  access: 'deployer',
  scope: { from: 'path', param: 'name' },
  params: ServiceName,
  body: HealthCheckCreate,
  responses: {
    201: {
      description: 'Created; first run on the next tick.',
      schema: HealthCheckView,
      headers: { Location: { description: 'The check.' }, ...etag },
    },
    404: { description: 'No such service.' },
  },
});

export const listHealthChecks = defineContract({
  operationId: 'listHealthChecks',
  group,
  tag,
  method: 'GET',
  path: base,
  summary: 'List a service’s health checks with their current state',
  access: 'viewer',
  scope: { from: 'path', param: 'name' },
  params: ServiceName,
  query: ListQuery,
  responses: {
    200: { description: 'A page of checks, oldest first.', schema: HealthCheckPage },
    404: { description: 'No such service.' },
  },
});

export const getHealthCheck = defineContract({
  operationId: 'getHealthCheck',
  group,
  tag,
  method: 'GET',
  path: `${base}/{id}`,
  summary: 'Get a health check, its state and last result',
  access: 'viewer',
  scope: { from: 'path', param: 'name' },
  params: HealthCheckParams,
  responses: {
    200: { description: 'The check.', schema: HealthCheckView, headers: etag },
    404: { description: 'No such service or check.' },
  },
});

export const updateHealthCheck = defineContract({
  operationId: 'updateHealthCheck',
  group,
  tag,
  method: 'PATCH',
  path: `${base}/{id}`,
  summary: 'Change a health check',
  description: 'Fields left out keep their value. The state and its counters carry on; a new interval applies from the next run.',
  access: 'deployer',
  scope: { from: 'path', param: 'name' },
  params: HealthCheckParams,
  body: HealthCheckPatch,
  requestHeaders: ['If-Match'],
  responses: {
    200: { description: 'The check as changed.', schema: HealthCheckView, headers: etag },
    404: { description: 'No such service or check.' },
    412: { description: 'The check changed since the ETag in If-Match.' },
  },
});

export const deleteHealthCheck = defineContract({
  operationId: 'deleteHealthCheck',
  group,
  tag,
  method: 'DELETE',
  path: `${base}/{id}`,
  summary: 'Delete a health check',
  description: 'It stops running at once. Its results expire with their TTL.',
  access: 'deployer',
  scope: { from: 'path', param: 'name' },
  params: HealthCheckParams,
  requestHeaders: ['If-Match'],
  responses: {
    204: { description: 'Deleted.' },
    404: { description: 'No such service or check.' },
    412: { description: 'The check changed since the ETag in If-Match.' },
  },
});

export const runHealthCheck = defineContract({
  operationId: 'runHealthCheck',
  group,
  tag,
  method: 'POST',
  path: `${base}/{id}/run`,
  summary: 'Run a health check now',
  description: 'Runs it at once, outside its schedule, and records the result like any other run (it counts towards the thresholds).',
  access: 'deployer',
  scope: { from: 'path', param: 'name' },
  params: HealthCheckParams,
  body: RunBody,
  bodyOptional: true,
  responses: {
    200: { description: 'The result, and the state after it.', schema: HealthCheckRunView },
    404: { description: 'No such service or check.' },
  },
});

export const listHealthCheckResults = defineContract({
  operationId: 'listHealthCheckResults',
  group,
  tag,
  method: 'GET',
  path: `${base}/{id}/results`,
  summary: 'A health check’s results, newest first',
  description: 'Between `from` and `to` (default: the last 24 hours). Results are kept 30 days.',
  access: 'viewer',
  scope: { from: 'path', param: 'name' },
  params: HealthCheckParams,
  query: ResultsQuery,
  responses: {
    200: { description: 'A page of results.', schema: HealthCheckResultPage },
    400: { description: 'A bad window (from after to, or longer than 31 days) or cursor.' },
    404: { description: 'No such service or check.' },
  },
});

export const revealHealthCheckHeaders = defineContract({
  operationId: 'revealHealthCheckHeaders',
  group,
  tag,
  method: 'POST',
  path: `${base}/{id}/headers/reveal`,
  summary: 'Reveal the credential values a health check sends',
  description:
    'The values of the headers shown as `***` (secret references are revealed with the secret itself). Recorded as `healthcheck.headers_revealed` with who asked.',
  access: 'admin',
  scope: { from: 'path', param: 'name' },
  params: HealthCheckParams,
  responses: {
    200: { description: 'The values, by header name (never cached: `Cache-Control: no-store`).', schema: RevealedHeadersView },
    404: { description: 'No such service or check, or it keeps no credential values.' },
    503: { description: 'The value store failed; nothing was recorded.' },
  },
});

export const healthCheckContracts = [
  createHealthCheck,
  listHealthChecks,
  getHealthCheck,
  updateHealthCheck,
  deleteHealthCheck,
  runHealthCheck,
  listHealthCheckResults,
  revealHealthCheckHeaders,
];
