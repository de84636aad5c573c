import type { ModelCard } from './model-card.schema.ts';
import type { ModelSettings } from './policy.domain.ts';
import type { PolicyEvaluation } from './statistics/index.ts';

/**
 * May a model version be deployed to an environment (issue 10, item 7)? A retired version never;
 * a deprecated one is refused with its replacement named; production, when the policy enforces
 * thresholds, needs a `pass` evaluation from another environment (too little data is a reason,
 * not a pass) and, with a cost limit, the card's price at the service's observed token mix under
 * it. Pure: the reads are done by the caller.
 */

export interface EnvironmentEvaluation extends Pick<PolicyEvaluation, 'verdict' | 'samples' | 'minSamples' | 'criteria'> {
  environment: string;
}

export interface DeployabilityInput {
  version: {
    version: string;
    status: 'draft' | 'released' | 'deprecated' | 'retired';
    deprecation: { replacement: string | null } | null;
    model: ModelCard | null;
  };
  environment: string;
  settings: ModelSettings;
  /** Evaluations of the version in environments other than production, over the evaluation window. */
  evaluations: EnvironmentEvaluation[];
  /** The service's inferences over the same window, all versions: its token mix. */
  tokenMix: { requests: number; inputTokens: number; outputTokens: number };
  /** A deployment sent `force` to deploy a deprecated version: its deprecation is then no reason. */
  force?: boolean;
}

export interface Deployability {
  approved: boolean;
  reasons: string[];
  replacement: string | null;
  production: boolean;
  evaluations: EnvironmentEvaluation[];
  /** The card's price per 1,000 requests at the observed token mix (USD); null when it cannot be told. */
  estimatedCostPer1kRequests: number | null;
}

/** How far back the evaluations and the token mix look. */
export const DEPLOYABILITY_WINDOW = '7d' as const;

export function deployability(input: DeployabilityInput): Deployability {
  const { version, settings } = input;
  const reasons: string[] = [];
  const production = input.environment === settings.productionEnvironment;
  const replacement = version.deprecation?.replacement ?? null;
  if (version.status === 'retired') reasons.push(`Version ${version.version} is retired: it can never be deployed.`);
  if (version.status === 'draft') reasons.push(`Version ${version.version} is a draft: release it first.`);
  if (version.status === 'deprecated' && !input.force) {
    reasons.push(
      replacement
        ? `Version ${version.version} is deprecated: deploy its replacement ${replacement} instead.`
        : `Version ${version.version} is deprecated, with no replacement named.`,
    );
  }
  let estimatedCostPer1kRequests: number | null = null;
  if (production && settings.enforcePerformanceThresholds) {
    const passed = input.evaluations.filter((e) => e.verdict === 'pass');
    if (passed.length === 0) {
      if (input.evaluations.length === 0) {
        reasons.push(
          `No inferences of ${version.version} were recorded outside ${settings.productionEnvironment} in the last 7 days: production needs a passing evaluation from another environment.`,
        );
      }
      for (const evaluation of input.evaluations) reasons.push(describe(version.version, evaluation));
    }
    estimatedCostPer1kRequests = costPer1k(version.model, input.tokenMix);
    const limit = settings.maxCostPer1kRequests;
    if (limit !== undefined && estimatedCostPer1kRequests !== null && estimatedCostPer1kRequests > limit) {
      reasons.push(
        `At the service's observed token mix, ${version.version} would cost ${round(estimatedCostPer1kRequests)} USD per 1,000 requests, over the policy's ${limit}.`,
      );
    }
  }
  return { approved: reasons.length === 0, reasons, replacement, production, evaluations: input.evaluations, estimatedCostPer1kRequests };
}

function describe(version: string, evaluation: EnvironmentEvaluation): string {
  if (evaluation.verdict === 'insufficient-data') {
    return `Insufficient data in ${evaluation.environment}: ${evaluation.samples} inferences of ${version}, ${evaluation.minSamples} needed for an evaluation.`;
  }
  const failed = evaluation.criteria
    .filter((c) => c.ok === false)
    .map((c) => `${c.name} ${round(c.observed ?? 0)} (${c.comparison} ${c.threshold})`)
    .join(', ');
  return `The evaluation in ${evaluation.environment} fails: ${failed}.`;
}

/** Per 1,000 requests at the mix's average tokens per request; null without a USD pricing, or without a mix when prices are per token. */
export function costPer1k(card: ModelCard | null, mix: DeployabilityInput['tokenMix']): number | null {
  const pricing = card?.pricing;
  if (!pricing || pricing.currency !== 'USD') return null;
  const perToken = pricing.inputPer1kTokens > 0 || pricing.outputPer1kTokens > 0;
  if (mix.requests === 0 && perToken) return null;
  const input = mix.requests === 0 ? 0 : mix.inputTokens / mix.requests;
  const output = mix.requests === 0 ? 0 : mix.outputTokens / mix.requests;
  return 1000 * ((input / 1000) * pricing.inputPer1kTokens + (output / 1000) * pricing.outputPer1kTokens + (pricing.perRequest ?? 0));
}

function round(value: number): number {
  return Math.round(value * 10_000) / 10_000;
}
