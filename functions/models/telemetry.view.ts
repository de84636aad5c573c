import { type ModelSummary, summariseAggregate } from './statistics/index.ts';
import type { Cell, TelemetryWindow } from './telemetry.domain.ts';
import type { StoredCell } from './telemetry.store.ts';

/** How telemetry is shown: a cell's figures, and a window's series. */

export function summaryOf(cell: Cell): ModelSummary & { errors: Record<string, number> } {
  return { ...summariseAggregate(cell.aggregate), errors: cell.aggregate.errors };
}

export function windowView(window: TelemetryWindow, environment: string) {
  return {
    from: new Date(window.fromMs).toISOString(),
    to: new Date(window.toMs).toISOString(),
    granularity: window.granularity,
    environment,
  };
}

export function seriesOf(cells: readonly StoredCell[]) {
  return cells.map(({ startMs, cell }) => {
    const summary = summariseAggregate(cell.aggregate);
    return {
      t: new Date(startMs).toISOString(),
      samples: summary.samples,
      errorRate: summary.errorRate,
      latencyP50Ms: summary.latencyMs.p50,
      latencyP95Ms: summary.latencyMs.p95,
      confidenceMean: summary.confidence.mean,
      costUsd: summary.costUsd.total,
    };
  });
}
