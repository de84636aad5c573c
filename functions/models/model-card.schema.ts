import * as z from 'zod';

/**
 * The model card a version of a `model` service carries (issue 10, item 1): what the artifact is,
 * what it can do and what it costs. Registered with the version and frozen with it at release,
 * like its change log. The services feature stores it as one field of the version; the models
 * feature reads it (pricing for costs, training metrics for comparisons).
 */

export const SHA256_DIGEST = /^sha256:[0-9a-f]{64}$/;

export const ModelPricing = z
  .strictObject({
    inputPer1kTokens: z.number().min(0).max(1_000_000),
    outputPer1kTokens: z.number().min(0).max(1_000_000),
    perRequest: z.number().min(0).max(1_000_000).optional(),
    currency: z
      .string()
      .regex(/^[A-Z]{3}$/, 'an ISO 4217 code such as USD')
      .meta({ description: 'ISO 4217. Costs are computed for USD prices only.', example: 'USD' }),
  })
  .meta({ id: 'ModelPricing' });

export const ModelCard = z
  .strictObject({
    framework: z.string().min(1).max(100).optional().meta({ example: 'pytorch' }),
    artifactUri: z.string().min(1).max(2048).meta({ example: 's3://models/churn/1.2.0/model.tar.gz' }),
    artifactDigest: z
      .string()
      .regex(SHA256_DIGEST, 'a digest is "sha256:" and 64 lowercase hex digits')
      .meta({ example: `sha256:${'ab'.repeat(32)}` }),
    capabilities: z
      .array(z.string().min(1).max(100))
      .max(50)
      .meta({ example: ['classification'] }),
    contextWindow: z.number().int().positive().max(100_000_000).optional(),
    pricing: ModelPricing.optional(),
    trainingMetrics: z
      .record(z.string().min(1).max(100), z.number())
      .refine((metrics) => Object.keys(metrics).length <= 100, 'at most 100 training metrics')
      .optional()
      .meta({ example: { accuracy: 0.93, f1: 0.91 } }),
    params: z
      .record(z.string().min(1).max(100), z.unknown())
      .optional()
      .meta({ description: 'Hyperparameters or settings, as the team records them.' }),
    dataset: z.string().min(1).max(500).optional().meta({ example: 's3://datasets/churn/2024-06' }),
    parentVersion: z.string().min(1).max(256).optional().meta({ description: 'The version this one was trained from.' }),
  })
  .meta({ id: 'ModelCard', description: 'Only on versions of services of kind `model`; frozen at release.' });

export type ModelCard = z.infer<typeof ModelCard>;
export type ModelPricing = z.infer<typeof ModelPricing>;
