import { commandContext } from '#kernel/http/request-context';
import { implement, type Operation } from '#kernel/http/operation';
import { getDeployment } from '#deployments/public';
import type { Environment } from '#deployments/deployment.domain';
import { removeAlias, setAlias } from './aliases.commands.ts';
import { readDeployability } from './deployability.reads.ts';
import * as contracts from './lifecycle.contract.ts';
import { readAllVersions, readPlacement, requireModel, resolveVersion } from './models.reads.ts';
import { getModelSettings, listAliases, type ModelAlias } from './models.store.ts';
import { environmentsOf, servingStatusOf } from './serving.domain.ts';

const aliasView = ({ alias, version, updatedAt, updatedBy }: ModelAlias) => ({ alias, version, updatedAt, updatedBy });

export const lifecycleOperations: Operation[] = [
  implement(contracts.putAlias, async (request) => {
    const alias = await setAlias(request.params.name, request.params.alias, request.body.version, commandContext(request));
    return { status: 200, body: aliasView(alias) };
  }),

  implement(contracts.listAliases, async (request) => {
    await requireModel(request.params.name);
    const aliases = await listAliases(request.params.name);
    return { status: 200, body: { items: aliases.map(aliasView) } };
  }),

  implement(contracts.deleteAlias, async (request) => {
    await removeAlias(request.params.name, request.params.alias, commandContext(request));
    return { status: 204 };
  }),

  implement(contracts.getProduction, async (request) => {
    const { name } = request.params;
    await requireModel(name);
    const [settings, { placement, environments }, versions, aliases] = await Promise.all([
      getModelSettings(name),
      readPlacement(name),
      readAllVersions(name),
      listAliases(name),
    ]);
    const production = environments.find((env) => env.name === settings.productionEnvironment) ?? null;
    const [active, canary] = production ? await Promise.all([activeSince(production), canaryOf(production)]) : [null, null];
    return {
      status: 200,
      body: {
        service: name,
        environment: settings.productionEnvironment,
        active,
        canary,
        weights: production?.weights ?? {},
        versions: versions.map((version) => ({
          version: version.version,
          status: version.status,
          servingStatus: servingStatusOf(version, placement, settings.productionEnvironment),
          environments: environmentsOf(version.version, placement),
          aliases: aliases.filter((a) => a.version === version.version).map((a) => a.alias),
        })),
      },
    };
  }),

  implement(contracts.getDeployability, async (request) => {
    const { name } = request.params;
    const [, settings] = await Promise.all([requireModel(name), getModelSettings(name)]);
    const version = await resolveVersion(name, request.params.version);
    const environment = request.query.environment ?? settings.productionEnvironment;
    const decision = await readDeployability(name, version, environment);
    return { status: 200, body: { service: name, version: version.version, environment, ...decision } };
  }),
];

/** The active version and when the deployment that made it so finished (null when that deployment is no longer among the recent ones). */
async function activeSince(env: Environment) {
  const active = Object.entries(env.weights).find(([, weight]) => weight >= 100)?.[0] ?? null;
  if (!active) return null;
  for (const id of env.recentDeploymentIds) {
    const deployment = await getDeployment(env.service, env.name, id);
    if (deployment?.status === 'succeeded' && deployment.version === active) return { version: active, since: deployment.finishedAt };
  }
  return { version: active, since: null };
}

async function canaryOf(env: Environment) {
  if (!env.activeDeploymentId) return null;
  const deployment = await getDeployment(env.service, env.name, env.activeDeploymentId);
  const weight = deployment ? (env.weights[deployment.version] ?? 0) : 0;
  if (!deployment || weight <= 0 || weight >= 100) return null;
  return { version: deployment.version, weight, since: deployment.startedAt, deploymentId: deployment.id };
}
