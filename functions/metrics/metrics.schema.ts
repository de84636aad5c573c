import * as z from 'zod';
import {
  AGGREGATIONS,
  MAX_SAMPLE_AGE_MS,
  MAX_SAMPLE_SKEW_MS,
  MAX_SAMPLES_PER_REQUEST,
  METRIC_TYPES,
  parseLabelSelector,
  parseStep,
} from './metrics.domain.ts';
import { EnvironmentName, Slug, Timestamp } from '#kernel/schemas/common';

const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]{0,63}$/;
const MAX_LABELS = 20;

export const MetricName = z
  .string()
  .regex(/^[a-zA-Z_][a-zA-Z0-9_.:-]{0,199}$/, 'must start with a letter or underscore, then letters, digits, _ . : or -, at most 200')
  .meta({ example: 'http.requests' });

const Labels = z
  .object({
    service: Slug.meta({ description: 'The service the sample belongs to (required; a key scoped to services may write only its own).' }),
    version: z.string().min(1).max(128).optional(),
    environment: EnvironmentName.optional(),
  })
  .catchall(z.string().max(256, 'must be at most 256 characters'))
  .superRefine((labels, context) => {
    const names = Object.keys(labels);
    if (names.length > MAX_LABELS) context.addIssue({ code: 'custom', message: `at most ${MAX_LABELS} labels` });
    for (const name of names) {
      if (!LABEL_NAME.test(name)) context.addIssue({ code: 'custom', path: [name], message: 'is not a label name (letters, digits, _)' });
    }
  })
  .meta({ description: 'Labels: `service` is required; `version`, `environment` and up to 20 in all.' });

const SampleTimestamp = Timestamp.refine((text) => {
  const offset = Date.parse(text) - Date.now();
  return offset <= MAX_SAMPLE_SKEW_MS && offset >= -MAX_SAMPLE_AGE_MS;
}, 'must be at most 24 hours in the past and 5 minutes in the future').meta({ description: 'When it was observed; default now.' });

export const MetricSampleInput = z
  .strictObject({
    name: MetricName,
    type: z.enum(METRIC_TYPES).meta({ description: 'counter (monotonic, resets allowed), gauge, or histogram (one observation).' }),
    value: z.number().meta({ description: 'A finite number; counters are never negative.' }),
    labels: Labels,
    timestamp: SampleTimestamp.optional(),
  })
  .superRefine((sample, context) => {
    if (sample.type === 'counter' && sample.value < 0)
      context.addIssue({ code: 'custom', path: ['value'], message: 'a counter is never negative' });
  })
  .meta({ id: 'MetricSample' });

export const MetricsIngest = z
  .strictObject({
    samples: z
      .array(MetricSampleInput)
      .min(1, 'give at least one sample')
      .max(MAX_SAMPLES_PER_REQUEST, `at most ${MAX_SAMPLES_PER_REQUEST} samples a request`),
  })
  .meta({ id: 'MetricsIngest' });

export const MetricsIngestResult = z
  .object({ accepted: z.number().int().meta({ description: 'Samples stored.' }) })
  .meta({ id: 'MetricsIngestResult' });

export const MetricsQuery = z.strictObject({
  name: MetricName,
  labels: z
    .string()
    .max(2048)
    .transform((text, context) => {
      const parsed = parseLabelSelector(text);
      if ('error' in parsed) {
        context.addIssue({ code: 'custom', message: String(parsed.error) });
        return z.NEVER;
      }
      if (!parsed.service) {
        context.addIssue({ code: 'custom', message: 'must name the service (service=<name>)' });
        return z.NEVER;
      }
      if (!Slug.safeParse(parsed.service).success) {
        context.addIssue({ code: 'custom', message: 'service must be a service name' });
        return z.NEVER;
      }
      return parsed as Record<string, string> & { service: string };
    })
    .meta({
      description: 'Label selector, `service=a,environment=prod`: `service` is required.',
      example: 'service=payments-api,environment=prod',
    }),
  from: Timestamp.optional().meta({ description: 'Start of the window (default: an hour before `to`).' }),
  to: Timestamp.optional().meta({ description: 'End of the window (default: now).' }),
  step: z
    .string()
    .optional()
    .transform((text, context) => {
      if (text === undefined) return undefined;
      const seconds = parseStep(text);
      if (seconds === undefined || seconds < 1) {
        context.addIssue({ code: 'custom', message: 'must be a duration such as 30s, 5m or 1h' });
        return z.NEVER;
      }
      return seconds;
    })
    .meta({ description: 'Width of each point (`30s`, `5m`, `1h`); default at least a minute, at most 1000 points.' }),
  agg: z
    .enum(AGGREGATIONS)
    .default('avg')
    .meta({ description: 'How a step’s samples become its value; `rate` is per second, for counters.' }),
});

export const MetricsQueryResult = z
  .object({
    name: z.string(),
    labels: z.record(z.string(), z.string()),
    agg: z.enum(AGGREGATIONS),
    step: z.number().int().meta({ description: 'Seconds per point.' }),
    from: Timestamp,
    to: Timestamp,
    points: z
      .array(z.object({ t: Timestamp.meta({ description: 'Start of the step.' }), value: z.number() }))
      .meta({ description: 'Oldest first; steps without samples have no point.' }),
  })
  .meta({ id: 'MetricsQueryResult' });
