import { listDeployments } from '#deployments/public';
import type { Deployment } from '#deployments/deployment.domain';
import { implement, type Operation } from '#kernel/http/operation';
import * as contracts from './compliance.contract.ts';
import { type Override, versionCompliance } from './compliance.domain.ts';
import { readAllVersions, requireModel } from './models.reads.ts';
import { getModelSettings, listModelEvents } from './models.store.ts';

const MAX_DEPLOYMENTS = 1_000;

export const complianceOperations: Operation[] = [
  implement(contracts.getCompliance, async (request) => {
    const { name } = request.params;
    await requireModel(name);
    const settings = await getModelSettings(name);
    const [versions, production, overrideEvents] = await Promise.all([
      readAllVersions(name),
      productionDeployments(name, settings.productionEnvironment),
      listModelEvents(name, 'model.deployability_overridden'),
    ]);
    const overrides: Override[] = overrideEvents.map((event) => {
      const after = (event.changes as { after: { deploymentId: string; reason: string } }).after;
      return { deploymentId: after.deploymentId, reason: after.reason, by: event.actor as Override['by'], at: String(event.at) };
    });
    const report = versions.map((version) => versionCompliance(version, production, overrides));
    return {
      status: 200,
      body: {
        service: name,
        productionEnvironment: settings.productionEnvironment,
        compliant: report.every((v) => v.compliant),
        versions: report,
      },
    };
  }),
];

async function productionDeployments(service: string, environment: string): Promise<Deployment[]> {
  const deployments: Deployment[] = [];
  let cursor: string | undefined;
  do {
    const page = await listDeployments(service, { limit: 100, cursor, environment });
    deployments.push(...page.items);
    cursor = page.nextCursor ?? undefined;
  } while (cursor && deployments.length < MAX_DEPLOYMENTS);
  return deployments;
}
