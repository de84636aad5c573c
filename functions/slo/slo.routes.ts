import { commandContext } from '#kernel/http/request-context';
import { setSloTarget } from './slo.commands.ts';
import * as contracts from './slo.contract.ts';
import { NotFoundError } from '#kernel/errors';
import {
  BURN_WINDOWS,
  burnRatesAt,
  type CheckObservations,
  coverageOf,
  coveragePercent,
  errorBudgetOf,
  evaluateBurnAlerts,
  latencyOf,
  UPTIME_WINDOWS,
  shown,
  uptimePercent,
} from './slo.domain.ts';
import { implement, type Operation } from '#kernel/http/operation';
import { incidentsOverlapping } from '#incidents/public';
import { getService } from '#services/public';
import { getSlo, listObservations, listServiceChecks, type SloTargets } from './slo.store.ts';

function sloView({ rev: _rev, ...slo }: SloTargets) {
  return slo;
}

export const sloOperations: Operation[] = [
  implement(contracts.putSlo, async (request) => {
    const slo = await setSloTarget(request.params.name, request.body, commandContext(request));
    return { status: 200, body: sloView(slo) };
  }),

  implement(contracts.getUptime, async (request) => {
    const { name } = request.params;
    const { environment, window } = request.query;
    const [service, stored, checks] = await Promise.all([getService(name), getSlo(name), listServiceChecks(name, environment)]);
    if (!service) throw new NotFoundError(`There is no service named ${name}.`);
    const own = environment === undefined ? undefined : stored?.slo.environments[environment];
    const target = own ?? stored?.slo.target ?? null;

    const now = Date.now();
    const windowMs = UPTIME_WINDOWS[window] * 1000;
    // The burn-rate alerts look back further than a short window; a result from one interval
    // before the start still covers the start.
    const lookbackMs = Math.max(windowMs, target === null ? 0 : BURN_WINDOWS['3d'] * 1000);
    const observed: CheckObservations[] = await Promise.all(
      checks.map(async (check) => ({
        intervalSeconds: check.intervalSeconds,
        results: await listObservations(check.id, new Date(now - lookbackMs - check.intervalSeconds * 1000), new Date(now)),
      })),
    );

    const span = { from: now - windowMs, to: now };
    const coverage = coverageOf(observed, span);
    const latency = latencyOf(observed, span);
    const incidents = await incidentsOverlapping(name, new Date(span.from), new Date(span.to));
    let slo = null;
    if (target !== null) {
      const { target: _target, burnRate, ...budget } = errorBudgetOf(coverage, target);
      const alerts = evaluateBurnAlerts(burnRatesAt(observed, now, target));
      slo = {
        target,
        source: own === undefined ? ('service' as const) : ('environment' as const),
        errorBudget: {
          allowedDownSeconds: shown(budget.allowedDownSeconds),
          consumedSeconds: shown(budget.consumedSeconds),
          remainingSeconds: shown(budget.remainingSeconds),
          remainingPercent: shown(budget.remainingPercent),
        },
        burnRate: shown(burnRate),
        alerts: {
          ...alerts,
          rules: alerts.rules.map((rule) => ({
            ...rule,
            longBurnRate: shown(rule.longBurnRate),
            shortBurnRate: shown(rule.shortBurnRate),
          })),
        },
      };
    }
    return {
      status: 200,
      body: {
        service: name,
        environment: environment ?? null,
        window,
        from: new Date(span.from).toISOString(),
        to: new Date(span.to).toISOString(),
        checks: checks.length,
        upSeconds: shown(coverage.upSeconds),
        downSeconds: shown(coverage.downSeconds),
        unknownSeconds: shown(coverage.unknownSeconds),
        uptimePercent: shown(uptimePercent(coverage)),
        coveragePercent: shown(coveragePercent(coverage)),
        latency: { ...latency, meanMs: shown(latency.meanMs), p95Ms: shown(latency.p95Ms) },
        incidents: incidents.map(({ id, title, severity, status, openedAt, resolvedAt }) => ({
          id,
          title,
          severity,
          status,
          openedAt,
          resolvedAt,
        })),
        slo,
      },
    };
  }),
];
