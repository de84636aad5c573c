import * as z from 'zod';
import { DEPLOYMENT_STATUSES, GATE_ALERT_SEVERITIES, JUDGE_METRICS } from './deployment.domain.ts';
import { PRESET_NAMES, STRATEGY_TYPES } from './plan.domain.ts';
import { Actor, EnvironmentName, ListQuery, pageOf, Slug, Timestamp, Ulid } from '#kernel/schemas/common';
import { VersionString } from '#services/version-string.schema';

const HttpUrl = z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }).max(2048);

export const EnvironmentParams = z.strictObject({ name: Slug, env: EnvironmentName });
export const DeploymentParams = z.strictObject({ name: Slug, id: Ulid });

export const TrafficSchema = z
  .discriminatedUnion('driver', [
    z.strictObject({ driver: z.literal('none') }),
    z.strictObject({
      driver: z.literal('http'),
      url: HttpUrl.meta({ description: 'Your router: Steward POSTs each new set of weights here, signed as a Standard Webhook.' }),
    }),
    z.strictObject({
      driver: z.literal('lambda-alias'),
      functionName: z.string().min(1).max(170),
      alias: z.string().min(1).max(128),
    }),
  ])
  .meta({ id: 'TrafficDriver', description: 'How weights reach the real system.' });

export const HealthGateSchema = z
  .strictObject({
    probe: z
      .strictObject({
        url: HttpUrl.meta({ description: "The new version's health URL." }),
        expectStatus: z.number().int().min(100).max(599).optional(),
        maxLatencyMs: z.number().int().min(1).max(60_000).optional(),
        intervalSeconds: z.number().int().min(5).max(3600).optional(),
        minSuccessRatio: z
          .number()
          .min(0)
          .max(1)
          .optional()
          .meta({ description: 'Share of probes that must succeed in a step (default 1).' }),
      })
      .optional(),
    alarms: z
      .array(z.string().min(1).max(255))
      .max(10)
      .optional()
      .meta({ description: 'CloudWatch alarms that must not be in ALARM (AWS only).' }),
    healthChecks: z.boolean().optional().meta({
      description: "Fail while any of Steward's health checks of the service in the deployment's environment is unhealthy (default true).",
    }),
    alerts: z
      .union([z.literal(false), z.strictObject({ minSeverity: z.enum(GATE_ALERT_SEVERITIES).optional() })])
      .optional()
      .meta({
        description:
          'Fail while the service has an open (firing or acknowledged) Steward alert at minSeverity or above labelled with the deployment\'s environment or with none (default `{minSeverity:"critical"}`); false reads no alerts.',
      }),
    failFast: z.boolean().optional().meta({ description: 'Roll back at the first failed check instead of judging the whole bake.' }),
    judge: z
      .strictObject({
        metrics: z.array(z.enum(JUDGE_METRICS)).min(1).max(JUDGE_METRICS.length),
        minSamples: z
          .number()
          .int()
          .min(0)
          .max(1_000_000)
          .optional()
          .meta({ description: 'Per side (default 50); fewer is inconclusive.' }),
        passScore: z.number().min(0).max(100).optional().meta({ description: 'Default 95.' }),
        marginalScore: z.number().min(0).max(100).optional().meta({ description: 'Default 75: below it, roll back.' }),
        maxExtensions: z.number().int().min(0).max(10).optional().meta({ description: 'Default 2.' }),
        onInconclusive: z.enum(['rollback', 'continue']).optional().meta({ description: 'After the extensions (default rollback).' }),
      })
      .refine((judge) => new Set(judge.metrics).size === judge.metrics.length, 'each metric once')
      .refine((judge) => (judge.marginalScore ?? 75) <= (judge.passScore ?? 95), 'marginalScore cannot be above passScore')
      .optional()
      .meta({
        description:
          'For a model: at each bake’s end the canary’s inferences are judged against the baseline’s (the version serving the rest), each metric Pass/High/Low/NoData by a Mann-Whitney or two-proportion test and an effect-size tolerance; the score is the share of metrics that pass. At or above passScore: continue; below marginalScore: roll back; between, or too few samples: extend the bake (up to maxExtensions), then onInconclusive. The judgement goes into the deployment’s events.',
      }),
  })
  .meta({ id: 'HealthGate' });

export const EnvironmentPut = z
  .strictObject({
    traffic: TrafficSchema.optional(),
    protection: z
      .strictObject({
        requiresApproval: z.boolean().optional(),
        approvalTimeoutMinutes: z.number().int().min(1).max(10_080).optional(),
        allowedStrategies: z.array(z.enum(STRATEGY_TYPES)).min(1).optional(),
      })
      .optional(),
    healthGate: HealthGateSchema.nullable().optional(),
  })
  .meta({ id: 'EnvironmentPut' });

/**
 * The strategy's shape only; its rules (which fields a type needs, percentages 1–99, increasing
 * steps, bakes in range) are checked by planFor, which says exactly which field is wrong.
 */
export const StrategySchema = z
  .strictObject({
    type: z.enum(STRATEGY_TYPES).optional(),
    preset: z.enum(PRESET_NAMES as [string, ...string[]]).optional(),
    percent: z.number().optional(),
    bakeMinutes: z.number().optional(),
    intervalMinutes: z.number().optional(),
    steps: z.array(z.strictObject({ percent: z.number(), bakeMinutes: z.number() })).optional(),
    verifyMinutes: z.number().optional(),
    keepPreviousMinutes: z.number().optional(),
  })
  .meta({
    id: 'Strategy',
    description:
      '`{type:"all-at-once"}`, `{type:"blue-green", verifyMinutes?, keepPreviousMinutes?}`, `{type:"canary", percent, bakeMinutes}` or `{type:"canary", steps:[{percent, bakeMinutes}]}`, `{type:"linear", percent, intervalMinutes}`, or `{preset:"Canary10Percent5Minutes"}` (CodeDeploy names).',
  });

export const DeploymentCreate = z
  .strictObject({
    environment: EnvironmentName,
    version: VersionString,
    strategy: StrategySchema,
    healthGate: HealthGateSchema.nullable().optional().meta({ description: "Overrides the environment's default gate." }),
    reason: z.string().max(1000).optional(),
    force: z.boolean().optional().meta({ description: 'Deploy a deprecated version.' }),
    override: z
      .strictObject({ reason: z.string().min(1).max(1000) })
      .optional()
      .meta({
        description:
          'Admins only: deploy a model version its policy does not approve (see GET .../versions/{version}/deployability); audited with the reasons overridden.',
      }),
  })
  .meta({ id: 'DeploymentCreate' });

export const PromoteBody = z.strictObject({ version: VersionString }).meta({ id: 'Promote' });
export const ReasonBody = z.strictObject({ reason: z.string().max(1000).optional() });
export const DeploymentListQuery = ListQuery.extend({
  environment: EnvironmentName.optional(),
  status: z.enum(DEPLOYMENT_STATUSES).optional(),
});

const Weights = z.record(z.string(), z.number()).meta({ example: { '1.4.2': 90, '2.0.0': 10 } });

export const DeploymentView = z
  .object({
    id: z.string(),
    service: z.string(),
    environment: z.string(),
    version: z.string(),
    fromVersion: z.string().nullable(),
    status: z.enum(DEPLOYMENT_STATUSES),
    strategy: z.string(),
    preset: z.string().nullable(),
    steps: z.array(z.object({ percent: z.number(), bakeSeconds: z.number() })),
    currentStep: z
      .object({
        index: z.number().int().meta({ description: 'Index into steps; -1 before the first.' }),
        percent: z.number().nullable().meta({ description: "The new version's share in this step." }),
        bakeSeconds: z.number().nullable(),
        startedAt: Timestamp.nullable().meta({ description: "When this step's weights were applied." }),
        endsAt: Timestamp.nullable().meta({
          description:
            "When this step's bake ends (the next step or the end follows); null with no bake, or once the deployment has ended.",
        }),
      })
      .meta({ id: 'DeploymentStep', description: 'The step under way.' }),
    weights: Weights,
    previousWeights: Weights,
    healthGate: HealthGateSchema.nullable(),
    reason: z.string().nullable(),
    failureReason: z.string().nullable(),
    requiresApproval: z.boolean(),
    approvalDeadline: Timestamp.nullable(),
    approvedBy: z.nullable(Actor),
    createdBy: Actor,
    createdAt: Timestamp,
    startedAt: Timestamp.nullable(),
    updatedAt: Timestamp,
    finishedAt: Timestamp.nullable(),
    rollbackWindowEndsAt: Timestamp.nullable(),
  })
  .meta({ id: 'Deployment' });

export const DeploymentPage = pageOf(DeploymentView, 'DeploymentPage');

export const DeploymentEventView = z
  .object({
    seq: z.number().int(),
    at: Timestamp,
    type: z.string(),
    message: z.string(),
    weights: Weights.nullable(),
    step: z.number().int().nullable(),
    evidence: z.unknown(),
  })
  .meta({ id: 'DeploymentEvent' });
export const DeploymentEventPage = pageOf(DeploymentEventView, 'DeploymentEventPage');

export const EnvironmentView = z
  .object({
    service: z.string(),
    name: z.string(),
    traffic: TrafficSchema,
    protection: z.object({
      requiresApproval: z.boolean(),
      approvalTimeoutMinutes: z.number(),
      allowedStrategies: z.array(z.string()).nullable(),
    }),
    healthGate: HealthGateSchema.nullable(),
    activeVersion: z.string().nullable(),
    previousVersion: z.string().nullable(),
    weights: Weights,
    routingRevision: z.number().int(),
    activeDeployment: DeploymentView.nullable(),
    lastDeployments: z.array(DeploymentView),
    createdAt: Timestamp,
    updatedAt: Timestamp,
    etag: z.string(),
    routerSigningSecret: z
      .string()
      .optional()
      .meta({ description: "The HTTP router's signing secret (whsec_…): shown once, when it is made." }),
  })
  .meta({ id: 'Environment' });

export const EnvironmentPage = pageOf(EnvironmentView, 'EnvironmentPage');
export const RoutingView = z.object({ weights: Weights, revision: z.number().int() }).meta({ id: 'RoutingTable' });
export { ListQuery };
