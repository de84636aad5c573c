import { defineContract } from '#kernel/http/operation';
import { DeepHealthView, LiveView } from './health.schema.ts';

const tag = 'System';
const group = 'system';

export const getLiveness = defineContract({
  operationId: 'getLiveness',
  group,
  tag,
  method: 'GET',
  path: '/health/live',
  summary: 'Liveness: the process answers',
  description: 'For load balancers and probes: answers 200 while the process runs, touching nothing else.',
  access: 'public',
  scope: { from: 'none' },
  responses: { 200: { description: 'Alive.', schema: LiveView } },
});

export const getDeepHealth = defineContract({
  operationId: 'getDeepHealth',
  group,
  tag,
  method: 'GET',
  path: '/health/deep',
  summary: 'Deep health: table, state machine, topic, secret store',
  description:
    'Asks each dependency once (a table read, the deployment state machine, the notification topic, the secret value store), ' +
    'in parallel, each within 3 s. Public: the overall status and each check ok or failing. ' +
    'With an admin key (`Authorization: Bearer`) also `details`: what was asked, latency and the error. ' +
    'Any other key, or an invalid one, gets the public answer.',
  access: 'public',
  scope: { from: 'none' },
  responses: {
    200: { description: 'Every dependency answers.', schema: DeepHealthView },
    503: { description: 'At least one dependency fails.', schema: DeepHealthView },
  },
});

export const healthContracts = [getLiveness, getDeepHealth];
