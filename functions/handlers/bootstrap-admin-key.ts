import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { CloudFormationCustomResourceEvent } from 'aws-lambda';
import { ensureBootstrapKey } from '#api-keys/api-keys.commands';
import { SYSTEM_PRINCIPAL } from '#kernel/roles';
import { logger } from '#kernel/logger';

const secrets = new SecretsManagerClient({});

/**
 * Deploy-time custom resource: reads the bootstrap admin key that Secrets Manager generated and
 * registers its hash, through the same command (and audit event) the local runtime uses.
 * The secret itself never leaves this function.
 */
export async function handler(event: CloudFormationCustomResourceEvent): Promise<{ PhysicalResourceId: string }> {
  const physicalResourceId = 'steward-bootstrap-admin-key';
  if (event.RequestType === 'Delete') return { PhysicalResourceId: physicalResourceId };
  const secretArn = process.env.BOOTSTRAP_SECRET_ARN;
  if (!secretArn) throw new Error('BOOTSTRAP_SECRET_ARN is not set');
  const { SecretString } = await secrets.send(new GetSecretValueCommand({ SecretId: secretArn }));
  if (!SecretString) throw new Error('the bootstrap secret has no value');
  const outcome = await ensureBootstrapKey(SecretString, {
    actor: { keyId: SYSTEM_PRINCIPAL.keyId, name: 'cloudformation' },
    requestId: event.RequestId,
  });
  logger.info('bootstrap admin key', { outcome });
  return { PhysicalResourceId: physicalResourceId };
}
