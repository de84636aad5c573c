import { alertOperations } from '#api/alerts';
import { apiKeyOperations } from '#api/api-keys';
import { auditOperations } from '#api/audit';
import { configTransferOperations } from '#api/config-transfer';
import { configWriteOperations } from '#api/config-writes';
import { configOperations } from '#api/configs';
import { deploymentOperations } from '#api/deployments';
import { healthCheckOperations } from '#api/health-checks';
import { incidentOperations } from '#api/incidents';
import { metricOperations } from '#api/metrics';
import { secretOperations } from '#api/secrets';
import { serviceOperations } from '#api/services';
import { sloOperations } from '#api/slo';
import { subscriptionOperations } from '#api/subscriptions';
import { systemOperations } from '#api/system';
import { versionOperations } from '#api/versions';
import { webhookOperations } from '#api/webhooks';
import type { Operation } from '#http/operation';

/** Every route with its behaviour, for the local runtime and tests; deployed functions import only their group. */
export const allOperations: Operation[] = [
  ...serviceOperations,
  ...versionOperations,
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
  ...alertOperations,
  ...incidentOperations,
  ...webhookOperations,
  ...subscriptionOperations,
  ...systemOperations,
];

export function operationsOf(group: Operation['group']): Operation[] {
  return allOperations.filter((operation) => operation.group === group);
}
