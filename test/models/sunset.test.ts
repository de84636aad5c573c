import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listOpenServiceAlerts } from '../../functions/alerts/public.ts';
import { handler as deprecationNotices } from '../../functions/handlers/deprecation-notices.ts';
import { callersOf, thresholdOf } from '../../functions/models/sunset.commands.ts';
import { type Runtime, startRuntime } from '../../local/runtime.ts';
import { type ApiClient, api, expectNoServerErrors } from '../helpers/http-client.ts';

/**
 * Issue 10, item 11: the daily deprecation job, run through its scheduled handler against the
 * local runtime's table: a `version.sunset_approaching` notice once per threshold crossed, for
 * models and APIs; past the sunset, a model's unused version retired when its policy says so, and
 * a still-called one announced with who calls it and given one alert (not one a day) naming them,
 * resolved when the version is retired or its calls stop; without automatic retirement nothing is
 * retired, and the job still warns.
 */

let runtime: Runtime;
let client: ApiClient;
const MODEL = 'sun-model';
const API = 'sun-orders-api';
const DAY_MS = 86_400_000;
const path = (service: string, rest = '') => `/v1/services/${service}${rest}`;
const sunset = (days: number) => new Date(Date.now() + days * DAY_MS + 3_600_000).toISOString();

async function deprecated(service: string, version: string, days: number) {
  expect((await client.post(path(service, '/versions'), { version })).status).toBe(201);
  expect((await client.post(path(service, `/versions/${version}/release`))).status).toBe(200);
  const reply = await client.post(path(service, `/versions/${version}/deprecate`), { sunsetAt: sunset(days) });
  expect(reply.status, reply.text).toBe(200);
}

async function alertsOf(service: string) {
  const reply = await client.get('/v1/alerts', { query: { service, limit: 100 } });
  expect(reply.status, reply.text).toBe(200);
  return reply.json.items as Array<Record<string, any>>;
}

async function historyTypes(service: string, type: string) {
  const history = await client.get(path(service, '/history'), { query: { limit: 100 } });
  return history.json.items.filter((event: { type: string }) => event.type === type);
}

async function notices(service: string) {
  const history = await client.get(path(service, '/history'), { query: { limit: 100 } });
  return history.json.items
    .filter((event: { type: string }) => event.type === 'version.sunset_approaching')
    .map((event: { changes: { after: Record<string, unknown> } }) => event.changes.after)
    .sort((a: { version: string }, b: { version: string }) => a.version.localeCompare(b.version));
}

beforeAll(async () => {
  runtime = await startRuntime({ memory: true, port: 0, reconcileEveryMs: 3_600_000, tickSeconds: 3600 });
  client = api(runtime);
  await client.post('/v1/services', { name: MODEL, kind: 'model' });
  await client.post('/v1/services', { name: API, kind: 'api' });
  await client.request('PUT', path(MODEL, '/model-policy'), { enableAutomaticRetirement: true, eolWarningThresholdDays: 30 });
  await deprecated(MODEL, '1.0.0', 20); // warning
  await deprecated(MODEL, '1.1.0', 3); // critical
  await deprecated(MODEL, '1.2.0', -2); // past, unused: retired
  await deprecated(MODEL, '1.3.0', -2); // past, still called
  await deprecated(MODEL, '1.4.0', 60); // nothing yet
  await deprecated(API, '1.0.0', 10); // warning
  const calls = [0, 1, 2].map((i) => ({ version: '1.3.0', success: true, latencyMs: 5, client: i ? 'mobile' : 'web' }));
  expect((await client.post(path(MODEL, '/inferences'), { records: calls })).json.accepted).toBe(3);
});

afterAll(async () => {
  expectNoServerErrors(client.log);
  await runtime?.close();
});

describe('thresholdOf', () => {
  it.each([
    [45, null],
    [30, 'warning'],
    [7, 'warning'],
    [6, 'critical'],
    [0, 'critical'],
    [-1, 'past'],
  ])('puts %i days left at %s', (days, threshold) => {
    // Assess
    expect(thresholdOf(days, 30)).toBe(threshold);
  });
});

describe('callersOf', () => {
  it('names the clients by calls, most first, then those that send no name', () => {
    // Assess
    expect(callersOf({ batch: 50, mobile: 1790 })).toBe('mobile, batch');
    expect(callersOf({ web: 3, '(none)': 9 })).toBe('web and clients that send no name');
    expect(callersOf({ '(none)': 2 })).toBe('clients that send no name');
  });
});

describe('the daily deprecation job', () => {
  it('announces each threshold once, retires an unused model version past its sunset, and names who still calls one', async () => {
    // Act
    const first = await deprecationNotices();
    const second = await deprecationNotices();

    // Assess
    expect(first).toMatchObject({ noticed: 4, retired: 1 });
    expect(second).toMatchObject({ noticed: 0, retired: 0 });
    const model = await notices(MODEL);
    expect(model.map((n: { version: string; threshold: string; severity: string }) => [n.version, n.threshold, n.severity])).toEqual([
      ['1.0.0', 'warning', 'warning'],
      ['1.1.0', 'critical', 'critical'],
      ['1.3.0', 'past', 'critical'],
    ]);
    const past = model.find((n: { version: string }) => n.version === '1.3.0');
    expect(past).toMatchObject({ callsLast24h: 3, recentTraffic: { requests: 3, byClient: { web: 1, mobile: 2 } } });
    expect(past.summary).toContain('was called 3 times in the last 24 hours by ');
    expect((await client.get(path(MODEL, '/versions/1.2.0'))).json.status).toBe('retired');
    expect((await client.get(path(MODEL, '/versions/1.3.0'))).json.status).toBe('deprecated');
    expect((await notices(API)).map((n: { version: string; threshold: string }) => [n.version, n.threshold])).toEqual([
      ['1.0.0', 'warning'],
    ]);
  });

  it('raises one alert for a version still called past its sunset, naming its callers, however often it runs', async () => {
    // Act: the job ran twice above; a third run changes nothing either.
    const third = await deprecationNotices();
    const alerts = await alertsOf(MODEL);

    // Assess
    expect(third).toMatchObject({ noticed: 0, retired: 0 });
    expect(alerts).toHaveLength(1);
    expect(alerts[0]).toMatchObject({
      name: 'sun-model 1.3.0 past sunset, still called by mobile, web',
      source: { kind: 'sunset', version: '1.3.0' },
      labels: { service: MODEL, version: '1.3.0' },
      severity: 'warning',
      status: 'firing',
      value: 3,
    });
    expect(alerts[0]?.summary).toMatch(
      /^sun-model 1\.3\.0 passed its sunset \(.+\) and was called 3 times in the last 24 hours \(mobile 2, web 1\)\.$/,
    );
    expect(await historyTypes(MODEL, 'alert.firing')).toHaveLength(1);
    // About a version's lifecycle, not the health of what is deployed: deployment gates and the auto-rollback do not read it.
    expect(await listOpenServiceAlerts(MODEL, 'warning')).toEqual([]);
  });

  it('announces the next threshold when a version crosses it', async () => {
    // Prepare: 1.4.0's sunset is 60 days ahead, past every threshold yet.
    const current = await client.get(path(MODEL, '/versions/1.4.0'));
    expect(current.json.status).toBe('deprecated');

    // Act
    const outcome = await deprecationNotices({ time: new Date(Date.now() + 55 * DAY_MS).toISOString() });

    // Assess: 55 days on, 1.4.0 (60 days) is critical; the others are past, announced once each.
    expect(outcome.noticed).toBeGreaterThanOrEqual(1);
    const model = await notices(MODEL);
    expect(model.filter((n: { version: string }) => n.version === '1.4.0').map((n: { threshold: string }) => n.threshold)).toEqual([
      'critical',
    ]);
    // 1.3.0, past its sunset and not called in the 24 hours before that day, is retired, and its alert resolved.
    expect((await client.get(path(MODEL, '/versions/1.3.0'))).json.status).toBe('retired');
    const [alert] = await alertsOf(MODEL);
    expect(alert).toMatchObject({ status: 'resolved', resolvedAt: expect.any(String) });
    const [resolved] = await historyTypes(MODEL, 'alert.resolved');
    expect(resolved.changes.after).toMatchObject({
      alertId: alert?.id,
      reason: 'sun-model 1.3.0 was retired: it served nothing in the last 24 hours.',
    });
  });
});

describe('without automatic retirement', () => {
  const KEEP = 'sun-keep-model';

  beforeAll(async () => {
    await client.post('/v1/services', { name: KEEP, kind: 'model' });
    await client.request('PUT', path(KEEP, '/model-policy'), { enableAutomaticRetirement: false });
    await deprecated(KEEP, '2.0.0', -1); // past, unused
    await deprecated(KEEP, '2.1.0', -1); // past, called
    await deprecated(KEEP, '2.2.0', -1); // past, called, then retired by hand
    const records = [
      { version: '2.1.0', success: true, latencyMs: 5, client: 'batch' },
      { version: '2.1.0', success: true, latencyMs: 5 },
      { version: '2.2.0', success: true, latencyMs: 5, client: 'mobile' },
    ];
    expect((await client.post(path(KEEP, '/inferences'), { records })).json.accepted).toBe(3);
  });

  it('retires nothing, and still warns: a notice for each version and an alert for each one still called', async () => {
    // Act
    const outcome = await deprecationNotices();

    // Assess
    expect(outcome.retired).toBe(0);
    for (const version of ['2.0.0', '2.1.0', '2.2.0'])
      expect((await client.get(path(KEEP, `/versions/${version}`))).json.status).toBe('deprecated');
    expect((await notices(KEEP)).map((n: { version: string; threshold: string }) => [n.version, n.threshold])).toEqual([
      ['2.0.0', 'past'],
      ['2.1.0', 'past'],
      ['2.2.0', 'past'],
    ]);
    const open = (await alertsOf(KEEP)).map((a) => [a.name, a.status]).sort();
    expect(open).toEqual([
      ['sun-keep-model 2.1.0 past sunset, still called by batch and clients that send no name', 'firing'],
      ['sun-keep-model 2.2.0 past sunset, still called by mobile', 'firing'],
    ]);
  });

  it('resolves the alert of a version retired by hand at once', async () => {
    // Act
    // mobile called it within 7 days: retiring it by hand takes a reason (issue 11 §7).
    const retired = await client.post(path(KEEP, '/versions/2.2.0/retire'), { force: { reason: 'mobile was told' } });

    // Assess
    expect(retired.status, retired.text).toBe(200);
    const alert = (await alertsOf(KEEP)).find((a) => a.source.version === '2.2.0');
    expect(alert).toMatchObject({ status: 'resolved' });
    const resolved = (await historyTypes(KEEP, 'alert.resolved')).find(
      (e: { changes: { after: { alertId: string } } }) => e.changes.after.alertId === alert?.id,
    );
    expect(resolved.changes.after.reason).toBe('sun-keep-model 2.2.0 was retired.');
  });

  it('resolves the alert when the calls stop, and does not retire the version', async () => {
    // Act: two days on, 2.1.0 has not been called in the last 24 hours.
    await deprecationNotices({ time: new Date(Date.now() + 2 * DAY_MS).toISOString() });

    // Assess
    const alert = (await alertsOf(KEEP)).find((a) => a.source.version === '2.1.0');
    expect(alert).toMatchObject({ status: 'resolved' });
    const resolved = (await historyTypes(KEEP, 'alert.resolved')).find(
      (e: { changes: { after: { alertId: string } } }) => e.changes.after.alertId === alert?.id,
    );
    expect(resolved.changes.after.reason).toBe('sun-keep-model 2.1.0 was not called in the last 24 hours.');
    expect((await client.get(path(KEEP, '/versions/2.1.0'))).json.status).toBe('deprecated');
    expect((await alertsOf(KEEP)).filter((a) => a.status !== 'resolved')).toEqual([]);
  });
});
