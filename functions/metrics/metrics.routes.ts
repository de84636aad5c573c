import * as contracts from './metrics.contract.ts';
import { ValidationError } from '#kernel/errors';
import {
  aggregate,
  defaultStepSeconds,
  MAX_QUERY_POINTS,
  MAX_QUERY_WINDOW_MS,
  type MetricSample,
  matchesLabels,
} from './metrics.domain.ts';
import { implement, type Operation } from '#kernel/http/operation';
import { putSamples, querySamples } from './metrics.store.ts';

const HOUR_MS = 3_600_000;

export const metricOperations: Operation[] = [
  implement(contracts.ingestMetrics, async (request) => {
    const now = new Date().toISOString();
    const samples: MetricSample[] = request.body.samples.map((sample) => ({
      name: sample.name,
      type: sample.type,
      value: sample.value,
      labels: sample.labels as MetricSample['labels'],
      timestamp: sample.timestamp ? new Date(sample.timestamp).toISOString() : now,
    }));
    await putSamples(samples);
    return { status: 200, body: { accepted: samples.length } };
  }),

  implement(contracts.queryMetrics, async (request) => {
    const { name, labels, agg } = request.query;
    const to = request.query.to ? new Date(request.query.to) : new Date();
    const from = request.query.from ? new Date(request.query.from) : new Date(to.getTime() - HOUR_MS);
    const windowMs = to.getTime() - from.getTime();
    if (windowMs < 0)
      throw new ValidationError('The window ends before it starts.', [{ pointer: '/query/from', message: 'must not be after `to`' }]);
    if (windowMs > MAX_QUERY_WINDOW_MS) {
      throw new ValidationError('The window is too long.', [{ pointer: '/query/from', message: 'must be at most 7 days before `to`' }]);
    }
    const step = request.query.step ?? defaultStepSeconds(windowMs);
    if (windowMs / 1000 / step > MAX_QUERY_POINTS) {
      throw new ValidationError('Too many points.', [
        {
          pointer: '/query/step',
          message: `gives more than ${MAX_QUERY_POINTS} points over this window; use at least ${defaultStepSeconds(windowMs)}s`,
        },
      ]);
    }
    const samples = (await querySamples(name, labels.service, from, to)).filter((sample) => matchesLabels(sample.labels, labels));
    const points = aggregate(samples, { from, to, stepSeconds: step, agg });
    return { status: 200, body: { name, labels, agg, step, from: from.toISOString(), to: to.toISOString(), points } };
  }),
];
