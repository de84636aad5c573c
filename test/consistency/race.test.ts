import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Runtime } from '../../local/runtime.ts';
import { call, startTestRuntime } from '../helpers/runtime.ts';

/**
 * Fifty clients racing on one resource: every success is applied and audited exactly once,
 * every loser gets 409 or 412, nothing is lost. Writers of different items (different versions of
 * one service) do not race at all: every one of them succeeds.
 */
const CLIENTS = 50;
let runtime: Runtime;

beforeAll(async () => {
  runtime = await startTestRuntime();
});
afterAll(async () => {
  await runtime.close();
});

async function history(service: string, type: string) {
  const response = await call(runtime, 'GET', `/v1/services/${service}/history?type=${type}&limit=100`);
  expect(response.status).toBe(200);
  return response.body.items as Array<{ changes: { after: Record<string, unknown> }; requestId: string }>;
}

// Fifty requests each, many retried: minutes on a loaded two-core machine, seconds otherwise.
describe('fifty clients racing', { timeout: 120_000 }, () => {
  it('lets exactly one conditional update win and answers every other one 412', async () => {
    // Prepare
    await call(runtime, 'POST', '/v1/services', { body: { name: 'race-if-match', kind: 'api' } });
    const { headers } = await call(runtime, 'GET', '/v1/services/race-if-match');
    const etag = headers.get('etag') as string;

    // Act
    const responses = await Promise.all(
      Array.from({ length: CLIENTS }, (_, i) =>
        call(runtime, 'PATCH', '/v1/services/race-if-match', { body: { displayName: `Client ${i}` }, headers: { 'if-match': etag } }),
      ),
    );

    // Assess
    const winners = responses.filter((response) => response.status === 200);
    expect(winners).toHaveLength(1);
    expect(responses.filter((response) => response.status === 412)).toHaveLength(CLIENTS - 1);
    const updates = await history('race-if-match', 'service.updated');
    expect(updates).toHaveLength(1);
    const current = await call(runtime, 'GET', '/v1/services/race-if-match');
    expect(current.body.displayName).toBe(winners[0]?.body.displayName);
    expect(updates[0]?.changes.after.displayName).toBe(current.body.displayName);
  });

  // Fifty writers of one item take turns through retries: seconds on an idle machine, more on a busy one.
  it('applies and audits every unconditional update once, and the last audited one is what remains', { timeout: 120_000 }, async () => {
    // Prepare
    await call(runtime, 'POST', '/v1/services', { body: { name: 'race-last-write', kind: 'api' } });

    // Act
    const responses = await Promise.all(
      Array.from({ length: CLIENTS }, (_, i) => call(runtime, 'PATCH', '/v1/services/race-last-write', { body: { owner: `owner-${i}` } })),
    );

    // Assess
    const succeeded = responses.filter((response) => response.status === 200);
    expect(responses.every((response) => response.status === 200 || response.status === 409)).toBe(true);
    const updates = await history('race-last-write', 'service.updated');
    // A winner whose owner equalled the previous one changes nothing and is not audited.
    expect(updates.length).toBeLessThanOrEqual(succeeded.length);
    expect(new Set(updates.map((update) => update.requestId)).size).toBe(updates.length);
    const current = await call(runtime, 'GET', '/v1/services/race-last-write');
    expect(updates[0]?.changes.after.owner).toBe(current.body.owner);
    expect(Number(JSON.parse(current.headers.get('etag') as string))).toBe(1 + updates.length);
  });

  it('releases a version once and answers every other release 409', async () => {
    // Prepare
    await call(runtime, 'POST', '/v1/services', { body: { name: 'race-release', kind: 'model' } });
    await call(runtime, 'POST', '/v1/services/race-release/versions', { body: { version: '1.0.0' } });

    // Act
    const responses = await Promise.all(
      Array.from({ length: CLIENTS }, () => call(runtime, 'POST', '/v1/services/race-release/versions/1.0.0/release')),
    );

    // Assess
    expect(responses.filter((response) => response.status === 200)).toHaveLength(1);
    const losers = responses.filter((response) => response.status !== 200);
    expect(losers).toHaveLength(CLIENTS - 1);
    for (const loser of losers) {
      expect(loser.status).toBe(409);
      expect(loser.headers.get('content-type')).toContain('application/problem+json');
    }
    expect(await history('race-release', 'version.released')).toHaveLength(1);
    const service = await call(runtime, 'GET', '/v1/services/race-release');
    expect(service.body.versionCounts).toEqual({ draft: 0, released: 1, deprecated: 0, retired: 0 });
    expect(service.body.latestReleased).toBe('1.0.0');
  });

  it('registers all fifty distinct versions registered at once: different versions do not conflict', async () => {
    // Prepare
    await call(runtime, 'POST', '/v1/services', { body: { name: 'race-register', kind: 'api' } });

    // Act
    const responses = await Promise.all(
      Array.from({ length: CLIENTS }, (_, i) =>
        call(runtime, 'POST', '/v1/services/race-register/versions', { body: { version: `1.${i}.0` } }),
      ),
    );

    // Assess
    expect(responses.map((response) => response.status)).toEqual(Array.from({ length: CLIENTS }, () => 201));
    const versions = await call(runtime, 'GET', '/v1/services/race-register/versions?limit=100');
    expect(versions.body.items).toHaveLength(CLIENTS);
    expect(await history('race-register', 'version.registered')).toHaveLength(CLIENTS);
    const service = await call(runtime, 'GET', '/v1/services/race-register');
    expect(service.body).toMatchObject({
      versionCount: CLIENTS,
      versionCounts: { draft: CLIENTS, released: 0, deprecated: 0, retired: 0 },
    });
  });

  it('releases fifty versions at once, each once, and the service counts them all with the highest as latest', async () => {
    // Prepare
    await call(runtime, 'POST', '/v1/services', { body: { name: 'race-release-many', kind: 'api' } });
    for (let i = 0; i < CLIENTS; i++) {
      await call(runtime, 'POST', '/v1/services/race-release-many/versions', { body: { version: `2.${i}.0` } });
    }

    // Act: each version released twice at once, all at once.
    const responses = await Promise.all(
      Array.from({ length: CLIENTS * 2 }, (_, i) =>
        call(runtime, 'POST', `/v1/services/race-release-many/versions/2.${i % CLIENTS}.0/release`),
      ),
    );

    // Assess: one release per version wins; its twin is refused (the same version is the same item).
    expect(responses.filter((response) => response.status === 200)).toHaveLength(CLIENTS);
    expect(responses.filter((response) => response.status === 409)).toHaveLength(CLIENTS);
    expect(await history('race-release-many', 'version.released')).toHaveLength(CLIENTS);
    const service = await call(runtime, 'GET', '/v1/services/race-release-many');
    expect(service.body).toMatchObject({
      status: 'active',
      versionCounts: { draft: 0, released: CLIENTS, deprecated: 0, retired: 0 },
      latestReleased: `2.${CLIENTS - 1}.0`,
    });
  });

  it('registers one of fifty clients racing for the same version and answers every other one 409', async () => {
    // Prepare
    await call(runtime, 'POST', '/v1/services', { body: { name: 'race-same-version', kind: 'api' } });

    // Act
    const responses = await Promise.all(
      Array.from({ length: CLIENTS }, (_, i) =>
        call(runtime, 'POST', '/v1/services/race-same-version/versions', { body: { version: '1.0.0', description: `client ${i}` } }),
      ),
    );

    // Assess
    expect(responses.filter((response) => response.status === 201)).toHaveLength(1);
    expect(responses.filter((response) => response.status === 409)).toHaveLength(CLIENTS - 1);
    expect(await history('race-same-version', 'version.registered')).toHaveLength(1);
    expect((await call(runtime, 'GET', '/v1/services/race-same-version')).body.versionCount).toBe(1);
  });
});
