import type { Deployment, Environment } from './deployment.domain.ts';

/** What a weight change tells the data plane: which version gets which share of traffic. */
export interface WeightChange {
  service: string;
  environment: string;
  weights: Record<string, number>;
  /** Increases with every change, so a router can ignore one that arrives late. */
  revision: number;
  deploymentId: string | null;
}

/** Puts weights into effect in the real system. Throws TransientError for failures worth retrying. */
export interface TrafficDriver {
  apply(change: WeightChange, context: { environment: Environment; deployment: Deployment | null }): Promise<void>;
}
