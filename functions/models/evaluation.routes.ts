import { BadRequestError } from '#kernel/errors';
import { implement, type Operation } from '#kernel/http/operation';
import * as contracts from './evaluation.contract.ts';
import { modelAndSettings, readWindow, resolveVersion, windowOrThrow } from './models.reads.ts';
import { compareVersions, evaluatePolicy, summariseAggregate } from './statistics/index.ts';
import { readCellsOfVersions } from './telemetry.store.ts';
import { mergeCells } from './telemetry.domain.ts';
import { summaryOf, windowView } from './telemetry.view.ts';
import type { COMPARE_SORTS } from './evaluation.schema.ts';

const MAX_COMPARED = 10;

export const evaluationOperations: Operation[] = [
  implement(contracts.getEvaluation, async (request) => {
    const { name } = request.params;
    const window = windowOrThrow(request.query);
    const [[, settings], version] = await Promise.all([
      modelAndSettings(name),
      resolveVersion(name, request.params.version, '/path/version', { remembered: true }),
    ]);
    const environment = request.query.environment ?? settings.productionEnvironment;
    const { total } = await readWindow(name, version.version, environment, window);
    const evaluation = evaluatePolicy(summariseAggregate(total.aggregate), settings);
    return { status: 200, body: { service: name, version: version.version, ...evaluation, window: windowView(window, environment) } };
  }),

  implement(contracts.compareVersions, async (request) => {
    const { name } = request.params;
    const window = windowOrThrow(request.query);
    const raws = request.query.versions.split(',').map((v) => v.trim());
    if (raws.length < 2 || raws.length > MAX_COMPARED || raws.some((v) => v === '')) {
      throw new BadRequestError(`Compare two to ${MAX_COMPARED} versions, comma-separated, such as versions=1.0.0,1.1.0.`);
    }
    const [[, settings], versions] = await Promise.all([
      modelAndSettings(name),
      Promise.all(raws.map((raw) => resolveVersion(name, raw, '/query/versions', { remembered: true }))),
    ]);
    const names = versions.map((v) => v.version);
    if (new Set(names).size !== names.length) throw new BadRequestError('A version is listed twice; list each version once.');
    const environment = request.query.environment ?? settings.productionEnvironment;
    const cells = await readCellsOfVersions(name, names, environment, window);
    const totals = names.map((version) => mergeCells((cells.get(version) ?? []).map((c) => c.cell)));
    const comparison = compareVersions(names.map((version, i) => ({ version, aggregate: totals[i]!.aggregate })));
    const reference = versions[0]!.model?.trainingMetrics ?? {};
    const rows = comparison.rows.map((row, i) => {
      const card = versions[i]!.model?.trainingMetrics ?? null;
      const trainingDeltas = Object.fromEntries(
        Object.entries(card ?? {}).flatMap(([metric, value]) =>
          metric in reference ? [[metric, value - (reference[metric] as number)]] : [],
        ),
      );
      const significance = (s: { pValue: number; marker: string; degenerate: string | null } | null) =>
        s && { pValue: s.pValue, marker: s.marker, degenerate: s.degenerate };
      return {
        version: row.version,
        reference: i === 0,
        trainingMetrics: card,
        live: summaryOf(totals[i]!),
        deltas: row.deltas && { ...row.deltas, trainingMetrics: trainingDeltas },
        errorRate: significance(row.errorRate),
        latency: row.latency && { ...significance(row.latency)!, commonLanguageEffect: row.latency.commonLanguageEffect },
      };
    });
    const [first, ...rest] = rows;
    const sorted = [first!, ...sortRows(rest, request.query.sort ?? 'input')];
    return {
      status: 200,
      body: {
        service: name,
        reference: comparison.reference,
        alpha: comparison.alpha,
        window: windowView(window, environment),
        rows: sorted,
      },
    };
  }),
];

type Row = { version: string; live: ReturnType<typeof summaryOf> };

function sortRows<T extends Row>(rows: T[], sort: (typeof COMPARE_SORTS)[number]): T[] {
  if (sort === 'input') return rows;
  const key = (row: T): number | null => {
    const live = row.live;
    if (sort === 'errorRate') return live.errorRate;
    if (sort === 'latencyP95') return live.latencyMs.p95;
    if (sort === 'confidence') return live.confidence.mean === null ? null : -live.confidence.mean;
    if (sort === 'cost') return live.costUsd.per1kRequests;
    return -live.samples;
  };
  return [...rows].sort((a, b) => {
    const x = key(a);
    const y = key(b);
    if (x === null || y === null) return x === y ? 0 : x === null ? 1 : -1;
    return x - y;
  });
}
