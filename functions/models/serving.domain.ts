import type { VersionStatus } from '#services/lifecycle.domain';

/**
 * A model version's serving status (issue 10, item 3), derived from where it serves and its
 * lifecycle, never stored apart: `active` serves all of the production environment, `canary`
 * part of it, `deprecated` and `retired` follow the lifecycle, `testing` serves another
 * environment, `inactive` serves nothing.
 */
export const SERVING_STATUSES = ['inactive', 'testing', 'canary', 'active', 'deprecated', 'retired'] as const;
export type ServingStatus = (typeof SERVING_STATUSES)[number];

/** Where traffic goes: environment name → version → percent. */
export type Placement = Record<string, Record<string, number>>;

export function servingStatusOf(
  version: { version: string; status: VersionStatus },
  placement: Placement,
  productionEnvironment: string,
): ServingStatus {
  if (version.status === 'retired') return 'retired';
  const production = placement[productionEnvironment]?.[version.version] ?? 0;
  if (production >= 100) return 'active';
  if (production > 0) return 'canary';
  if (version.status === 'deprecated') return 'deprecated';
  const elsewhere = Object.entries(placement).some(
    ([env, weights]) => env !== productionEnvironment && (weights[version.version] ?? 0) > 0,
  );
  return elsewhere ? 'testing' : 'inactive';
}

/** Each environment's share of the version, for the environments that send it traffic. */
export function environmentsOf(version: string, placement: Placement): Record<string, number> {
  const shares: Record<string, number> = {};
  for (const [env, weights] of Object.entries(placement)) {
    const weight = weights[version] ?? 0;
    if (weight > 0) shares[env] = weight;
  }
  return shares;
}
