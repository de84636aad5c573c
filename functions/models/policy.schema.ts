import * as z from 'zod';
import { LATENCY_PERCENTILES } from './statistics/index.ts';
import { EnvironmentName, Timestamp } from '#kernel/schemas/common';

const Fraction = z.number().min(0).max(1);

export const ModelPolicyPut = z
  .strictObject({
    minSamples: z.number().int().min(0).max(1_000_000_000).optional().meta({ description: 'Default 50. Fewer is `insufficient-data`.' }),
    maxErrorRate: Fraction.optional().meta({ description: 'Default 0.05.' }),
    minSuccessRate: Fraction.optional().meta({ description: 'Default 0.95.' }),
    maxLatencyMs: z.number().positive().max(86_400_000).optional().meta({ description: 'Default 5000, at `latencyPercentile`.' }),
    latencyPercentile: z.enum(LATENCY_PERCENTILES).optional().meta({ description: 'Default p95.' }),
    minConfidence: Fraction.optional().meta({ description: 'Default 0.7, on the mean confidence.' }),
    maxCostPer1kRequests: z.number().min(0).max(1_000_000).optional().meta({ description: 'USD; no cost limit when absent.' }),
    productionEnvironment: EnvironmentName.optional().meta({ description: 'Default prod.' }),
    enforcePerformanceThresholds: z.boolean().optional().meta({ description: 'Default true.' }),
    deprecateOldVersionsOnNewDeployment: z.boolean().optional().meta({ description: 'Default true.' }),
    enableAutomaticRetirement: z.boolean().optional().meta({ description: 'Default false.' }),
    defaultGracePeriodDays: z.number().int().min(0).max(3650).optional().meta({ description: 'Default 90.' }),
    eolWarningThresholdDays: z.number().int().min(1).max(3650).optional().meta({ description: 'Default 30.' }),
    autoRollbackWindowMinutes: z.number().int().min(0).max(10_080).optional().meta({ description: 'Default 30; 0 turns it off.' }),
  })
  .meta({ id: 'ModelPolicyPut', description: 'The whole policy: a field left out takes its default.' });

export const ModelPolicyView = z
  .object({
    service: z.string(),
    minSamples: z.number().int(),
    maxErrorRate: z.number(),
    minSuccessRate: z.number(),
    maxLatencyMs: z.number(),
    latencyPercentile: z.enum(LATENCY_PERCENTILES),
    minConfidence: z.number(),
    maxCostPer1kRequests: z.number().nullable(),
    productionEnvironment: z.string(),
    enforcePerformanceThresholds: z.boolean(),
    deprecateOldVersionsOnNewDeployment: z.boolean(),
    enableAutomaticRetirement: z.boolean(),
    defaultGracePeriodDays: z.number().int(),
    eolWarningThresholdDays: z.number().int(),
    autoRollbackWindowMinutes: z.number().int(),
    updatedAt: Timestamp.nullable().meta({ description: 'Null while the service runs on the defaults.' }),
    etag: z.string(),
  })
  .meta({ id: 'ModelPolicy' });
