import { GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { DEFAULT_POLICY, type VersionPolicy } from './policy.domain.ts';
import { documentClient, isConditionFailure, tableName } from '#kernel/store/client';
import { getHead, type Item } from '#kernel/store/event-log';
import { keys } from '#kernel/store/keys';
import { type Page, queryDueItems, queryPage } from '#kernel/store/pagination';
import { TTL_ATTRIBUTE } from '#kernel/store/table-definition';

/**
 * A service's API contracts are one aggregate (`APICONTRACT#<service>`, docs/architecture.md §3):
 * its head holds the version policy; beside it, one pointer per version to its OpenAPI document
 * (digest, size, where the bytes are: the document store), the consumers, and migration plans.
 */

export interface ContractsHead {
  service: string;
  policy: VersionPolicy;
  updatedAt: string | null;
  /** Increases with every change of the policy; its ETag. */
  rev: number;
}

export interface OpenApiPointer {
  service: string;
  version: string;
  /** sha256 of the canonical JSON of the document: `sha256:<hex>`. */
  digest: string;
  /** Where the bytes are in the document store. */
  key: string;
  mediaType: 'application/json' | 'application/yaml';
  size: number;
  openapi: string;
  title: string | null;
  operationCount: number;
  uploadedAt: string;
  uploadedBy: string;
}

export interface Consumer {
  service: string;
  consumer: string;
  contact: string | null;
  description: string | null;
  createdAt: string;
  updatedAt: string;
}

export function headItem(head: ContractsHead): Item {
  return { ...keys.apiContractsHead(head.service), entity: 'api-contracts', ...head };
}

export async function readHead(service: string): Promise<{ head: ContractsHead; seq: number }> {
  const found = await getHead(keys.apiContractsAggregate(service));
  if (!found) return { head: { service, policy: DEFAULT_POLICY, updatedAt: null, rev: 0 }, seq: 0 };
  const item = found.item;
  return {
    head: {
      service,
      policy: { ...DEFAULT_POLICY, ...(item.policy as Partial<VersionPolicy>) },
      updatedAt: (item.updatedAt as string | null) ?? null,
      rev: Number(item.rev ?? 0),
    },
    seq: found.seq,
  };
}

export function pointerItem(pointer: OpenApiPointer, precedence: string): Item {
  return { ...keys.openApiDocument(pointer.service, precedence), entity: 'openapi-document', precedence, ...pointer };
}

const POINTER_FIELDS = [
  'service',
  'version',
  'digest',
  'key',
  'mediaType',
  'size',
  'openapi',
  'title',
  'operationCount',
  'uploadedAt',
  'uploadedBy',
] as const;

export async function getPointer(service: string, precedence: string): Promise<OpenApiPointer | undefined> {
  const { Item } = await documentClient().send(
    new GetCommand({ TableName: tableName(), Key: keys.openApiDocument(service, precedence), ConsistentRead: true }),
  );
  return Item ? (Object.fromEntries(POINTER_FIELDS.map((field) => [field, Item[field] ?? null])) as unknown as OpenApiPointer) : undefined;
}

export function consumerItem(consumer: Consumer): Item {
  return { ...keys.consumer(consumer.service, consumer.consumer), entity: 'consumer', ...consumer };
}

function consumerFromItem(item: Record<string, unknown>): Consumer {
  return {
    service: String(item.service),
    consumer: String(item.consumer),
    contact: (item.contact as string | null) ?? null,
    description: (item.description as string | null) ?? null,
    createdAt: String(item.createdAt),
    updatedAt: String(item.updatedAt),
  };
}

export async function getConsumer(service: string, consumer: string): Promise<Consumer | undefined> {
  const { Item } = await documentClient().send(
    new GetCommand({ TableName: tableName(), Key: keys.consumer(service, consumer), ConsistentRead: true }),
  );
  return Item ? consumerFromItem(Item) : undefined;
}

export async function listConsumers(service: string, options: { limit: number; cursor?: string }): Promise<Page<Consumer>> {
  const page = await queryPage({
    partition: keys.apiContractsAggregate(service),
    sortKeyCondition: 'begins_with(#sk, :prefix)',
    values: { ':prefix': keys.consumerPrefix },
    limit: options.limit,
    cursor: options.cursor,
    consistent: true,
  });
  return { items: page.items.map(consumerFromItem), nextCursor: page.nextCursor };
}

export interface MigrationPlan {
  id: string;
  service: string;
  from: string;
  to: string;
  environment: string;
  strategy: 'immediate' | 'gradual' | 'scheduled' | 'manual';
  startAt: string | null;
  steps: { percent: number; intervalMinutes: number } | null;
  status: 'planned' | 'in_progress' | 'completed' | 'cancelled';
  consumerActions: Array<{ change: string; operation: string | null; pointer: string; action: string }>;
  /** Whether both versions had an OpenAPI document to compare (no actions can be listed otherwise). */
  contractCompared: boolean;
  affectedConsumers: Array<{ consumer: string; contact: string | null; lastSeenAt: string; requests: number }>;
  deploymentId: string | null;
  timeline: Array<{ at: string; status: string; note: string }>;
  createdAt: string;
  updatedAt: string;
}

/**
 * When the scheduler next looks at a plan, or undefined when it never needs to: a scheduled plan
 * at its `startAt`, a running one at once (its deployment's end, or a manual plan's quiet window).
 */
export function migrationDueAt(plan: MigrationPlan): string | undefined {
  if (plan.status === 'planned' && plan.strategy === 'scheduled' && plan.startAt) return plan.startAt;
  if (plan.status === 'in_progress') return plan.updatedAt;
  return undefined;
}

/** The plan's item; while the scheduler has something to do with it, in the sparse MIGRATIONS index (GSI2) by when. */
export function migrationItem(plan: MigrationPlan): Item {
  const due = migrationDueAt(plan);
  return { ...keys.migration(plan.service, plan.id), ...(due ? keys.openMigrationsIndex(due, plan.id) : {}), entity: 'migration', ...plan };
}

function migrationFromItem(item: Record<string, unknown>): MigrationPlan {
  const { PK: _pk, SK: _sk, GSI2PK: _gsiPk, GSI2SK: _gsiSk, entity: _entity, aggSeq: _seq, ...plan } = item;
  return plan as unknown as MigrationPlan;
}

export async function getMigration(service: string, id: string): Promise<MigrationPlan | undefined> {
  const { Item } = await documentClient().send(
    new GetCommand({ TableName: tableName(), Key: keys.migration(service, id), ConsistentRead: true }),
  );
  return Item ? migrationFromItem(Item) : undefined;
}

/** Plans due by `now` (scheduled ones whose start time came, running ones), soonest first, with the index key each was listed under. */
export async function listDueMigrations(now: Date, limit: number): Promise<Array<{ plan: MigrationPlan; dueKey: string }>> {
  const due = await queryDueItems(keys.openMigrationsPartition, now, limit);
  return due.map(({ item, dueKey }) => ({ plan: migrationFromItem(item), dueKey }));
}

/**
 * Moves a running plan's next look to `nextDue`, on condition that nobody moved it since it was
 * listed under `seenDueKey` (and that no event rewrote the plan meanwhile): of two scheduler runs,
 * exactly one does a costly check (a manual plan's traffic). False when the other run claimed it.
 * Only the index key changes: the plan's next event writes the item whole again.
 */
export async function claimMigrationCheck(plan: MigrationPlan, seenDueKey: string, nextDue: string): Promise<boolean> {
  try {
    await documentClient().send(
      new UpdateCommand({
        TableName: tableName(),
        Key: keys.migration(plan.service, plan.id),
        UpdateExpression: 'SET GSI2SK = :next',
        ConditionExpression: 'GSI2SK = :seen',
        ExpressionAttributeValues: { ':next': keys.openMigrationsIndex(nextDue, plan.id).GSI2SK, ':seen': seenDueKey },
      }),
    );
    return true;
  } catch (error) {
    if (isConditionFailure(error)) return false;
    throw error;
  }
}

/**
 * A direct upload of an OpenAPI document under way (PUT to a presigned URL, then complete): what
 * was asked for, so that completing it knows the media type and size. Not an event: bookkeeping,
 * deleted by TTL a day on; the document's own event comes when the upload is completed.
 */
export interface OpenApiUpload {
  service: string;
  version: string;
  id: string;
  key: string;
  mediaType: 'application/json' | 'application/yaml';
  size: number;
  createdAt: string;
  createdBy: string;
  /** Until when the URL takes the bytes. */
  urlExpiresAt: string;
}

const UPLOAD_KEPT_SECONDS = 86_400;

export async function putUpload(upload: OpenApiUpload): Promise<void> {
  await documentClient().send(
    new PutCommand({
      TableName: tableName(),
      Item: {
        ...keys.openApiUpload(upload.service, upload.id),
        entity: 'openapi-upload',
        ...upload,
        [TTL_ATTRIBUTE]: Math.floor(Date.parse(upload.createdAt) / 1000) + UPLOAD_KEPT_SECONDS,
      },
    }),
  );
}

export async function getUpload(service: string, id: string): Promise<(OpenApiUpload & { keptUntil: number }) | undefined> {
  const { Item } = await documentClient().send(
    new GetCommand({ TableName: tableName(), Key: keys.openApiUpload(service, id), ConsistentRead: true }),
  );
  if (!Item) return undefined;
  const { PK: _pk, SK: _sk, entity: _entity, [TTL_ATTRIBUTE]: keptUntil, ...upload } = Item;
  return { ...(upload as OpenApiUpload), keptUntil: Number(keptUntil) };
}
