import * as z from 'zod';

import { Summary, WindowQuery, WindowView } from './telemetry.schema.ts';

export const EvaluationView = z
  .object({
    service: z.string(),
    version: z.string(),
    verdict: z.enum(['pass', 'fail', 'insufficient-data']).meta({ description: 'Fewer samples than `minSamples` is never a fail.' }),
    samples: z.number().int(),
    minSamples: z.number().int(),
    criteria: z.array(
      z.object({
        name: z.string().meta({ example: 'latencyP95' }),
        observed: z.number().nullable(),
        threshold: z.number(),
        comparison: z.enum(['<=', '>=']),
        ok: z.boolean().nullable().meta({ description: 'Null when nothing was observed to judge (no confidences reported).' }),
      }),
    ),
    window: WindowView,
  })
  .meta({ id: 'ModelEvaluation' });

export const COMPARE_SORTS = ['input', 'errorRate', 'latencyP95', 'confidence', 'cost', 'samples'] as const;

export const CompareQuery = WindowQuery.extend({
  versions: z
    .string()
    .min(1)
    .max(1000)
    .meta({ description: 'Two to ten versions (or @aliases), comma-separated; the first is the reference.', example: '1.0.0,1.1.0' }),
  sort: z
    .enum(COMPARE_SORTS)
    .optional()
    .meta({ description: 'Row order after the reference (default: as listed); lower first, samples higher first.' }),
});

const Significance = z.object({
  pValue: z.number(),
  marker: z.enum(['better', 'worse', 'no-significant-difference']).meta({ description: '`better` or `worse` only where p < 0.05.' }),
  degenerate: z.string().nullable().meta({ description: 'Why the test could not say anything (no data, every value equal).' }),
});

export const ComparisonView = z
  .object({
    service: z.string(),
    reference: z.string(),
    alpha: z.number(),
    window: WindowView,
    rows: z.array(
      z.object({
        version: z.string(),
        reference: z.boolean(),
        trainingMetrics: z.record(z.string(), z.number()).nullable().meta({ description: 'From the model card.' }),
        live: Summary,
        deltas: z
          .object({
            errorRate: z.number().nullable(),
            latencyP50Ms: z.number().nullable(),
            latencyP95Ms: z.number().nullable(),
            latencyP99Ms: z.number().nullable(),
            confidenceMean: z.number().nullable(),
            costPer1kRequestsUsd: z.number().nullable(),
            trainingMetrics: z.record(z.string(), z.number()),
          })
          .nullable()
          .meta({ description: 'This version minus the reference; null on the reference row.' }),
        errorRate: Significance.nullable().meta({ description: 'Two-proportion z-test against the reference.' }),
        latency: Significance.extend({ commonLanguageEffect: z.number() })
          .nullable()
          .meta({ description: 'Mann-Whitney U on the latency sketches’ bins (ties corrected) against the reference.' }),
      }),
    ),
  })
  .meta({ id: 'ModelComparison' });
