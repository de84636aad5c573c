import { describe, expect, it } from 'vitest';
import {
  BURN_WINDOWS,
  type BurnWindow,
  burnRate,
  burnRatesAt,
  type CheckObservations,
  coverageOf,
  coveragePercent,
  errorBudgetOf,
  evaluateBurnAlerts,
  isValidTarget,
  latencyOf,
  type Observation,
  reaches,
  uptimePercent,
  shown,
} from '../../functions/slo/slo.domain.ts';

/** Uptime and error-budget arithmetic on fixed data (issue 4, item 2). */

const T0 = Date.parse('2026-03-01T00:00:00.000Z');
const S = 1000;
const HOUR = 3600 * S;

const obs = (atSeconds: number, ok: boolean, latencyMs = 50, status = ok ? 200 : 500): Observation => ({
  at: T0 + atSeconds * S,
  ok,
  status,
  latencyMs,
});

/** Results every `step` seconds from `start` (inclusive) to `end` (exclusive). */
function every(step: number, start: number, end: number, ok: (t: number) => boolean = () => true): Observation[] {
  const out: Observation[] = [];
  for (let t = start; t < end; t += step) out.push(obs(t, ok(t)));
  return out;
}

const hour = { from: T0, to: T0 + HOUR };

describe('coverage: up, down and unknown seconds', () => {
  it.each([
    {
      name: 'a result every interval for the whole window: all up',
      checks: [{ intervalSeconds: 60, results: every(60, 0, 3600) }],
      expected: { upSeconds: 3600, downSeconds: 0, unknownSeconds: 0 },
      uptime: 100,
      coverage: 100,
    },
    {
      name: 'six of sixty runs failed',
      checks: [{ intervalSeconds: 60, results: every(60, 0, 3600, (t) => t < 3240) }],
      expected: { upSeconds: 3240, downSeconds: 360, unknownSeconds: 0 },
      uptime: 90,
      coverage: 100,
    },
    {
      name: 'the checker stopped half way: the gap is unknown, not up',
      checks: [{ intervalSeconds: 60, results: every(60, 0, 1800) }],
      expected: { upSeconds: 1800, downSeconds: 0, unknownSeconds: 1800 },
      uptime: 100,
      coverage: 50,
    },
    {
      name: 'a gap in the middle (runner down 10 minutes), one failure before it',
      checks: [{ intervalSeconds: 60, results: [...every(60, 0, 1200, (t) => t !== 1140), ...every(60, 1800, 3600)] }],
      expected: { upSeconds: 2940, downSeconds: 60, unknownSeconds: 600 },
      uptime: (2940 / 3000) * 100,
      coverage: (3000 / 3600) * 100,
    },
    {
      name: 'no results at all: all unknown, no uptime',
      checks: [{ intervalSeconds: 60, results: [] }],
      expected: { upSeconds: 0, downSeconds: 0, unknownSeconds: 3600 },
      uptime: null,
      coverage: 0,
    },
    {
      name: 'no checks at all: all unknown',
      checks: [],
      expected: { upSeconds: 0, downSeconds: 0, unknownSeconds: 3600 },
      uptime: null,
      coverage: 0,
    },
    {
      name: 'a check created 15 minutes in: the time before its first result is unknown',
      checks: [{ intervalSeconds: 300, results: every(300, 900, 3600) }],
      expected: { upSeconds: 2700, downSeconds: 0, unknownSeconds: 900 },
      uptime: 100,
      coverage: 75,
    },
    {
      name: 'a result from before the window covers its start; one near the end is cut at the end',
      checks: [{ intervalSeconds: 120, results: [obs(-30, false), obs(3570, true)] }],
      expected: { upSeconds: 30, downSeconds: 90, unknownSeconds: 3480 },
      uptime: 25,
      coverage: (120 / 3600) * 100,
    },
    {
      name: 'a run sooner than the interval (run now) ends the previous result there',
      checks: [{ intervalSeconds: 600, results: [obs(0, false), obs(10, true)] }],
      expected: { upSeconds: 600, downSeconds: 10, unknownSeconds: 2990 },
      uptime: (600 / 610) * 100,
      coverage: (610 / 3600) * 100,
    },
    {
      name: 'results out of order are sorted first',
      checks: [{ intervalSeconds: 60, results: [obs(60, false), obs(0, true)] }],
      expected: { upSeconds: 60, downSeconds: 60, unknownSeconds: 3480 },
      uptime: 50,
      coverage: (120 / 3600) * 100,
    },
    {
      name: 'two checks: check-seconds are summed, the window counts twice',
      checks: [
        { intervalSeconds: 60, results: every(60, 0, 3600) },
        { intervalSeconds: 60, results: every(60, 0, 1800, () => false) },
      ],
      expected: { upSeconds: 3600, downSeconds: 1800, unknownSeconds: 1800 },
      uptime: (3600 / 5400) * 100,
      coverage: 75,
    },
  ] satisfies Array<{
    name: string;
    checks: CheckObservations[];
    expected: object;
    uptime: number | null;
    coverage: number;
  }>)('$name', ({ checks, expected, uptime, coverage }) => {
    const result = coverageOf(checks, hour);
    expect(result).toEqual(expected);
    if (uptime === null) expect(uptimePercent(result)).toBeNull();
    else expect(uptimePercent(result)).toBeCloseTo(uptime, 9);
    expect(coveragePercent(result)).toBeCloseTo(coverage, 9);
  });
});

describe('latency', () => {
  it.each([
    { name: 'twenty samples 10..200 ms', latencies: Array.from({ length: 20 }, (_, i) => (i + 1) * 10), mean: 105, p95: 190 },
    { name: 'one sample', latencies: [42], mean: 42, p95: 42 },
    { name: 'a hundred samples 1..100 ms', latencies: Array.from({ length: 100 }, (_, i) => 100 - i), mean: 50.5, p95: 95 },
  ])('$name: mean $mean, p95 $p95 (nearest rank)', ({ latencies, mean, p95 }) => {
    const results = latencies.map((latency, i) => obs(i, true, latency));
    expect(latencyOf([{ intervalSeconds: 60, results }], hour)).toEqual({ samples: latencies.length, meanMs: mean, p95Ms: p95 });
  });

  it('leaves out runs without a response and results outside the window', () => {
    const results = [obs(0, true, 100), obs(10, false, 10_000, 0), obs(-1, true, 900), obs(3600, true, 900), obs(20, false, 300, 503)];
    expect(latencyOf([{ intervalSeconds: 60, results }], hour)).toEqual({ samples: 2, meanMs: 200, p95Ms: 300 });
  });

  it('has no mean or p95 without samples', () => {
    expect(latencyOf([], hour)).toEqual({ samples: 0, meanMs: null, p95Ms: null });
  });
});

describe('error budget', () => {
  it.each([
    { name: 'untouched', up: 3600, down: 0, target: 99.9, allowed: 3.6, remaining: 100, burn: 0 },
    { name: 'exactly spent', up: 3596.4, down: 3.6, target: 99.9, allowed: 3.6, remaining: 0, burn: 1 },
    { name: 'half spent', up: 3598.2, down: 1.8, target: 99.9, allowed: 3.6, remaining: 50, burn: 0.5 },
    { name: 'overspent three times', up: 3240, down: 360, target: 97.5, allowed: 90, remaining: -300, burn: 4 },
    {
      name: '99% over a day with 30 minutes down',
      up: 84_600,
      down: 1800,
      target: 99,
      allowed: 864,
      remaining: (1 - 1800 / 864) * 100,
      burn: 1800 / 864,
    },
    {
      name: 'unknown time does not count against it',
      up: 1800,
      down: 0,
      unknown: 1800,
      target: 99.9,
      allowed: 1.8,
      remaining: 100,
      burn: 0,
    },
  ])('$name', ({ up, down, unknown, target, allowed, remaining, burn }) => {
    const budget = errorBudgetOf({ upSeconds: up, downSeconds: down, unknownSeconds: unknown ?? 0 }, target);
    expect(budget.target).toBe(target);
    expect(budget.allowedDownSeconds).toBeCloseTo(allowed, 9);
    expect(budget.consumedSeconds).toBe(down);
    expect(budget.remainingSeconds).toBeCloseTo(allowed - down, 9);
    expect(budget.remainingPercent).toBeCloseTo(remaining, 9);
    expect(budget.burnRate).toBeCloseTo(burn, 9);
  });

  it('has no remaining percentage or burn rate when nothing was measured', () => {
    const budget = errorBudgetOf({ upSeconds: 0, downSeconds: 0, unknownSeconds: 3600 }, 99.9);
    expect(budget).toMatchObject({
      allowedDownSeconds: 0,
      consumedSeconds: 0,
      remainingSeconds: 0,
      remainingPercent: null,
      burnRate: null,
    });
    expect(burnRate({ upSeconds: 0, downSeconds: 0, unknownSeconds: 0 }, 99)).toBeNull();
  });

  it.each([
    [99.9, true],
    [50, true],
    [0.001, true],
    [99.999, true],
    [0, false],
    [100, false],
    [-1, false],
    [101, false],
    [Number.NaN, false],
  ])('target %s valid: %s', (target, valid) => {
    expect(isValidTarget(target)).toBe(valid);
  });
});

type Rates = Record<BurnWindow, number | null>;
const rates = (partial: Partial<Rates>): Rates => ({ '5m': 0, '30m': 0, '1h': 0, '6h': 0, '3d': 0, ...partial });
const firing = (alerts: ReturnType<typeof evaluateBurnAlerts>) =>
  alerts.rules.filter((rule) => rule.firing).map((rule) => `${rule.severity} ${rule.longWindow}/${rule.shortWindow}`);

describe('multiwindow burn-rate alerts (SRE workbook)', () => {
  it.each([
    { name: 'nothing burning', rates: rates({}), fires: [], page: false, ticket: false },
    { name: 'page 1h/5m exactly at 14.4', rates: rates({ '1h': 14.4, '5m': 14.4 }), fires: ['page 1h/5m'], page: true, ticket: false },
    { name: 'page 1h/5m: 1h just below 14.4', rates: rates({ '1h': 14.39, '5m': 20 }), fires: [], page: false, ticket: false },
    {
      name: 'page 1h/5m: 5m just below (already recovering)',
      rates: rates({ '1h': 20, '5m': 14.39 }),
      fires: [],
      page: false,
      ticket: false,
    },
    { name: 'page 6h/30m exactly at 6', rates: rates({ '6h': 6, '30m': 6 }), fires: ['page 6h/30m'], page: true, ticket: false },
    { name: 'page 6h/30m: 6h just below 6', rates: rates({ '6h': 5.99, '30m': 6 }), fires: [], page: false, ticket: false },
    { name: 'page 6h/30m: 30m just below 6', rates: rates({ '6h': 6, '30m': 5.99 }), fires: [], page: false, ticket: false },
    { name: 'ticket 3d/6h exactly at 1', rates: rates({ '3d': 1, '6h': 1 }), fires: ['ticket 3d/6h'], page: false, ticket: true },
    { name: 'ticket 3d/6h: 3d just below 1', rates: rates({ '3d': 0.99, '6h': 1 }), fires: [], page: false, ticket: false },
    { name: 'ticket 3d/6h: 6h just below 1', rates: rates({ '3d': 1, '6h': 0.99 }), fires: [], page: false, ticket: false },
    {
      name: 'a hard outage fires all three',
      rates: rates({ '5m': 1000, '30m': 1000, '1h': 1000, '6h': 166, '3d': 13.9 }),
      fires: ['page 1h/5m', 'page 6h/30m', 'ticket 3d/6h'],
      page: true,
      ticket: true,
    },
    {
      name: 'an unmeasured short window never fires',
      rates: rates({ '1h': 100, '5m': null, '6h': 100, '30m': null, '3d': null }),
      fires: [],
      page: false,
      ticket: false,
    },
  ])('$name', ({ rates, fires, page, ticket }) => {
    const alerts = evaluateBurnAlerts(rates);
    expect(firing(alerts)).toEqual(fires);
    expect(alerts.page).toBe(page);
    expect(alerts.ticket).toBe(ticket);
    expect(alerts.rules).toHaveLength(3);
  });

  it('forgives only floating point error at a threshold', () => {
    expect(reaches(14.4 * (1 - 1e-12), 14.4)).toBe(true);
    expect(reaches(14.4 * (1 - 1e-6), 14.4)).toBe(false);
    expect(reaches(null, 1)).toBe(false);
  });

  /** One check whose results change state at the given points (seconds before now), covering the 3 days up to now. */
  function timeline(now: number, segments: Array<[number, boolean]>): CheckObservations {
    return {
      intervalSeconds: BURN_WINDOWS['3d'],
      results: segments.map(([secondsBeforeNow, ok]) => ({ at: now - secondsBeforeNow * S, ok, status: ok ? 200 : 503, latencyMs: 1 })),
    };
  }

  const NOW = T0 + 3 * 24 * HOUR;

  it.each([
    {
      name: 'down for the last hour of three days at 99%: every rule fires',
      target: 99,
      segments: [
        [259_200, true],
        [3600, false],
      ] as Array<[number, boolean]>,
      expected: { '5m': 100, '30m': 100, '1h': 100, '6h': 100 / 6, '3d': 100 / 72 },
      fires: ['page 1h/5m', 'page 6h/30m', 'ticket 3d/6h'],
    },
    {
      name: 'down for the last 20 minutes at 99%: only the fast page',
      target: 99,
      segments: [
        [259_200, true],
        [1200, false],
      ] as Array<[number, boolean]>,
      expected: { '5m': 100, '30m': 200 / 3, '1h': 100 / 3, '6h': 50 / 9, '3d': 100 / 216 },
      fires: ['page 1h/5m'],
    },
    {
      name: 'down 20 minutes that ended 10 minutes ago: the 5-minute window has recovered and 6 hours is under 6×, so no page',
      target: 99,
      segments: [
        [259_200, true],
        [1800, false],
        [600, true],
      ] as Array<[number, boolean]>,
      expected: { '5m': 0, '30m': 200 / 3, '1h': 100 / 3, '6h': 50 / 9, '3d': 100 / 216 },
      fires: [],
    },
    {
      name: 'exactly 14.4× over 1 hour and over 5 minutes at 99.9%: the fast page fires',
      target: 99.9,
      segments: [
        [259_200, true],
        [300 + 47.52, false],
        [300, true],
        [4.32, false],
      ] as Array<[number, boolean]>,
      expected: { '5m': 14.4, '30m': 51.84 / 1.8, '1h': 14.4, '6h': 51.84 / 21.6, '3d': 51.84 / 259.2 },
      fires: ['page 1h/5m'],
    },
    {
      name: 'exactly 6× over 6 hours and over 30 minutes at 99.9%: the slow page fires',
      target: 99.9,
      segments: [
        [259_200, true],
        [3600 + 118.8, false],
        [3600, true],
        [10.8, false],
      ] as Array<[number, boolean]>,
      expected: { '5m': 36, '30m': 6, '1h': 3, '6h': 6, '3d': 0.5 },
      fires: ['page 6h/30m'],
    },
    {
      name: 'exactly the budget over 3 days and over 6 hours at 99.9%: the ticket fires at 1×',
      target: 99.9,
      segments: [
        [259_200, true],
        [21_600 + 237.6, false],
        [21_600, true],
        [21.6, false],
      ] as Array<[number, boolean]>,
      expected: { '5m': 21.6 / 0.3, '30m': 21.6 / 1.8, '1h': 21.6 / 3.6, '6h': 1, '3d': 1 },
      fires: ['ticket 3d/6h'],
    },
    {
      name: 'a hair under the budget over 6 hours: no ticket',
      target: 99.9,
      segments: [
        [259_200, true],
        [21_600 + 237.7, false],
        [21_600, true],
        [21.5, false],
      ] as Array<[number, boolean]>,
      expected: { '5m': 21.5 / 0.3, '30m': 21.5 / 1.8, '1h': 21.5 / 3.6, '6h': 21.5 / 21.6, '3d': 1 },
      fires: [],
    },
    {
      name: 'a checker that was off for the last 6 hours: unknown windows fire nothing',
      target: 99,
      segments: [
        [259_200, false],
        [259_200 - 1, false],
      ] as Array<[number, boolean]>,
      expected: null,
      fires: [],
    },
  ])('$name', ({ target, segments, expected, fires }) => {
    const check = timeline(NOW, segments);
    if (expected === null) {
      // The check's interval is short here: its results cover nothing of the last six hours.
      check.intervalSeconds = 60;
    }
    const computed = burnRatesAt([check], NOW, target);
    if (expected) {
      for (const [window, value] of Object.entries(expected)) expect(computed[window as BurnWindow], window).toBeCloseTo(value, 6);
    } else {
      expect(computed).toMatchObject({ '5m': null, '30m': null, '1h': null, '6h': null, '3d': 100 });
    }
    expect(firing(evaluateBurnAlerts(computed))).toEqual(fires);
  });
});

describe('figures as responses show them', () => {
  it('keep at most 4 decimals, so floating point noise never shows', () => {
    expect(shown(-99900.00000000569)).toBe(-99900);
    expect(shown(99.99994)).toBe(99.9999);
    expect(shown(0.00004)).toBe(0);
    expect(shown(-0.00001)).toBe(0);
    expect(shown(14.4)).toBe(14.4);
    expect(shown(null)).toBeNull();
  });
});
