import { NotFoundError } from '#kernel/errors';
import { getDeployment, getEnvironment } from '#deployments/public';
import { compareStored, findVersion, documentOfVersion, type CompatibilityView } from './compatibility.ts';
import { requireService } from './version-refs.ts';

/**
 * Where things stand in one environment (issue 11 §10, the blue-green seed's `/deployment/info`):
 * the versions served with their weights, the active deployment and since when, and the breaking
 * changes between the active version and the one before it (the report frozen at the active
 * version's release when it was against that version; else diffed now). Read only.
 */
export async function environmentInfo(service: string, environmentName: string) {
  const stored = await getEnvironment(service, environmentName);
  if (!stored) {
    await requireService(service);
    throw new NotFoundError(`Service ${service} has no environment ${environmentName}.`);
  }
  const environment = stored.environment;
  const latestId = environment.activeDeploymentId ?? environment.recentDeploymentIds[0] ?? null;
  const deployment = latestId ? await getDeployment(service, environmentName, latestId) : undefined;
  const lastSucceeded =
    environment.recentDeploymentIds.length > 0 ? await lastSuccess(service, environmentName, environment.recentDeploymentIds) : undefined;
  return {
    service,
    environment: environmentName,
    activeVersion: environment.activeVersion,
    previousVersion: environment.previousVersion,
    versions: Object.entries(environment.weights)
      .map(([version, weight]) => ({ version, weight }))
      .sort((a, b) => b.weight - a.weight || (a.version < b.version ? -1 : 1)),
    deployment: deployment
      ? {
          id: deployment.id,
          version: deployment.version,
          fromVersion: deployment.fromVersion,
          status: deployment.status,
          startedAt: deployment.startedAt,
          finishedAt: deployment.finishedAt,
        }
      : null,
    /** When the active version became active: the finish of the deployment that made it so. */
    activeSince: lastSucceeded?.finishedAt ?? null,
    breakingChanges: await breakingChanges(service, environment.previousVersion, environment.activeVersion),
  };
}

async function lastSuccess(service: string, environment: string, ids: string[]) {
  for (const id of ids) {
    const deployment = await getDeployment(service, environment, id);
    if (deployment?.status === 'succeeded') return deployment;
  }
  return undefined;
}

async function breakingChanges(service: string, previous: string | null, active: string | null) {
  if (!previous || !active) return null;
  const [base, revision] = await Promise.all([findVersion(service, previous), findVersion(service, active)]);
  if (!base || !revision) return null;
  const [baseDocument, revisionDocument] = await Promise.all([documentOfVersion(base), documentOfVersion(revision)]);
  if (!baseDocument || !revisionDocument) return null;
  const report: CompatibilityView = await compareStored(baseDocument, revisionDocument);
  return {
    base: previous,
    revision: active,
    requiredBump: report.requiredBump,
    summary: report.summary,
    changes: report.changes.filter((change) => change.level === 'error'),
  };
}
