import { mkdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Runtime, startRuntime } from '../../local/runtime.ts';
import { CHROMIUM, launchBrowser, type Page } from '../helpers/browser.ts';
import { finished, putEnvironment, serviceWithVersions } from '../helpers/deployments.ts';
import { type ApiClient, api } from '../helpers/http-client.ts';
import { startVersionService, type VersionService } from '../helpers/weighted-router.ts';

/**
 * The web console at /console in a real browser (Debian's chromium over the DevTools protocol)
 * against the local runtime: sign in, watch a canary progress live to 100%, acknowledge an alert,
 * see a chart render, follow an incident's timeline, compare configuration versions. A screenshot of each page is kept in test-artifacts/console/.
 */

process.env.STEWARD_TIME_SCALE = '0.01';

const ARTIFACTS = fileURLToPath(new URL('../../test-artifacts/console/', import.meta.url));

let runtime: Runtime;
let client: ApiClient;
let browser: Page;
let healthy: VersionService;
let unhealthy: VersionService;

async function keep(name: string): Promise<void> {
  mkdirSync(ARTIFACTS, { recursive: true });
  writeFileSync(`${ARTIFACTS}${name}.png`, await browser.screenshot());
}

beforeAll(async () => {
  runtime = await startRuntime({ memory: true, port: 0, reconcileEveryMs: 3_600_000 });
  client = api(runtime);
  healthy = await startVersionService('1.0.0');
  unhealthy = await startVersionService('1.0.0', { healthy: false });
  await serviceWithVersions(client, 'shop-api', ['1.0.0', '2.0.0']);
  await putEnvironment(client, 'shop-api', 'prod', { traffic: { driver: 'none' } });
  const promoted = await client.post('/v1/services/shop-api/environments/prod/promote', { version: '1.0.0' });
  expect((await finished(client, 'shop-api', promoted.json.id)).status).toBe('succeeded');
  browser = await launchBrowser();
}, 90_000);

afterAll(async () => {
  await browser?.close();
  await healthy?.close();
  await unhealthy?.close();
  await runtime?.close();
});

describe.skipIf(!CHROMIUM)('the console', () => {
  it('signs in with an API key (a wrong one is refused) and lists the services', async () => {
    await browser.goto(`${runtime.url}/console`);
    await browser.waitFor("document.querySelector('#credential')", 'the sign-in form');
    expect(await browser.evaluate("document.querySelector('label[for=credential]').textContent")).toBe(
      'API key or identity provider token',
    );
    await browser.fill('#credential', 'stw_wrong');
    await browser.click('#sign-in button[type=submit]');
    await browser.waitFor("document.querySelector('#sign-in-error')?.textContent.includes('did not work')", 'the refusal');
    await keep('sign-in');
    await browser.fill('#credential', runtime.adminKey);
    await browser.click('#sign-in button[type=submit]');
    await browser.waitFor("document.querySelector('main h1')?.textContent === 'Services'", 'the services page');
    expect(await browser.evaluate("[...document.querySelectorAll('main tbody a')].map((a) => a.textContent)")).toContain('shop-api');
    await keep('services');
  });

  it('shows a canary progress live to 100%', async () => {
    const started = await client.post('/v1/services/shop-api/deployments', {
      environment: 'prod',
      version: '2.0.0',
      strategy: { type: 'canary', percent: 10, bakeMinutes: 20 }, // 12 s at this time scale
    });
    expect(started.status, started.text).toBe(202);
    await browser.goto(`${runtime.url}/console#/deployments/shop-api/${started.json.id}`);
    await browser.waitFor("document.querySelector('[role=progressbar]')", 'the progress bar');
    // The page follows the stream: it shows the canary step, then 100%, without being reloaded.
    await browser.waitFor(
      "document.querySelector('[role=progressbar]')?.getAttribute('aria-valuenow') === '10'",
      'the canary at 10%',
      20_000,
    );
    await keep('deployment-canary');
    await browser.waitFor(
      "document.querySelector('[role=progressbar]')?.getAttribute('aria-valuenow') === '100'",
      'the canary at 100%',
      30_000,
    );
    await browser.waitFor("document.querySelector('main .badge')?.textContent === 'succeeded'", 'succeeded');
    expect(await browser.evaluate<string>('document.querySelector("ol.timeline").innerText')).toMatch(/Step 2 of 2: 2\.0\.0 at 100%/);
    await keep('deployment');
  }, 60_000);

  it('draws uptime bars and a latency chart for a health check', async () => {
    const check = await client.post('/v1/services/shop-api/health-checks', {
      environment: 'prod',
      url: healthy.healthUrl,
      intervalSeconds: 60,
      conditions: ['[STATUS] == 200'],
    });
    expect(check.status, check.text).toBe(201);
    for (let run = 0; run < 4; run++)
      expect((await client.post(`/v1/services/shop-api/health-checks/${check.json.id}/run`)).status).toBe(200);
    await browser.goto(`${runtime.url}/console#/services/shop-api`);
    await browser.waitFor("document.querySelector('svg.chart polyline')", 'the latency chart');
    expect(await browser.evaluate<number>("document.querySelector('svg.chart polyline').getAttribute('points').split(' ').length")).toBe(4);
    expect(await browser.evaluate<number>("document.querySelectorAll('.uptime span').length")).toBe(4);
    await keep('service');
  });

  it('acknowledges a firing alert', async () => {
    const check = await client.post('/v1/services/shop-api/health-checks', {
      environment: 'prod',
      url: unhealthy.healthUrl,
      intervalSeconds: 60,
      failureThreshold: 1,
      conditions: ['[STATUS] == 200'],
    });
    expect(check.status, check.text).toBe(201);
    await client.post(`/v1/services/shop-api/health-checks/${check.json.id}/run`);
    await browser.goto(`${runtime.url}/console#/alerts`);
    await browser.waitFor("document.querySelector('button[data-ack]')", 'an Acknowledge button');
    await keep('alerts');
    await browser.click('button[data-ack]');
    await browser.waitFor("document.querySelector('#status').textContent === 'Alert acknowledged.'", 'the acknowledgement');
    await browser.waitFor(
      "!document.querySelector('button[data-ack]') && document.querySelector('main .badge.acknowledged')",
      'the alert acknowledged',
    );
    const open = await client.get('/v1/alerts', { query: { status: 'acknowledged', service: 'shop-api' } });
    expect(open.json.items).toHaveLength(1);
  });

  it('shows the incident the critical alert opened, with its timeline', async () => {
    await browser.goto(`${runtime.url}/console#/incidents`);
    await browser.waitFor('document.querySelector(\'main tbody a[href^="#/incidents/"]\')', 'an incident');
    await browser.click('main tbody a[href^="#/incidents/"]');
    await browser.waitFor("document.querySelector('ol.timeline li')", 'the timeline');
    const timeline = await browser.evaluate<string>("document.querySelector('ol.timeline').innerText");
    expect(timeline).toMatch(/Opened/);
    expect(timeline).toMatch(/Alert .*critical/);
    await keep('incident');
  });

  it('compares two versions of a configuration layer', async () => {
    for (const size of [5, 8]) {
      const put = await client.request('PUT', '/v1/services/shop-api/configs/base', { values: { pool: { size } } });
      expect([200, 201]).toContain(put.status);
    }
    await browser.goto(`${runtime.url}/console#/services/shop-api`);
    await browser.waitFor("document.querySelector('#config-diff-form')", 'the diff form');
    await browser.click('#config-diff-form button[type=submit]');
    await browser.waitFor("document.querySelector('#config-diff li')", 'the diff');
    expect(await browser.evaluate<string>("document.querySelector('#config-diff').innerText")).toMatch(
      /Version 1 → 2\s+replace \/pool\/size = 8/,
    );
  });

  it('searches the audit log', async () => {
    await browser.goto(`${runtime.url}/console#/audit?service=shop-api&type=deployment.*`);
    await browser.waitFor(
      "document.querySelector('main h1')?.textContent === 'Audit log' && document.querySelectorAll('main tbody tr').length > 1",
      'audit rows',
    );
    const types = await browser.evaluate<string[]>(
      "[...document.querySelectorAll('main tbody tr td:nth-child(2)')].map((td) => td.textContent)",
    );
    expect(types.every((type) => type.startsWith('deployment.'))).toBe(true);
    await keep('audit');
  });
});
