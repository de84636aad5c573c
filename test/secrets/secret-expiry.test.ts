import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { handler as secretExpiry } from '../../functions/handlers/secret-expiry.ts';
import type { Runtime } from '../../local/runtime.ts';
import { type ApiClient, api, expectNoServerErrors, readAll } from '../helpers/http-client.ts';
import { startTestRuntime } from '../helpers/runtime.ts';

/**
 * The scheduled check: `secret.expiring` within 14 days of `expiresAt`, `secret.rotation_due`
 * past `rotationDays` since the value was written; each raised once per value, again after a
 * new value. The clock is the schedule's `time`, so every run below happens when the test says.
 */

let runtime: Runtime;
let client: ApiClient;
const SERVICE = 'expiry-api';
const DAY = 86_400_000;
let t0: number;

const at = (days: number) => new Date(t0 + days * DAY).toISOString();
const run = (days: number) => secretExpiry({ time: at(days) });

async function events(type: string) {
  return readAll(client, `/v1/services/${SERVICE}/history`, { type });
}

async function metadata(name: string) {
  return (await client.get(`/v1/services/${SERVICE}/secrets/prod/${name}`)).json;
}

beforeAll(async () => {
  runtime = await startTestRuntime();
  client = api(runtime);
  t0 = Date.now();
  expect((await client.post('/v1/services', { name: SERVICE, kind: 'api' })).status).toBe(201);
  const put = (name: string, body: Record<string, unknown>) =>
    client.request('PUT', `/v1/services/${SERVICE}/secrets/prod/${name}`, { value: `value-of-${name}`, ...body });
  expect((await put('CERT_SOON', { type: 'certificate', expiresAt: at(10) })).status).toBe(201);
  expect((await put('CERT_LATER', { type: 'certificate', expiresAt: at(20) })).status).toBe(201);
  expect((await put('CERT_EXPIRED', { type: 'certificate', expiresAt: at(-1) })).status).toBe(201);
  expect((await put('ROTATE_30', { rotationDays: 30 })).status).toBe(201);
  expect((await put('PLAIN', {})).status).toBe(201);
  expect((await put('DELETED_SOON', { expiresAt: at(5), rotationDays: 1 })).status).toBe(201);
  expect((await client.delete(`/v1/services/${SERVICE}/secrets/prod/DELETED_SOON`)).status).toBe(202);
});

afterAll(async () => {
  expectNoServerErrors(client.log);
  await runtime?.close();
});

describe('the scheduled secret check', () => {
  it('raises secret.expiring for secrets within 14 days of expiry or past it, once', async () => {
    // Act
    const first = await run(0);
    const second = await run(0.5);

    // Assess
    expect(first.raised).toBe(2);
    expect(second.raised).toBe(0);
    const raised = await events('secret.expiring');
    expect(raised.map((event) => event.subject).sort()).toEqual([
      `secret/${SERVICE}/prod/CERT_EXPIRED`,
      `secret/${SERVICE}/prod/CERT_SOON`,
    ]);
    const soon = raised.find((event) => event.subject.endsWith('CERT_SOON'));
    expect(soon.actor).toEqual({ keyId: 'system', name: 'secret-expiry' });
    expect(soon.changes).toEqual({
      before: { expiryNoticeAt: null },
      after: { expiryNoticeAt: at(0), version: 1, expiresAt: at(10), daysLeft: 10, expired: false },
    });
    expect(raised.find((event) => event.subject.endsWith('CERT_EXPIRED')).changes.after).toMatchObject({ daysLeft: -1, expired: true });
    expect((await metadata('CERT_SOON')).expiryNoticeAt).toBe(at(0));
    expect((await metadata('CERT_LATER')).expiryNoticeAt).toBeNull();
  });

  it('raises it for the next secret once that one comes within 14 days', async () => {
    // Act
    const early = await run(5.9);
    const due = await run(6);

    // Assess
    expect(early.raised).toBe(0);
    expect(due.raised).toBe(1);
    expect((await metadata('CERT_LATER')).expiryNoticeAt).toBe(at(6));
  });

  it('raises secret.expiring once more, saying expired, for a secret that expired since its notice', async () => {
    // Act: CERT_SOON (day 10) and CERT_LATER (day 20) were noticed on days 0 and 6.
    const before = await run(9.9);
    const after = await run(20.5);
    const again = await run(21);

    // Assess
    expect(before.raised).toBe(0);
    expect(after.raised).toBe(2);
    expect(again.raised).toBe(0);
    const soon = (await events('secret.expiring')).filter((event) => event.subject.endsWith('CERT_SOON'));
    expect(soon.map((event) => event.changes.after.expired).sort()).toEqual([false, true]);
    expect(soon.find((event) => event.changes.after.expired).changes).toMatchObject({
      before: { expiryNoticeAt: at(0) },
      after: { expiryNoticeAt: at(20.5), expiresAt: at(10), daysLeft: -11, expired: true },
    });
    // CERT_EXPIRED was noticed after it expired: nothing more to say.
    expect((await events('secret.expiring')).filter((event) => event.subject.endsWith('CERT_EXPIRED'))).toHaveLength(1);
  });

  it('raises secret.rotation_due once the value is older than rotationDays, once', async () => {
    // Act
    const early = await run(29.9);
    const due = await run(30.1);
    const later = await run(45);

    // Assess
    expect(early.raised).toBe(0);
    expect(due.raised).toBe(1);
    expect(later.raised).toBe(0);
    const [rotation] = await events('secret.rotation_due');
    expect(rotation.subject).toBe(`secret/${SERVICE}/prod/ROTATE_30`);
    expect(rotation.changes.after).toMatchObject({ rotationNoticeAt: at(30.1), rotationDays: 30, version: 1 });
    expect((await metadata('ROTATE_30')).rotationNoticeAt).toBe(at(30.1));
  });

  it('never flags a secret scheduled for deletion, or one with neither expiry nor rotation', async () => {
    // Act
    const all = [...(await events('secret.expiring')), ...(await events('secret.rotation_due'))];

    // Assess
    expect(all.map((event) => event.subject)).not.toContain(`secret/${SERVICE}/prod/DELETED_SOON`);
    expect(all.map((event) => event.subject)).not.toContain(`secret/${SERVICE}/prod/PLAIN`);
  });

  it('raises again after a new value', async () => {
    // Prepare: a new value clears the notices; the expiry is kept, the rotation clock restarts now.
    const rotated = await client.request('PUT', `/v1/services/${SERVICE}/secrets/prod/ROTATE_30`, { value: 'rotated' });
    const renewed = await client.request('PUT', `/v1/services/${SERVICE}/secrets/prod/CERT_SOON`, { value: 'renewed' });
    expect(rotated.json).toMatchObject({ version: 2, rotationNoticeAt: null });
    expect(renewed.json).toMatchObject({ version: 2, expiryNoticeAt: null, expiresAt: at(10) });

    // Act
    const now = await run(1);
    const rotationAgain = await run(31);

    // Assess
    expect(now.raised).toBe(1);
    // ROTATE_30's rotation, and CERT_SOON's new value, noticed on day 1, expired since (day 10).
    expect(rotationAgain.raised).toBe(2);
    expect((await events('secret.expiring')).filter((event) => event.subject.endsWith('CERT_SOON'))).toHaveLength(4);
    expect((await events('secret.rotation_due')).filter((event) => event.subject.endsWith('ROTATE_30'))).toHaveLength(2);
  });

  it('judges the moment of its invocation when the schedule sends no time', async () => {
    // Act
    const outcome = await secretExpiry();

    // Assess
    expect(outcome.checked).toBe(6);
    expect(outcome.raised).toBe(0);
  });
});
