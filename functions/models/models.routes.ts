import type { Operation } from '#kernel/http/operation';
import { complianceOperations } from './compliance.routes.ts';
import { evaluationOperations } from './evaluation.routes.ts';
import { lifecycleOperations } from './lifecycle.routes.ts';
import { registryOperations } from './registry.routes.ts';
import { policyOperations } from './policy.routes.ts';
import { telemetryOperations } from './telemetry.routes.ts';

/** Every route of the models feature (route group `models`). */
export const modelOperations: Operation[] = [
  ...telemetryOperations,
  ...policyOperations,
  ...evaluationOperations,
  ...lifecycleOperations,
  ...registryOperations,
  ...complianceOperations,
];
