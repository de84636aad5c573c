import { type CanaryConfig, type CanaryJudgement, judgeCanary } from './statistics/index.ts';
import { granuleMs, granuleStart, mergeCells } from './telemetry.domain.ts';
import { readCellsOfVersions } from './telemetry.store.ts';

/**
 * The canary judge as a health-gate source (issue 10, item 9): at a bake's end, the canary's
 * inferences in the environment since its step began against the baseline's (the version serving
 * the rest) over the same minutes, judged Kayenta-style by the statistics core.
 */
export interface BakeToJudge {
  service: string;
  environment: string;
  canary: string;
  baseline: string;
  /** When the step began; the judge reads whole minutes, from this one's to now's. */
  fromMs: number;
  toMs: number;
  config: CanaryConfig;
  extensionsSoFar: number;
}

export async function judgeBake(bake: BakeToJudge): Promise<CanaryJudgement> {
  const window = {
    fromMs: granuleStart(bake.fromMs, 'minute'),
    toMs: granuleStart(bake.toMs, 'minute') + granuleMs('minute'),
    granularity: 'minute' as const,
  };
  const cells = await readCellsOfVersions(bake.service, [bake.canary, bake.baseline], bake.environment, window);
  const total = (version: string) => mergeCells((cells.get(version) ?? []).map((c) => c.cell)).aggregate;
  return judgeCanary({
    baseline: total(bake.baseline),
    canary: total(bake.canary),
    config: bake.config,
    extensionsSoFar: bake.extensionsSoFar,
  });
}
