import { ValidationError } from '#kernel/errors';

/**
 * Deployment strategies and the step plans they make. A plan is the list of traffic percentages
 * the new version gets, in order, each followed by a bake during which the health gate watches.
 */

export type Strategy =
  | { type: 'all-at-once' }
  | { type: 'blue-green'; verifyMinutes?: number; keepPreviousMinutes?: number }
  | { type: 'canary'; percent: number; bakeMinutes: number }
  | { type: 'canary'; steps: Array<{ percent: number; bakeMinutes: number }> }
  | { type: 'linear'; percent: number; intervalMinutes: number }
  | { preset: PresetName };

/** CodeDeploy's predefined Lambda deployment configurations, by the names AWS users know. */
export const PRESETS = {
  AllAtOnce: { type: 'all-at-once' },
  Canary10Percent5Minutes: { type: 'canary', percent: 10, bakeMinutes: 5 },
  Canary10Percent10Minutes: { type: 'canary', percent: 10, bakeMinutes: 10 },
  Canary10Percent15Minutes: { type: 'canary', percent: 10, bakeMinutes: 15 },
  Canary10Percent30Minutes: { type: 'canary', percent: 10, bakeMinutes: 30 },
  Linear10PercentEvery1Minute: { type: 'linear', percent: 10, intervalMinutes: 1 },
  Linear10PercentEvery2Minutes: { type: 'linear', percent: 10, intervalMinutes: 2 },
  Linear10PercentEvery3Minutes: { type: 'linear', percent: 10, intervalMinutes: 3 },
  Linear10PercentEvery10Minutes: { type: 'linear', percent: 10, intervalMinutes: 10 },
} as const satisfies Record<string, Strategy>;
export type PresetName = keyof typeof PRESETS;
export const PRESET_NAMES = Object.keys(PRESETS) as PresetName[];

export const STRATEGY_TYPES = ['all-at-once', 'blue-green', 'canary', 'linear'] as const;
export type StrategyType = (typeof STRATEGY_TYPES)[number];

/** Bakes and intervals are 0–1,440 minutes (a day); intervals at least 1. */
export const MAX_BAKE_MINUTES = 1440;
export const DEFAULT_VERIFY_MINUTES = 5;
export const DEFAULT_KEEP_PREVIOUS_MINUTES = 60;

export interface PlanStep {
  /** The new version's share of traffic during this step. */
  percent: number;
  /** How long to watch the health gate at this share before moving on. */
  bakeSeconds: number;
}

export interface DeploymentPlan {
  strategy: StrategyType;
  preset: PresetName | null;
  steps: PlanStep[];
  /** Blue-green: how long the previous version stays ready for an instant rollback. */
  keepPreviousSeconds: number | null;
}

function invalid(pointer: string, message: string): never {
  throw new ValidationError(`The strategy is not valid: ${message}.`, [{ pointer: `/body/strategy${pointer}`, message }]);
}

function checkPercent(percent: number, pointer: string): void {
  if (!Number.isInteger(percent) || percent < 1 || percent > 99) invalid(pointer, 'a percentage is a whole number from 1 to 99');
}

function checkMinutes(minutes: number, pointer: string, least: number): void {
  if (!Number.isFinite(minutes) || minutes < least || minutes > MAX_BAKE_MINUTES) {
    invalid(pointer, `must be from ${least} to ${MAX_BAKE_MINUTES} minutes`);
  }
}

/** Checks that a strategy names one type (or a preset) with the fields that type needs, and no others. */
function checkShape(input: Record<string, unknown>): Strategy {
  const present = Object.keys(input).filter((key) => input[key] !== undefined);
  if ('preset' in input && input.preset !== undefined) {
    if (present.length > 1) invalid('', 'a preset stands alone: send only `preset`');
    if (typeof input.preset !== 'string' || !Object.hasOwn(PRESETS, input.preset))
      invalid('/preset', `must be one of ${PRESET_NAMES.join(', ')}`);
    return input as Strategy;
  }
  const fields: Record<StrategyType, string[][]> = {
    'all-at-once': [[]],
    'blue-green': [['verifyMinutes', 'keepPreviousMinutes']],
    canary: [['percent', 'bakeMinutes'], ['steps']],
    linear: [['percent', 'intervalMinutes']],
  };
  const type = input.type as StrategyType | undefined;
  if (typeof type !== 'string' || !Object.hasOwn(fields, type))
    invalid('/type', `must be one of ${STRATEGY_TYPES.join(', ')}, or send a preset`);
  const others = present.filter((key) => key !== 'type');
  const shapes = fields[type];
  const fits = shapes.find(
    (shape) => others.every((key) => shape.includes(key)) && (type === 'blue-green' || shape.every((key) => others.includes(key))),
  );
  if (!fits) {
    const expected = shapes.map((shape) => (shape.length ? shape.join(' and ') : 'no other field')).join(', or ');
    invalid('', `a ${type} strategy takes ${expected}`);
  }
  return input as Strategy;
}

/** Turns a strategy into its plan, refusing percentages outside 1–99, steps that do not increase, and bakes out of range. */
export function planFor(input: Strategy | Record<string, unknown>): DeploymentPlan {
  const strategy = checkShape(input as Record<string, unknown>);
  const preset = 'preset' in strategy ? strategy.preset : null;
  const resolved: Exclude<Strategy, { preset: PresetName }> = 'preset' in strategy ? PRESETS[strategy.preset] : strategy;
  const minutes = (value: number) => Math.round(value * 60);
  switch (resolved.type) {
    case 'all-at-once':
      return { strategy: 'all-at-once', preset, steps: [{ percent: 100, bakeSeconds: 0 }], keepPreviousSeconds: null };
    case 'blue-green': {
      const verify = resolved.verifyMinutes ?? DEFAULT_VERIFY_MINUTES;
      const keep = resolved.keepPreviousMinutes ?? DEFAULT_KEEP_PREVIOUS_MINUTES;
      checkMinutes(verify, '/verifyMinutes', 0);
      checkMinutes(keep, '/keepPreviousMinutes', 0);
      // Green is verified on its own (0% of traffic) before the switch.
      return {
        strategy: 'blue-green',
        preset,
        steps: [
          { percent: 0, bakeSeconds: minutes(verify) },
          { percent: 100, bakeSeconds: 0 },
        ],
        keepPreviousSeconds: minutes(keep),
      };
    }
    case 'canary': {
      const steps = 'steps' in resolved ? resolved.steps : [{ percent: resolved.percent, bakeMinutes: resolved.bakeMinutes }];
      if (steps.length === 0 || steps.length > 20) invalid('/steps', 'a canary has 1 to 20 steps');
      steps.forEach((step, i) => {
        const pointer = 'steps' in resolved ? `/steps/${i}` : '';
        checkPercent(step.percent, `${pointer}/percent`);
        checkMinutes(step.bakeMinutes, `${pointer}/bakeMinutes`, 0);
        if (i > 0 && step.percent <= (steps[i - 1] as { percent: number }).percent) {
          invalid(`${pointer}/percent`, 'each step must send more traffic than the one before');
        }
      });
      return {
        strategy: 'canary',
        preset,
        steps: [
          ...steps.map((step) => ({ percent: step.percent, bakeSeconds: minutes(step.bakeMinutes) })),
          { percent: 100, bakeSeconds: 0 },
        ],
        keepPreviousSeconds: null,
      };
    }
    case 'linear': {
      checkPercent(resolved.percent, '/percent');
      checkMinutes(resolved.intervalMinutes, '/intervalMinutes', 1);
      const steps: PlanStep[] = [];
      for (let percent = resolved.percent; percent < 100; percent += resolved.percent) {
        steps.push({ percent, bakeSeconds: minutes(resolved.intervalMinutes) });
      }
      steps.push({ percent: 100, bakeSeconds: 0 });
      return { strategy: 'linear', preset, steps, keepPreviousSeconds: null };
    }
  }
}

/** Weights for a step: the new version's share, the rest to the version that was active. */
export function weightsFor(step: PlanStep, version: string, baseline: Record<string, number>): Record<string, number> {
  const previous = Object.keys(baseline).filter((candidate) => candidate !== version);
  if (step.percent >= 100 || previous.length === 0) return { [version]: 100 };
  if (step.percent <= 0) return { ...baseline };
  // At rest an environment serves one version; a baseline split is scaled down proportionally.
  const remaining = 100 - step.percent;
  const total = previous.reduce((sum, candidate) => sum + (baseline[candidate] ?? 0), 0) || 1;
  const weights: Record<string, number> = { [version]: step.percent };
  let assigned = 0;
  previous.forEach((candidate, i) => {
    const share = i === previous.length - 1 ? remaining - assigned : Math.floor(((baseline[candidate] ?? 0) / total) * remaining);
    weights[candidate] = share;
    assigned += share;
  });
  return weights;
}
