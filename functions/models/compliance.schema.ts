import * as z from 'zod';
import { Actor } from '#kernel/schemas/common';

export const ComplianceView = z
  .object({
    service: z.string(),
    productionEnvironment: z.string(),
    compliant: z.boolean().meta({ description: 'Every version is.' }),
    versions: z.array(
      z.object({
        version: z.string(),
        status: z.string(),
        card: z.object({ complete: z.boolean(), missing: z.array(z.string()) }).meta({
          description: 'A complete card names framework, artifactUri, artifactDigest, capabilities, trainingMetrics and dataset.',
        }),
        digestPresent: z.boolean(),
        production: z.object({
          deployed: z.boolean(),
          evaluationPassedBeforeProduction: z.boolean().nullable().meta({
            description: 'False when an admin overrode its deployability to reach production; null when it never went there.',
          }),
          overrides: z.array(z.object({ deploymentId: z.string(), reason: z.string(), by: Actor, at: z.string() })),
          promotions: z.array(
            z.object({ deploymentId: z.string(), status: z.string(), by: Actor, at: z.string(), approvedBy: z.nullable(Actor) }),
          ),
        }),
        deprecationNoticeRespected: z
          .boolean()
          .nullable()
          .meta({ description: 'Retired no earlier than its sunset; null while not retired.' }),
        compliant: z.boolean(),
      }),
    ),
  })
  .meta({ id: 'ModelCompliance' });
