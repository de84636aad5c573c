import { alertOperations } from '#alerts/alerts.routes';
import { apiContractOperations } from '#api-contracts/contracts.routes';
import { compatibilityCheckOperations } from '#api-contracts/check.routes';
import { migrationOperations } from '#api-contracts/migrations.routes';
import { openApiUploadOperations } from '#api-contracts/uploads.routes';
import { apiKeyOperations } from '#api-keys/api-keys.routes';
import { auditOperations } from '#audit/audit.routes';
import { configTransferOperations } from '#configs/transfer.routes';
import { configWriteOperations } from '#configs/writes.routes';
import { configOperations } from '#configs/configs.routes';
import { deploymentOperations } from '#deployments/deployments.routes';
import { healthCheckOperations } from '#health-checks/health-checks.routes';
import { incidentOperations } from '#incidents/incidents.routes';
import { metricOperations } from '#metrics/metrics.routes';
import { modelOperations } from '#models/models.routes';
import { secretOperations } from '#secrets/secrets.routes';
import { serviceOperations } from '#services/services.routes';
import { sloOperations } from '#slo/slo.routes';
import { subscriptionOperations } from '#notifications/subscriptions.routes';
import { systemOperations } from './system.routes.ts';
import { healthOperations } from './health.routes.ts';
import { versionOperations } from '#services/versions.routes';
import { webhookOperations } from '#webhooks/webhooks.routes';
import type { Operation } from '#kernel/http/operation';

/** Every route with its behaviour, for the local runtime and tests; deployed functions import only their group. */
export const allOperations: Operation[] = [
  ...serviceOperations,
  ...versionOperations,
  ...openApiUploadOperations,
  ...apiContractOperations,
  ...compatibilityCheckOperations,
  ...migrationOperations,
  ...auditOperations,
  ...apiKeyOperations,
  ...configOperations,
  ...configWriteOperations,
  ...configTransferOperations,
  ...secretOperations,
  ...deploymentOperations,
  ...healthCheckOperations,
  ...sloOperations,
  ...metricOperations,
  ...modelOperations,
  ...alertOperations,
  ...incidentOperations,
  ...webhookOperations,
  ...subscriptionOperations,
  ...systemOperations,
  ...healthOperations,
];

export function operationsOf(group: Operation['group']): Operation[] {
  return allOperations.filter((operation) => operation.group === group);
}
