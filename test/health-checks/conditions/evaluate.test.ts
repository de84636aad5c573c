import { describe, expect, it } from 'vitest';
import {
  type CheckResult,
  evaluateCondition,
  evaluateConditions,
  parseCondition,
} from '../../../functions/health-checks/conditions/index.ts';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

const HEALTH = {
  status: 'UP',
  version: '1.4.0',
  uptime: 12,
  ok: true,
  errors: null,
  name: 'john.doe',
  a: 1,
  b: 2,
  same: 'x',
  also: 'x',
  code: '200',
  big: 1e21,
  items: [
    { id: 7, name: 'first' },
    { id: 8, name: 'second' },
  ],
  data: { list: [{ name: 'zero' }, { name: 'one' }], empty: [], nested: { deep: 'yes' } },
  tags: ['hello', 'world', 'Whatever'],
  'x-y': 'dash',
  text: 'line one\nline two',
};

/** A healthy JSON service: 200 in 120 ms, a certificate valid for 60 more days. */
const BASE: CheckResult = {
  status: 200,
  responseTimeMs: 120,
  body: JSON.stringify(HEALTH),
  certificateExpirationMs: 60 * DAY,
  connected: true,
};

function result(overrides: Partial<CheckResult> = {}): CheckResult {
  return { ...BASE, ...overrides };
}

const down = result({ status: 503, responseTimeMs: 1200, body: JSON.stringify({ status: 'DOWN', items: [] }) });
const array = result({ body: JSON.stringify([{ id: 1, name: 'a' }, { id: 2 }, { id: 3 }]) });
const html = result({
  body: '<!DOCTYPE html><html lang="en"><head><title>Example</title></head><body><div id="user">jane.doe</div><p>all ok</p></body></html>',
});
/** How a result shows the HTML body: its first 64 characters. */
const HTML_SHOWN = `${html.body!.slice(0, 64)}...(truncated)`;
const text = result({ body: 'pong' });
const numeric = result({ body: '123\n' });
const noBody = result({ status: 0, responseTimeMs: 5000, body: undefined, connected: false, certificateExpirationMs: undefined });
const plainHttp = result({ certificateExpirationMs: undefined });
const expiring = result({ certificateExpirationMs: DAY });
const expired = result({ certificateExpirationMs: -3 * HOUR });
const quirky = result({ body: JSON.stringify({ constructor: 'own', n: '0.5', s: ' 200', hex: '0x1', zero: 0, f: false }) });

/** [condition, result, ok, resolved] */
const CASES: [string, CheckResult, boolean, string][] = [
  // [STATUS]
  ['[STATUS] == 200', BASE, true, '[STATUS] (200) == 200'],
  ['[STATUS] == 200', down, false, '[STATUS] (503) == 200'],
  ['[STATUS] != 200', down, true, '[STATUS] (503) != 200'],
  ['[STATUS] < 300', BASE, true, '[STATUS] (200) < 300'],
  ['[STATUS] < 300', down, false, '[STATUS] (503) < 300'],
  ['[STATUS] <= 200', BASE, true, '[STATUS] (200) <= 200'],
  ['[STATUS] > 400', down, true, '[STATUS] (503) > 400'],
  ['[STATUS] >= 503', down, true, '[STATUS] (503) >= 503'],
  ['[STATUS] >= 504', down, false, '[STATUS] (503) >= 504'],
  ['[STATUS] == 200.0', BASE, true, '[STATUS] (200) == 200.0'],
  ['200 == [STATUS]', BASE, true, '200 == [STATUS] (200)'],
  ['300 > [STATUS]', BASE, true, '300 > [STATUS] (200)'],
  // any()
  ['[STATUS] == any(200, 429)', BASE, true, '[STATUS] (200) == any(200, 429)'],
  ['[STATUS] == any(200, 429)', result({ status: 429 }), true, '[STATUS] (429) == any(200, 429)'],
  ['[STATUS] == any(200, 429)', down, false, '[STATUS] (503) == any(200, 429)'],
  ['[STATUS] != any(500, 502, 503)', down, false, '[STATUS] (503) != any(500, 502, 503)'],
  ['[STATUS] != any(500, 502, 503)', BASE, true, '[STATUS] (200) != any(500, 502, 503)'],
  ['any(200, 429) == [STATUS]', result({ status: 429 }), true, 'any(200, 429) == [STATUS] (429)'],
  ['[BODY].name == any(john.doe, jane.doe)', BASE, true, '[BODY].name (john.doe) == any(john.doe, jane.doe)'],
  ['[BODY].name == any(bob, alice)', BASE, false, '[BODY].name (john.doe) == any(bob, alice)'],
  ['[BODY].missing == any(1, 2)', BASE, false, '[BODY].missing (missing) == any(1, 2)'],
  ['[BODY].missing != any(1, 2)', BASE, true, '[BODY].missing (missing) != any(1, 2)'],
  ['[RESPONSE_TIME] == any(1s, 120)', BASE, true, '[RESPONSE_TIME] (120) == any(1s, 120)'],
  ['[BODY].items[0].id == any(7,8)', BASE, true, '[BODY].items[0].id (7) == any(7,8)'],
  // [BODY] with JSONPath
  ['[BODY].status == UP', BASE, true, '[BODY].status (UP) == UP'],
  ['[BODY].status == UP', down, false, '[BODY].status (DOWN) == UP'],
  ['[BODY].status == up', BASE, false, '[BODY].status (UP) == up'],
  ['[BODY].status != DOWN', BASE, true, '[BODY].status (UP) != DOWN'],
  ['[BODY].items[0].id == 7', BASE, true, '[BODY].items[0].id (7) == 7'],
  ['[BODY].items[1].name == second', BASE, true, '[BODY].items[1].name (second) == second'],
  ['[BODY].items[2].id == 9', BASE, false, '[BODY].items[2].id (missing) == 9'],
  ['[BODY].data.list[1].name == one', BASE, true, '[BODY].data.list[1].name (one) == one'],
  ['[BODY].data.nested.deep == yes', BASE, true, '[BODY].data.nested.deep (yes) == yes'],
  ['[BODY][0].id == 1', array, true, '[BODY][0].id (1) == 1'],
  ['[BODY][2].id == 3', array, true, '[BODY][2].id (3) == 3'],
  ['[BODY][0] == 1', BASE, false, '[BODY][0] (missing) == 1'],
  ['[BODY][0].name == test', BASE, false, '[BODY][0].name (missing) == test'],
  ['[BODY].x-y == dash', BASE, true, '[BODY].x-y (dash) == dash'],
  ['[BODY].uptime > 10', BASE, true, '[BODY].uptime (12) > 10'],
  ['[BODY].uptime < 9', BASE, false, '[BODY].uptime (12) < 9'],
  ['[BODY].code == 200', BASE, true, '[BODY].code (200) == 200'],
  ['[STATUS] == [BODY].code', BASE, true, '[STATUS] (200) == [BODY].code (200)'],
  ['[BODY].ok == true', BASE, true, '[BODY].ok (true) == true'],
  ['[BODY].errors == null', BASE, true, '[BODY].errors (null) == null'],
  ['[BODY].items[0] == pat(*"id":7*)', BASE, true, '[BODY].items[0] ({"id":7,"name":"first"}) == pat(*"id":7*)'],
  ['[BODY].data.empty == pat([])', BASE, true, '[BODY].data.empty ([]) == pat([])'],
  ['[BODY].big > 1000', BASE, true, '[BODY].big (1e+21) > 1000'],
  ['[BODY].text == pat(line one*)', BASE, true, '[BODY].text (line one line two) == pat(line one*)'],
  // Numeric when both sides are numbers, text otherwise
  ['[BODY].n < 1', quirky, true, '[BODY].n (0.5) < 1'],
  ['[BODY].n == .5', quirky, true, '[BODY].n (0.5) == .5'],
  ['[BODY].s == 200', quirky, false, '[BODY].s ( 200) == 200'],
  ['[BODY].hex == 1', quirky, false, '[BODY].hex (0x1) == 1'],
  ['[BODY].zero == 0', quirky, true, '[BODY].zero (0) == 0'],
  ['[BODY].f == false', quirky, true, '[BODY].f (false) == false'],
  ['[BODY].version > 1.10.0', BASE, true, '[BODY].version (1.4.0) > 1.10.0'],
  ['[BODY].status < V', BASE, true, '[BODY].status (UP) < V'],
  ['[BODY].uptime > 9', result({ body: '{"uptime":"12"}' }), true, '[BODY].uptime (12) > 9'],
  // An own property only, never one from the prototype
  ['[BODY].constructor == own', quirky, true, '[BODY].constructor (own) == own'],
  ['has([BODY].constructor) == true', BASE, false, 'has([BODY].constructor) (false) == true'],
  ['has([BODY].toString) == false', BASE, true, 'has([BODY].toString) (false) == false'],
  ['[BODY].__proto__ == x', BASE, false, '[BODY].__proto__ (missing) == x'],
  // Two placeholders
  ['[BODY].a != [BODY].b', BASE, true, '[BODY].a (1) != [BODY].b (2)'],
  ['[BODY].a == [BODY].b', BASE, false, '[BODY].a (1) == [BODY].b (2)'],
  ['[BODY].a < [BODY].b', BASE, true, '[BODY].a (1) < [BODY].b (2)'],
  ['[BODY].same == [BODY].also', BASE, true, '[BODY].same (x) == [BODY].also (x)'],
  ['[BODY].nope == [BODY].nada', BASE, false, '[BODY].nope (missing) == [BODY].nada (missing)'],
  ['[BODY].nope != [BODY].nada', BASE, true, '[BODY].nope (missing) != [BODY].nada (missing)'],
  ['len([BODY].items) == len([BODY].tags)', BASE, false, 'len([BODY].items) (2) == len([BODY].tags) (3)'],
  // A missing JSONPath equals nothing and is in no order
  ['[BODY].missing == UP', BASE, false, '[BODY].missing (missing) == UP'],
  ['[BODY].missing != UP', BASE, true, '[BODY].missing (missing) != UP'],
  ['[BODY].missing < 5', BASE, false, '[BODY].missing (missing) < 5'],
  ['[BODY].missing >= 5', BASE, false, '[BODY].missing (missing) >= 5'],
  ['[BODY].status.deeper == x', BASE, false, '[BODY].status.deeper (missing) == x'],
  ['[BODY].status == UP', text, false, '[BODY].status (missing) == UP'],
  ['[BODY].status == UP', noBody, false, '[BODY].status (missing) == UP'],
  ['[BODY].items[99999999999999999999] == 1', BASE, false, '[BODY].items[99999999999999999999] (missing) == 1'],
  // len()
  ['len([BODY].items) > 0', BASE, true, 'len([BODY].items) (2) > 0'],
  ['len([BODY].items) > 0', down, false, 'len([BODY].items) (0) > 0'],
  ['len([BODY].items) == 0', down, true, 'len([BODY].items) (0) == 0'],
  ['len([BODY].name) == 8', BASE, true, 'len([BODY].name) (8) == 8'],
  ['len([BODY].uptime) == 2', BASE, true, 'len([BODY].uptime) (2) == 2'],
  ['len([BODY].ok) == 4', BASE, true, 'len([BODY].ok) (4) == 4'],
  ['len([BODY].errors) == 4', BASE, true, 'len([BODY].errors) (4) == 4'],
  ['len([BODY].items[0]) == 23', BASE, true, 'len([BODY].items[0]) (23) == 23'],
  ['len([BODY].data.empty) == 0', BASE, true, 'len([BODY].data.empty) (0) == 0'],
  ['len([BODY]) == 3', array, true, 'len([BODY]) (3) == 3'],
  ['len([BODY]) == 4', text, true, 'len([BODY]) (4) == 4'],
  ['len([BODY]) == 20', result({ body: '{"name": "john.doe"}' }), true, 'len([BODY]) (20) == 20'],
  ['len([BODY].name) == 5', result({ body: '{"name":"héllo"}' }), true, 'len([BODY].name) (5) == 5'],
  ['len([BODY].name) == 2', result({ body: '{"name":"😀😀"}' }), true, 'len([BODY].name) (2) == 2'],
  ['len([BODY].missing) == 0', BASE, false, 'len([BODY].missing) (missing) == 0'],
  ['len([BODY].missing) != 0', BASE, true, 'len([BODY].missing) (missing) != 0'],
  ['len([BODY]) == 0', noBody, false, 'len([BODY]) (missing) == 0'],
  ['len([BODY]) == 0', result({ body: '' }), true, 'len([BODY]) (0) == 0'],
  // has()
  ['has([BODY].errors) == false', result({ body: '{}' }), true, 'has([BODY].errors) (false) == false'],
  ['has([BODY].errors) == false', result({ body: '{"errors":["1"]}' }), false, 'has([BODY].errors) (true) == false'],
  ['has([BODY].errors) == false', BASE, false, 'has([BODY].errors) (true) == false'],
  ['has([BODY].items) == true', BASE, true, 'has([BODY].items) (true) == true'],
  ['has([BODY].items[1].name) == true', BASE, true, 'has([BODY].items[1].name) (true) == true'],
  ['has([BODY].items[2]) == true', BASE, false, 'has([BODY].items[2]) (false) == true'],
  ['has([BODY].items[2]) != true', BASE, true, 'has([BODY].items[2]) (false) != true'],
  ['has([BODY].data.empty) == true', BASE, true, 'has([BODY].data.empty) (true) == true'],
  ['has([BODY].status) == true', text, false, 'has([BODY].status) (false) == true'],
  ['has([BODY]) == true', text, true, 'has([BODY]) (true) == true'],
  ['has([BODY]) == false', noBody, true, 'has([BODY]) (false) == false'],
  // pat()
  ['[BODY] == pat(*ok*)', html, true, `[BODY] (${HTML_SHOWN}) == pat(*ok*)`],
  ['[BODY] == pat(*<div id="user">jane.doe</div>*)', html, true, `[BODY] (${HTML_SHOWN}) == pat(*<div id="user">jane.doe</div>*)`],
  ['[BODY] == pat(*john.doe*)', html, false, `[BODY] (${HTML_SHOWN}) == pat(*john.doe*)`],
  ['[BODY] != pat(*error*)', html, true, `[BODY] (${HTML_SHOWN}) != pat(*error*)`],
  ['pat(*jane*) == [BODY]', html, true, `pat(*jane*) == [BODY] (${HTML_SHOWN})`],
  ['[BODY] == pat(pong)', text, true, '[BODY] (pong) == pat(pong)'],
  ['[BODY] == pat(p*g)', text, true, '[BODY] (pong) == pat(p*g)'],
  ['[BODY] == pat(p*)', text, true, '[BODY] (pong) == pat(p*)'],
  ['[BODY] == pat(*g)', text, true, '[BODY] (pong) == pat(*g)'],
  ['[BODY] == pat(*o*n*)', text, true, '[BODY] (pong) == pat(*o*n*)'],
  ['[BODY] == pat(o*)', text, false, '[BODY] (pong) == pat(o*)'],
  ['[BODY] == pat(pon)', text, false, '[BODY] (pong) == pat(pon)'],
  ['[BODY] == pat(P*)', text, false, '[BODY] (pong) == pat(P*)'],
  ['[BODY] == pat(p?ng)', text, false, '[BODY] (pong) == pat(p?ng)'],
  ['[BODY] == pat(*)', result({ body: '' }), true, '[BODY] () == pat(*)'],
  ['[BODY].name == pat(john*)', BASE, true, '[BODY].name (john.doe) == pat(john*)'],
  ['[BODY].name == pat(bob*)', BASE, false, '[BODY].name (john.doe) == pat(bob*)'],
  ['[BODY].tags == pat(*Whatever*)', BASE, true, '[BODY].tags (["hello","world","Whatever"]) == pat(*Whatever*)'],
  ['[BODY].missing == pat(*)', BASE, false, '[BODY].missing (missing) == pat(*)'],
  ['[BODY].missing != pat(*)', BASE, true, '[BODY].missing (missing) != pat(*)'],
  ['[STATUS] == pat(2*)', BASE, true, '[STATUS] (200) == pat(2*)'],
  ['[STATUS] == pat(4*)', down, false, '[STATUS] (503) == pat(4*)'],
  ['[BODY] == pat(* == (a) < b *)', result({ body: 'x == (a) < b y' }), true, '[BODY] (x == (a) < b y) == pat(* == (a) < b *)'],
  ['[BODY] == pat(*)', noBody, false, '[BODY] (missing) == pat(*)'],
  // The whole [BODY]
  ['[BODY] == pong', text, true, '[BODY] (pong) == pong'],
  ['[BODY] == 123', numeric, true, '[BODY] (123 ) == 123'],
  ['[BODY] < 124', numeric, true, '[BODY] (123 ) < 124'],
  ['[BODY] > 123', numeric, false, '[BODY] (123 ) > 123'],
  ['[BODY] == {}', result({ body: '{}' }), true, '[BODY] ({}) == {}'],
  ['[BODY] == x', noBody, false, '[BODY] (missing) == x'],
  // [RESPONSE_TIME], in milliseconds; durations converted
  ['[RESPONSE_TIME] < 500', BASE, true, '[RESPONSE_TIME] (120) < 500'],
  ['[RESPONSE_TIME] < 500', down, false, '[RESPONSE_TIME] (1200) < 500'],
  ['[RESPONSE_TIME] < 1s', BASE, true, '[RESPONSE_TIME] (120) < 1s'],
  ['[RESPONSE_TIME] < 1s', down, false, '[RESPONSE_TIME] (1200) < 1s'],
  ['[RESPONSE_TIME] <= 1.2s', down, true, '[RESPONSE_TIME] (1200) <= 1.2s'],
  ['[RESPONSE_TIME] < 500ms', BASE, true, '[RESPONSE_TIME] (120) < 500ms'],
  ['[RESPONSE_TIME] > 1s', result({ responseTimeMs: 2000 }), true, '[RESPONSE_TIME] (2000) > 1s'],
  ['[RESPONSE_TIME] >= 500', result({ responseTimeMs: 499 }), false, '[RESPONSE_TIME] (499) >= 500'],
  ['[RESPONSE_TIME] <= 500', result({ responseTimeMs: 500 }), true, '[RESPONSE_TIME] (500) <= 500'],
  ['[RESPONSE_TIME] < 1h30m', result({ responseTimeMs: 90 * 60_000 - 1 }), true, '[RESPONSE_TIME] (5399999) < 1h30m'],
  ['[RESPONSE_TIME] < 1m', result({ responseTimeMs: 59_999.5 }), true, '[RESPONSE_TIME] (59999.5) < 1m'],
  ['1s > [RESPONSE_TIME]', BASE, true, '1s > [RESPONSE_TIME] (120)'],
  ['[RESPONSE_TIME] == pat(12*)', BASE, true, '[RESPONSE_TIME] (120) == pat(12*)'],
  // [CERTIFICATE_EXPIRATION], in milliseconds; shown as a duration
  ['[CERTIFICATE_EXPIRATION] > 48h', BASE, true, '[CERTIFICATE_EXPIRATION] (1440h) > 48h'],
  ['[CERTIFICATE_EXPIRATION] > 48h', expiring, false, '[CERTIFICATE_EXPIRATION] (24h) > 48h'],
  ['[CERTIFICATE_EXPIRATION] > 12h', expiring, true, '[CERTIFICATE_EXPIRATION] (24h) > 12h'],
  ['[CERTIFICATE_EXPIRATION] > 2419200000', expiring, false, '[CERTIFICATE_EXPIRATION] (24h) > 2419200000'],
  ['[CERTIFICATE_EXPIRATION] > 0', expired, false, '[CERTIFICATE_EXPIRATION] (-3h) > 0'],
  ['[CERTIFICATE_EXPIRATION] > 48h', plainHttp, false, '[CERTIFICATE_EXPIRATION] (no certificate) > 48h'],
  ['[CERTIFICATE_EXPIRATION] == 0', plainHttp, true, '[CERTIFICATE_EXPIRATION] (no certificate) == 0'],
  [
    '[CERTIFICATE_EXPIRATION] > 1h30m',
    result({ certificateExpirationMs: 90 * 60_000 + 1_500 }),
    true,
    '[CERTIFICATE_EXPIRATION] (1h30m1s500ms) > 1h30m',
  ],
  // [CONNECTED]
  ['[CONNECTED] == true', BASE, true, '[CONNECTED] (true) == true'],
  ['[CONNECTED] == true', noBody, false, '[CONNECTED] (false) == true'],
  ['[CONNECTED] != true', noBody, true, '[CONNECTED] (false) != true'],
  ['[STATUS] == 200', noBody, false, '[STATUS] (0) == 200'],
  // Spacing is normalised in what is shown, never in what is recorded as the condition
  ['  [STATUS]   ==   200  ', down, false, '[STATUS] (503) == 200'],
];

describe('evaluateCondition', () => {
  it.each(CASES)('%s (case %#)', (condition, checkResult, ok, resolved) => {
    const outcome = evaluateCondition(condition, checkResult);
    expect(outcome).toEqual({ ok, condition, resolved });
  });

  it('evaluates a parsed condition as it does its text', () => {
    const parsed = parseCondition('[BODY].status == UP');
    expect(evaluateCondition(parsed, down)).toEqual({
      ok: false,
      condition: '[BODY].status == UP',
      resolved: '[BODY].status (DOWN) == UP',
    });
  });

  it('gives ok: false with the reason, never throws, for a condition that is not valid', () => {
    expect(evaluateCondition('[STATUS]==200', BASE)).toEqual({
      ok: false,
      condition: '[STATUS]==200',
      resolved: '[STATUS]==200',
      error: 'expected an operator (==, !=, <, <=, >, >=) with spaces around it at column 9',
    });
  });

  it('does not throw on a body that is not JSON, invalid JSON or huge', () => {
    for (const body of ['{"a":', 'undefined', '\u0000', 'x'.repeat(1_000_000), '[1,2', 'null', '"string"', '42']) {
      const outcome = evaluateCondition('[BODY].a == 1', result({ body }));
      expect(outcome.ok).toBe(false);
      expect(outcome.resolved).toBe('[BODY].a (missing) == 1');
    }
  });

  it('cuts long values and flattens line breaks in what it shows', () => {
    const outcome = evaluateCondition('[BODY] == nope', result({ body: `a\nb\r\n${'c'.repeat(100)}` }));
    expect(outcome.resolved).toBe(`[BODY] (a b ${'c'.repeat(60)}...(truncated)) == nope`);
  });
});

describe('evaluateConditions', () => {
  it('evaluates every condition on the same result, in order', () => {
    const outcomes = evaluateConditions(['[STATUS] == 200', '[BODY].status == UP', 'len([BODY].items) > 0', '[RESPONSE_TIME] < 1s'], down);
    expect(outcomes).toEqual([
      { ok: false, condition: '[STATUS] == 200', resolved: '[STATUS] (503) == 200' },
      { ok: false, condition: '[BODY].status == UP', resolved: '[BODY].status (DOWN) == UP' },
      { ok: false, condition: 'len([BODY].items) > 0', resolved: 'len([BODY].items) (0) > 0' },
      { ok: false, condition: '[RESPONSE_TIME] < 1s', resolved: '[RESPONSE_TIME] (1200) < 1s' },
    ]);
    expect(evaluateConditions(['[STATUS] == 200', '[BODY].status == UP'], BASE).every((outcome) => outcome.ok)).toBe(true);
  });

  it('reads the body as JSON once however many conditions look into it', () => {
    const parse = JSON.parse;
    let calls = 0;
    JSON.parse = ((...args: Parameters<typeof JSON.parse>) => {
      calls++;
      return parse(...args);
    }) as typeof JSON.parse;
    try {
      evaluateConditions(['[BODY].status == UP', 'len([BODY].items) > 0', 'has([BODY].errors) == false', '[BODY].a != [BODY].b'], BASE);
    } finally {
      JSON.parse = parse;
    }
    expect(calls).toBe(1);
  });

  it('keeps going past a condition that is not valid', () => {
    const outcomes = evaluateConditions(['[STATUS] == OK', '[STATUS] == 200'], BASE);
    expect(outcomes.map((outcome) => outcome.ok)).toEqual([false, true]);
    expect(outcomes[0]?.error).toBe('expected a number for [STATUS], not "OK" at column 13');
  });
});
