import { DEFAULT_MODEL_POLICY, type ModelPolicy } from './statistics/index.ts';

/**
 * A model's policy (issue 10, item 5): the thresholds a version's live figures are judged by, and
 * the lifecycle settings around production (which environment it is, deprecation on promotion,
 * retirement, warnings, automatic rollback). One per service; every field has a default, so a
 * model without a policy is judged by the defaults.
 */
export interface ModelSettings extends ModelPolicy {
  /** The environment whose traffic makes a version `active` or `canary`. */
  productionEnvironment: string;
  /** Production needs a `pass` evaluation from another environment, and the cost limit holds. */
  enforcePerformanceThresholds: boolean;
  /** A promotion to production deprecates the version it replaces. */
  deprecateOldVersionsOnNewDeployment: boolean;
  /** The daily job retires deprecated versions past their sunset that served nothing in 24 h. */
  enableAutomaticRetirement: boolean;
  /** The sunset of a version deprecated by a promotion, this many days ahead. */
  defaultGracePeriodDays: number;
  /** Deprecated versions this close to sunset are warned about (and critical under 7 days). */
  eolWarningThresholdDays: number;
  /** A critical alert this soon after a promotion to production rolls it back. */
  autoRollbackWindowMinutes: number;
}

export const DEFAULT_MODEL_SETTINGS: Readonly<ModelSettings> = Object.freeze({
  ...DEFAULT_MODEL_POLICY,
  productionEnvironment: 'prod',
  enforcePerformanceThresholds: true,
  deprecateOldVersionsOnNewDeployment: true,
  enableAutomaticRetirement: false,
  defaultGracePeriodDays: 90,
  eolWarningThresholdDays: 30,
  autoRollbackWindowMinutes: 30,
});

/** The defaults with the given fields over them (a PUT replaces the policy whole: what it leaves out is the default). */
export function resolveSettings(input: Partial<ModelSettings>): ModelSettings {
  const settings: ModelSettings = { ...DEFAULT_MODEL_SETTINGS };
  for (const [field, value] of Object.entries(input)) if (value !== undefined) Object.assign(settings, { [field]: value });
  return settings;
}

/** Under this many days to sunset a deprecation warning is critical. */
export const CRITICAL_SUNSET_DAYS = 7;
