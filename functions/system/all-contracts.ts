import { alertContracts } from '#alerts/alerts.contract';
import { apiContractContracts } from '#api-contracts/contracts.contract';
import { compatibilityCheckContracts } from '#api-contracts/check.contract';
import { migrationContracts } from '#api-contracts/migrations.contract';
import { openApiUploadContracts } from '#api-contracts/uploads.contract';
import { apiKeyContracts } from '#api-keys/api-keys.contract';
import { auditContracts } from '#audit/audit.contract';
import { configContracts } from '#configs/configs.contract';
import { deploymentContracts } from '#deployments/deployments.contract';
import { healthCheckContracts } from '#health-checks/health-checks.contract';
import { incidentContracts } from '#incidents/incidents.contract';
import { metricContracts } from '#metrics/metrics.contract';
import { modelContracts } from '#models/models.contract';
import { secretContracts } from '#secrets/secrets.contract';
import { serviceContracts } from '#services/services.contract';
import { sloContracts } from '#slo/slo.contract';
import { subscriptionContracts } from '#notifications/subscriptions.contract';
import { docsContracts } from './docs.contract.ts';
import { systemContracts } from './system.contract.ts';
import { healthContracts } from './health.contract.ts';
import { versionContracts } from '#services/versions.contract';
import { webhookContracts } from '#webhooks/webhooks.contract';
import type { Contract } from '#kernel/http/operation';

/**
 * Every route of the API, without behaviour. The OpenAPI document, the route table (local
 * server and the 404/405 fallback) and the CDK routes are built from this list.
 */
export const allContracts: Contract[] = [
  ...serviceContracts,
  ...versionContracts,
  ...openApiUploadContracts,
  ...apiContractContracts,
  ...compatibilityCheckContracts,
  ...migrationContracts,
  ...auditContracts,
  ...apiKeyContracts,
  ...configContracts,
  ...secretContracts,
  ...deploymentContracts,
  ...healthCheckContracts,
  ...sloContracts,
  ...metricContracts,
  ...modelContracts,
  ...alertContracts,
  ...incidentContracts,
  ...webhookContracts,
  ...subscriptionContracts,
  ...systemContracts,
  ...healthContracts,
  ...docsContracts,
];
