import type { Service } from '#services/service.domain';
import { listServices, listVersions } from '#services/public';
import { readAllVersions, readPlacement } from './models.reads.ts';
import { getModelSettings, listAliases } from './models.store.ts';
import type { ModelSettings } from './policy.domain.ts';
import { SERVING_STATUSES, type ServingStatus, servingStatusOf } from './serving.domain.ts';
import { summariseAggregate } from './statistics/index.ts';
import { type Cell, granuleLabel, mergeCells, resolveWindow, type TelemetryWindow } from './telemetry.domain.ts';
import { readCells, readDays } from './telemetry.store.ts';

/**
 * The registry views (issue 10, items 11 and 12): every model at a glance, the totals across
 * models, and every deprecated version with its sunset. Each reads a model's versions, where they
 * serve, its aliases and its last day of inferences (its day cells name the versions and
 * environments with traffic; their hour cells give the exact 24 hours).
 */

/** A registry view reads at most this many services. */
export const MAX_REGISTRY_SERVICES = 1_000;
const DAY_MS = 86_400_000;

/** Every service the key may see (its kind filtered by `kind`), up to MAX_REGISTRY_SERVICES. */
export async function allServices(only: string[] | null, kind?: 'model'): Promise<Service[]> {
  const services: Service[] = [];
  let cursor: string | undefined;
  do {
    const page = await listServices({ limit: 100, cursor, only });
    services.push(...page.items.filter((service) => kind === undefined || service.kind === kind));
    cursor = page.nextCursor ?? undefined;
  } while (cursor && services.length < MAX_REGISTRY_SERVICES);
  return services;
}

/** Each version's inferences over the last 24 hours, every environment together. */
export async function last24h(service: string, nowMs = Date.now()): Promise<Map<string, Cell>> {
  const days = await readDays(service, granuleLabel(nowMs - DAY_MS, 'day'), granuleLabel(nowMs, 'day'));
  const pairs = new Map<string, { version: string; environment: string }>();
  for (const day of days) {
    if (day.cell.aggregate.count > 0)
      pairs.set(`${day.version}\u0000${day.environment}`, { version: day.version, environment: day.environment });
  }
  const window = resolveWindow({ window: '24h' }, nowMs) as TelemetryWindow;
  const byVersion = new Map<string, Cell[]>();
  await Promise.all(
    [...pairs.values()].map(async ({ version, environment }) => {
      const cells = await readCells(service, version, environment, window);
      const list = byVersion.get(version) ?? [];
      list.push(...cells.map((c) => c.cell));
      byVersion.set(version, list);
    }),
  );
  return new Map([...byVersion].map(([version, cells]) => [version, mergeCells(cells)]));
}

export interface ModelOverview {
  name: string;
  displayName: string;
  owner: string | null;
  productionEnvironment: string;
  versionCount: number;
  servingStatuses: Record<ServingStatus, number>;
  activeVersion: string | null;
  aliases: Record<string, string>;
  last24h: { requests: number; errorRate: number | null; costUsd: number };
  /** Per version, for the stats' totals. */
  versions: Array<{ version: string; servingStatus: ServingStatus }>;
}

export async function modelOverview(service: Service, nowMs = Date.now()): Promise<ModelOverview> {
  const [settings, { placement }, versions, aliases, traffic] = await Promise.all([
    getModelSettings(service.name),
    readPlacement(service.name),
    readAllVersions(service.name),
    listAliases(service.name),
    last24h(service.name, nowMs),
  ]);
  const servingStatuses = Object.fromEntries(SERVING_STATUSES.map((status) => [status, 0])) as Record<ServingStatus, number>;
  const statuses = versions.map((version) => ({
    version: version.version,
    servingStatus: servingStatusOf(version, placement, settings.productionEnvironment),
  }));
  for (const { servingStatus } of statuses) servingStatuses[servingStatus] += 1;
  const total = summariseAggregate(mergeCells([...traffic.values()]).aggregate);
  return {
    name: service.name,
    displayName: service.displayName,
    owner: service.owner,
    productionEnvironment: settings.productionEnvironment,
    versionCount: versions.length,
    servingStatuses,
    activeVersion: statuses.find((s) => s.servingStatus === 'active')?.version ?? null,
    aliases: Object.fromEntries(aliases.map((a) => [a.alias, a.version])),
    last24h: { requests: total.samples, errorRate: total.errorRate, costUsd: total.costUsd.total },
    versions: statuses,
  };
}

export interface DeprecationEntry {
  service: string;
  kind: string;
  version: string;
  deprecatedAt: string | null;
  sunsetAt: string | null;
  daysLeft: number | null;
  severity: 'critical' | 'warning' | 'info';
  reason: string | null;
  replacement: string | null;
  /** A model's inferences of the version over the last 7 days by client; null for an API (Steward sees no API traffic). */
  recentTraffic: { requests: number; byClient: Record<string, number> } | null;
}

/** Under this many days to sunset (or past it) a deprecation is critical. */
export const CRITICAL_DAYS = 7;

export function severityOf(daysLeft: number | null, warningDays: number): DeprecationEntry['severity'] {
  if (daysLeft === null) return 'info';
  if (daysLeft < CRITICAL_DAYS) return 'critical';
  return daysLeft <= warningDays ? 'warning' : 'info';
}

/** Every deprecated version of these services, with its sunset and, for models, who still calls it. */
export async function deprecations(services: Service[], nowMs = Date.now()): Promise<DeprecationEntry[]> {
  const entries: DeprecationEntry[] = [];
  for (const service of services) {
    const deprecated = [];
    let cursor: string | undefined;
    do {
      const page = await listVersions(service.name, { limit: 100, cursor, status: 'deprecated' });
      deprecated.push(...page.items);
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    if (deprecated.length === 0) continue;
    const model = service.kind === 'model';
    const [settings, days] = model
      ? await Promise.all([
          getModelSettings(service.name),
          readDays(service.name, granuleLabel(nowMs - 7 * DAY_MS, 'day'), granuleLabel(nowMs, 'day')),
        ])
      : [null as ModelSettings | null, []];
    for (const version of deprecated) {
      const sunsetAt = version.deprecation?.sunsetAt ?? null;
      const daysLeft = sunsetAt === null ? null : Math.floor((Date.parse(sunsetAt) - nowMs) / DAY_MS);
      const cells = days.filter((day) => day.version === version.version).map((day) => day.cell);
      const traffic = model ? mergeCells(cells) : null;
      entries.push({
        service: service.name,
        kind: service.kind,
        version: version.version,
        deprecatedAt: version.deprecatedAt,
        sunsetAt,
        daysLeft,
        severity: severityOf(daysLeft, settings?.eolWarningThresholdDays ?? 30),
        reason: version.deprecation?.reason ?? null,
        replacement: version.deprecation?.replacement ?? null,
        recentTraffic: traffic ? { requests: traffic.aggregate.count, byClient: traffic.clients } : null,
      });
    }
  }
  return entries.sort((a, b) => (a.sunsetAt ?? '~').localeCompare(b.sunsetAt ?? '~') || a.service.localeCompare(b.service));
}
