import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { registerService } from '../../functions/services/services.commands.ts';
import { moveVersion, registerVersion } from '../../functions/services/versions.commands.ts';
import { SYSTEM_PRINCIPAL } from '../../functions/kernel/roles.ts';
import { reconcile } from '../../functions/kernel/store/event-log.ts';
import type { Runtime } from '../../local/runtime.ts';
import { installCrashSwitch, SimulatedCrash } from '../helpers/crash-switch.ts';
import { call, startTestRuntime } from '../helpers/runtime.ts';

/**
 * docs/architecture.md §3: no change without its audit record, no audit record for a change that did not
 * happen, and state converges after a crash between any two writes. A command's writes are:
 * the event (the commit), then its projections, then the "projected" mark. These tests let the
 * process "die" after each number of writes in turn and check what a client sees.
 */
let runtime: Runtime;
let crash: ReturnType<typeof installCrashSwitch>;
const context = { actor: { keyId: SYSTEM_PRINCIPAL.keyId, name: 'crash-test' }, requestId: 'crash-test' };

beforeAll(async () => {
  runtime = await startTestRuntime();
  crash = installCrashSwitch();
});
afterAll(async () => {
  await runtime.close();
});
beforeEach(() => {
  crash.revive();
  vi.spyOn(console, 'warn').mockImplementation(() => undefined);
});

async function releasedEvents(service: string) {
  const response = await call(runtime, 'GET', `/v1/services/${service}/history?type=version.released`);
  return response.body.items as unknown[];
}

async function serviceState(service: string) {
  return (await call(runtime, 'GET', `/v1/services/${service}`)).body;
}

async function versionState(service: string, version: string) {
  return (await call(runtime, 'GET', `/v1/services/${service}/versions/${version}`)).body;
}

/** How many writes one release makes, so every crash point below is covered. */
async function writesPerRelease(): Promise<number> {
  await registerService({ name: 'crash-probe', kind: 'api' }, context);
  await registerVersion('crash-probe', { version: '1.0.0' }, context);
  crash.countWrites();
  await moveVersion('crash-probe', '1.0.0', 'release', {}, context);
  return crash.writes;
}

describe('a crash between any two writes', () => {
  it('counts the writes of a release: the event, two projections and the mark', async () => {
    expect(await writesPerRelease()).toBe(4);
  });

  it('leaves no change and no audit record when the process dies before the event is written', async () => {
    // Prepare
    await registerService({ name: 'crash-before', kind: 'api' }, context);
    await registerVersion('crash-before', { version: '1.0.0' }, context);
    crash.crashAfterWrites(0);

    // Act
    await expect(moveVersion('crash-before', '1.0.0', 'release', {}, context)).rejects.toThrow(SimulatedCrash);
    crash.revive();
    await reconcile();

    // Assess
    expect(await releasedEvents('crash-before')).toHaveLength(0);
    expect((await versionState('crash-before', '1.0.0')).status).toBe('draft');
    expect((await serviceState('crash-before')).versionCounts.released).toBe(0);
  });

  for (const survivingWrites of [1, 2, 3]) {
    it(`converges through the reconciler when the process dies after ${survivingWrites} write(s)`, async () => {
      // Prepare
      const name = `crash-after-${survivingWrites}`;
      await registerService({ name, kind: 'api' }, context);
      await registerVersion(name, { version: '1.0.0' }, context);
      crash.crashAfterWrites(survivingWrites);

      // Act: the event is committed; whatever the crash left undone, the reconciler finishes.
      await moveVersion(name, '1.0.0', 'release', {}, context).catch((error) => {
        if (!(error instanceof SimulatedCrash)) throw error;
      });
      crash.revive();
      await reconcile();

      // Assess
      expect(await releasedEvents(name)).toHaveLength(1);
      expect((await versionState(name, '1.0.0')).status).toBe('released');
      const service = await serviceState(name);
      expect(service.versionCounts).toEqual({ draft: 0, released: 1, deprecated: 0, retired: 0 });
      expect(service.latestReleased).toBe('1.0.0');
      expect((await reconcile()).projected).toBe(0);
    });
  }

  for (const survivingWrites of [1, 2, 3]) {
    it(`converges through the next write to the same version after ${survivingWrites} write(s), without the reconciler`, async () => {
      // Prepare: the release is committed; some or none of its projections are written.
      const name = `crash-next-${survivingWrites}`;
      await registerService({ name: name, kind: 'api' }, context);
      await registerVersion(name, { version: '1.0.0' }, context);
      crash.crashAfterWrites(survivingWrites);
      await moveVersion(name, '1.0.0', 'release', {}, context).catch(() => undefined);
      crash.revive();

      // Act: another client registers another version (its own aggregate: it neither waits for nor
      // finishes the release), then deprecates 1.0.0, which a draft could not be.
      const other = await call(runtime, 'POST', `/v1/services/${name}/versions`, { body: { version: '1.1.0' } });
      const response = await call(runtime, 'POST', `/v1/services/${name}/versions/1.0.0/deprecate`);

      // Assess
      expect([other.status, response.status]).toEqual([201, 200]);
      expect((await versionState(name, '1.0.0')).status).toBe('deprecated');
      const service = await serviceState(name);
      expect(service.versionCounts).toEqual({ draft: 1, released: 0, deprecated: 1, retired: 0 });
      expect(service.latestReleased).toBeNull();
      const history = await call(runtime, 'GET', `/v1/services/${name}/history`);
      expect(history.body.items.map((event: { type: string }) => event.type)).toEqual([
        'version.deprecated',
        'version.registered',
        'version.released',
        'version.registered',
        'service.created',
      ]);
    });
  }

  for (const survivingWrites of [1, 2]) {
    it(`refuses a second registration of a version whose first one crashed after ${survivingWrites} write(s)`, async () => {
      // Prepare
      const name = `crash-register-${survivingWrites}`;
      await registerService({ name, kind: 'api' }, context);
      crash.crashAfterWrites(survivingWrites);
      await registerVersion(name, { version: '1.0.0', description: 'first' }, context).catch(() => undefined);
      crash.revive();

      // Act
      const response = await call(runtime, 'POST', `/v1/services/${name}/versions`, { body: { version: '1.0.0', description: 'second' } });

      // Assess
      expect(response.status).toBe(409);
      expect((await versionState(name, '1.0.0')).description).toBe('first');
      expect((await serviceState(name)).versionCounts).toEqual({ draft: 1, released: 0, deprecated: 0, retired: 0 });
    });
  }

  it('refuses a duplicate service even when the first creation crashed before its projection', async () => {
    // Prepare
    crash.crashAfterWrites(1);
    await registerService({ name: 'crash-create', kind: 'api' }, context).catch(() => undefined);
    crash.revive();

    // Act
    const response = await call(runtime, 'POST', '/v1/services', { body: { name: 'crash-create', kind: 'model' } });

    // Assess
    expect(response.status).toBe(409);
    expect((await serviceState('crash-create')).kind).toBe('api');
  });
});
