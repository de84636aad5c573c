import type { Deployment } from '#deployments/deployment.domain';
import type { Version } from '#services/version.domain';
import { SHA256_DIGEST } from './model-card.schema.ts';

/**
 * A model's compliance, version by version (issue 10, item 13): is its card complete and its
 * artifact pinned by digest, did it pass its evaluation before it reached production (no admin
 * override), who promoted and who approved it, and was it retired no earlier than the sunset it
 * was deprecated with. Pure: the caller reads versions, production deployments and overrides.
 */

/** What a complete card names besides its artifact: how it was made, what it does, how well. */
export const CARD_FIELDS = ['framework', 'artifactUri', 'artifactDigest', 'capabilities', 'trainingMetrics', 'dataset'] as const;

export interface Override {
  deploymentId: string;
  reason: string;
  by: { keyId: string; name: string };
  at: string;
}

export interface VersionCompliance {
  version: string;
  status: string;
  card: { complete: boolean; missing: string[] };
  digestPresent: boolean;
  production: {
    deployed: boolean;
    /** Null when it never went to production. */
    evaluationPassedBeforeProduction: boolean | null;
    overrides: Override[];
    promotions: Array<{
      deploymentId: string;
      status: string;
      by: { keyId: string; name: string };
      at: string;
      approvedBy: { keyId: string; name: string } | null;
    }>;
  };
  /** Retired no earlier than its sunset; null while not retired. */
  deprecationNoticeRespected: boolean | null;
  compliant: boolean;
}

export function versionCompliance(version: Version, production: Deployment[], overrides: Override[]): VersionCompliance {
  const card = version.model;
  const missing = CARD_FIELDS.filter((field) => {
    const value = card?.[field];
    if (value === undefined || value === null || value === '') return true;
    if (Array.isArray(value)) return value.length === 0;
    return typeof value === 'object' && Object.keys(value).length === 0;
  });
  const digestPresent = typeof card?.artifactDigest === 'string' && SHA256_DIGEST.test(card.artifactDigest);
  const mine = production.filter((d) => d.version === version.version && d.status !== 'pending');
  const deployed = mine.length > 0;
  const overridden = overrides.filter((o) => mine.some((d) => d.id === o.deploymentId));
  const sunsetAt = version.deprecation?.sunsetAt ?? null;
  const deprecationNoticeRespected = version.status !== 'retired' ? null : sunsetAt !== null && (version.retiredAt ?? '') >= sunsetAt;
  const evaluationPassedBeforeProduction = deployed ? overridden.length === 0 : null;
  return {
    version: version.version,
    status: version.status,
    card: { complete: missing.length === 0, missing: [...missing] },
    digestPresent,
    production: {
      deployed,
      evaluationPassedBeforeProduction,
      overrides: overridden,
      promotions: mine.map((d) => ({ deploymentId: d.id, status: d.status, by: d.createdBy, at: d.createdAt, approvedBy: d.approvedBy })),
    },
    deprecationNoticeRespected,
    compliant: missing.length === 0 && digestPresent && evaluationPassedBeforeProduction !== false && deprecationNoticeRespected !== false,
  };
}
