import { GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { DEFAULT_MODEL_SETTINGS, type ModelSettings, resolveSettings } from './policy.domain.ts';
import { documentClient, tableName } from '#kernel/store/client';
import type { Item } from '#kernel/store/event-log';
import { keys } from '#kernel/store/keys';

/**
 * A model's aggregate (MODEL#<service>): its head holds the policy and settings, and each alias is
 * an item beside it, so moving an alias and changing the policy are decided in one place.
 */

export interface ModelHead {
  service: string;
  /** Null until the policy was first set: the defaults apply. */
  settings: ModelSettings;
  updatedAt: string | null;
  rev: number;
}

export interface ModelAlias {
  service: string;
  alias: string;
  version: string;
  updatedAt: string;
  updatedBy: { keyId: string; name: string };
}

export function modelHeadItem(head: ModelHead): Item {
  return { ...keys.modelHead(head.service), entity: 'model', ...head };
}

export function aliasItem(alias: ModelAlias): Item {
  return { ...keys.modelAlias(alias.service, alias.alias), entity: 'model-alias', ...alias };
}

/** The model's head with the sequence number of its aggregate; the defaults (seq 0) when nothing was set. */
export async function getModelHead(service: string): Promise<{ head: ModelHead; seq: number }> {
  const { Item } = await documentClient().send(
    new GetCommand({ TableName: tableName(), Key: keys.modelHead(service), ConsistentRead: true }),
  );
  if (!Item) return { head: { service, settings: { ...DEFAULT_MODEL_SETTINGS }, updatedAt: null, rev: 0 }, seq: 0 };
  return {
    head: {
      service,
      settings: resolveSettings((Item.settings ?? {}) as Partial<ModelSettings>),
      updatedAt: (Item.updatedAt as string | undefined) ?? null,
      rev: Number(Item.rev ?? 0),
    },
    seq: Number(Item.aggSeq ?? 0),
  };
}

export async function getModelSettings(service: string): Promise<ModelSettings> {
  return (await getModelHead(service)).head.settings;
}

function aliasFromItem(item: Record<string, unknown>): ModelAlias {
  return {
    service: String(item.service),
    alias: String(item.alias),
    version: String(item.version),
    updatedAt: String(item.updatedAt),
    updatedBy: item.updatedBy as ModelAlias['updatedBy'],
  };
}

/** A removed alias is kept as an item with `removed: true` (a projection cannot delete), so it is filtered out here. */
export async function getAlias(service: string, alias: string): Promise<ModelAlias | undefined> {
  const { Item } = await documentClient().send(
    new GetCommand({ TableName: tableName(), Key: keys.modelAlias(service, alias), ConsistentRead: true }),
  );
  return Item && Item.removed !== true ? aliasFromItem(Item) : undefined;
}

/** Every alias of a model (a model has few: bounded by MAX_ALIASES). */
export async function listAliases(service: string): Promise<ModelAlias[]> {
  const aliases: ModelAlias[] = [];
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await documentClient().send(
      new QueryCommand({
        TableName: tableName(),
        KeyConditionExpression: 'PK = :pk AND begins_with(SK, :prefix)',
        ExpressionAttributeValues: { ':pk': keys.modelAggregate(service), ':prefix': keys.modelAliasPrefix },
        ConsistentRead: true,
        ExclusiveStartKey: startKey,
      }),
    );
    for (const item of page.Items ?? []) if (item.removed !== true) aliases.push(aliasFromItem(item));
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  return aliases;
}

/** The model aggregate's events of one type, oldest first (a model's policy, alias and override history). */
export async function listModelEvents(service: string, type: string): Promise<Array<Record<string, unknown>>> {
  const events: Array<Record<string, unknown>> = [];
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await documentClient().send(
      new QueryCommand({
        TableName: tableName(),
        KeyConditionExpression: 'PK = :pk AND begins_with(SK, :prefix)',
        FilterExpression: '#type = :type',
        ExpressionAttributeNames: { '#type': 'type' },
        ExpressionAttributeValues: { ':pk': keys.modelAggregate(service), ':prefix': keys.eventPrefix, ':type': type },
        ConsistentRead: true,
        ExclusiveStartKey: startKey,
      }),
    );
    events.push(...(page.Items ?? []));
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  return events;
}
