import { alertContracts } from '#contracts/alerts';
import { apiKeyContracts } from '#contracts/api-keys';
import { auditContracts } from '#contracts/audit';
import { configContracts } from '#contracts/configs';
import { deploymentContracts } from '#contracts/deployments';
import { healthCheckContracts } from '#contracts/health-checks';
import { incidentContracts } from '#contracts/incidents';
import { metricContracts } from '#contracts/metrics';
import { secretContracts } from '#contracts/secrets';
import { serviceContracts } from '#contracts/services';
import { sloContracts } from '#contracts/slo';
import { subscriptionContracts } from '#contracts/subscriptions';
import { systemContracts } from '#contracts/system';
import { versionContracts } from '#contracts/versions';
import { webhookContracts } from '#contracts/webhooks';
import type { Contract } from '#http/operation';

/**
 * Every route of the API, without behaviour. The OpenAPI document, the route table (local
 * server and the 404/405 fallback) and the CDK routes are built from this list.
 */
export const allContracts: Contract[] = [
  ...serviceContracts,
  ...versionContracts,
  ...auditContracts,
  ...apiKeyContracts,
  ...configContracts,
  ...secretContracts,
  ...deploymentContracts,
  ...healthCheckContracts,
  ...sloContracts,
  ...metricContracts,
  ...alertContracts,
  ...incidentContracts,
  ...webhookContracts,
  ...subscriptionContracts,
  ...systemContracts,
];
