import * as z from 'zod';
import { Timestamp } from '#kernel/schemas/common';

export const HealthView = z.object({ status: z.literal('ok') }).meta({ id: 'Health' });

export const ReadyView = z
  .object({ status: z.enum(['ready', 'unavailable']), checks: z.object({ table: z.enum(['ok', 'failing']) }) })
  .meta({ id: 'Ready' });

export const SystemInfoView = z
  .object({
    name: z.literal('steward'),
    version: z.string(),
    stage: z.string(),
    region: z.string(),
    runtime: z.enum(['aws', 'local']),
    startedAt: Timestamp,
    uptimeSeconds: z.number(),
  })
  .meta({ id: 'SystemInfo' });
