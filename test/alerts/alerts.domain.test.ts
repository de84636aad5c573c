import { describe, expect, it } from 'vitest';
import { compare, type SeriesState, step, type Transition, valuesBySeries } from '../../functions/alerts/alerts.domain.ts';
import { parseDurationSeconds as parseDuration } from '../../functions/kernel/duration.ts';

/** A controllable clock: minutes after a fixed start. */
const T0 = Date.parse('2026-11-23T10:00:00.000Z');
const at = (seconds: number) => new Date(T0 + seconds * 1000);
const iso = (seconds: number) => at(seconds).toISOString();

/** Drives one series through observations `[seconds, holds]` and collects the transitions. */
function drive(
  forSeconds: number,
  observations: Array<[number, boolean]>,
): { transitions: Transition[]; final: SeriesState; ids: string[] } {
  let state: SeriesState = { state: 'inactive' };
  let n = 0;
  const ids: string[] = [];
  const transitions: Transition[] = [];
  for (const [seconds, holds] of observations) {
    const { next, transition } = step(state, holds, at(seconds), forSeconds, () => {
      const id = `alert-${++n}`;
      ids.push(id);
      return id;
    });
    transitions.push(transition);
    state = next;
  }
  return { transitions, final: state, ids };
}

describe('the alert state machine', () => {
  it.each<[string, number, Array<[number, boolean]>, Transition[]]>([
    [
      'stays inactive while the condition does not hold',
      300,
      [
        [0, false],
        [60, false],
      ],
      ['none', 'none'],
    ],
    [
      'goes pending, then fires once it has held for `for`',
      120,
      [
        [0, true],
        [60, true],
        [120, true],
      ],
      ['pending', 'none', 'firing'],
    ],
    ['fires at once when `for` is 0', 0, [[0, true]], ['firing']],
    [
      'clears a pending series whose condition stops before `for`',
      300,
      [
        [0, true],
        [60, false],
      ],
      ['pending', 'cleared'],
    ],
    [
      'resolves a firing series when the condition clears',
      60,
      [
        [0, true],
        [60, true],
        [120, false],
      ],
      ['pending', 'firing', 'resolved'],
    ],
    [
      'keeps firing without repeating while the condition holds',
      0,
      [
        [0, true],
        [60, true],
        [120, true],
      ],
      ['firing', 'none', 'none'],
    ],
    [
      'starts the `for` again after a clear (flapping never fires early)',
      120,
      [
        [0, true],
        [60, false],
        [120, true],
        [180, true],
        [240, true],
      ],
      ['pending', 'cleared', 'pending', 'none', 'firing'],
    ],
    [
      'fires again as a new alert after resolving',
      0,
      [
        [0, true],
        [60, false],
        [120, true],
      ],
      ['firing', 'resolved', 'firing'],
    ],
  ])('%s', (_name, forSeconds, observations, expected) => {
    // Act
    const { transitions } = drive(forSeconds, observations);

    // Assess
    expect(transitions).toEqual(expected);
  });

  it('keeps when the condition first held and when it fired', () => {
    // Act
    const { final } = drive(120, [
      [0, true],
      [60, true],
      [150, true],
    ]);

    // Assess
    expect(final).toEqual({ state: 'firing', since: iso(0), firedAt: iso(150), alertId: 'alert-1' });
  });

  it('opens one alert per firing, never a second while one is open (dedup)', () => {
    // Act
    const { ids } = drive(0, [
      [0, true],
      [60, true],
      [120, true],
      [180, false],
      [240, true],
      [300, true],
    ]);

    // Assess
    expect(ids).toEqual(['alert-1', 'alert-2']);
  });
});

describe('durations and comparisons', () => {
  it.each<[string, number | undefined]>([
    ['30s', 30],
    ['5m', 300],
    ['1h', 3600],
    ['1d', 86_400],
    ['0s', 0],
    ['1h30m', 5_400],
    ['1000ms', 1],
    ['1.5s', undefined],
    ['500ms', undefined],
    ['5', undefined],
    ['5 m', undefined],
    ['-1m', undefined],
    ['1w', undefined],
    ['', undefined],
  ])('parses %j as %j seconds', (text, seconds) => {
    // Act
    const parsed = parseDuration(text);

    // Assess
    expect(parsed).toBe(seconds);
  });

  it.each<[number, Parameters<typeof compare>[1], number, boolean]>([
    [5, '>', 4, true],
    [4, '>', 4, false],
    [4, '>=', 4, true],
    [3, '<', 4, true],
    [4, '<=', 4, true],
    [5, '<=', 4, false],
    [4, '==', 4, true],
    [4, '!=', 4, false],
    [5, '!=', 4, true],
  ])('%d %s %d is %s', (value, op, threshold, expected) => {
    // Act
    const result = compare(value, op, threshold);

    // Assess
    expect(result).toBe(expected);
  });
});

describe('one value per label set over the window', () => {
  const a = { service: 'svc', instance: 'a' };
  const b = { service: 'svc', instance: 'b' };
  const samples = [
    { value: 10, labels: a, timestamp: iso(10) },
    { value: 30, labels: a, timestamp: iso(20) },
    { value: 100, labels: b, timestamp: iso(30) },
    { value: 999, labels: a, timestamp: iso(-10) },
  ];

  it('reduces each series separately and leaves out samples outside the window', () => {
    // Act
    const values = valuesBySeries(samples, 'avg', at(0), at(60));

    // Assess
    expect([...values.values()].map(({ labels, value }) => [labels.instance, value])).toEqual([
      ['a', 20],
      ['b', 100],
    ]);
  });

  it('takes rate as the counter increase per second of the window, counting a reset from zero', () => {
    // Arrange
    const counter = [
      { value: 100, labels: a, timestamp: iso(0) },
      { value: 160, labels: a, timestamp: iso(30) },
      { value: 60, labels: a, timestamp: iso(60) },
    ];

    // Act
    const values = valuesBySeries(counter, 'rate', at(0), at(60));

    // Assess
    expect([...values.values()][0]?.value).toBe(2);
  });

  it('has no value for a window without samples', () => {
    // Act
    const values = valuesBySeries(samples, 'max', at(100), at(200));

    // Assess
    expect(values.size).toBe(0);
  });
});
