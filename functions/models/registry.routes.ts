import { BadRequestError } from '#kernel/errors';
import { implement, type Operation } from '#kernel/http/operation';
import { requireModel } from './models.reads.ts';
import * as contracts from './registry.contract.ts';
import { allServices, deprecations, type ModelOverview, modelOverview } from './registry.reads.ts';
import { SERVING_STATUSES, type ServingStatus } from './serving.domain.ts';
import { mergeCells } from './telemetry.domain.ts';
import { readDays } from './telemetry.store.ts';

const DAY_MS = 86_400_000;
const MAX_COST_DAYS = 400;
const TOP = 5;

function overviewView({ versions: _versions, ...overview }: ModelOverview) {
  return overview;
}

export const registryOperations: Operation[] = [
  implement(contracts.listModels, async (request) => {
    const { limit, cursor } = request.query;
    const models = (await allServices(request.principal.services, 'model')).filter((s) => cursor === undefined || s.name > cursor);
    const page = models.slice(0, limit);
    const items = await Promise.all(page.map((service) => modelOverview(service)));
    return {
      status: 200,
      body: { items: items.map(overviewView), nextCursor: models.length > limit ? (page.at(-1)?.name ?? null) : null },
    };
  }),

  implement(contracts.modelStats, async (request) => {
    const models = await allServices(request.principal.services, 'model');
    const overviews: ModelOverview[] = [];
    for (let i = 0; i < models.length; i += 8) overviews.push(...(await Promise.all(models.slice(i, i + 8).map((s) => modelOverview(s)))));
    const servingStatuses = Object.fromEntries(SERVING_STATUSES.map((status) => [status, 0])) as Record<ServingStatus, number>;
    for (const overview of overviews) for (const status of SERVING_STATUSES) servingStatuses[status] += overview.servingStatuses[status];
    const byTraffic = [...overviews].sort((a, b) => b.last24h.requests - a.last24h.requests || a.name.localeCompare(b.name));
    const byCost = [...overviews].sort((a, b) => b.last24h.costUsd - a.last24h.costUsd || a.name.localeCompare(b.name));
    return {
      status: 200,
      body: {
        models: overviews.length,
        versions: overviews.reduce((sum, o) => sum + o.versionCount, 0),
        servingStatuses,
        last24h: {
          inferences: overviews.reduce((sum, o) => sum + o.last24h.requests, 0),
          costUsd: overviews.reduce((sum, o) => sum + o.last24h.costUsd, 0),
        },
        topByTraffic: byTraffic.slice(0, TOP).map((o) => ({ name: o.name, requests: o.last24h.requests })),
        topByCost: byCost.slice(0, TOP).map((o) => ({ name: o.name, costUsd: o.last24h.costUsd })),
      },
    };
  }),

  implement(contracts.modelCosts, async (request) => {
    const { name } = request.params;
    const groupBy = request.query.groupBy ?? 'day';
    const to = request.query.to ?? new Date().toISOString().slice(0, 10);
    const from = request.query.from ?? new Date(Date.parse(to) - 29 * DAY_MS).toISOString().slice(0, 10);
    const days = (Date.parse(to) - Date.parse(from)) / DAY_MS + 1;
    if (days < 1) throw new BadRequestError('`from` must not be after `to`.');
    if (days > MAX_COST_DAYS) throw new BadRequestError(`Ask for at most ${MAX_COST_DAYS} days of costs.`);
    await requireModel(name);
    const environment = request.query.environment ?? null;
    const cells = (await readDays(name, from, to)).filter((day) => environment === null || day.environment === environment);
    const groups = new Map<string, typeof cells>();
    for (const cell of cells) {
      const key = groupBy === 'day' ? cell.day : cell.version;
      groups.set(key, [...(groups.get(key) ?? []), cell]);
    }
    const figures = (list: typeof cells) => {
      const { aggregate } = mergeCells(list.map((c) => c.cell));
      return {
        requests: aggregate.count,
        costUsd: aggregate.costUsd,
        inputTokens: aggregate.inputTokens,
        outputTokens: aggregate.outputTokens,
        per1kRequestsUsd: aggregate.count === 0 ? null : (aggregate.costUsd / aggregate.count) * 1000,
      };
    };
    return {
      status: 200,
      body: {
        service: name,
        from,
        to,
        groupBy,
        environment,
        currency: 'USD' as const,
        total: figures(cells),
        groups: [...groups].sort(([a], [b]) => a.localeCompare(b)).map(([key, list]) => ({ key, ...figures(list) })),
      },
    };
  }),

  implement(contracts.listDeprecations, async (request) => {
    const { service, within } = request.query;
    const services = (await allServices(request.principal.services)).filter((s) => service === undefined || s.name === service);
    const nowMs = Date.now();
    const horizon = within === undefined ? null : Number(within.slice(0, -1));
    const items = (await deprecations(services, nowMs)).filter(
      (entry) => horizon === null || (entry.daysLeft !== null && entry.daysLeft <= horizon),
    );
    return { status: 200, body: { items } };
  }),
];
