import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { ulid } from 'ulid';
import { describe, expect, it } from 'vitest';
import { SYSTEM_PRINCIPAL } from '../../functions/kernel/roles.ts';
import { documentClient, tableName } from '../../functions/kernel/store/client.ts';
import { keys } from '../../functions/kernel/store/keys.ts';
import { precedenceKey, parseSemVer } from '../../functions/services/semver.domain.ts';
import { summarizeVersions } from '../../functions/services/service.domain.ts';
import { updateService } from '../../functions/services/services.commands.ts';
import { getService, listServices } from '../../functions/services/services.store.ts';
import { moveVersion, registerVersion } from '../../functions/services/versions.commands.ts';
import { useLocalStore } from '../helpers/local-store.ts';

/**
 * Issue 15 finding 5: each version is its own aggregate, and the service's counts and latest
 * released version come from its digest of versions. A service whose versions were registered
 * before (counts on the service item, no digest) shows its counts as they were, and gets its
 * digest, whole, at its next version change.
 */

useLocalStore();
const context = { actor: { keyId: SYSTEM_PRINCIPAL.keyId, name: 'digest-test' }, requestId: 'digest-test' };

function precedence(version: string): string {
  const parsed = parseSemVer(version);
  if (!parsed.ok) throw new Error(parsed.reason);
  return precedenceKey(parsed.value);
}

describe('summarizeVersions', () => {
  it('counts versions by status and names the released one of highest precedence', () => {
    const digest = Object.fromEntries(
      (
        [
          ['1.0.0', 'deprecated'],
          ['1.2.0', 'released'],
          ['1.10.0', 'released'],
          ['2.0.0-rc.1', 'released'],
          ['2.0.0', 'draft'],
          ['0.9.0+build.7', 'retired'],
        ] as const
      ).map(([version, status]) => [precedence(version), { version, status }]),
    );

    expect(summarizeVersions(digest)).toEqual({
      versionCounts: { draft: 1, released: 3, deprecated: 1, retired: 1 },
      latestReleased: '2.0.0-rc.1',
    });
    expect(summarizeVersions({})).toEqual({ versionCounts: { draft: 0, released: 0, deprecated: 0, retired: 0 }, latestReleased: null });
  });
});

/** A service and its versions as the code before version aggregates left them: counts on the service item, no digest. */
async function legacyService(name: string, versions: Array<[string, 'draft' | 'released' | 'deprecated']>): Promise<void> {
  const put = (Item: Record<string, unknown>) => documentClient().send(new PutCommand({ TableName: tableName(), Item }));
  const at = new Date().toISOString();
  const counts = { draft: 0, released: 0, deprecated: 0, retired: 0 };
  let seq = 1;
  for (const [version, status] of versions) {
    counts[status] += 1;
    seq += 1;
    await put({
      ...keys.version(name, precedence(version)),
      entity: 'version',
      precedence: precedence(version),
      service: name,
      version,
      status,
      description: null,
      changes: [],
      artifact: null,
      metadata: {},
      createdAt: at,
      updatedAt: at,
      releasedAt: status === 'draft' ? null : at,
      deprecatedAt: status === 'deprecated' ? at : null,
      retiredAt: null,
      deprecation: null,
      rev: status === 'draft' ? 1 : 2,
      aggSeq: seq,
    });
  }
  await put({
    ...keys.service(name),
    ...keys.servicesIndex(name),
    entity: 'service',
    name,
    displayName: name,
    description: null,
    kind: 'api',
    owner: null,
    tags: {},
    createdAt: at,
    updatedAt: at,
    rev: 1,
    versionCounts: counts,
    latestReleased: versions.filter(([, status]) => status === 'released').at(-1)?.[0] ?? null,
    aggSeq: seq,
  });
}

describe('a service from before versions were aggregates', () => {
  it('shows the counts it had, and keeps every version when its next version change writes its digest', async () => {
    // Prepare
    const name = `legacy-${ulid().toLowerCase()}`;
    await legacyService(name, [
      ['1.0.0', 'deprecated'],
      ['1.1.0', 'released'],
      ['1.2.0', 'draft'],
    ]);
    expect((await getService(name))?.service).toMatchObject({
      versionCounts: { draft: 1, released: 1, deprecated: 1, retired: 0 },
      latestReleased: '1.1.0',
    });

    // Act: a service change, a new version, and a move of an old one.
    await updateService(name, { owner: 'team-a' }, context);
    await registerVersion(name, { version: '2.0.0' }, context);
    await moveVersion(name, '1.2.0', 'release', {}, context);

    // Assess
    const stored = await getService(name);
    expect(stored?.service).toMatchObject({
      owner: 'team-a',
      versionCounts: { draft: 1, released: 2, deprecated: 1, retired: 0 },
      latestReleased: '1.2.0',
    });
    expect(Object.keys(stored?.digest?.entries ?? {})).toHaveLength(4);
    const listed = (await listServices({ limit: 100 })).items.find((service) => service.name === name);
    expect(listed?.versionCounts).toEqual(stored?.service.versionCounts);
  });
});
