import { parseSemVer, precedenceKey } from '#services/semver.domain';
import { getVersion } from '#services/public';
import { modelAndSettings, remembered } from './models.reads.ts';
import type { ModelPricing } from './statistics/index.ts';
import { checkRecord, deltasOf, MAX_VERSIONS_PER_BATCH, type ParsedRecord, timeProblem } from './telemetry.domain.ts';
import { writeDeltas } from './telemetry.store.ts';

/**
 * Ingestion of a batch of inferences (issue 10, item 4): each record is checked on its own; the
 * bad ones are listed with the reason and the rest are aggregated into cells and merged into the
 * stored cells. A record is refused for what it says (a field out of range, a time too far off),
 * or for naming a version this service does not have.
 */

export interface IngestResult {
  accepted: number;
  rejected: { index: number; reason: string }[];
}

interface KnownVersion {
  version: string;
  pricing: ModelPricing | undefined;
}

export async function ingestInferences(service: string, records: readonly unknown[], nowMs = Date.now()): Promise<IngestResult> {
  const [, settings] = await modelAndSettings(service, nowMs);
  const rejected: IngestResult['rejected'] = [];
  // Records are checked into objects of their own, which are then completed in place: a batch is
  // up to 5,000 records, and copying each at every step would double the garbage.
  const parsed: { index: number; record: ParsedRecord; raw: string }[] = [];
  for (let index = 0; index < records.length; index++) {
    const input = checkRecord(records[index]);
    if (typeof input === 'string') {
      rejected.push({ index, reason: input });
      continue;
    }
    input.atMs ??= nowMs;
    const late = timeProblem(input.atMs, nowMs);
    if (late) {
      rejected.push({ index, reason: late });
      continue;
    }
    input.environment ??= settings.productionEnvironment;
    parsed.push({ index, raw: input.version, record: input as ParsedRecord });
  }

  const known = await resolveVersions(service, [...new Set(parsed.map((p) => p.raw))], nowMs);
  const accepted: ParsedRecord[] = [];
  for (const { index, raw, record } of parsed) {
    const version = known.get(raw);
    if (typeof version === 'string') rejected.push({ index, reason: version });
    else if (version) {
      record.version = version.version;
      accepted.push(record);
    }
  }
  rejected.sort((a, b) => a.index - b.index);
  if (accepted.length > 0) {
    const pricing = new Map([...known.values()].flatMap((v) => (typeof v === 'string' ? [] : [[v.version, v.pricing] as const])));
    await writeDeltas(
      service,
      deltasOf(accepted, (version) => pricing.get(version)),
    );
  }
  return { accepted: accepted.length, rejected };
}

/** Each version named in the batch: the registered version and its pricing, or why records of it are refused. */
async function resolveVersions(service: string, raws: readonly string[], nowMs: number): Promise<Map<string, KnownVersion | string>> {
  const known = new Map<string, KnownVersion | string>();
  const lookups: { raw: string; precedence: string }[] = [];
  for (const raw of raws) {
    const semver = parseSemVer(raw);
    if (!semver.ok) known.set(raw, `version: "${raw}" is not a valid semantic version: ${semver.reason}`);
    else if (lookups.length >= MAX_VERSIONS_PER_BATCH) known.set(raw, `a batch may name at most ${MAX_VERSIONS_PER_BATCH} versions`);
    else lookups.push({ raw, precedence: precedenceKey(semver.value) });
  }
  await Promise.all(
    lookups.map(async ({ raw, precedence }) => {
      const version = await remembered(`version ${service} ${precedence}`, nowMs, () => getVersion(service, precedence));
      known.set(raw, version ? { version: version.version, pricing: version.model?.pricing } : `version: ${service} has no version ${raw}`);
    }),
  );
  return known;
}
