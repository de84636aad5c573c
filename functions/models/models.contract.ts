import { complianceContracts } from './compliance.contract.ts';
import { evaluationContracts } from './evaluation.contract.ts';
import { lifecycleContracts } from './lifecycle.contract.ts';
import { registryContracts } from './registry.contract.ts';
import { policyContracts } from './policy.contract.ts';
import { telemetryContracts } from './telemetry.contract.ts';

/** Every contract of the models feature (route group `models`). */
export const modelContracts = [
  ...telemetryContracts,
  ...policyContracts,
  ...evaluationContracts,
  ...lifecycleContracts,
  ...registryContracts,
  ...complianceContracts,
];
