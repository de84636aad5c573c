import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { settleNotifications } from '../../functions/notifications/local-topic.ts';
import { configureMailer } from '../../functions/notifications/mailer.ts';
import { type Runtime, startRuntime } from '../../local/runtime.ts';
import { finished, putEnvironment, serviceWithVersions } from '../helpers/deployments.ts';
import { type ApiClient, api, expectInvalid, expectNoServerErrors, expectProblem } from '../helpers/http-client.ts';
import { parseMail, type SmtpSink, startSmtpSink } from './smtp-sink.ts';

/**
 * Issue 4 item 7 (email), end to end through the local runtime: subscriptions with filters are
 * recorded and audited, committed events are mailed through a real SMTP server started here
 * (smtp-server) to exactly the addresses whose filter passes them, and without an SMTP URL the
 * mail lands as `.eml` files in the outbox folder.
 */

process.env.STEWARD_TIME_SCALE = '0.01';

let runtime: Runtime;
let client: ApiClient;
let smtp: SmtpSink;
let outbox: string;
let services = 0;

beforeAll(async () => {
  runtime = await startRuntime({ memory: true, port: 0, reconcileEveryMs: 3_600_000, tickSeconds: 3600 });
  client = api(runtime);
  smtp = await startSmtpSink();
  outbox = await mkdtemp(join(tmpdir(), 'steward-outbox-'));
  configureMailer({ outboxDir: outbox });
});

afterAll(async () => {
  expectNoServerErrors(client.log);
  await settleNotifications();
  delete process.env.STEWARD_SMTP_URL;
  configureMailer(null);
  await smtp?.close();
  await runtime?.close();
  if (outbox) await rm(outbox, { recursive: true, force: true });
});

async function subscribe(endpoint: string, filter?: Record<string, unknown>) {
  const created = await client.post('/v1/subscriptions', { protocol: 'email', endpoint, ...(filter ? { filter } : {}) });
  expect(created.status, created.text).toBe(201);
  return created.json as { id: string; [field: string]: unknown };
}

async function service(prefix: string): Promise<string> {
  const name = `${prefix}-${++services}`;
  const created = await client.post('/v1/services', { name, kind: 'api' });
  expect(created.status, created.text).toBe(201);
  return name;
}

async function openIncident(name: string, severity: 'info' | 'warning' | 'critical', title: string) {
  const opened = await client.post('/v1/incidents', { service: name, title, severity });
  expect(opened.status, opened.text).toBe(201);
  return opened.json as { id: string };
}

describe('subscription CRUD', () => {
  it('creates, reads, lists and deletes a subscription, with its filter policy, audited', async () => {
    const created = await subscribe('Ops@Example.COM', { eventTypes: ['alert.*', 'deployment.rolled_back'], minSeverity: 'warning' });
    expect(created).toMatchObject({
      protocol: 'email',
      endpoint: 'Ops@example.com',
      status: 'confirmed',
      providerArn: null,
      filter: { eventTypes: ['alert.*', 'deployment.rolled_back'], minSeverity: 'warning' },
      filterPolicy: { eventType: [{ prefix: 'alert.' }, 'deployment.rolled_back'], severity: ['warning', 'critical'] },
      etag: '"1"',
    });
    const read = await client.get(`/v1/subscriptions/${created.id}`);
    expect(read.status).toBe(200);
    expect(read.json).toEqual(created);
    const listed = await client.get('/v1/subscriptions');
    expect(listed.json.items.map((item: { id: string }) => item.id)).toContain(created.id);

    // One subscription per address (SNS keys them by endpoint): the same or another filter is a 409 naming it.
    const again = expectProblem(await client.post('/v1/subscriptions', { protocol: 'email', endpoint: 'Ops@example.com' }), 409);
    expect(again.subscriptionId).toBe(created.id);

    expectProblem(await client.delete(`/v1/subscriptions/${created.id}`, { headers: { 'if-match': '"7"' } }), 412);
    expect((await client.delete(`/v1/subscriptions/${created.id}`)).status).toBe(204);
    expectProblem(await client.get(`/v1/subscriptions/${created.id}`), 404);
    expectProblem(await client.delete(`/v1/subscriptions/${created.id}`), 404);
    expect((await client.get('/v1/subscriptions')).json.items.map((item: { id: string }) => item.id)).not.toContain(created.id);
    // Deleted, the address may subscribe again.
    const renewed = await subscribe('Ops@example.com');
    expect(renewed.id).not.toBe(created.id);
    expect(renewed.filterPolicy).toEqual({});

    const audit = await client.get('/v1/audit', { query: { limit: 100 } });
    const types = (audit.json.items as Array<{ type: string; subject: string }>)
      .filter((item) => item.subject === `subscription/${created.id}`)
      .map((item) => item.type);
    expect(types.sort()).toEqual(['subscription.created', 'subscription.deleted']);
    expect((await client.delete(`/v1/subscriptions/${renewed.id}`)).status).toBe(204);
  });

  it("changes a subscription's filter, honouring If-Match, audited with before and after; an equal filter records nothing", async () => {
    const created = await subscribe('Changer@Example.com', { eventTypes: ['alert.*'], minSeverity: 'warning' });
    const patched = await client.patch(
      `/v1/subscriptions/${created.id}`,
      { filter: { services: ['payments', 'checkout', 'payments'], minSeverity: 'critical' } },
      { headers: { 'if-match': '"1"' } },
    );
    expect(patched.status, patched.text).toBe(200);
    expect(patched.headers.get('etag')).toBe('"2"');
    expect(patched.json).toMatchObject({
      id: created.id,
      endpoint: 'Changer@example.com',
      filter: { services: ['checkout', 'payments'], minSeverity: 'critical' },
      filterPolicy: { service: ['checkout', 'payments'], severity: ['critical'] },
      status: 'confirmed',
      createdAt: created.createdAt,
      etag: '"2"',
    });
    expect((await client.get(`/v1/subscriptions/${created.id}`)).json).toEqual(patched.json);

    // A stale ETag is a 412 and changes nothing.
    expectProblem(await client.patch(`/v1/subscriptions/${created.id}`, { filter: {} }, { headers: { 'if-match': '"1"' } }), 412);
    // The same filter (in another order) changes nothing and records nothing.
    const same = await client.patch(`/v1/subscriptions/${created.id}`, {
      filter: { minSeverity: 'critical', services: ['payments', 'checkout'] },
    });
    expect(same.status, same.text).toBe(200);
    expect(same.json).toEqual(patched.json);
    // `{}` lets everything through.
    const open = await client.patch(`/v1/subscriptions/${created.id}`, { filter: {} });
    expect(open.status, open.text).toBe(200);
    expect(open.json).toMatchObject({ filter: {}, filterPolicy: {}, etag: '"3"' });

    const audit = await client.get('/v1/audit', { query: { limit: 100 } });
    const ours = (audit.json.items as Array<{ type: string; subject: string; changes: { before: unknown; after: unknown } }>).filter(
      (item) => item.subject === `subscription/${created.id}`,
    );
    const updates = ours.filter((item) => item.type === 'subscription.updated');
    expect(updates).toHaveLength(2);
    const first = updates.find((item) => JSON.stringify(item.changes.after).includes('checkout'));
    expect(first?.changes).toEqual({
      before: {
        filter: { eventTypes: ['alert.*'], minSeverity: 'warning' },
        filterPolicy: { eventType: [{ prefix: 'alert.' }], severity: ['warning', 'critical'] },
      },
      after: {
        filter: { services: ['checkout', 'payments'], minSeverity: 'critical' },
        filterPolicy: { service: ['checkout', 'payments'], severity: ['critical'] },
      },
    });
    expect((await client.delete(`/v1/subscriptions/${created.id}`)).status).toBe(204);
    expectProblem(await client.patch(`/v1/subscriptions/${created.id}`, { filter: {} }), 404);
  });

  it('refuses bad filters, unknown fields and unknown subscriptions on PATCH', async () => {
    const created = await subscribe('patch-filters@example.com', { eventTypes: ['incident.*'] });
    const patch = (body: unknown) => client.patch(`/v1/subscriptions/${created.id}`, body);
    expectInvalid(await patch({ filter: { eventTypes: ['alert.*', 'bogus.*'] } }), '/body/filter/eventTypes/1');
    expectInvalid(await patch({ filter: { eventTypes: ['service.created'] } }), '/body/filter/eventTypes/0'); // not published
    expectInvalid(await patch({ filter: { minSeverity: 'loud' } }), '/body/filter/minSeverity');
    expectInvalid(await patch({ filter: { services: ['Not A Slug'] } }), '/body/filter/services/0');
    const many = Array.from({ length: 20 }, (_, index) => `svc-${index}`);
    const types = [
      'alert.*',
      'incident.*',
      'deployment.*',
      'healthcheck.state_changed',
      'webhook.disabled',
      'deployment.started',
      'deployment.succeeded',
      'alert.firing',
    ];
    expectInvalid(await patch({ filter: { services: many, eventTypes: types } }), '/body/filter'); // 8 × 20 > 150
    expectProblem(await patch({ filter: { eventTypes: ['alert.*'], colour: 'red' } }), 400);
    expectProblem(await patch({ endpoint: 'other@example.com' }), 400); // only the filter changes
    expectProblem(await patch({ filter: {}, protocol: 'email' }), 400);
    expectProblem(await patch({}), 400);
    expectProblem(await client.patch('/v1/subscriptions/01JDQ6Z5K2N3P4Q5R6S7T8V9W0', { filter: {} }), 404);
    expectProblem(await client.patch('/v1/subscriptions/not-an-id', { filter: {} }), 400);
    // Nothing changed.
    const read = await client.get(`/v1/subscriptions/${created.id}`);
    expect(read.json).toMatchObject({ filter: { eventTypes: ['incident.*'] }, etag: '"1"' });
    expect((await client.delete(`/v1/subscriptions/${created.id}`)).status).toBe(204);
  });

  it('refuses bad addresses, bad filters and unknown fields with pointers', async () => {
    for (const endpoint of [
      'not-an-address',
      'a@b',
      'two@@example.com',
      'with space@example.com',
      'x@example.com, y@example.com',
      'a@-bad-.com',
    ]) {
      expectInvalid(await client.post('/v1/subscriptions', { protocol: 'email', endpoint }), '/body/endpoint');
    }
    const post = (filter: unknown) => client.post('/v1/subscriptions', { protocol: 'email', endpoint: 'filters@example.com', filter });
    expectInvalid(await post({ eventTypes: ['alert.*', 'bogus.*'] }), '/body/filter/eventTypes/1');
    expectInvalid(await post({ eventTypes: ['service.created'] }), '/body/filter/eventTypes/0'); // not published
    expectInvalid(await post({ eventTypes: ['nope.done'] }), '/body/filter/eventTypes/0');
    expectInvalid(await post({ minSeverity: 'loud' }), '/body/filter/minSeverity');
    expectInvalid(await post({ services: ['Not A Slug'] }), '/body/filter/services/0');
    const many = Array.from({ length: 20 }, (_, index) => `svc-${index}`);
    const types = [
      'alert.*',
      'incident.*',
      'deployment.*',
      'healthcheck.state_changed',
      'webhook.disabled',
      'deployment.started',
      'deployment.succeeded',
      'alert.firing',
    ];
    expectInvalid(await post({ services: many, eventTypes: types }), '/body/filter'); // 8 × 20 > 150, SNS's limit
    expectProblem(await post({ eventTypes: ['alert.*'], colour: 'red' }), 400);
    expectProblem(await client.post('/v1/subscriptions', { protocol: 'sms', endpoint: 'x@example.com' }), 400);
    expectProblem(await client.post('/v1/subscriptions', { protocol: 'email', endpoint: 'x@example.com', extra: 1 }), 400);
    expectProblem(await client.get('/v1/subscriptions/01JDQ6Z5K2N3P4Q5R6S7T8V9W0'), 404);
    expectProblem(await client.delete('/v1/subscriptions/01JDQ6Z5K2N3P4Q5R6S7T8V9W0'), 404);
  });

  it('is for admins only', async () => {
    const created = await client.post('/v1/api-keys', { name: 'subscriptions-deployer', role: 'deployer' });
    expect(created.status, created.text).toBe(201);
    const as = client.as(created.json.key);
    expectProblem(await as.get('/v1/subscriptions'), 403);
    expectProblem(await as.post('/v1/subscriptions', { protocol: 'email', endpoint: 'deployer@example.com' }), 403);
    expectProblem(await as.patch('/v1/subscriptions/01JDQ6Z5K2N3P4Q5R6S7T8V9W0', { filter: {} }), 403);
    expectProblem(await client.as(null).patch('/v1/subscriptions/01JDQ6Z5K2N3P4Q5R6S7T8V9W0', { filter: {} }), 401);
    expectProblem(await client.as(null).get('/v1/subscriptions'), 401);
  });
});

describe('mail through a real SMTP server', () => {
  it('mails each event only to the addresses whose filter passes it', async () => {
    process.env.STEWARD_SMTP_URL = smtp.url;
    const pager = 'pager@example.com';
    const team = 'team-b@example.com';
    const teamService = `team-b-${++services}`;
    await serviceWithVersions(client, teamService, ['1.0.0']);
    await subscribe(pager, { eventTypes: ['incident.*', 'alert.*', 'healthcheck.state_changed'], minSeverity: 'critical' });
    await subscribe(team, { services: [teamService] });

    const loud = await service('loud');
    const quiet = await service('quiet');
    await openIncident(loud, 'critical', 'Checkout is down');
    await openIncident(quiet, 'warning', 'Checkout is slow');
    await openIncident(teamService, 'info', 'Team B hiccup');
    await putEnvironment(client, teamService, 'prod', { traffic: { driver: 'none' } });
    const promoted = await client.post(`/v1/services/${teamService}/environments/prod/promote`, { version: '1.0.0' });
    expect(promoted.status, promoted.text).toBe(202);
    expect((await finished(client, teamService, promoted.json.id)).status).toBe('succeeded');
    await settleNotifications();

    // The pager hears the critical incident only: not the warning one, not team B's, no deployments.
    const paged = smtp.mailbox(pager);
    expect(paged.map((mail) => mail.subject)).toEqual([`Steward critical: incident.opened (${loud})`]);
    expect(paged[0]?.from).toBe('steward@localhost');
    expect(paged[0]?.text).toContain('An incident was opened for a service');
    expect(paged[0]?.text).toContain(`Service:  ${loud}`);
    expect(paged[0]?.text).toContain('Checkout is down');
    expect(paged[0]?.raw).toMatch(/^To: pager@example\.com\r?$/m);

    // Team B hears everything about its service, whatever the severity, and nothing else.
    const teamMail = smtp.mailbox(team);
    const subjects = teamMail.map((mail) => mail.subject);
    expect(subjects).toContain(`Steward info: incident.opened (${teamService})`);
    expect(subjects).toContain(`Steward info: deployment.started (${teamService})`);
    expect(subjects).toContain(`Steward info: deployment.succeeded (${teamService})`);
    expect(subjects.every((subject) => subject.includes(`(${teamService})`))).toBe(true);
    expect(teamMail.find((mail) => mail.subject.includes('incident.opened'))?.text).toContain('Team B hiccup');
    expect(smtp.all().some((mail) => mail.subject.includes(`(${quiet})`))).toBe(false);
  });

  it('mails a health check turning unhealthy (critical) to the pager', async () => {
    process.env.STEWARD_SMTP_URL = smtp.url;
    const pager = 'checks@example.com';
    await subscribe(pager, { eventTypes: ['healthcheck.state_changed'], minSeverity: 'critical' });
    const name = await service('checked');
    const check = await client.post(`/v1/services/${name}/health-checks`, {
      environment: 'prod',
      url: 'http://127.0.0.1:1/health', // nothing listens: the run fails
      intervalSeconds: 3600,
      conditions: ['[STATUS] == 200'],
      failureThreshold: 1,
    });
    expect(check.status, check.text).toBe(201);
    const run = await client.post(`/v1/services/${name}/health-checks/${check.json.id}/run`);
    expect(run.status, run.text).toBe(200);
    expect(run.json.state).toBe('unhealthy');
    await settleNotifications();
    const mail = smtp.mailbox(pager);
    expect(mail.map((entry) => entry.subject)).toEqual([`Steward critical: healthcheck.state_changed (${name})`]);
    expect(mail[0]?.text).toContain('"state": "unhealthy"');
  });

  it('stops mailing an address once its subscription is deleted', async () => {
    process.env.STEWARD_SMTP_URL = smtp.url;
    const address = 'leaver@example.com';
    const subscription = await subscribe(address, { eventTypes: ['incident.opened'] });
    await openIncident(await service('before'), 'warning', 'Before leaving');
    await settleNotifications();
    expect(smtp.mailbox(address)).toHaveLength(1);
    expect((await client.delete(`/v1/subscriptions/${subscription.id}`)).status).toBe(204);
    await openIncident(await service('after'), 'warning', 'After leaving');
    await settleNotifications();
    expect(smtp.mailbox(address)).toHaveLength(1);
  });

  it('mails by the new filter once a subscription is changed', async () => {
    process.env.STEWARD_SMTP_URL = smtp.url;
    const address = 'mover@example.com';
    const first = await service('first');
    const second = await service('second');
    const subscription = await subscribe(address, { services: [first] });
    const firstBefore = await openIncident(first, 'warning', 'First, before');
    const secondBefore = await openIncident(second, 'warning', 'Second, before');
    await settleNotifications();
    expect(smtp.mailbox(address).map((mail) => mail.subject)).toEqual([`Steward warning: incident.opened (${first})`]);

    const patched = await client.patch(`/v1/subscriptions/${subscription.id}`, { filter: { services: [second], minSeverity: 'critical' } });
    expect(patched.status, patched.text).toBe(200);
    // Resolving both (info) mails nothing now: the first service is no longer selected, the second is too quiet.
    for (const incident of [firstBefore, secondBefore]) {
      const resolved = await client.post(`/v1/incidents/${incident.id}/resolve`, { summary: 'Fixed.' });
      expect(resolved.status, resolved.text).toBe(200);
    }
    await openIncident(first, 'critical', 'First, after');
    await openIncident(second, 'critical', 'Second, after');
    await settleNotifications();
    const mail = smtp.mailbox(address);
    expect(mail.map((entry) => entry.subject)).toEqual([
      `Steward warning: incident.opened (${first})`,
      `Steward critical: incident.opened (${second})`,
    ]);
    expect(mail[1]?.text).toContain('Second, after');
    expect((await client.delete(`/v1/subscriptions/${subscription.id}`)).status).toBe(204);
  });

  it('mails the other recipients when the server refuses one', async () => {
    process.env.STEWARD_SMTP_URL = smtp.url;
    const name = await service('shared');
    await subscribe('refused@example.com', { services: [name] });
    await subscribe('kept@example.com', { services: [name] });
    await openIncident(name, 'critical', 'One mailbox is gone');
    await settleNotifications(); // the refused recipient is logged, nothing throws
    expect(smtp.mailbox('refused@example.com')).toHaveLength(0);
    expect(smtp.mailbox('kept@example.com').map((mail) => mail.subject)).toEqual([`Steward critical: incident.opened (${name})`]);
  });
});

describe('the .eml outbox', () => {
  it('writes an RFC 822 file per mail when no SMTP URL is set', async () => {
    delete process.env.STEWARD_SMTP_URL;
    const address = 'outbox@example.com';
    const name = await service('outboxed');
    await subscribe(address, { services: [name], minSeverity: 'warning' });
    await openIncident(name, 'warning', 'Written to a file');
    await settleNotifications();
    const files = (await readdir(outbox)).filter((file) => file.endsWith('.eml'));
    const mails = await Promise.all(files.map(async (file) => (await readFile(join(outbox, file))).toString('utf8')));
    const ours = mails.filter((raw) => /^To: outbox@example\.com\r?$/m.test(raw));
    expect(ours).toHaveLength(1);
    const parsed = parseMail(ours[0] as string);
    expect(parsed.subject).toBe(`Steward warning: incident.opened (${name})`);
    expect(parsed.text).toContain('Written to a file');
    expect(ours[0]).toMatch(/^From: steward@localhost\r?$/m);
    expect(ours[0]).toMatch(/^Message-ID: <.+>\r?$/im);
  });
});
