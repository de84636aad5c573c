import { listOpenServiceAlerts } from '#alerts/public';
import type { CommandContext } from '#kernel/command-context';
import { getDeployment, getEnvironment } from '#deployments/public';
import { rollbackDeployment } from '#deployments/interventions.commands';
import { getModelSettings } from './models.store.ts';
import { allServices } from './registry.reads.ts';

/**
 * Roll back on a critical alert after success (issue 10, item 10): within the policy's
 * `autoRollbackWindowMinutes` of a model's promotion to production, a critical alert of that
 * service, about that environment (labelled with it, or with none), fired after the promotion,
 * rolls the promotion back to the version it replaced, with the alert as the reason. Run every
 * minute; a promotion already rolled back, or no longer the latest, is left alone.
 */

export interface AutoRollbackOutcome {
  checked: number;
  rolledBack: Array<{ service: string; deploymentId: string; version: string; to: string; alertId: string }>;
}

export async function rollBackOnCriticalAlerts(now: Date, context: CommandContext): Promise<AutoRollbackOutcome> {
  const outcome: AutoRollbackOutcome = { checked: 0, rolledBack: [] };
  for (const model of await allServices(null, 'model')) {
    const settings = await getModelSettings(model.name);
    const windowMs = settings.autoRollbackWindowMinutes * 60_000;
    if (windowMs === 0) continue;
    const environment = (await getEnvironment(model.name, settings.productionEnvironment))?.environment;
    const latestId = environment?.recentDeploymentIds[0];
    if (!environment || !latestId || environment.activeDeploymentId) continue;
    const promotion = await getDeployment(model.name, environment.name, latestId);
    if (promotion?.status !== 'succeeded' || !promotion.fromVersion || !promotion.finishedAt) continue;
    if (promotion.version !== environment.activeVersion) continue;
    const promotedAt = Date.parse(promotion.finishedAt);
    if (now.getTime() - promotedAt > windowMs) continue;
    outcome.checked++;
    const alert = (await listOpenServiceAlerts(model.name, 'critical')).find((candidate) => {
      const about = candidate.labels?.environment;
      return (about === undefined || about === environment.name) && Date.parse(candidate.firedAt) >= promotedAt;
    });
    if (!alert) continue;
    const minutes = Math.max(0, Math.round((Date.parse(alert.firedAt) - promotedAt) / 60_000));
    await rollbackDeployment(
      model.name,
      promotion.id,
      `critical alert "${alert.name}" (${alert.id}) fired ${minutes} minute${minutes === 1 ? '' : 's'} after ${promotion.version} was promoted to ${environment.name}: ${alert.summary}`,
      context,
    );
    outcome.rolledBack.push({
      service: model.name,
      deploymentId: promotion.id,
      version: promotion.version,
      to: promotion.fromVersion,
      alertId: alert.id,
    });
  }
  return outcome;
}
