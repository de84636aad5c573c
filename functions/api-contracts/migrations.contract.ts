import { defineContract } from '#kernel/http/operation';
import { MigrationCreate, MigrationParams, MigrationView, ServiceParams } from './migrations.schema.ts';

/**
 * Migration plans (issue 11 §8): the migrations function, which starts deployments (and so bundles
 * the deployments' start and the workflow's launch, kept out of the api-contracts function).
 */

const tag = 'API contracts';
const group = 'migrations';

const migrationResponses = {
  404: { description: 'No such service or plan.' },
  409: { description: 'The plan’s status does not allow it.' },
};

export const createMigration = defineContract({
  operationId: 'createMigration',
  group,
  tag,
  method: 'POST',
  path: '/v1/services/{name}/migrations',
  summary: 'Plan a migration from one version to another',
  description:
    'A plan for one environment: one consumer action per breaking change between the two contracts, the consumers still calling `from` (last 7 days), and a timeline. `POST .../{id}/start` acts on it, `.../cancel` ends it.',
  access: 'deployer',
  scope: { from: 'path', param: 'name' },
  params: ServiceParams,
  body: MigrationCreate,
  responses: {
    201: { description: 'Planned.', schema: MigrationView },
    404: { description: 'No such service, version or environment.' },
    409: { description: '`to` is not released, or is `from`.' },
  },
});

export const getMigrationPlan = defineContract({
  operationId: 'getMigration',
  group,
  tag,
  method: 'GET',
  path: '/v1/services/{name}/migrations/{id}',
  summary: 'A migration plan and its progress',
  description:
    'With its deployment’s status and weights; a plan in progress is completed (and recorded so) once its deployment succeeded, or, manual, once the old version has had no traffic for the version policy’s `migrationQuietDays` (7 by default). The migration scheduler does the same every minute (a manual plan’s traffic hourly).',
  access: 'viewer',
  scope: { from: 'path', param: 'name' },
  params: MigrationParams,
  responses: { 200: { description: 'The plan.', schema: MigrationView }, ...migrationResponses },
});

export const startMigrationPlan = defineContract({
  operationId: 'startMigration',
  group,
  tag,
  method: 'POST',
  path: '/v1/services/{name}/migrations/{id}/start',
  summary: 'Start a migration plan',
  description:
    '`immediate` starts an all-at-once deployment of `to`, `gradual` a linear one, both linked to the plan; `manual` only marks it in progress; `scheduled` is started by the migration scheduler at its `startAt` (409 before). Starts of one plan at once make one deployment.',
  access: 'deployer',
  scope: { from: 'path', param: 'name' },
  params: MigrationParams,
  responses: { 200: { description: 'Started.', schema: MigrationView }, ...migrationResponses },
});

export const cancelMigrationPlan = defineContract({
  operationId: 'cancelMigration',
  group,
  tag,
  method: 'POST',
  path: '/v1/services/{name}/migrations/{id}/cancel',
  summary: 'Cancel a migration plan',
  description:
    'A planned or running plan is cancelled. Its running deployment is cancelled too, as POST .../deployments/{id}/cancel does: the workflow stopped, the weights from before it restored. A plan whose deployment already succeeded is completed, not cancelled (409).',
  access: 'deployer',
  scope: { from: 'path', param: 'name' },
  params: MigrationParams,
  responses: { 200: { description: 'Cancelled.', schema: MigrationView }, ...migrationResponses },
});

export const migrationContracts = [createMigration, getMigrationPlan, startMigrationPlan, cancelMigrationPlan];
