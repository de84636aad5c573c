import { defineContract } from '#kernel/http/operation';
import { ServiceName } from '#kernel/schemas/mini';
import { ModelPolicyPut, ModelPolicyView } from './policy.schema.ts';

/** A model's policy (issue 10, item 5). Behaviour is in policy.routes.ts. */

const tag = 'Models';
const group = 'models';
const etag = { ETag: { description: 'The policy’s ETag, for If-Match.' } };

export const putModelPolicy = defineContract({
  operationId: 'putModelPolicy',
  group,
  tag,
  method: 'PUT',
  path: '/v1/services/{name}/model-policy',
  summary: 'Set a model’s policy',
  description:
    'The thresholds a version’s evaluation is judged by (`minSamples` 50, `maxErrorRate` 0.05, `minSuccessRate` 0.95, `maxLatencyMs` 5000 at `latencyPercentile` p95, `minConfidence` 0.7, `maxCostPer1kRequests` none) and the production settings (`productionEnvironment` prod, `enforcePerformanceThresholds` true, `deprecateOldVersionsOnNewDeployment` true, `enableAutomaticRetirement` false, `defaultGracePeriodDays` 90, `eolWarningThresholdDays` 30, `autoRollbackWindowMinutes` 30). The body replaces the policy whole: a field left out takes its default. Audited as `model.policy_updated`.',
  access: 'deployer',
  scope: { from: 'path', param: 'name' },
  params: ServiceName,
  body: ModelPolicyPut,
  requestHeaders: ['If-Match'],
  responses: {
    200: { description: 'The policy in force.', schema: ModelPolicyView, headers: etag },
    404: { description: 'No such service.' },
    409: { description: 'The service is not a model.' },
    412: { description: 'The policy changed since the ETag in If-Match.' },
  },
});

export const getModelPolicy = defineContract({
  operationId: 'getModelPolicy',
  group,
  tag,
  method: 'GET',
  path: '/v1/services/{name}/model-policy',
  summary: 'A model’s policy',
  description: 'The policy in force: the defaults until one is set (`updatedAt` null).',
  access: 'viewer',
  scope: { from: 'path', param: 'name' },
  params: ServiceName,
  responses: {
    200: { description: 'The policy in force.', schema: ModelPolicyView, headers: etag },
    404: { description: 'No such service.' },
    409: { description: 'The service is not a model.' },
  },
});

export const policyContracts = [putModelPolicy, getModelPolicy];
