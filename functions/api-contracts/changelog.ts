import { ConflictError } from '#kernel/errors';
import { listVersions } from '#services/public';
import { compareSemVer, parseSemVer } from '#services/semver.domain';
import { documentOfVersion, findVersion, type ResolvedDocument, requireDocument, type VersionRecord } from './compatibility.ts';
import { parseVersionParam, requireService } from './version-refs.ts';
import { NotFoundError } from '#kernel/errors';

/** At most this many versions in one change log: each is a diff of two documents. */
export const MAX_CHANGELOG_VERSIONS = 50;

/**
 * The pairs a change log from `from` to `to` is made of: each version with a document after
 * `from` (released ones, and `to` itself whatever its status), against the one before it.
 */
export async function changelogVersions(
  service: string,
  from: string,
  to: string,
): Promise<Array<{ base: ResolvedDocument; revision: ResolvedDocument }>> {
  const fromSemver = parseVersionParam(from, '/query/from');
  const toSemver = parseVersionParam(to, '/query/to');
  if (compareSemVer(fromSemver, toSemver) >= 0) throw new ConflictError(`from (${from}) must be an earlier version than to (${to}).`);
  const [fromVersion, toVersion] = await Promise.all([findVersion(service, from), findVersion(service, to)]);
  if (!fromVersion || !toVersion) {
    await requireService(service);
    throw new NotFoundError(`Service ${service} has no version ${fromVersion ? to : from}.`);
  }
  const first = await requireDocument(service, fromVersion);
  const last = await requireDocument(service, toVersion);
  const between: VersionRecord[] = [];
  let cursor: string | undefined;
  do {
    const page = await listVersions(service, { limit: 100, cursor, consistent: true });
    for (const version of page.items as VersionRecord[]) {
      const parsed = parseSemVer(version.version);
      if (!parsed.ok || version.status === 'draft') continue;
      if (compareSemVer(parsed.value, fromSemver) > 0 && compareSemVer(parsed.value, toSemver) < 0) between.push(version);
    }
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  between.reverse(); // the list is newest first
  const chain: ResolvedDocument[] = [first];
  for (const version of between) {
    const resolved = await documentOfVersion(version);
    if (resolved) chain.push(resolved);
    if (chain.length > MAX_CHANGELOG_VERSIONS) {
      throw new ConflictError(`More than ${MAX_CHANGELOG_VERSIONS} versions lie between ${from} and ${to}; ask for a shorter range.`);
    }
  }
  chain.push(last);
  return chain.slice(1).map((revision, index) => ({ base: chain[index] as ResolvedDocument, revision }));
}
