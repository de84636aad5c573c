import { describe, expect, it } from 'vitest';
import {
  type DeploymentPlan,
  MAX_BAKE_MINUTES,
  PRESET_NAMES,
  PRESETS,
  type PresetName,
  planFor,
  weightsFor,
} from '../../functions/deployments/plan.domain.ts';
import { ValidationError } from '../../functions/kernel/errors.ts';

/** The refusal planFor throws for `strategy`, as the pointers and messages a client sees. */
function refusal(strategy: Record<string, unknown>): ValidationError {
  try {
    planFor(strategy);
  } catch (error) {
    expect(error).toBeInstanceOf(ValidationError);
    return error as ValidationError;
  }
  throw new Error(`planFor accepted ${JSON.stringify(strategy)}`);
}

const percents = (plan: DeploymentPlan) => plan.steps.map((step) => step.percent);

describe('planFor: strategies', () => {
  it('sends all traffic at once with no bake for all-at-once', () => {
    // Prepare
    const strategy = { type: 'all-at-once' } as const;

    // Act
    const plan = planFor(strategy);

    // Assess
    expect(plan).toEqual({ strategy: 'all-at-once', preset: null, steps: [{ percent: 100, bakeSeconds: 0 }], keepPreviousSeconds: null });
  });

  it('verifies green at 0% for verifyMinutes, then switches to 100% and keeps blue for the rollback window', () => {
    // Prepare
    const strategy = { type: 'blue-green', verifyMinutes: 3, keepPreviousMinutes: 20 } as const;

    // Act
    const plan = planFor(strategy);

    // Assess
    expect(plan).toEqual({
      strategy: 'blue-green',
      preset: null,
      steps: [
        { percent: 0, bakeSeconds: 180 },
        { percent: 100, bakeSeconds: 0 },
      ],
      keepPreviousSeconds: 1200,
    });
  });

  it('gives blue-green a 5-minute verification and a 60-minute rollback window by default', () => {
    // Act
    const plan = planFor({ type: 'blue-green' });

    // Assess
    expect(plan.steps).toEqual([
      { percent: 0, bakeSeconds: 300 },
      { percent: 100, bakeSeconds: 0 },
    ]);
    expect(plan.keepPreviousSeconds).toBe(3600);
  });

  it('bakes a one-step canary at its percentage, then goes to 100%', () => {
    // Act
    const plan = planFor({ type: 'canary', percent: 10, bakeMinutes: 5 });

    // Assess
    expect(plan).toEqual({
      strategy: 'canary',
      preset: null,
      steps: [
        { percent: 10, bakeSeconds: 300 },
        { percent: 100, bakeSeconds: 0 },
      ],
      keepPreviousSeconds: null,
    });
  });

  it('bakes every step of a multi-step canary in order, then goes to 100%', () => {
    // Prepare
    const steps = [
      { percent: 5, bakeMinutes: 1 },
      { percent: 25, bakeMinutes: 2.5 },
      { percent: 50, bakeMinutes: 0 },
    ];

    // Act
    const plan = planFor({ type: 'canary', steps });

    // Assess
    expect(plan.steps).toEqual([
      { percent: 5, bakeSeconds: 60 },
      { percent: 25, bakeSeconds: 150 },
      { percent: 50, bakeSeconds: 0 },
      { percent: 100, bakeSeconds: 0 },
    ]);
  });

  it('turns linear 10% every minute into ten steps that end at 100%', () => {
    // Act
    const plan = planFor({ type: 'linear', percent: 10, intervalMinutes: 1 });

    // Assess
    expect(plan.strategy).toBe('linear');
    expect(percents(plan)).toEqual([10, 20, 30, 40, 50, 60, 70, 80, 90, 100]);
    expect(plan.steps.slice(0, -1).every((step) => step.bakeSeconds === 60)).toBe(true);
    expect(plan.steps.at(-1)).toEqual({ percent: 100, bakeSeconds: 0 });
  });

  it('ends a linear plan whose percentage does not divide 100 with a step to 100%', () => {
    // Act
    const plan = planFor({ type: 'linear', percent: 30, intervalMinutes: 2 });

    // Assess
    expect(plan.steps).toEqual([
      { percent: 30, bakeSeconds: 120 },
      { percent: 60, bakeSeconds: 120 },
      { percent: 90, bakeSeconds: 120 },
      { percent: 100, bakeSeconds: 0 },
    ]);
  });

  it('accepts the edges of the ranges: 1% and 99%, bakes of 0 and a whole day', () => {
    // Act
    const low = planFor({ type: 'canary', percent: 1, bakeMinutes: 0 });
    const high = planFor({ type: 'canary', percent: 99, bakeMinutes: MAX_BAKE_MINUTES });

    // Assess
    expect(low.steps[0]).toEqual({ percent: 1, bakeSeconds: 0 });
    expect(high.steps[0]).toEqual({ percent: 99, bakeSeconds: MAX_BAKE_MINUTES * 60 });
  });
});

describe('planFor: CodeDeploy presets', () => {
  const expected: Record<PresetName, { strategy: string; steps: Array<{ percent: number; bakeSeconds: number }> }> = {
    AllAtOnce: { strategy: 'all-at-once', steps: [{ percent: 100, bakeSeconds: 0 }] },
    Canary10Percent5Minutes: {
      strategy: 'canary',
      steps: [
        { percent: 10, bakeSeconds: 300 },
        { percent: 100, bakeSeconds: 0 },
      ],
    },
    Canary10Percent10Minutes: {
      strategy: 'canary',
      steps: [
        { percent: 10, bakeSeconds: 600 },
        { percent: 100, bakeSeconds: 0 },
      ],
    },
    Canary10Percent15Minutes: {
      strategy: 'canary',
      steps: [
        { percent: 10, bakeSeconds: 900 },
        { percent: 100, bakeSeconds: 0 },
      ],
    },
    Canary10Percent30Minutes: {
      strategy: 'canary',
      steps: [
        { percent: 10, bakeSeconds: 1800 },
        { percent: 100, bakeSeconds: 0 },
      ],
    },
    Linear10PercentEvery1Minute: {
      strategy: 'linear',
      steps: [...[10, 20, 30, 40, 50, 60, 70, 80, 90].map((percent) => ({ percent, bakeSeconds: 60 })), { percent: 100, bakeSeconds: 0 }],
    },
    Linear10PercentEvery2Minutes: {
      strategy: 'linear',
      steps: [...[10, 20, 30, 40, 50, 60, 70, 80, 90].map((percent) => ({ percent, bakeSeconds: 120 })), { percent: 100, bakeSeconds: 0 }],
    },
    Linear10PercentEvery3Minutes: {
      strategy: 'linear',
      steps: [...[10, 20, 30, 40, 50, 60, 70, 80, 90].map((percent) => ({ percent, bakeSeconds: 180 })), { percent: 100, bakeSeconds: 0 }],
    },
    Linear10PercentEvery10Minutes: {
      strategy: 'linear',
      steps: [...[10, 20, 30, 40, 50, 60, 70, 80, 90].map((percent) => ({ percent, bakeSeconds: 600 })), { percent: 100, bakeSeconds: 0 }],
    },
  };

  it('knows exactly the nine CodeDeploy Lambda configurations', () => {
    // Assess
    expect([...PRESET_NAMES].sort()).toEqual(Object.keys(expected).sort());
  });

  it.each(PRESET_NAMES)('plans %s as CodeDeploy does, naming the preset', (preset) => {
    // Act
    const plan = planFor({ preset });

    // Assess
    expect(plan.preset).toBe(preset);
    expect(plan.strategy).toBe(expected[preset].strategy);
    expect(plan.steps).toEqual(expected[preset].steps);
    expect(plan.keepPreviousSeconds).toBeNull();
  });

  it('plans a preset exactly like the strategy it stands for', () => {
    // Act
    const fromPreset = planFor({ preset: 'Canary10Percent15Minutes' });
    const fromStrategy = planFor(PRESETS.Canary10Percent15Minutes);

    // Assess
    expect({ ...fromPreset, preset: null }).toEqual(fromStrategy);
  });
});

describe('planFor: refusals', () => {
  const cases: Array<{ name: string; strategy: Record<string, unknown>; pointer: string }> = [
    { name: 'a canary at 0%', strategy: { type: 'canary', percent: 0, bakeMinutes: 5 }, pointer: '/body/strategy/percent' },
    { name: 'a canary at 100%', strategy: { type: 'canary', percent: 100, bakeMinutes: 5 }, pointer: '/body/strategy/percent' },
    { name: 'a canary at 150%', strategy: { type: 'canary', percent: 150, bakeMinutes: 5 }, pointer: '/body/strategy/percent' },
    { name: 'a canary at 1.5%', strategy: { type: 'canary', percent: 1.5, bakeMinutes: 5 }, pointer: '/body/strategy/percent' },
    { name: 'a canary at -10%', strategy: { type: 'canary', percent: -10, bakeMinutes: 5 }, pointer: '/body/strategy/percent' },
    { name: 'a linear step of 0%', strategy: { type: 'linear', percent: 0, intervalMinutes: 1 }, pointer: '/body/strategy/percent' },
    { name: 'a linear step of 100%', strategy: { type: 'linear', percent: 100, intervalMinutes: 1 }, pointer: '/body/strategy/percent' },
    { name: 'a linear step of 2.5%', strategy: { type: 'linear', percent: 2.5, intervalMinutes: 1 }, pointer: '/body/strategy/percent' },
    {
      name: 'canary steps that do not increase',
      strategy: {
        type: 'canary',
        steps: [
          { percent: 20, bakeMinutes: 1 },
          { percent: 20, bakeMinutes: 1 },
        ],
      },
      pointer: '/body/strategy/steps/1/percent',
    },
    {
      name: 'canary steps that go down',
      strategy: {
        type: 'canary',
        steps: [
          { percent: 10, bakeMinutes: 1 },
          { percent: 50, bakeMinutes: 1 },
          { percent: 30, bakeMinutes: 1 },
        ],
      },
      pointer: '/body/strategy/steps/2/percent',
    },
    {
      name: 'a canary step at 100%',
      strategy: {
        type: 'canary',
        steps: [
          { percent: 10, bakeMinutes: 1 },
          { percent: 100, bakeMinutes: 1 },
        ],
      },
      pointer: '/body/strategy/steps/1/percent',
    },
    { name: 'a canary with no steps', strategy: { type: 'canary', steps: [] }, pointer: '/body/strategy/steps' },
    {
      name: 'a canary with 21 steps',
      strategy: { type: 'canary', steps: Array.from({ length: 21 }, (_, i) => ({ percent: i + 1, bakeMinutes: 0 })) },
      pointer: '/body/strategy/steps',
    },
    { name: 'a negative bake', strategy: { type: 'canary', percent: 10, bakeMinutes: -1 }, pointer: '/body/strategy/bakeMinutes' },
    {
      name: 'a bake over a day',
      strategy: { type: 'canary', percent: 10, bakeMinutes: MAX_BAKE_MINUTES + 1 },
      pointer: '/body/strategy/bakeMinutes',
    },
    {
      name: 'a bake that is not a number',
      strategy: { type: 'canary', percent: 10, bakeMinutes: Number.NaN },
      pointer: '/body/strategy/bakeMinutes',
    },
    {
      name: 'a step bake out of range',
      strategy: { type: 'canary', steps: [{ percent: 10, bakeMinutes: 2000 }] },
      pointer: '/body/strategy/steps/0/bakeMinutes',
    },
    {
      name: 'a linear interval of 0',
      strategy: { type: 'linear', percent: 10, intervalMinutes: 0 },
      pointer: '/body/strategy/intervalMinutes',
    },
    {
      name: 'a linear interval over a day',
      strategy: { type: 'linear', percent: 10, intervalMinutes: MAX_BAKE_MINUTES + 1 },
      pointer: '/body/strategy/intervalMinutes',
    },
    {
      name: 'a negative blue-green verification',
      strategy: { type: 'blue-green', verifyMinutes: -5 },
      pointer: '/body/strategy/verifyMinutes',
    },
    {
      name: 'a blue-green rollback window over a day',
      strategy: { type: 'blue-green', keepPreviousMinutes: 5000 },
      pointer: '/body/strategy/keepPreviousMinutes',
    },
    { name: 'an unknown preset', strategy: { preset: 'Canary50Percent1Minute' }, pointer: '/body/strategy/preset' },
    { name: 'a preset named like an Object property', strategy: { preset: 'toString' }, pointer: '/body/strategy/preset' },
    { name: 'a preset mixed with a type', strategy: { preset: 'AllAtOnce', type: 'all-at-once' }, pointer: '/body/strategy' },
    { name: 'a preset mixed with a percentage', strategy: { preset: 'Canary10Percent5Minutes', percent: 20 }, pointer: '/body/strategy' },
    { name: 'an unknown type', strategy: { type: 'rolling' }, pointer: '/body/strategy/type' },
    { name: 'a type named like an Object property', strategy: { type: 'constructor' }, pointer: '/body/strategy/type' },
    { name: 'no type and no preset', strategy: {}, pointer: '/body/strategy/type' },
    { name: 'all-at-once with a percentage', strategy: { type: 'all-at-once', percent: 10 }, pointer: '/body/strategy' },
    { name: 'a canary without its bake', strategy: { type: 'canary', percent: 10 }, pointer: '/body/strategy' },
    {
      name: 'a canary with both percent and steps',
      strategy: { type: 'canary', percent: 10, bakeMinutes: 1, steps: [{ percent: 20, bakeMinutes: 1 }] },
      pointer: '/body/strategy',
    },
    { name: 'a canary with an interval', strategy: { type: 'canary', percent: 10, intervalMinutes: 1 }, pointer: '/body/strategy' },
    {
      name: 'linear with a bake instead of an interval',
      strategy: { type: 'linear', percent: 10, bakeMinutes: 1 },
      pointer: '/body/strategy',
    },
    { name: 'linear with steps', strategy: { type: 'linear', steps: [{ percent: 10, bakeMinutes: 1 }] }, pointer: '/body/strategy' },
    { name: 'blue-green with a percentage', strategy: { type: 'blue-green', percent: 10 }, pointer: '/body/strategy' },
  ];

  it.each(cases)('refuses $name, pointing at $pointer', ({ strategy, pointer }) => {
    // Act
    const error = refusal(strategy);

    // Assess
    expect(error.status).toBe(400);
    expect(error.errors.map((entry) => entry.pointer)).toContain(pointer);
    expect(error.errors.every((entry) => entry.message.length > 0)).toBe(true);
    expect(error.message).toMatch(/^The strategy is not valid: /);
  });

  it('says which fields a type takes when they are wrong', () => {
    // Act
    const error = refusal({ type: 'linear', percent: 10 });

    // Assess
    expect(error.errors[0]?.message).toBe('a linear strategy takes percent and intervalMinutes');
  });

  it('lists the presets when one is unknown', () => {
    // Act
    const error = refusal({ preset: 'Linear50PercentEvery1Minute' });

    // Assess
    for (const preset of PRESET_NAMES) expect(error.errors[0]?.message).toContain(preset);
  });
});

describe('weightsFor', () => {
  it('gives the new version its step and the rest to the version serving now', () => {
    // Act
    const weights = weightsFor({ percent: 10, bakeSeconds: 60 }, '2.0.0', { '1.0.0': 100 });

    // Assess
    expect(weights).toEqual({ '2.0.0': 10, '1.0.0': 90 });
  });

  it('gives the new version everything at 100%', () => {
    // Act
    const weights = weightsFor({ percent: 100, bakeSeconds: 0 }, '2.0.0', { '1.0.0': 100 });

    // Assess
    expect(weights).toEqual({ '2.0.0': 100 });
  });

  it('leaves the weights as they are at 0% (blue-green verification)', () => {
    // Prepare
    const baseline = { '1.0.0': 100 };

    // Act
    const weights = weightsFor({ percent: 0, bakeSeconds: 300 }, '2.0.0', baseline);

    // Assess
    expect(weights).toEqual({ '1.0.0': 100 });
    expect(weights).not.toBe(baseline);
  });

  it('gives the new version everything when nothing serves yet', () => {
    // Act
    const weights = weightsFor({ percent: 10, bakeSeconds: 60 }, '1.0.0', {});

    // Assess
    expect(weights).toEqual({ '1.0.0': 100 });
  });

  it('scales a split baseline down proportionally and always sums to 100', () => {
    // Act
    const even = weightsFor({ percent: 10, bakeSeconds: 60 }, '3.0.0', { '1.0.0': 50, '2.0.0': 50 });
    const uneven = weightsFor({ percent: 25, bakeSeconds: 60 }, '3.0.0', { '1.0.0': 67, '2.0.0': 33 });

    // Assess
    expect(even).toEqual({ '3.0.0': 10, '1.0.0': 45, '2.0.0': 45 });
    expect(uneven['3.0.0']).toBe(25);
    expect(Object.values(uneven).reduce((sum, weight) => sum + weight, 0)).toBe(100);
    expect(Object.values(uneven).every((weight) => Number.isInteger(weight) && weight >= 0)).toBe(true);
  });

  it('does not count the new version twice when the baseline already gives it a share', () => {
    // Act
    const weights = weightsFor({ percent: 50, bakeSeconds: 60 }, '2.0.0', { '1.0.0': 90, '2.0.0': 10 });

    // Assess
    expect(weights).toEqual({ '2.0.0': 50, '1.0.0': 50 });
  });

  it('sums to 100 at every step of every linear plan', () => {
    // Prepare
    const plans = [5, 7, 10, 33, 50, 99].map((percent) => planFor({ type: 'linear', percent, intervalMinutes: 1 }));

    // Act
    const sums = plans.flatMap((plan) =>
      plan.steps.map((step) => Object.values(weightsFor(step, '2.0.0', { '1.0.0': 100 })).reduce((a, b) => a + b, 0)),
    );

    // Assess
    expect(new Set(sums)).toEqual(new Set([100]));
  });
});
