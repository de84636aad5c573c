import * as z from 'zod';
import { MAX_RECORDS_PER_BATCH, NAMED_WINDOWS } from './telemetry.domain.ts';
import { EnvironmentName, Slug, Timestamp } from '#kernel/schemas/common';

/** One inference as a gateway reports it. Checked record by record: a bad record is listed in `rejected`, not a 400. */
export const InferenceRecordInput = z
  .strictObject({
    version: z.string().min(1).max(256).meta({ description: 'A version of this service (build metadata optional).', example: '1.2.0' }),
    at: Timestamp.optional().meta({ description: 'When it happened; default now. At most 1 hour ahead and 14 days back.' }),
    environment: EnvironmentName.optional().meta({
      description: 'Where it ran; default the service’s production environment (model policy `productionEnvironment`).',
    }),
    success: z.boolean(),
    latencyMs: z.number().min(0).max(86_400_000),
    confidence: z.number().min(0).max(1).optional(),
    inputTokens: z.number().int().min(0).max(100_000_000).optional(),
    outputTokens: z.number().int().min(0).max(100_000_000).optional(),
    error: z.string().min(1).max(100).optional().meta({ description: 'The error type of a failure, counted by type.', example: 'timeout' }),
    client: z.string().min(1).max(100).optional().meta({ description: 'Who called: counted per client (deprecation notices).' }),
  })
  .meta({ id: 'InferenceRecord' });

export const InferenceBatch = z
  .strictObject({
    records: z
      .array(
        z.unknown().meta({
          description:
            'An inference: { version, at?, environment?, success, latencyMs, confidence?, inputTokens?, outputTokens?, error?, client? } (see InferenceRecord).',
        }),
      )
      .min(1, 'send at least one record')
      .max(MAX_RECORDS_PER_BATCH, `at most ${MAX_RECORDS_PER_BATCH} records a request`)
      .meta({
        description: `1 to ${MAX_RECORDS_PER_BATCH} records. A record that is not valid is listed in \`rejected\`; the others are counted.`,
      }),
  })
  .meta({ id: 'InferenceBatch' });

export const InferenceBatchResult = z
  .object({
    accepted: z.number().int(),
    rejected: z.array(z.object({ index: z.number().int(), reason: z.string() })),
  })
  .meta({ id: 'InferenceBatchResult' });

export const ModelVersionParams = z.strictObject({
  name: Slug,
  version: z.string().min(1).max(256).meta({ description: 'A version, or `@alias`.', example: '1.2.0' }),
});

export const WindowQuery = z.strictObject({
  window: z
    .enum(Object.keys(NAMED_WINDOWS) as [keyof typeof NAMED_WINDOWS, ...(keyof typeof NAMED_WINDOWS)[]])
    .optional()
    .meta({ description: 'The last hour, day or week; default 24h. Or give from/to.' }),
  from: Timestamp.optional(),
  to: Timestamp.optional().meta({ description: 'Default now.' }),
  environment: EnvironmentName.optional().meta({ description: 'Default the service’s production environment.' }),
});

const Nullable = z.number().nullable();

export const Summary = z
  .object({
    samples: z.number().int(),
    successRate: Nullable,
    errorRate: Nullable,
    errors: z.record(z.string(), z.number().int()).meta({ description: 'Failures by error type.' }),
    latencyMs: z.object({ p50: Nullable, p90: Nullable, p95: Nullable, p99: Nullable, mean: Nullable, max: Nullable }),
    confidence: z.object({ mean: Nullable, p10: Nullable }),
    tokens: z.object({ input: z.number(), output: z.number() }),
    costUsd: z.object({ total: z.number(), per1kRequests: Nullable }),
  })
  .meta({ id: 'ModelSummary' });

export const WindowView = z
  .object({
    from: Timestamp,
    to: Timestamp,
    granularity: z.enum(['minute', 'hour']),
    environment: z.string(),
  })
  .meta({ id: 'TelemetryWindow', description: 'The window read, widened to whole minutes or hours.' });

export const PerformanceView = Summary.extend({
  service: z.string(),
  version: z.string(),
  window: WindowView,
  series: z.array(
    z.object({
      t: Timestamp,
      samples: z.number().int(),
      errorRate: Nullable,
      latencyP50Ms: Nullable,
      latencyP95Ms: Nullable,
      confidenceMean: Nullable,
      costUsd: z.number(),
    }),
  ),
}).meta({ id: 'ModelPerformance' });
