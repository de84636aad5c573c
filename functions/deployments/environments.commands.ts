import { randomBytes } from 'node:crypto';
import type { CommandContext } from '#kernel/command-context';
import { checkIfMatch } from '#kernel/command-context';
import type { Environment, HealthGate, Protection, TrafficConfig } from './deployment.domain.ts';
import { NotFoundError, ValidationError } from '#kernel/errors';
import { secretValueStore } from '#kernel/secret-values/value-store';
import { executeCommand } from '#kernel/store/event-log';
import { environmentItem, getEnvironment } from './environments.store.ts';
import { keys } from '#kernel/store/keys';
import { getService } from '#services/public';

export interface EnvironmentInput {
  traffic?: TrafficConfig;
  protection?: Partial<Protection>;
  healthGate?: HealthGate | null;
}

export interface EnvironmentWriteResult {
  environment: Environment;
  created: boolean;
  /** Shown once, when an HTTP router's signing secret is made. */
  routerSigningSecret: string | null;
}

/** Where the signing secret of an environment's HTTP router lives in the secret value store. */
export function routerSecretRef(service: string, environment: string) {
  return { service, environment, name: 'steward-router-signing-secret' };
}

export const DEFAULT_APPROVAL_TIMEOUT_MINUTES = 60;

/**
 * Creates or updates an environment's settings. An HTTP router gets a Standard Webhooks signing
 * secret (`whsec_…`) the first time: kept in the secret value store, shown in this response only.
 */
export async function putEnvironment(
  service: string,
  name: string,
  input: EnvironmentInput,
  context: CommandContext,
): Promise<EnvironmentWriteResult> {
  checkAliasFunction(input.traffic);
  if (!(await getService(service))) throw new NotFoundError(`There is no service named ${service}.`);
  let routerSigningSecret: string | null = null;
  return executeCommand<EnvironmentWriteResult>(keys.environmentAggregate(service, name), async () => {
    const stored = await getEnvironment(service, name);
    if (stored) checkIfMatch(context.ifMatch, stored.environment.rev, `Environment ${name}`);
    const now = new Date().toISOString();
    const current = stored?.environment;
    const traffic = input.traffic ?? current?.traffic ?? { driver: 'none' };
    const next: Environment = {
      service,
      name,
      traffic,
      protection: {
        requiresApproval: input.protection?.requiresApproval ?? current?.protection.requiresApproval ?? false,
        approvalTimeoutMinutes:
          input.protection?.approvalTimeoutMinutes ?? current?.protection.approvalTimeoutMinutes ?? DEFAULT_APPROVAL_TIMEOUT_MINUTES,
        allowedStrategies: input.protection?.allowedStrategies ?? current?.protection.allowedStrategies ?? null,
      },
      healthGate: input.healthGate === undefined ? (current?.healthGate ?? null) : input.healthGate,
      createdAt: current?.createdAt ?? now,
      updatedAt: now,
      rev: (current?.rev ?? 0) + 1,
      activeVersion: current?.activeVersion ?? null,
      previousVersion: current?.previousVersion ?? null,
      weights: current?.weights ?? {},
      routingRevision: current?.routingRevision ?? 0,
      activeDeploymentId: current?.activeDeploymentId ?? null,
      recentDeploymentIds: current?.recentDeploymentIds ?? [],
    };
    const settings = (environment: Environment | undefined) =>
      environment ? { traffic: environment.traffic, protection: environment.protection, healthGate: environment.healthGate } : null;
    if (current && JSON.stringify(settings(current)) === JSON.stringify(settings(next))) {
      return { unchanged: { environment: current, created: false, routerSigningSecret: null } };
    }
    const needsRouterSecret = traffic.driver === 'http' && current?.traffic.driver !== 'http';
    if (needsRouterSecret && routerSigningSecret === null) {
      // Written before the event: a failed write leaves nothing pointing at a missing secret.
      routerSigningSecret = `whsec_${randomBytes(32).toString('base64')}`;
      await secretValueStore().put(routerSecretRef(service, name), routerSigningSecret);
    }
    return {
      expectedSeq: stored?.seq ?? 0,
      event: {
        type: current ? 'environment.updated' : 'environment.created',
        actor: context.actor,
        requestId: context.requestId,
        service,
        subject: `environment/${service}/${name}`,
        changes: { before: settings(current), after: settings(next) },
        effects: [environmentItem(next)],
      },
      result: () => ({ environment: next, created: !current, routerSigningSecret: needsRouterSecret ? routerSigningSecret : null }),
    };
  });
}

/**
 * On AWS the stack may update only the Lambda aliases it was deployed for
 * (`-c lambdaAliasFunctions=`): refuse others now rather than at the first step. Locally
 * (no LAMBDA_ALIAS_FUNCTIONS) anything goes.
 */
function checkAliasFunction(traffic: TrafficConfig | undefined): void {
  const configured = process.env.LAMBDA_ALIAS_FUNCTIONS;
  if (traffic?.driver !== 'lambda-alias' || configured === undefined) return;
  const allowed = configured.split(',').filter(Boolean);
  const name = traffic.functionName.split(':').at(-1) ?? traffic.functionName;
  if (!allowed.includes(name)) {
    throw new ValidationError(
      `This deployment of Steward may update aliases of ${allowed.length ? allowed.join(', ') : 'no function'} only.`,
      [
        {
          pointer: '/body/traffic/functionName',
          message: 'is not among the functions the stack was deployed for (cdk deploy -c lambdaAliasFunctions=...)',
        },
      ],
    );
  }
}
