import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { logger } from './logger.ts';

/**
 * Steward's own operational metrics: health checks run and failed, alerts fired, webhook
 * deliveries failed. On Lambda they go to CloudWatch as Embedded Metric Format through Powertools
 * Metrics (namespace `Steward`, dimensions `service` and `stage`), one EMF document per
 * `publishOperationalMetrics()`. Everywhere else (the local runtime, tests, bench) they are
 * in-memory counters that nothing prints, readable with `operationalCounters()`.
 *
 * Recording never throws and never fails the work it counts.
 */

export const OPERATIONAL_METRICS_NAMESPACE = 'Steward';

/** The CloudWatch metric names, all of unit Count. */
export const OperationalMetric = {
  checksRun: 'HealthChecksRun',
  checksFailed: 'HealthChecksFailed',
  alertsFired: 'AlertsFired',
  deliveriesFailed: 'WebhookDeliveriesFailed',
} as const;
export type OperationalMetricName = (typeof OperationalMetric)[keyof typeof OperationalMetric];

export type OperationalCounters = Record<OperationalMetricName, number>;

/** Where recorded values go: `powertools` (EMF to stdout, for CloudWatch) or `memory` (counters). */
export type OperationalMetricsSink = 'powertools' | 'memory';

interface Sink {
  readonly kind: OperationalMetricsSink;
  add(name: OperationalMetricName, value: number): void;
  publish(): void;
}

const zeroCounters = (): OperationalCounters => ({
  HealthChecksRun: 0,
  HealthChecksFailed: 0,
  AlertsFired: 0,
  WebhookDeliveriesFailed: 0,
});

let counters = zeroCounters();

function memorySink(): Sink {
  return {
    kind: 'memory',
    add: (name, value) => {
      counters[name] += value;
    },
    // Counters are cumulative for the process; there is nothing to flush.
    publish: () => {},
  };
}

function powertoolsSink(): Sink {
  const metrics = new Metrics({
    namespace: process.env.POWERTOOLS_METRICS_NAMESPACE || OPERATIONAL_METRICS_NAMESPACE,
    serviceName: process.env.POWERTOOLS_SERVICE_NAME || 'steward',
    defaultDimensions: { stage: process.env.STAGE || 'unknown' },
    logger,
  });
  return {
    kind: 'powertools',
    add: (name, value) => {
      metrics.addMetric(name, MetricUnit.Count, value);
    },
    publish: () => {
      // Nothing recorded, nothing written: no empty document, no "no metrics" warning.
      if (metrics.hasStoredMetrics()) metrics.publishStoredMetrics();
    },
  };
}

/** The default: Powertools on Lambda (AWS_LAMBDA_FUNCTION_NAME is set there), counters elsewhere. */
function defaultSinkKind(): OperationalMetricsSink {
  return process.env.AWS_LAMBDA_FUNCTION_NAME ? 'powertools' : 'memory';
}

let sink: Sink | undefined;

/** Chosen on first use, so that the environment of the process decides, not that of the import. */
function currentSink(): Sink {
  sink ??= defaultSinkKind() === 'powertools' ? powertoolsSink() : memorySink();
  return sink;
}

/**
 * Forces a sink (tests), or with no argument goes back to the default chosen from the
 * environment on next use. Values recorded but not yet published are dropped.
 */
export function configureOperationalMetrics(options: { sink?: OperationalMetricsSink } = {}): void {
  sink = options.sink === undefined ? undefined : options.sink === 'powertools' ? powertoolsSink() : memorySink();
}

function record(name: OperationalMetricName, value: number): void {
  if (!Number.isFinite(value) || value < 0) return;
  try {
    currentSink().add(name, value);
  } catch (error) {
    logger.warn('operational metric not recorded', { metric: name, error: String(error) });
  }
}

/** One runner tick: `total` checks run, `failed` of them with a failed result. */
export function recordCheckRuns(total: number, failed: number): void {
  record(OperationalMetric.checksRun, total);
  record(OperationalMetric.checksFailed, failed);
}

/** Alert series that went firing in one evaluation. */
export function recordAlertsFired(count: number): void {
  record(OperationalMetric.alertsFired, count);
}

/** Webhook deliveries that failed, `count` at a time (1 by default). */
export function recordDeliveryFailed(count = 1): void {
  record(OperationalMetric.deliveriesFailed, count);
}

/** Flushes what was recorded: on Lambda, one EMF document on stdout; locally, nothing. Never throws. */
export function publishOperationalMetrics(): void {
  try {
    currentSink().publish();
  } catch (error) {
    logger.warn('operational metrics not published', { error: String(error) });
  }
}

/** The in-memory counters since the last reset (all zero while the Powertools sink is in use). */
export function operationalCounters(): OperationalCounters {
  return { ...counters };
}

export function resetOperationalCounters(): void {
  counters = zeroCounters();
}
