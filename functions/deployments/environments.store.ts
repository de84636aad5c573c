import { GetCommand } from '@aws-sdk/lib-dynamodb';
import type { Deployment, Environment } from './deployment.domain.ts';
import { documentClient, tableName } from '#kernel/store/client';
import type { Item } from '#kernel/store/event-log';
import { keys } from '#kernel/store/keys';
import { listFilter, type Page, queryPage } from '#kernel/store/pagination';

/** One entry of a deployment's log: every step, weight change and gate result, in order. */
export interface DeploymentLogEntry {
  seq: number;
  at: string;
  type: string;
  message: string;
  weights: Record<string, number> | null;
  step: number | null;
  evidence: unknown;
}

export interface StoredEnvironment {
  environment: Environment;
  seq: number;
}

const ENVIRONMENT_FIELDS = [
  'service',
  'name',
  'traffic',
  'protection',
  'healthGate',
  'createdAt',
  'updatedAt',
  'rev',
  'activeVersion',
  'previousVersion',
  'weights',
  'routingRevision',
  'activeDeploymentId',
  'recentDeploymentIds',
] as const;

export function environmentItem(environment: Environment): Item {
  return {
    ...keys.environmentHead(environment.service, environment.name),
    ...keys.environmentsIndex(environment.service, environment.name),
    entity: 'environment',
    ...environment,
  };
}

export function environmentFromItem(item: Record<string, unknown>): Environment {
  return Object.fromEntries(ENVIRONMENT_FIELDS.map((field) => [field, item[field] ?? null])) as unknown as Environment;
}

export function deploymentItem(deployment: Deployment): Item {
  const active = ['pending', 'in_progress', 'awaiting_approval'].includes(deployment.status);
  return {
    ...keys.deployment(deployment.service, deployment.environment, deployment.id),
    ...keys.deploymentsIndex(deployment.service, deployment.id),
    ...(active ? keys.activeDeploymentsIndex(deployment.id) : {}),
    entity: 'deployment',
    ...deployment,
  };
}

function deploymentFromItem(item: Record<string, unknown>): Deployment {
  const { PK: _pk, SK: _sk, GSI1PK: _g1, GSI1SK: _g1s, GSI2PK: _g2, GSI2SK: _g2s, entity: _e, aggSeq: _seq, ...deployment } = item;
  return deployment as unknown as Deployment;
}

export function deploymentLogItem(deployment: Pick<Deployment, 'service' | 'environment' | 'id'>, entry: DeploymentLogEntry): Item {
  return {
    ...keys.deploymentLog(deployment.service, deployment.environment, deployment.id, entry.seq),
    entity: 'deployment-log',
    ...entry,
  };
}

export function idempotencyItem(service: string, env: string, key: string, deploymentId: string, requestHash: string): Item {
  return { ...keys.idempotency(service, env, key), entity: 'idempotency', deploymentId, requestHash };
}

export async function getEnvironment(service: string, env: string): Promise<StoredEnvironment | undefined> {
  const { Item } = await documentClient().send(
    new GetCommand({ TableName: tableName(), Key: keys.environmentHead(service, env), ConsistentRead: true }),
  );
  return Item ? { environment: environmentFromItem(Item), seq: Number(Item.aggSeq ?? 0) } : undefined;
}

export async function getDeployment(service: string, env: string, id: string): Promise<Deployment | undefined> {
  const { Item } = await documentClient().send(
    new GetCommand({ TableName: tableName(), Key: keys.deployment(service, env, id), ConsistentRead: true }),
  );
  return Item ? deploymentFromItem(Item) : undefined;
}

export async function getIdempotencyRecord(
  service: string,
  env: string,
  key: string,
): Promise<{ deploymentId: string; requestHash: string } | undefined> {
  const { Item } = await documentClient().send(
    new GetCommand({ TableName: tableName(), Key: keys.idempotency(service, env, key), ConsistentRead: true }),
  );
  return Item ? { deploymentId: String(Item.deploymentId), requestHash: String(Item.requestHash) } : undefined;
}

export async function listEnvironments(service: string, options: { limit: number; cursor?: string }): Promise<Page<Environment>> {
  const page = await queryPage({ index: 'GSI1', partition: keys.environmentsListPartition(service), ...options });
  return { items: page.items.map(environmentFromItem), nextCursor: page.nextCursor };
}

/** A service's deployments, newest first (ids are ULIDs), optionally by environment and status. */
export async function listDeployments(
  service: string,
  options: { limit: number; cursor?: string; environment?: string; status?: string },
): Promise<Page<Deployment>> {
  const page = await queryPage({
    index: 'GSI1',
    partition: keys.deploymentsListPartition(service),
    ...listFilter({ environment: options.environment, status: options.status }),
    limit: options.limit,
    cursor: options.cursor,
    newestFirst: true,
  });
  return { items: page.items.map(deploymentFromItem), nextCursor: page.nextCursor };
}

export async function listDeploymentLog(
  deployment: Pick<Deployment, 'service' | 'environment' | 'id'>,
  options: { limit: number; cursor?: string },
): Promise<Page<DeploymentLogEntry>> {
  const page = await queryPage({
    partition: keys.environmentAggregate(deployment.service, deployment.environment),
    sortKeyCondition: 'begins_with(#sk, :prefix)',
    values: { ':prefix': keys.deploymentLogPrefix(deployment.id) },
    consistent: true,
    ...options,
  });
  return {
    items: page.items.map(
      ({ seq, at, type, message, weights, step, evidence }) => ({ seq, at, type, message, weights, step, evidence }) as DeploymentLogEntry,
    ),
    nextCursor: page.nextCursor,
  };
}

/** Deployments still running anywhere: the local runtime settles them after a restart. */
export async function listActiveDeployments(): Promise<Deployment[]> {
  const found: Deployment[] = [];
  let cursor: string | undefined;
  do {
    const page = await queryPage({ index: 'GSI2', partition: keys.activeDeploymentsPartition, limit: 100, cursor });
    found.push(...page.items.map(deploymentFromItem));
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  return found;
}

/** Finds a deployment by id alone (API paths do not name its environment). */
export async function findDeployment(service: string, id: string): Promise<Deployment | undefined> {
  const page = await queryPage({
    index: 'GSI1',
    partition: keys.deploymentsListPartition(service),
    sortKeyCondition: '#sk = :id',
    values: { ':id': id },
    limit: 1,
  });
  const found = page.items[0];
  if (!found) return undefined;
  // The index may lag a moment behind; the item itself is read consistently.
  return getDeployment(service, String(found.environment), id);
}
