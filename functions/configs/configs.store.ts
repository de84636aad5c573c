import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { batchGetAll } from '#kernel/store/batch';
import type { Actor } from '#kernel/store/event-log';
import type { Item } from '#kernel/store/event-log';
import type { JsonObject, LayerSummary } from './config.domain.ts';
import { documentClient, tableName } from '#kernel/store/client';
import { keys } from '#kernel/store/keys';
import { type Page, queryPage } from '#kernel/store/pagination';

/**
 * A service's configuration is one aggregate (`CFG#<service>`). Its head item summarises every
 * layer (version, extends) and each environment's variables revision: enough to compute the
 * chain and the resolved ETag from one read. Layer contents live in immutable version items.
 */
export interface ConfigHead {
  service: string;
  layers: Record<string, LayerSummary>;
  /** Revision of each environment's variables (absent: none set). */
  variables: Record<string, number>;
  schemaVersion: number | null;
}

export interface StoredConfigHead {
  head: ConfigHead;
  seq: number;
}

export interface LayerVersion {
  service: string;
  layer: string;
  version: number;
  extends: string | null;
  values: JsonObject;
  message: string | null;
  author: Actor;
  createdAt: string;
  /** Set when this version restored an earlier one's content. */
  restoredFrom: number | null;
}

export interface StoredSchema {
  schema: object;
  version: number;
  updatedAt: string;
}

export interface StoredVariables {
  environment: string;
  variables: Record<string, string>;
  rev: number;
  updatedAt: string;
}

export function emptyHead(service: string): ConfigHead {
  return { service, layers: {}, variables: {}, schemaVersion: null };
}

export function configHeadItem(head: ConfigHead): Item {
  return { ...keys.configHead(head.service), entity: 'config-head', ...head };
}

export function layerVersionItem(version: LayerVersion): Item {
  return { ...keys.configLayerVersion(version.service, version.layer, version.version), entity: 'config-version', ...version };
}

export function schemaItem(service: string, schema: StoredSchema): Item {
  return { ...keys.configSchema(service), entity: 'config-schema', ...schema };
}

export function variablesItem(service: string, variables: StoredVariables): Item {
  return { ...keys.configVariables(service, variables.environment), entity: 'config-variables', ...variables };
}

export async function getConfigHead(service: string): Promise<StoredConfigHead> {
  const { Item } = await documentClient().send(
    new GetCommand({ TableName: tableName(), Key: keys.configHead(service), ConsistentRead: true }),
  );
  if (!Item) return { head: emptyHead(service), seq: 0 };
  const { layers, variables, schemaVersion } = Item as unknown as ConfigHead;
  return {
    head: { service, layers: layers ?? {}, variables: variables ?? {}, schemaVersion: schemaVersion ?? null },
    seq: Number(Item.aggSeq ?? 0),
  };
}

function layerVersionFrom(item: Record<string, unknown>): LayerVersion {
  const { service, layer, version, values, message, author, createdAt, restoredFrom } = item as unknown as LayerVersion;
  return {
    service,
    layer,
    version,
    extends: (item.extends as string | null) ?? null,
    values,
    message: message ?? null,
    author,
    createdAt,
    restoredFrom: restoredFrom ?? null,
  };
}

export async function getLayerVersion(service: string, layer: string, version: number): Promise<LayerVersion | undefined> {
  const { Item } = await documentClient().send(
    new GetCommand({ TableName: tableName(), Key: keys.configLayerVersion(service, layer, version), ConsistentRead: true }),
  );
  return Item ? layerVersionFrom(Item) : undefined;
}

/**
 * Reads layer versions and environments' variables in as few round trips as BatchGet allows
 * (100 keys a call), retrying keys DynamoDB leaves unprocessed.
 */
export async function getMany(
  service: string,
  wanted: { layers: Array<{ layer: string; version: number }>; variablesOf?: string[] },
): Promise<{ layers: Map<string, LayerVersion>; variables: Map<string, Record<string, string>> }> {
  const wantedKeys: Record<string, unknown>[] = [
    ...wanted.layers.map(({ layer, version }) => keys.configLayerVersion(service, layer, version)),
    ...(wanted.variablesOf ?? []).map((environment) => keys.configVariables(service, environment)),
  ];
  const layers = new Map<string, LayerVersion>();
  const variables = new Map<string, Record<string, string>>();
  for (const item of await batchGetAll(wantedKeys)) {
    if (item.entity === 'config-version') layers.set(String(item.layer), layerVersionFrom(item));
    if (item.entity === 'config-variables') variables.set(String(item.environment), (item.variables as Record<string, string>) ?? {});
  }
  return { layers, variables };
}

export async function getSchema(service: string): Promise<StoredSchema | undefined> {
  const { Item } = await documentClient().send(
    new GetCommand({ TableName: tableName(), Key: keys.configSchema(service), ConsistentRead: true }),
  );
  return Item ? { schema: Item.schema as object, version: Number(Item.version), updatedAt: String(Item.updatedAt) } : undefined;
}

export async function getVariables(service: string, environment: string): Promise<StoredVariables | undefined> {
  const { Item } = await documentClient().send(
    new GetCommand({ TableName: tableName(), Key: keys.configVariables(service, environment), ConsistentRead: true }),
  );
  return Item
    ? { environment, variables: Item.variables as Record<string, string>, rev: Number(Item.rev), updatedAt: String(Item.updatedAt) }
    : undefined;
}

/** A layer's versions, newest first. */
export async function listLayerVersions(
  service: string,
  layer: string,
  options: { limit: number; cursor?: string },
): Promise<Page<LayerVersion>> {
  const page = await queryPage({
    partition: keys.configAggregate(service),
    sortKeyCondition: 'begins_with(#sk, :prefix)',
    values: { ':prefix': keys.configLayerVersionPrefix(layer) },
    newestFirst: true,
    ...options,
  });
  return { items: page.items.map(layerVersionFrom), nextCursor: page.nextCursor };
}
