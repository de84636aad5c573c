import type { CommandContext } from '#kernel/command-context';
import { ConflictError } from '#kernel/errors';
import { getService, getVersion } from '#services/public';
import { moveVersion } from '#services/versions.commands';
import { parseSemVer, precedenceKey } from '#services/semver.domain';
import type { Version } from '#services/version.domain';
import { getModelSettings } from './models.store.ts';

/**
 * Promotion with demotion (issue 10, item 8): when a model version comes to serve all of the
 * production environment, the version it replaced is deprecated, with a sunset the policy's grace
 * period ahead and the new version as its replacement, if the policy says so. Idempotent: a version
 * no longer released is left alone, so a retried workflow step changes nothing the second time.
 */
export async function deprecateReplaced(
  service: string,
  environment: string,
  version: string,
  previous: string | null,
  context: CommandContext,
  nowMs = Date.now(),
): Promise<Version | null> {
  if (!previous || previous === version) return null;
  const stored = await getService(service);
  if (stored?.service.kind !== 'model') return null;
  const settings = await getModelSettings(service);
  if (environment !== settings.productionEnvironment || !settings.deprecateOldVersionsOnNewDeployment) return null;
  const parsed = parseSemVer(previous);
  if (!parsed.ok) return null;
  const replaced = await getVersion(service, precedenceKey(parsed.value));
  if (replaced?.status !== 'released') return null;
  const sunsetAt = new Date(nowMs + settings.defaultGracePeriodDays * 86_400_000).toISOString();
  const reason = `Replaced by ${version} in ${environment}.`;
  try {
    return await moveVersion(service, replaced.version, 'deprecate', { reason, sunsetAt, replacement: version }, context);
  } catch (error) {
    // The new version is not released (deployed with force while deprecated): deprecate without naming it.
    if (!(error instanceof ConflictError) || !/replacement/.test(error.message)) throw error;
    return moveVersion(service, replaced.version, 'deprecate', { reason, sunsetAt }, context);
  }
}
