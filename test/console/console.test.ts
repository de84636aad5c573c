import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Runtime, startRuntime } from '../../local/runtime.ts';
import { finished, putEnvironment, serviceWithVersions } from '../helpers/deployments.ts';
import { type ApiClient, api } from '../helpers/http-client.ts';
import { startVersionService, type VersionService } from '../helpers/weighted-router.ts';
import { findOrInstallChromium } from './chromium.ts';

/**
 * The web console at /console in a real browser (Playwright driving Debian's chromium; no browser
 * is downloaded) against the local runtime: sign in (a wrong key refused; the identity provider
 * with PKCE), services and models with their status, a canary followed live to 100% from the
 * stream with approve / cancel / roll back, health checks with uptime bars and a latency chart,
 * alerts acknowledged from the keyboard, an incident's timeline, a configuration diff, the audit
 * log searched, a model's performance and comparison charts. Every main page passes axe-core
 * with no serious or critical violation, and a screenshot of each is kept in test-artifacts/console/.
 */

process.env.STEWARD_TIME_SCALE = '0.01';

const CHROMIUM = findOrInstallChromium();
const ARTIFACTS = fileURLToPath(new URL('../../test-artifacts/console/', import.meta.url));
const AXE_SOURCE = readFileSync(fileURLToPath(import.meta.resolve('axe-core/axe.min.js')), 'utf8');
const MODEL = 'ranker';
/** A browser waits this long for what the page shows; generous, for a loaded two-core machine. */
const WAIT = { timeout: 30_000 };

let runtime: Runtime;
let client: ApiClient;
let browser: Browser;
let context: BrowserContext;
let page: Page;
let healthy: VersionService;
let unhealthy: VersionService;
/** Scripts errors in the page: none is expected. */
const pageErrors: string[] = [];

async function keep(name: string): Promise<void> {
  expect(pageErrors).toEqual([]);
  mkdirSync(ARTIFACTS, { recursive: true });
  await page.screenshot({ path: `${ARTIFACTS}${name}.png`, fullPage: true });
}

/**
 * axe-core run in the page: the serious and critical violations, as "rule: selectors". The file is
 * evaluated through Playwright (addScriptTag would add an inline script, which the console's
 * Content-Security-Policy rightly refuses; the tests keep that policy enforced).
 */
async function accessibilityProblems(on: Page = page): Promise<string[]> {
  if (!(await on.evaluate(() => 'axe' in globalThis))) await on.evaluate(AXE_SOURCE);
  const violations = await on.evaluate(async () => {
    const axe = (globalThis as any).axe;
    const result = await axe.run((globalThis as any).document, { resultTypes: ['violations'] });
    return result.violations.map((v: any) => ({
      id: v.id,
      impact: v.impact,
      nodes: v.nodes.map((n: any) => `${n.target.join(' ')} ${n.failureSummary ?? ''}`),
    }));
  });
  return violations
    .filter((v: { impact: string }) => v.impact === 'serious' || v.impact === 'critical')
    .map((v: { id: string; nodes: string[] }) => `${v.id}: ${v.nodes.join(' | ')}`);
}

/** How many pixels of a chart's canvas are of its first series' colour: what uPlot drew of the data. */
function seriesPixels(figure: string, rgb: [number, number, number] = [0x0b, 0x57, 0xd0]): Promise<number> {
  return page.$eval(
    `${figure} canvas`,
    (canvas: any, [r, g, b]: [number, number, number]) => {
      const { data } = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height);
      let count = 0;
      for (let i = 0; i < data.length; i += 4) {
        if (data[i + 3] > 200 && Math.abs(data[i] - r) < 30 && Math.abs(data[i + 1] - g) < 30 && Math.abs(data[i + 2] - b) < 30) count++;
      }
      return count;
    },
    rgb,
  );
}

/** Opens a page of the console in a fresh document (nothing of the previous page is left to be read). */
async function open(hash: string): Promise<void> {
  await page.goto('about:blank');
  await page.goto(`${runtime.url}/console${hash}`);
}

/** Inferences of a model over the last hours: 1.1.0 slower, with more errors than 1.0.0. */
function inferences(): Array<Record<string, unknown>> {
  const records: Array<Record<string, unknown>> = [];
  let seed = 7;
  const random = () => {
    seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
    return seed / 2_147_483_648;
  };
  for (let hour = 20; hour >= 0; hour--) {
    for (let i = 0; i < 30; i++) {
      const at = new Date(Date.now() - hour * 3_600_000 - i * 60_000).toISOString();
      const wave = 1 + 0.3 * Math.sin(hour / 3);
      records.push({ version: '1.0.0', at, success: random() > 0.01, latencyMs: Math.round(80 * wave + 40 * random()), confidence: 0.9 });
      records.push({ version: '1.1.0', at, success: random() > 0.08, latencyMs: Math.round(140 * wave + 60 * random()), confidence: 0.8 });
    }
  }
  return records;
}

beforeAll(async () => {
  runtime = await startRuntime({ memory: true, port: 0, reconcileEveryMs: 3_600_000, devIssuer: true });
  client = api(runtime);
  healthy = await startVersionService('1.0.0');
  unhealthy = await startVersionService('1.0.0', { healthy: false });
  await serviceWithVersions(client, 'shop-api', ['1.0.0', '2.0.0', '2.1.0']);
  await putEnvironment(client, 'shop-api', 'prod', { traffic: { driver: 'none' } });
  const promoted = await client.post('/v1/services/shop-api/environments/prod/promote', { version: '1.0.0' });
  expect((await finished(client, 'shop-api', promoted.json.id)).status).toBe('succeeded');

  expect((await client.post('/v1/services', { name: MODEL, kind: 'model', owner: 'search-team' })).status).toBe(201);
  for (const [version, accuracy] of [
    ['1.0.0', 0.91],
    ['1.1.0', 0.93],
  ] as const) {
    const card = {
      artifactUri: 's3://models/ranker',
      artifactDigest: `sha256:${'ab'.repeat(32)}`,
      capabilities: ['ranking'],
      trainingMetrics: { accuracy },
    };
    expect((await client.post(`/v1/services/${MODEL}/versions`, { version, model: card })).status).toBe(201);
  }
  const ingested = await client.post(`/v1/services/${MODEL}/inferences`, { records: inferences() });
  expect(ingested.json.rejected).toEqual([]);

  if (CHROMIUM) {
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-dev-shm-usage', '--disable-gpu'] });
    context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    context.setDefaultTimeout(WAIT.timeout);
    page = await context.newPage();
    page.on('pageerror', (error) => pageErrors.push(error.message));
  }
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await healthy?.close();
  await unhealthy?.close();
  await runtime?.close();
});

describe.skipIf(!CHROMIUM)('the console', { timeout: 90_000 }, () => {
  it('signs in with an API key (a wrong one is refused) and lists services with their status', async () => {
    await open('');
    const key = page.getByLabel('API key or token');
    await key.fill('stw_wrong');
    await key.press('Enter');
    await expect.poll(() => page.getByRole('alert').textContent(), WAIT).toMatch(/did not work/);
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('Sign in to Steward');
    await keep('sign-in');
    expect(await accessibilityProblems()).toEqual([]);

    await key.fill(runtime.adminKey);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.getByRole('heading', { name: 'Services', level: 1 }).waitFor();
    const shop = page.getByRole('row').filter({ has: page.getByRole('link', { name: 'shop-api' }) });
    expect(await shop.innerText()).toMatch(/shop-api\s+api\s+active\s+3\s+2\.1\.0/);
    expect(await page.getByRole('row').filter({ hasText: MODEL }).innerText()).toMatch(/model\s+draft\s+2/);
    await keep('services');
    expect(await accessibilityProblems()).toEqual([]);
  });

  it('can be used from the keyboard: a tab order through the header, with the focus visible', async () => {
    await open('#/services');
    await page.getByRole('heading', { name: 'Services', level: 1 }).waitFor();
    const stops: string[] = [];
    for (let i = 0; i < 8; i++) {
      await page.keyboard.press('Tab');
      stops.push(
        await page.evaluate(() => {
          const el = (globalThis as any).document.activeElement;
          const style = (globalThis as any).getComputedStyle(el);
          return `${el.tagName.toLowerCase()}:${el.textContent.trim()}:${style.outlineStyle !== 'none' && Number.parseFloat(style.outlineWidth) >= 2}`;
        }),
      );
    }
    expect(stops).toEqual([
      'a:Skip to content:true',
      'a:Services:true',
      'a:Models:true',
      'a:Alerts:true',
      'a:Incidents:true',
      'a:Audit log:true',
      'button:Sign out:true',
      `a:${MODEL}:true`,
    ]);
    // The skip link moves the focus to the content and leaves the page where it is.
    await page.keyboard.press('Shift+Tab');
    await page.keyboard.press('Shift+Tab');
    await page.keyboard.press('Shift+Tab');
    await page.keyboard.press('Shift+Tab');
    await page.keyboard.press('Shift+Tab');
    await page.keyboard.press('Shift+Tab');
    await page.keyboard.press('Shift+Tab');
    expect(await page.evaluate(() => (globalThis as any).document.activeElement.textContent)).toBe('Skip to content');
    await page.keyboard.press('Enter');
    expect(await page.evaluate(() => (globalThis as any).document.activeElement.id)).toBe('main');
    expect(page.url()).toMatch(/#\/services$/);
  });

  it('lists the models with their versions by serving status and the last 24 hours', async () => {
    await open('#/models');
    await page.getByRole('heading', { name: 'Models', level: 1 }).waitFor();
    const row = page.getByRole('row').filter({ has: page.getByRole('link', { name: MODEL }) });
    await row.waitFor();
    expect(await row.innerText()).toMatch(/inactive\s+2\s+1,260/);
    await keep('models');
    expect(await accessibilityProblems()).toEqual([]);
  });

  it('follows a canary live from the stream: approved in the console, then each step to 100%, then rolled back', async () => {
    await putEnvironment(client, 'shop-api', 'prod', {
      traffic: { driver: 'none' },
      protection: { requiresApproval: true, approvalTimeoutMinutes: 600 },
    }); // 6 min to approve at this scale
    const started = await client.post('/v1/services/shop-api/deployments', {
      environment: 'prod',
      version: '2.0.0',
      strategy: { type: 'canary', percent: 10, bakeMinutes: 20 }, // 12 s at this time scale
    });
    expect(started.status, started.text).toBe(202);
    await open(`#/deployments/shop-api/${started.json.id}`);
    const approve = page.getByRole('button', { name: 'Approve' });
    await approve.waitFor();
    // Every share of traffic the page shows, recorded in the page, which is never reloaded.
    await page.evaluate(() => {
      const w = globalThis as any;
      w.seen = [];
      const record = () => {
        const value = w.document.querySelector('[role=progressbar]')?.getAttribute('aria-valuenow');
        if (value !== undefined && value !== null && w.seen.at(-1) !== value) w.seen.push(value);
      };
      record();
      new w.MutationObserver(record).observe(w.document.getElementById('main'), { childList: true, subtree: true, attributes: true });
    });
    await keep('deployment-approval');
    expect(await accessibilityProblems()).toEqual([]);
    await approve.click();

    const progress = page.getByRole('progressbar');
    await expect.poll(() => progress.getAttribute('aria-valuenow'), { timeout: 60_000 }).toBe('10');
    await keep('deployment-canary');
    await expect.poll(() => progress.getAttribute('aria-valuenow'), { timeout: 60_000 }).toBe('100');
    await expect.poll(() => page.locator('main p .badge').first().textContent(), WAIT).toBe('succeeded');
    expect(await page.evaluate(() => (globalThis as any).seen)).toEqual(['0', '10', '100']);
    expect(await page.locator('ol.timeline').innerText()).toMatch(/Step 2 of 2: 2\.0\.0 at 100%/);
    await page.getByRole('figure', { name: /share of traffic/ }).waitFor();
    await expect.poll(() => seriesPixels('#share-chart'), WAIT).toBeGreaterThan(50);
    await keep('deployment');

    await page.getByRole('button', { name: 'Roll back' }).click();
    await expect.poll(() => page.locator('main p .badge').first().textContent(), WAIT).toBe('rolled back');
    expect(await progress.getAttribute('aria-valuenow')).toBe('0');
    expect((await client.get('/v1/services/shop-api/environments/prod')).json.weights).toEqual({ '1.0.0': 100 });
  }, 180_000);

  it('cancels a deployment waiting for approval', async () => {
    const started = await client.post('/v1/services/shop-api/deployments', {
      environment: 'prod',
      version: '2.1.0',
      strategy: { type: 'all-at-once' },
    });
    expect(started.status, started.text).toBe(202);
    await open(`#/deployments/shop-api/${started.json.id}`);
    await page.getByRole('button', { name: 'Cancel' }).click();
    await expect.poll(() => page.locator('main p .badge').first().textContent(), WAIT).toBe('cancelled');
    expect((await client.get(`/v1/services/shop-api/deployments/${started.json.id}`)).json.status).toBe('cancelled');
    await putEnvironment(client, 'shop-api', 'prod', { traffic: { driver: 'none' } });
  });

  it("shows a service's environments with their current weights, its deployments and versions", async () => {
    await open('#/services/shop-api');
    const prod = page.getByRole('row').filter({ hasText: 'prod' }).first();
    await prod.waitFor();
    expect(await prod.innerText()).toMatch(/prod\s+1\.0\.0\s+\S+\s+1\.0\.0 100%/);
    const deployments = await page.getByRole('table', { name: 'The last ten deployments' }).innerText();
    expect(deployments).toMatch(/2\.1\.0\s+all-at-once\s+cancelled/);
    expect(deployments).toMatch(/2\.0\.0\s+canary\s+rolled back\s+1\.0\.0 100%/);
    expect(await page.getByRole('table', { name: 'Versions, newest first' }).innerText()).toMatch(
      /2\.1\.0\s+released[\s\S]+1\.0\.0\s+released/,
    );
    await keep('service');
    expect(await accessibilityProblems()).toEqual([]);
  });

  it('draws uptime bars and a latency chart for a health check', async () => {
    const check = await client.post('/v1/services/shop-api/health-checks', {
      environment: 'prod',
      url: healthy.healthUrl,
      intervalSeconds: 60,
      conditions: ['[STATUS] == 200'],
    });
    expect(check.status, check.text).toBe(201);
    for (let run = 0; run < 6; run++)
      expect((await client.post(`/v1/services/shop-api/health-checks/${check.json.id}/run`)).status).toBe(200);
    await open('#/services/shop-api/health');
    await page.getByRole('img', { name: '6 of 6 runs up' }).waitFor();
    expect(await page.locator('.uptime span.up').count()).toBe(6);
    await page.getByRole('figure', { name: 'Latency of each run (ms)' }).waitFor();
    await expect.poll(() => seriesPixels('#latency-0'), WAIT).toBeGreaterThan(50);
    await keep('health');
    expect(await accessibilityProblems()).toEqual([]);
  });

  it('acknowledges a firing alert from the keyboard', async () => {
    const check = await client.post('/v1/services/shop-api/health-checks', {
      environment: 'prod',
      url: unhealthy.healthUrl,
      intervalSeconds: 60,
      failureThreshold: 1,
      conditions: ['[STATUS] == 200'],
    });
    expect(check.status, check.text).toBe(201);
    await client.post(`/v1/services/shop-api/health-checks/${check.json.id}/run`);
    await open('#/alerts');
    const acknowledge = page.getByRole('button', { name: /^Acknowledge .* on shop-api$/ });
    await acknowledge.waitFor();
    await keep('alerts');
    expect(await accessibilityProblems()).toEqual([]);
    await acknowledge.focus();
    await page.keyboard.press('Enter');
    await expect.poll(() => page.getByRole('status').textContent(), WAIT).toBe('Alert acknowledged.');
    await expect.poll(() => page.locator('main tbody .badge.acknowledged').count(), WAIT).toBe(1);
    expect(await acknowledge.count()).toBe(0);
    const open_ = await client.get('/v1/alerts', { query: { status: 'acknowledged', service: 'shop-api' } });
    expect(open_.json.items).toHaveLength(1);
  });

  it('shows the incident the critical alert opened, with its timeline, and adds a note', async () => {
    await open('#/incidents');
    const incident = page.locator('main tbody a[href^="#/incidents/"]').first();
    await incident.click();
    await page.locator('ol.timeline li').first().waitFor();
    const timeline = page.locator('ol.timeline');
    expect(await timeline.innerText()).toMatch(/Opened/);
    expect(await timeline.innerText()).toMatch(/Alert .*critical/);
    await page.getByLabel('Add a note to the timeline').fill('Rolled back; the health endpoint is being fixed.');
    await page.getByRole('button', { name: 'Add note' }).click();
    await expect
      .poll(() => timeline.innerText(), WAIT)
      .toMatch(/Note by bootstrap-admin: Rolled back; the health endpoint is being fixed\./);
    await keep('incident');
    expect(await accessibilityProblems()).toEqual([]);
  });

  it('compares two versions of a configuration layer', async () => {
    for (const size of [5, 8]) {
      const put = await client.request('PUT', '/v1/services/shop-api/configs/base', { values: { pool: { size }, region: 'eu-west-1' } });
      expect([200, 201]).toContain(put.status);
    }
    await open('#/services/shop-api/config');
    const diff = page.getByRole('table', { name: 'What changed from version 1 to 2' });
    await diff.waitFor();
    expect(await diff.innerText()).toMatch(/replace\s+\/pool\/size\s+5\s+8/);
    await keep('config');
    expect(await accessibilityProblems()).toEqual([]);
  });

  it('searches the audit log', async () => {
    await open('#/audit');
    await page.getByLabel('Service').fill('shop-api');
    await page.getByLabel('Event type').fill('deployment.*');
    await page.getByLabel('Event type').press('Enter');
    await expect.poll(() => page.url()).toMatch(/#\/audit\?service=shop-api&type=deployment\.\*$/);
    const types = page.locator('main tbody tr td:nth-child(2)');
    await expect.poll(() => types.count(), WAIT).toBeGreaterThan(3);
    expect((await types.allTextContents()).every((type) => type.startsWith('deployment.'))).toBe(true);
    await keep('audit');
    expect(await accessibilityProblems()).toEqual([]);
  });

  it("charts a model's performance over time and compares its versions", async () => {
    await open(`#/services/${MODEL}/performance`);
    await page.getByRole('figure', { name: 'Latency by hour (ms)' }).waitFor();
    expect(await page.locator('.figures').first().innerText()).toMatch(/Requests\s+630/);
    await expect.poll(() => seriesPixels('#latency-chart'), WAIT).toBeGreaterThan(50);
    await expect.poll(() => seriesPixels('#error-chart'), WAIT).toBeGreaterThan(20);
    const comparison = page.getByRole('table', { name: /differences against 1\.1\.0/ });
    await comparison.waitFor();
    expect(await comparison.innerText()).toMatch(/1\.1\.0 \(reference\)[\s\S]+1\.0\.0\s+630/);
    expect(await comparison.innerText()).toMatch(/better/);
    await expect.poll(() => seriesPixels('#compare-latency'), WAIT).toBeGreaterThan(500);
    await keep('performance');
    expect(await accessibilityProblems()).toEqual([]);
  });

  it('signs in through the identity provider with PKCE (S256)', async () => {
    // No authorize or token endpoint runs locally: a stand-in identity provider here answers the
    // redirect and the code exchange, and gives a token of the runtime's development issuer.
    const token = await runtime.devIssuer!.sign({ sub: 'alice', groups: ['steward-viewer'] });
    const seen: { authorize?: URLSearchParams; token?: URLSearchParams } = {};
    const provider: Server = createServer((request, response) => {
      const url = new URL(request.url ?? '/', 'http://localhost');
      if (url.pathname === '/authorize') {
        seen.authorize = url.searchParams;
        const back = new URL(url.searchParams.get('redirect_uri') ?? '');
        back.searchParams.set('code', 'the-code');
        back.searchParams.set('state', url.searchParams.get('state') ?? '');
        // The provider's own sign-in page: the person confirms, and is sent back with a code.
        response.writeHead(200, { 'content-type': 'text/html' });
        response.end(
          `<!doctype html><title>Identity provider</title><a href="${back.href.replaceAll('&', '&amp;')}">Continue as alice</a>`,
        );
        return;
      }
      let body = '';
      request.on('data', (chunk) => {
        body += chunk;
      });
      request.on('end', () => {
        seen.token = new URLSearchParams(body);
        const verifier = seen.token.get('code_verifier') ?? '';
        const matches = createHash('sha256').update(verifier).digest('base64url') === seen.authorize?.get('code_challenge');
        response.writeHead(matches ? 200 : 400, { 'content-type': 'application/json', 'access-control-allow-origin': '*' });
        response.end(
          JSON.stringify(matches ? { access_token: token, token_type: 'Bearer', expires_in: 3600 } : { error: 'invalid_grant' }),
        );
      });
    });
    await new Promise<void>((resolve) => provider.listen(0, '127.0.0.1', resolve));
    const idp = `http://127.0.0.1:${(provider.address() as AddressInfo).port}`;
    // The console's CSP allows only its own origin to be fetched; this provider is another one.
    const signInContext = await browser.newContext({ viewport: { width: 1280, height: 800 }, bypassCSP: true });
    // A document given through a route has no address, so chromium asks before it reaches a
    // loopback one (this provider); granted, as a person would.
    await signInContext.grantPermissions(['local-network-access']);
    const tab = await signInContext.newPage();
    tab.setDefaultTimeout(WAIT.timeout);
    try {
      await tab.route('**/config.json', (route) =>
        route.fulfill({
          json: {
            apiUrl: '',
            streamUrl: '',
            signIn: {
              issuer: 'https://id.example.com',
              clientId: 'steward-console',
              authorizationEndpoint: `${idp}/authorize`,
              tokenEndpoint: `${idp}/token`,
              scopes: ['openid', 'profile'],
            },
          },
        }),
      );
      // The provider sends the browser back to /console?code=…&state=…. Hosted, the console's
      // files are served whatever the query (CloudFront forwards none to the bucket); the local
      // route refuses unknown query parameters, so here the document is fetched without them.
      await tab.route(
        (url) => url.pathname === '/console' && url.search !== '',
        async (route) => route.fulfill({ response: await route.fetch({ url: `${runtime.url}/console` }) }),
      );
      // An answer that no sign-in here asked for is refused.
      await tab.goto(`${runtime.url}/console?code=stolen&state=forged`);
      await expect.poll(() => tab.getByRole('alert').textContent(), WAIT).toMatch(/not started here/);
      expect(tab.url()).toBe(`${runtime.url}/console`);

      await tab.getByRole('button', { name: 'Sign in with id.example.com' }).click();
      await tab.getByRole('link', { name: 'Continue as alice' }).click();
      await expect.poll(() => tab.locator('main').innerText(), WAIT).toMatch(/^Services/);
      const authorize = seen.authorize!;
      expect(Object.fromEntries([...authorize].filter(([name]) => !['state', 'code_challenge'].includes(name)))).toEqual({
        response_type: 'code',
        client_id: 'steward-console',
        redirect_uri: `${runtime.url}/console`,
        scope: 'openid profile',
        code_challenge_method: 'S256',
      });
      expect(authorize.get('state')).toMatch(/^[\w-]{22}$/);
      expect(authorize.get('code_challenge')).toMatch(/^[\w-]{43}$/);
      expect(Object.fromEntries([...seen.token!].filter(([name]) => name !== 'code_verifier'))).toEqual({
        grant_type: 'authorization_code',
        code: 'the-code',
        redirect_uri: `${runtime.url}/console`,
        client_id: 'steward-console',
      });
      expect(seen.token!.get('code_verifier')).toMatch(/^[\w-]{43,128}$/);
      // The code and state are gone from the address; the token is what the console sends.
      expect(tab.url()).toBe(`${runtime.url}/console#/services`);
      const sent = tab.waitForRequest((request) => request.url().endsWith('/v1/alerts?status=firing&limit=100'));
      await tab.getByRole('link', { name: 'Alerts' }).click();
      expect((await sent).headers().authorization).toBe(`Bearer ${token}`);
      await tab.getByRole('heading', { name: 'Alerts', level: 1 }).waitFor();
    } finally {
      await signInContext.close();
      await new Promise((resolve) => provider.close(resolve));
    }
  });
});
