import { apiKeyOperations } from '#api/api-keys';
import { auditOperations } from '#api/audit';
import { configOperations } from '#api/configs';
import { secretOperations } from '#api/secrets';
import { serviceOperations } from '#api/services';
import { systemOperations } from '#api/system';
import { versionOperations } from '#api/versions';
import type { Operation } from '#http/operation';

/** Every route of the API. The CDK stack, the local server and the OpenAPI document read this list. */
export const allOperations: Operation[] = [
  ...serviceOperations,
  ...versionOperations,
  ...auditOperations,
  ...apiKeyOperations,
  ...configOperations,
  ...secretOperations,
];
allOperations.push(...systemOperations(() => allOperations));

export function operationsOf(group: Operation['group']): Operation[] {
  return allOperations.filter((operation) => operation.group === group);
}
