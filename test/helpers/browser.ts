import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';

/**
 * A real browser for the console tests: Debian's chromium, headless, driven over the Chrome
 * DevTools Protocol (the `ws` package; no browser download, no extra driver). `npm test` on a
 * machine without it installs it first (test/setup-browser.ts); here it is only found.
 */
export const CHROMIUM = ['/usr/bin/chromium', '/usr/bin/chromium-browser'].find((path) => existsSync(path));

export interface Page {
  goto(url: string): Promise<void>;
  /** The value of an expression evaluated in the page (awaited when it is a promise). */
  evaluate<T = unknown>(expression: string): Promise<T>;
  /** Waits until the expression is truthy; fails with what it waited for. */
  waitFor(expression: string, what: string, timeoutMs?: number): Promise<void>;
  click(selector: string): Promise<void>;
  fill(selector: string, value: string): Promise<void>;
  /** A PNG of the viewport. */
  screenshot(): Promise<Buffer>;
  close(): Promise<void>;
}

export async function launchBrowser(): Promise<Page> {
  if (!CHROMIUM) throw new Error('chromium is not installed (apt-get install chromium)');
  const profile = mkdtempSync(join(tmpdir(), 'steward-chromium-'));
  const child: ChildProcess = spawn(
    CHROMIUM,
    [
      '--headless=new',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-dev-shm-usage',
      '--remote-debugging-port=0',
      `--user-data-dir=${profile}`,
      '--window-size=1280,900',
      'about:blank',
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  const endpoint = await new Promise<string>((resolve, reject) => {
    let output = '';
    const timer = setTimeout(() => reject(new Error(`chromium did not start: ${output}`)), 30_000);
    child.stderr?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const match = /DevTools listening on (ws:\/\/\S+)/.exec(output);
      if (match?.[1]) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    });
    child.once('exit', (code) => reject(new Error(`chromium exited (${code}): ${output}`)));
  });
  const socket = new WebSocket(endpoint, { perMessageDeflate: false });
  await new Promise((resolve, reject) => {
    socket.once('open', resolve);
    socket.once('error', reject);
  });
  let nextId = 0;
  const pending = new Map<number, { resolve: (value: any) => void; reject: (error: Error) => void }>();
  const listeners = new Set<(message: any) => void>();
  socket.on('message', (data) => {
    const message = JSON.parse(data.toString());
    if (message.id !== undefined) {
      const waiter = pending.get(message.id);
      pending.delete(message.id);
      if (message.error) waiter?.reject(new Error(JSON.stringify(message.error)));
      else waiter?.resolve(message.result);
    } else for (const listener of listeners) listener(message);
  });
  const send = (method: string, params: Record<string, unknown> = {}, sessionId?: string): Promise<any> =>
    new Promise((resolve, reject) => {
      const id = ++nextId;
      pending.set(id, { resolve, reject });
      socket.send(JSON.stringify({ id, method, params, ...(sessionId ? { sessionId } : {}) }));
    });
  const { targetId } = await send('Target.createTarget', { url: 'about:blank' });
  const { sessionId } = await send('Target.attachToTarget', { targetId, flatten: true });
  const page = (method: string, params: Record<string, unknown> = {}) => send(method, params, sessionId);
  await page('Page.enable');
  await page('Runtime.enable');

  const evaluate = async <T>(expression: string): Promise<T> => {
    const { result, exceptionDetails } = await page('Runtime.evaluate', { expression, awaitPromise: true, returnByValue: true });
    if (exceptionDetails) throw new Error(`${expression}: ${exceptionDetails.exception?.description ?? exceptionDetails.text}`);
    return result.value as T;
  };
  return {
    async goto(url) {
      const loaded = new Promise<void>((resolve) => {
        const listener = (message: any) => {
          // A new document loads; a change of the hash only navigates within the page.
          if (
            (message.method === 'Page.loadEventFired' || message.method === 'Page.navigatedWithinDocument') &&
            message.sessionId === sessionId
          ) {
            listeners.delete(listener);
            resolve();
          }
        };
        listeners.add(listener);
      });
      await page('Page.navigate', { url });
      await loaded;
    },
    evaluate,
    async waitFor(expression, what, timeoutMs = 15_000) {
      const deadline = Date.now() + timeoutMs;
      while (!(await evaluate<boolean>(`Boolean(${expression})`))) {
        if (Date.now() > deadline) {
          const text = await evaluate<string>('document.body.innerText').catch(() => '');
          throw new Error(`timed out waiting for ${what}; the page shows: ${text.replace(/\s+/g, ' ').slice(0, 800)}`);
        }
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    },
    async click(selector) {
      await evaluate(
        `(() => { const element = document.querySelector(${JSON.stringify(selector)}); if (!element) throw new Error('no ${selector.replace(/'/g, '')}'); element.click(); })()`,
      );
    },
    async fill(selector, value) {
      await evaluate(
        `(() => { const element = document.querySelector(${JSON.stringify(selector)}); element.focus(); element.value = ${JSON.stringify(value)}; element.dispatchEvent(new Event('input', { bubbles: true })); })()`,
      );
    },
    async screenshot() {
      const { data } = await page('Page.captureScreenshot', { format: 'png' });
      return Buffer.from(data, 'base64');
    },
    async close() {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      await send('Browser.close').catch(() => undefined);
      socket.terminate();
      child.kill();
      await exited;
      rmSync(profile, { recursive: true, force: true, maxRetries: 5 });
    },
  };
}
