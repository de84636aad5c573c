import * as z from 'zod';
import { HEALTH_STATES, MAX_CHECK_TIMEOUT_MS } from './health-check.domain.ts';
import { EnvironmentName, ListQuery, pageOf, Slug, Timestamp, Ulid } from '#kernel/schemas/common';
import { SecretName } from '#secrets/secrets.schema';

export const HealthCheckParams = z.strictObject({
  name: Slug.meta({ description: 'The service name.' }),
  id: Ulid.meta({ description: 'The health check’s id.' }),
});

const Url = z
  .string()
  .max(2048)
  .refine((text) => URL.canParse(text) && /^https?:$/.test(new URL(text).protocol), 'must be an http or https URL')
  .meta({ example: 'https://payments.example.com/health' });

const fields = {
  environment: EnvironmentName.meta({ description: 'The environment the target belongs to.' }),
  url: Url,
  method: z.enum(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']).meta({ description: 'Default `GET`.' }),
  headers: z
    .record(
      z.string().regex(/^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,256}$/, 'must be an HTTP header name'),
      z.union([
        z.string().max(8192),
        z.strictObject({ secret: SecretName.meta({ description: 'A secret of the check’s service in its environment.' }) }),
      ]),
    )
    .refine((headers) => Object.keys(headers).length <= 50, 'at most 50 headers')
    .meta({
      description:
        'Request headers sent with every run. A value may name a secret of the service in the check’s environment (`{ "secret": "checks-token" }`), read by the runner when it runs; a credential (`Authorization`, `Cookie`, `X-Api-Key`, any name with token, secret, key, auth, cookie or password) given as a value is kept in the secret value store and shown as `***`: send `***` back to keep it.',
      example: { Accept: 'application/json', Authorization: { secret: 'checks-token' } },
    }),
  body: z.string().max(65_536).nullable().meta({ description: 'A request body sent with every run.' }),
  timeoutMs: z
    .number()
    .int()
    .min(100)
    .max(MAX_CHECK_TIMEOUT_MS)
    .meta({
      description: `The whole exchange, DNS to last body byte (100–${MAX_CHECK_TIMEOUT_MS}); default 10 000, and never more than the interval.`,
    }),
  intervalSeconds: z
    .number()
    .int()
    .min(1)
    .max(86_400)
    .meta({ description: 'How often the check runs: at least 60 on AWS; locally (STEWARD_TICK_SECONDS) from 1.' }),
  conditions: z
    .array(z.string())
    .min(1, 'give at least one condition, such as "[STATUS] == 200"')
    .max(20, 'at most 20 conditions')
    .meta({
      description:
        'Conditions in the Gatus language, all of which must hold: `[STATUS] == any(200, 429)`, `[RESPONSE_TIME] < 500`, `[BODY].status == UP`, `len([BODY].items) > 0`, `[CERTIFICATE_EXPIRATION] > 48h`.',
      example: ['[STATUS] == 200', '[BODY].status == UP'],
    }),
  failureThreshold: z.number().int().min(1).max(100).meta({ description: 'Failures in a row before the check is unhealthy (default 3).' }),
  successThreshold: z.number().int().min(1).max(100).meta({ description: 'Successes in a row before it is healthy again (default 2).' }),
};

export const HealthCheckCreate = z
  .strictObject({
    environment: fields.environment,
    url: fields.url,
    method: fields.method.optional(),
    headers: fields.headers.optional(),
    body: fields.body.optional(),
    timeoutMs: fields.timeoutMs.optional(),
    intervalSeconds: fields.intervalSeconds,
    conditions: fields.conditions,
    failureThreshold: fields.failureThreshold.optional(),
    successThreshold: fields.successThreshold.optional(),
  })
  .meta({ id: 'HealthCheckCreate' });

export const HealthCheckPatch = z
  .strictObject({
    environment: fields.environment.optional(),
    url: fields.url.optional(),
    method: fields.method.optional(),
    headers: fields.headers.optional(),
    body: fields.body.optional(),
    timeoutMs: fields.timeoutMs.optional(),
    intervalSeconds: fields.intervalSeconds.optional(),
    conditions: fields.conditions.optional(),
    failureThreshold: fields.failureThreshold.optional(),
    successThreshold: fields.successThreshold.optional(),
  })
  .meta({ id: 'HealthCheckPatch', description: 'Fields to change; the others keep their value.' });

const ConditionResultView = z
  .object({
    condition: z.string(),
    ok: z.boolean(),
    resolved: z.string().meta({ description: 'The condition with what each placeholder resolved to: `[STATUS] (503) == 200`.' }),
    error: z.string().optional(),
  })
  .meta({ id: 'HealthCheckConditionResult' });

const FAILURE_REASONS = ['refused', 'timeout', 'dns', 'connect', 'tls', 'reset', 'too-large', 'protocol', 'conditions', 'secret'] as const;

export const HealthCheckResultView = z
  .object({
    id: Ulid,
    checkId: Ulid,
    at: Timestamp,
    ok: z.boolean(),
    status: z.number().int().meta({ description: 'HTTP status; 0 when no response came.' }),
    latencyMs: z.number().int(),
    conditions: z.array(ConditionResultView),
    reason: z.enum(FAILURE_REASONS).nullable().meta({ description: 'Why the run failed; null when it passed.' }),
    detail: z.string().nullable(),
    certificateExpiresAt: Timestamp.nullable(),
  })
  .meta({ id: 'HealthCheckResult' });

export const HealthCheckResultPage = pageOf(HealthCheckResultView, 'HealthCheckResultPage');

export const HealthCheckView = z
  .object({
    id: Ulid,
    service: Slug,
    environment: z.string(),
    url: z.string(),
    method: z.string(),
    headers: z.record(z.string(), z.union([z.string(), z.object({ secret: z.string() })])).meta({
      description: 'Credentials show as `***` (an admin may reveal them); secret references as `{ "secret": name }`.',
    }),
    body: z.string().nullable(),
    timeoutMs: z.number().int(),
    intervalSeconds: z.number().int(),
    conditions: z.array(z.string()),
    failureThreshold: z.number().int(),
    successThreshold: z.number().int(),
    state: z.enum(HEALTH_STATES).meta({ description: '`unknown` until the thresholds first decide.' }),
    stateChangedAt: Timestamp.nullable(),
    consecutiveFailures: z.number().int(),
    consecutiveSuccesses: z.number().int(),
    nextRunAt: Timestamp.nullable(),
    lastResult: z
      .object({ at: Timestamp, ok: z.boolean(), status: z.number().int(), latencyMs: z.number().int(), reason: z.string().nullable() })
      .nullable(),
    createdAt: Timestamp,
    updatedAt: Timestamp,
    etag: z.string(),
  })
  .meta({ id: 'HealthCheck' });

export const HealthCheckPage = pageOf(HealthCheckView, 'HealthCheckPage');

export const HealthCheckRunView = z
  .object({ result: HealthCheckResultView, state: z.enum(HEALTH_STATES), stateChanged: z.boolean() })
  .meta({ id: 'HealthCheckRun' });

export const ResultsQuery = ListQuery.extend({
  from: Timestamp.optional().meta({ description: 'Oldest result to include; default 24 hours before `to`.' }),
  to: Timestamp.optional().meta({ description: 'Newest result to include; default now.' }),
});

export const RunBody = z.strictObject({});

export const RevealedHeadersView = z
  .object({
    service: Slug,
    checkId: Ulid,
    headers: z.record(z.string(), z.string()).meta({ description: 'The credential values the check sends, by header name.' }),
    revealedAt: Timestamp,
  })
  .meta({ id: 'HealthCheckRevealedHeaders' });
