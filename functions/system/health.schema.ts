import * as z from 'zod';

export const LiveView = z.object({ status: z.literal('ok') }).meta({ id: 'Live' });

export const DEEP_CHECKS = ['table', 'stateMachine', 'topic', 'secrets'] as const;
export type DeepCheck = (typeof DEEP_CHECKS)[number];

const CheckState = z.enum(['ok', 'failing']);

const CheckDetail = z.object({
  status: CheckState,
  /** What was asked: the table's name, the state machine's ARN, the topic's, the secret store's prefix. */
  target: z.string(),
  latencyMs: z.number(),
  error: z.string().optional(),
});

export const DeepHealthView = z
  .object({
    status: z.enum(['ok', 'degraded']),
    checks: z.object({ table: CheckState, stateMachine: CheckState, topic: CheckState, secrets: CheckState }),
    details: z
      .object({ table: CheckDetail, stateMachine: CheckDetail, topic: CheckDetail, secrets: CheckDetail })
      .optional()
      .meta({ description: 'Only for an admin key: what each check asked, how long it took and why it failed.' }),
  })
  .meta({ id: 'DeepHealth' });
