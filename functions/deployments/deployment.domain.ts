import type { DeploymentPlan } from './plan.domain.ts';

/** A deployment's life: pending → (awaiting_approval →) in_progress → one of the final statuses. */
export const DEPLOYMENT_STATUSES = [
  'pending',
  'in_progress',
  'awaiting_approval',
  'succeeded',
  'rolled_back',
  'failed',
  'cancelled',
] as const;
export type DeploymentStatus = (typeof DEPLOYMENT_STATUSES)[number];
export const ACTIVE_STATUSES: readonly DeploymentStatus[] = ['pending', 'in_progress', 'awaiting_approval'];

export function isActive(status: DeploymentStatus): boolean {
  return ACTIVE_STATUSES.includes(status);
}

export const TRAFFIC_DRIVERS = ['none', 'http', 'lambda-alias'] as const;
export type TrafficConfig =
  | { driver: 'none' }
  | { driver: 'http'; url: string }
  | { driver: 'lambda-alias'; functionName: string; alias: string };

export interface HealthGate {
  probe?: { url: string; expectStatus?: number; maxLatencyMs?: number; intervalSeconds?: number; minSuccessRatio?: number };
  alarms?: string[];
  /** Steward's own health checks of the service in the deployment's environment: none may be unhealthy (default true). */
  healthChecks?: boolean;
  /** Steward's open alerts of the service in that environment: none may be this severe (default `{ minSeverity: 'critical' }`). */
  alerts?: { minSeverity?: GateAlertSeverity } | false;
  failFast?: boolean;
  /** A model's canary judged at each bake's end against the version serving the rest, on their inferences (issue 10). */
  judge?: CanaryJudgeConfig;
}

export const JUDGE_METRICS = ['errorRate', 'latencyP95', 'confidence'] as const;

export interface CanaryJudgeConfig {
  metrics: Array<(typeof JUDGE_METRICS)[number]>;
  minSamples?: number;
  passScore?: number;
  marginalScore?: number;
  maxExtensions?: number;
  onInconclusive?: 'rollback' | 'continue';
}

export const GATE_ALERT_SEVERITIES = ['warning', 'critical'] as const;
export type GateAlertSeverity = (typeof GATE_ALERT_SEVERITIES)[number];

export interface Protection {
  requiresApproval: boolean;
  approvalTimeoutMinutes: number;
  allowedStrategies: string[] | null;
}

export interface Environment {
  service: string;
  name: string;
  traffic: TrafficConfig;
  protection: Protection;
  healthGate: HealthGate | null;
  createdAt: string;
  updatedAt: string;
  rev: number;
  activeVersion: string | null;
  previousVersion: string | null;
  weights: Record<string, number>;
  routingRevision: number;
  activeDeploymentId: string | null;
  /** Newest first, at most ten. */
  recentDeploymentIds: string[];
}

export interface GateCheck {
  at: string;
  passed: boolean;
  probes: { ok: number; total: number; failures: string[] } | null;
  alarms: { firing: string[] } | null;
  /** Steward's health checks of the service in the environment that are unhealthy; null when not read. */
  healthChecks: { unhealthy: Array<{ id: string; url: string }> } | null;
  /** Steward's open alerts of the service in the environment at the gate's severity or above; null when not read. */
  alerts: { open: Array<{ id: string; name: string; severity: string }> } | null;
  /** The canary judge's judgement at the bake's end (each metric with its numbers), when the gate has a judge. */
  judge?: unknown;
}

export interface Deployment {
  id: string;
  service: string;
  environment: string;
  version: string;
  fromVersion: string | null;
  plan: DeploymentPlan;
  healthGate: HealthGate | null;
  reason: string | null;
  status: DeploymentStatus;
  /** Index of the step being applied or baked; -1 before the first. */
  currentStep: number;
  /** When the current step's weights were recorded (absent on deployments recorded before it was kept). */
  stepStartedAt?: string | null;
  /** When the current step's bake ends (scaled by STEWARD_TIME_SCALE locally); null with no bake. */
  stepEndsAt?: string | null;
  weights: Record<string, number>;
  /** Weights before the deployment, restored by a rollback or cancel. */
  baselineWeights: Record<string, number>;
  requiresApproval: boolean;
  approvalDeadline: string | null;
  approvedBy: { keyId: string; name: string } | null;
  createdBy: { keyId: string; name: string };
  createdAt: string;
  startedAt: string | null;
  updatedAt: string;
  finishedAt: string | null;
  failureReason: string | null;
  /** Gate results in the current step, for its success ratio. */
  stepChecks: GateCheck[];
  /** How many times the canary judge extended the current step's bake. */
  judgeExtensions?: number;
  /** Blue-green: until when the previous version is kept for an instant rollback. */
  rollbackWindowEndsAt: string | null;
  idempotencyKey: string | null;
}

/**
 * The Lambda version a Steward version's artifact names (`{ type: "lambda-version", uri: "7" }`
 * or `"<function ARN>:7"`), or undefined when it names none: a lambda-alias environment can
 * deploy only versions that name one.
 */
export function lambdaVersionNumber(artifact: { type: string; uri: string } | null | undefined): string | undefined {
  if (artifact?.type !== 'lambda-version') return undefined;
  return artifact.uri.match(/(?:^|:)(\d+)$/)?.[1];
}

/** When the step under way ends: its bake's end, or null when it has no bake (or before the first step). */
export function currentStepView(deployment: Pick<Deployment, 'currentStep' | 'plan' | 'stepStartedAt' | 'stepEndsAt' | 'status'>): {
  index: number;
  percent: number | null;
  bakeSeconds: number | null;
  startedAt: string | null;
  endsAt: string | null;
} {
  const step = deployment.plan.steps[deployment.currentStep];
  const running = isActive(deployment.status);
  return {
    index: deployment.currentStep,
    percent: step?.percent ?? null,
    bakeSeconds: step?.bakeSeconds ?? null,
    startedAt: step ? (deployment.stepStartedAt ?? null) : null,
    endsAt: step && running ? (deployment.stepEndsAt ?? null) : null,
  };
}

/**
 * What a failed workflow step tells a person: the error's own message, never its class name
 * ("TransientError: …") or a stack. Step Functions hands a Catch `{ Error, Cause }`, the Cause
 * of a Lambda error being JSON (`{"errorType","errorMessage","trace"}`); the local engine's Cause
 * is the message itself.
 */
export function workflowFailureReason(error: { Error?: string; Cause?: string } | undefined): string {
  let message = error?.Cause?.trim() ?? '';
  if (message.startsWith('{')) {
    try {
      const parsed = JSON.parse(message) as { errorMessage?: unknown };
      message = typeof parsed.errorMessage === 'string' ? parsed.errorMessage.trim() : '';
    } catch {
      // not JSON after all: keep the text
    }
  }
  message = message.replace(/^(?:[A-Z]\w*(?:Error|Exception)|Error)(?:\s*\[[^\]]*\])?:\s*/, '');
  if (message) return /[.!?]$/.test(message) ? message : `${message}.`;
  if (error?.Error === 'States.Timeout') return 'A step of the deployment timed out.';
  return 'A step of the deployment failed.';
}
