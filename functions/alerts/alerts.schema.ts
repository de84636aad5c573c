import * as z from 'zod';
import { parseDurationSeconds } from '#kernel/duration';
import { ALERT_LIST_STATUSES, COMPARISONS } from './alerts.domain.ts';
import { SEVERITIES } from '#kernel/events';
import { AGGREGATIONS } from '#metrics/metrics.domain';
import { ListQuery, pageOf, Slug, Timestamp, Ulid } from '#kernel/schemas/common';
import { MetricName } from '#metrics/metrics.schema';

const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]{0,63}$/;

const Duration = z
  .string()
  .refine((text) => parseDurationSeconds(text) !== undefined, 'must be a duration such as 30s, 5m or 1h')
  .meta({ example: '5m' });

const RuleLabels = z
  .record(z.string().regex(LABEL_NAME, 'must be a label name (letters, digits, _)'), z.string().max(256))
  .refine((labels) => Object.keys(labels).length <= 20, 'at most 20 labels')
  .meta({ description: 'Labels a sample must have to count, e.g. `{ "environment": "prod" }`.' });

const fields = {
  name: z.string().min(1).max(200).meta({ example: 'High p95 latency' }),
  service: Slug.meta({ description: 'The service whose samples the rule reads; may be given as `labels.service` instead.' }),
  metric: MetricName,
  labels: RuleLabels,
  agg: z.enum(AGGREGATIONS).meta({ description: 'How the samples of each label set in the window become one value.' }),
  window: Duration.meta({ description: 'The window read at each evaluation (1s–24h), e.g. `5m`.' }),
  op: z.enum(COMPARISONS),
  threshold: z.number().meta({ example: 500 }),
  for: Duration.meta({ description: 'How long the condition must hold before the alert fires (`0s` fires at once), e.g. `5m`.' }),
  severity: z.enum(SEVERITIES),
  sendResolved: z.boolean().meta({ description: 'Whether resolution is notified too (default true).' }),
};

export const AlertRuleCreate = z
  .strictObject({
    name: fields.name,
    service: fields.service.optional(),
    metric: fields.metric,
    labels: fields.labels.optional(),
    agg: fields.agg,
    window: fields.window,
    op: fields.op,
    threshold: fields.threshold,
    for: fields.for,
    severity: fields.severity,
    sendResolved: fields.sendResolved.optional(),
  })
  .meta({ id: 'AlertRuleCreate' });

export const AlertRulePatch = z
  .strictObject({
    name: fields.name.optional(),
    service: fields.service.optional(),
    metric: fields.metric.optional(),
    labels: fields.labels.optional(),
    agg: fields.agg.optional(),
    window: fields.window.optional(),
    op: fields.op.optional(),
    threshold: fields.threshold.optional(),
    for: fields.for.optional(),
    severity: fields.severity.optional(),
    sendResolved: fields.sendResolved.optional(),
  })
  .meta({ id: 'AlertRulePatch', description: 'Fields to change; the others keep their value.' });

export const AlertRuleView = z
  .object({
    id: Ulid,
    name: z.string(),
    service: Slug,
    metric: z.string(),
    labels: z.record(z.string(), z.string()),
    agg: z.enum(AGGREGATIONS),
    window: z.string(),
    op: z.enum(COMPARISONS),
    threshold: z.number(),
    for: z.string(),
    severity: z.enum(SEVERITIES),
    sendResolved: z.boolean(),
    createdAt: Timestamp,
    updatedAt: Timestamp,
    etag: z.string(),
    series: z
      .array(
        z.object({
          labels: z.record(z.string(), z.string()),
          state: z.enum(['pending', 'firing']),
          since: Timestamp.meta({ description: 'When the condition began to hold.' }),
          firesAt: Timestamp.nullable().meta({ description: 'Pending: when it fires if the condition still holds.' }),
          alertId: z.string().nullable().meta({ description: 'The alert it opened (firing), or will open (pending).' }),
        }),
      )
      .optional()
      .meta({ description: 'On GET /v1/alert-rules/{id}: each label set whose condition holds now, pending or firing.' }),
  })
  .meta({ id: 'AlertRule' });

export const AlertRulePage = pageOf(AlertRuleView, 'AlertRulePage');
export const AlertRuleParams = z.strictObject({ id: Ulid.meta({ description: 'The alert rule’s id.' }) });
export const AlertRulesQuery = ListQuery.extend({ service: Slug.optional().meta({ description: 'Only rules of this service.' }) });

export const AlertView = z
  .object({
    id: Ulid,
    source: z
      .union([
        z.object({ kind: z.literal('rule'), ruleId: Ulid }),
        z.object({ kind: z.literal('healthcheck'), checkId: Ulid }),
        z.object({ kind: z.literal('secret'), environment: z.string(), name: z.string() }),
        z.object({ kind: z.literal('sunset'), version: z.string() }),
      ])
      .meta({
        description:
          'The rule (and label set), the health check, the secret (expiry or rotation notice), or the deprecated version still called past its sunset (`sunset`: raised by the daily deprecation job) that raised it.',
      }),
    name: z.string(),
    service: Slug,
    labels: z.record(z.string(), z.string()),
    severity: z.enum(SEVERITIES),
    status: z.enum(ALERT_LIST_STATUSES).meta({
      description:
        "`pending` (listed with `?status=pending` only: the condition holds, not yet for the rule's `for`), `firing`, `acknowledged` or `resolved`.",
    }),
    summary: z.string(),
    value: z.number().nullable().meta({
      description:
        'The value that made it fire; null for health-check and secret alerts; for a sunset alert, the calls of the last 24 hours.',
    }),
    startedAt: Timestamp.meta({ description: 'When the condition first held (pending began).' }),
    firedAt: Timestamp.nullable().meta({ description: 'Null while pending.' }),
    firesAt: Timestamp.optional().meta({ description: 'Pending only: when it fires if the condition still holds.' }),
    resolvedAt: Timestamp.nullable(),
    acknowledgedAt: Timestamp.nullable(),
    acknowledgedBy: z.object({ keyId: z.string(), name: z.string() }).nullable(),
  })
  .meta({ id: 'Alert' });

export const AlertPage = pageOf(AlertView, 'AlertPage');
export const AlertParams = z.strictObject({ id: Ulid.meta({ description: 'The alert’s id.' }) });
export const AlertsQuery = ListQuery.extend({
  status: z.enum(ALERT_LIST_STATUSES).optional().meta({
    description:
      "`firing` (open, not acknowledged), `acknowledged` (open), `resolved`, or `pending`: label sets of rules whose condition holds but not yet for the rule's `for` (not alerts yet; the id is the one the alert will have).",
  }),
  severity: z.enum(SEVERITIES).optional(),
  service: Slug.optional(),
});

export const AcknowledgeBody = z.strictObject({});
export const AcknowledgeBatch = z
  .strictObject({ ids: z.array(Ulid).min(1, 'give at least one id').max(100, 'at most 100 ids') })
  .meta({ id: 'AlertAcknowledgeBatch' });
export const AcknowledgeBatchResult = z
  .object({
    results: z.array(
      z.object({
        id: z.string(),
        outcome: z.enum(['acknowledged', 'already', 'not_found']).meta({
          description: '`acknowledged` now, `already` acknowledged before, or `not_found` (no such alert, or not visible to this key).',
        }),
      }),
    ),
  })
  .meta({ id: 'AlertAcknowledgeBatchResult' });
