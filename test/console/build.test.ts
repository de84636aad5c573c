import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
// @ts-expect-error: a plain ES module of the console, without types
import { buildConsole } from '../../console/build.mjs';

/**
 * The console is served as three files (index.html, app.js, app.css); app.js and app.css are built
 * from console/src by `npm run build:console` and committed, so they must match their sources.
 */
const served = (file: string) => readFileSync(new URL(`../../console/${file}`, import.meta.url), 'utf8');

describe('the built console', () => {
  it('is what console/src builds to (run `npm run build:console` after changing it)', async () => {
    const built: Record<string, string> = await buildConsole();
    expect(served('app.js') === built['app.js'], 'console/app.js is stale: npm run build:console').toBe(true);
    expect(served('app.css') === built['app.css'], 'console/app.css is stale: npm run build:console').toBe(true);
  });

  it('bundles uPlot, and stays far under 250 KB gzipped', () => {
    expect(served('app.js')).toContain('uplot');
    expect(served('app.css')).toContain('.u-legend');
    const gzipped = ['index.html', 'app.js', 'app.css'].reduce((total, file) => total + gzipSync(served(file)).byteLength, 0);
    expect(gzipped / 1024).toBeLessThan(250);
  });
});
