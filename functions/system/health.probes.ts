import { DescribeStateMachineCommand, SFNClient } from '@aws-sdk/client-sfn';
import { GetTopicAttributesCommand, SNSClient } from '@aws-sdk/client-sns';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { SecretValueNotFoundError } from '#kernel/secret-values/secret-value-store';
import { secretValueStore } from '#kernel/secret-values/value-store';
import { documentClient, tableName } from '#kernel/store/client';
import type { DeepCheck } from './health.schema.ts';

/**
 * The dependencies `/health/deep` asks, each a function that resolves to what it asked (a name
 * or ARN) or throws. On AWS they read the function's environment; the local runtime replaces the
 * state machine and topic probes with its in-process stand-ins (`configureHealthProbes`).
 */
export type HealthProbe = () => Promise<string>;

/** The secret the store is asked for: it never exists, so "not found" means the store answers (and IAM lets us ask). */
export const PROBE_SECRET = { service: 'steward-health', environment: 'probe', name: 'probe' } as const;

const awsProbes: Record<DeepCheck, HealthProbe> = {
  async table() {
    await documentClient().send(new GetCommand({ TableName: tableName(), Key: { PK: 'SYSTEM', SK: 'READY' } }));
    return tableName();
  },
  async stateMachine() {
    const arn = process.env.STATE_MACHINE_ARN;
    if (!arn) throw new Error('STATE_MACHINE_ARN is not set');
    const { status } = await new SFNClient({}).send(new DescribeStateMachineCommand({ stateMachineArn: arn }));
    if (status !== 'ACTIVE') throw new Error(`the state machine is ${status}`);
    return arn;
  },
  async topic() {
    const arn = process.env.NOTIFICATION_TOPIC_ARN;
    if (!arn) throw new Error('NOTIFICATION_TOPIC_ARN is not set');
    await new SNSClient({}).send(new GetTopicAttributesCommand({ TopicArn: arn }));
    return arn;
  },
  async secrets() {
    try {
      await secretValueStore().get(PROBE_SECRET);
    } catch (error) {
      if (error instanceof SecretValueNotFoundError) return process.env.SECRETS_PREFIX ?? 'local secret store';
      throw error;
    }
    return process.env.SECRETS_PREFIX ?? 'local secret store';
  },
};

let probes: Record<DeepCheck, HealthProbe> = { ...awsProbes };

/** Replaces some probes (the local runtime: its workflow executor and in-process topic); `null` restores AWS's. */
export function configureHealthProbes(next: Partial<Record<DeepCheck, HealthProbe>> | null): void {
  probes = { ...awsProbes, ...next };
}

export interface ProbeResult {
  status: 'ok' | 'failing';
  target: string;
  latencyMs: number;
  error?: string;
}

const PROBE_TIMEOUT_MS = 3_000;

/** Runs one probe within the timeout; never throws. */
export async function runProbe(check: DeepCheck, timeoutMs = PROBE_TIMEOUT_MS): Promise<ProbeResult> {
  const started = performance.now();
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
  });
  try {
    const target = await Promise.race([probes[check](), timeout]);
    return { status: 'ok', target, latencyMs: elapsed(started) };
  } catch (error) {
    const message = error instanceof Error ? `${error.name === 'Error' ? '' : `${error.name}: `}${error.message}` : String(error);
    return { status: 'failing', target: check, latencyMs: elapsed(started), error: message };
  } finally {
    clearTimeout(timer);
  }
}

function elapsed(started: number): number {
  return Math.round((performance.now() - started) * 10) / 10;
}
