import { SEVERITIES } from '#kernel/events';
import { INCIDENT_STATUSES } from '#incidents/incidents.domain';
import * as z from 'zod';
import { BURN_WINDOWS, DEFAULT_UPTIME_WINDOW, UPTIME_WINDOWS } from './slo.domain.ts';
import { EnvironmentName, Slug, Timestamp } from '#kernel/schemas/common';

export const SloPut = z
  .strictObject({
    target: z
      .number()
      .gt(0, 'must be greater than 0')
      .lt(100, 'must be less than 100, such as 99.9')
      .meta({ description: 'The availability objective in percent, 0 < target < 100.', example: 99.9 }),
    environment: EnvironmentName.optional().meta({
      description: 'The environment this target is for; left out, it is the service’s default for every environment without its own.',
    }),
  })
  .meta({ id: 'SloPut' });

export const SloView = z
  .object({
    service: Slug,
    target: z.number().nullable().meta({ description: 'The default target; null when none was set.' }),
    environments: z.record(z.string(), z.number()).meta({ description: 'Targets of environments that have their own.' }),
    updatedAt: Timestamp,
  })
  .meta({ id: 'Slo' });

const windows = Object.keys(UPTIME_WINDOWS) as [keyof typeof UPTIME_WINDOWS, ...Array<keyof typeof UPTIME_WINDOWS>];
const burnWindows = Object.keys(BURN_WINDOWS) as [keyof typeof BURN_WINDOWS, ...Array<keyof typeof BURN_WINDOWS>];

export const UptimeQuery = z.strictObject({
  environment: EnvironmentName.optional().meta({
    description: 'Only the checks of this environment; left out, every check of the service.',
  }),
  window: z
    .enum(windows)
    .default(DEFAULT_UPTIME_WINDOW)
    .meta({ description: `The window ending now (default ${DEFAULT_UPTIME_WINDOW}).` }),
});

const BurnAlertView = z.object({
  severity: z.enum(['page', 'ticket']),
  longWindow: z.enum(burnWindows),
  shortWindow: z.enum(burnWindows),
  threshold: z.number(),
  longBurnRate: z.number().nullable(),
  shortBurnRate: z.number().nullable(),
  firing: z.boolean().meta({ description: 'The burn rate is at least `threshold` over both windows.' }),
});

export const UptimeView = z
  .object({
    service: Slug,
    environment: z.string().nullable(),
    window: z.enum(windows),
    from: Timestamp,
    to: Timestamp,
    checks: z.number().int().meta({ description: 'Health checks counted (their seconds are summed).' }),
    upSeconds: z.number(),
    downSeconds: z.number(),
    unknownSeconds: z
      .number()
      .meta({ description: 'Check-seconds no result covers: the checker was not running, or the check did not exist yet.' }),
    uptimePercent: z
      .number()
      .nullable()
      .meta({ description: 'up / (up + down); unknown time is left out, never counted as up. Null when nothing was measured.' }),
    coveragePercent: z.number().meta({ description: '(up + down) / window.' }),
    latency: z.object({
      samples: z.number().int(),
      meanMs: z.number().nullable(),
      p95Ms: z.number().nullable(),
    }),
    incidents: z
      .array(
        z.object({
          id: z.string(),
          title: z.string(),
          severity: z.enum(SEVERITIES),
          status: z.enum(INCIDENT_STATUSES),
          openedAt: Timestamp,
          resolvedAt: Timestamp.nullable(),
        }),
      )
      .meta({ description: "The service's incidents open at some moment of the window, oldest first." }),
    slo: z
      .object({
        target: z.number(),
        source: z
          .enum(['environment', 'service'])
          .meta({ description: 'Whether the environment’s own target applies or the service default.' }),
        errorBudget: z.object({
          allowedDownSeconds: z.number(),
          consumedSeconds: z.number(),
          remainingSeconds: z.number(),
          remainingPercent: z.number().nullable(),
        }),
        burnRate: z.number().nullable().meta({ description: 'Over the window: 1 spends exactly the budget.' }),
        alerts: z
          .object({ page: z.boolean(), ticket: z.boolean(), rules: z.array(BurnAlertView) })
          .meta({ description: 'The multiwindow burn-rate conditions of the Google SRE workbook, each over windows ending now.' }),
      })
      .nullable()
      .meta({ description: 'Null when no SLO target applies.' }),
  })
  .meta({ id: 'Uptime' });
