import { getService, getVersion } from '#services/public';
import { parseSemVer, precedenceKey } from '#services/semver.domain';
import type { Version } from '#services/version.domain';
import { DEPLOYABILITY_WINDOW, type Deployability, deployability, type EnvironmentEvaluation } from './deployability.domain.ts';
import { readWindow } from './models.reads.ts';
import { getModelSettings } from './models.store.ts';
import { evaluatePolicy, summariseAggregate } from './statistics/index.ts';
import { granuleLabel, NAMED_WINDOWS, resolveWindow, type TelemetryWindow } from './telemetry.domain.ts';
import { readDays } from './telemetry.store.ts';

/** Reads what deciding deployability takes: the policy, the version's evaluations elsewhere, the service's token mix. */
export async function readDeployability(
  service: string,
  version: Version,
  environment: string,
  options: { force?: boolean; nowMs?: number } = {},
): Promise<Deployability> {
  const nowMs = options.nowMs ?? Date.now();
  const settings = await getModelSettings(service);
  const production = environment === settings.productionEnvironment;
  const needsFigures = production && settings.enforcePerformanceThresholds;
  const evaluations: EnvironmentEvaluation[] = [];
  const tokenMix = { requests: 0, inputTokens: 0, outputTokens: 0 };
  if (needsFigures) {
    const window = resolveWindow({ window: DEPLOYABILITY_WINDOW }, nowMs) as TelemetryWindow;
    const days = await readDays(service, granuleLabel(nowMs - NAMED_WINDOWS[DEPLOYABILITY_WINDOW], 'day'), granuleLabel(nowMs, 'day'));
    const elsewhere = new Set<string>();
    for (const day of days) {
      tokenMix.requests += day.cell.aggregate.count;
      tokenMix.inputTokens += day.cell.aggregate.inputTokens;
      tokenMix.outputTokens += day.cell.aggregate.outputTokens;
      if (day.version === version.version && day.environment !== settings.productionEnvironment && day.cell.aggregate.count > 0) {
        elsewhere.add(day.environment);
      }
    }
    for (const env of [...elsewhere].sort()) {
      const { total } = await readWindow(service, version.version, env, window);
      const { verdict, samples, minSamples, criteria } = evaluatePolicy(summariseAggregate(total.aggregate), settings);
      evaluations.push({ environment: env, verdict, samples, minSamples, criteria });
    }
  }
  return deployability({ version, environment, settings, evaluations, tokenMix, force: options.force });
}

/**
 * The deployability check a deployment's start runs: null when the service is not a model (or the
 * version is unknown: the start refuses that itself), else the decision.
 */
export async function checkModelDeployment(
  service: string,
  rawVersion: string,
  environment: string,
  options: { force?: boolean } = {},
): Promise<Deployability | null> {
  const stored = await getService(service);
  if (stored?.service.kind !== 'model') return null;
  const semver = parseSemVer(rawVersion);
  if (!semver.ok) return null;
  const version = await getVersion(service, precedenceKey(semver.value));
  if (!version) return null;
  return readDeployability(service, version, environment, options);
}
