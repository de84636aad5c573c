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
  /** Blue-green: until when the previous version is kept for an instant rollback. */
  rollbackWindowEndsAt: string | null;
  idempotencyKey: string | null;
}
