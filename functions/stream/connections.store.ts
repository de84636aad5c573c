import { DeleteCommand, PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { Principal } from '#kernel/roles';
import { documentClient, tableName } from '#kernel/store/client';
import { keys } from '#kernel/store/keys';
import { TTL_ATTRIBUTE } from '#kernel/store/table-definition';

/**
 * The stream's WebSocket connections on AWS (API Gateway holds the sockets; the table remembers
 * who each connection is and what it subscribed to). Not events: connection state, with a TTL a
 * little past API Gateway's two-hour limit on a connection, so a `$disconnect` that never came
 * does not leave it behind for long.
 */

export interface StreamConnection {
  connectionId: string;
  principal: Principal;
  topics: string[];
  connectedAt: string;
}

const CONNECTION_TTL_SECONDS = 2 * 3600 + 600;

export async function putConnection(connectionId: string, principal: Principal, topics: string[], now = new Date()): Promise<void> {
  await documentClient().send(
    new PutCommand({
      TableName: tableName(),
      Item: {
        ...keys.streamConnection(connectionId),
        connectionId,
        principal,
        // A string set, so that subscribe and unsubscribe are atomic ADD and DELETE (no lost update).
        ...(topics.length > 0 ? { topics: new Set(topics) } : {}),
        connectedAt: now.toISOString(),
        [TTL_ATTRIBUTE]: Math.floor(now.getTime() / 1000) + CONNECTION_TTL_SECONDS,
      },
    }),
  );
}

/** Adds or removes topics; false when the connection is gone. */
export async function changeTopics(connectionId: string, action: 'ADD' | 'DELETE', topics: string[]): Promise<boolean> {
  try {
    await documentClient().send(
      new UpdateCommand({
        TableName: tableName(),
        Key: keys.streamConnection(connectionId),
        UpdateExpression: `${action} topics :topics`,
        ConditionExpression: 'attribute_exists(PK)',
        ExpressionAttributeValues: { ':topics': new Set(topics) },
      }),
    );
    return true;
  } catch (error) {
    if ((error as Error).name === 'ConditionalCheckFailedException') return false;
    throw error;
  }
}

export async function getConnection(connectionId: string): Promise<StreamConnection | undefined> {
  const page = await documentClient().send(
    new QueryCommand({
      TableName: tableName(),
      KeyConditionExpression: 'PK = :pk AND SK = :sk',
      ExpressionAttributeValues: { ':pk': keys.streamConnectionsPartition, ':sk': keys.streamConnection(connectionId).SK },
      ConsistentRead: true,
    }),
  );
  const item = page.Items?.[0];
  return item ? connectionOf(item) : undefined;
}

export async function deleteConnection(connectionId: string): Promise<void> {
  await documentClient().send(new DeleteCommand({ TableName: tableName(), Key: keys.streamConnection(connectionId) }));
}

/** Every connection that subscribed to something (the fan-out reads them once per batch of events). */
export async function listConnections(): Promise<StreamConnection[]> {
  const connections: StreamConnection[] = [];
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await documentClient().send(
      new QueryCommand({
        TableName: tableName(),
        KeyConditionExpression: 'PK = :pk',
        FilterExpression: 'attribute_exists(topics)',
        ExpressionAttributeValues: { ':pk': keys.streamConnectionsPartition },
        ExclusiveStartKey: startKey,
      }),
    );
    for (const item of page.Items ?? []) connections.push(connectionOf(item));
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  return connections;
}

function connectionOf(item: Record<string, unknown>): StreamConnection {
  const topics = item.topics;
  return {
    connectionId: String(item.connectionId),
    principal: item.principal as Principal,
    topics: topics instanceof Set ? [...(topics as Set<string>)] : Array.isArray(topics) ? (topics as string[]) : [],
    connectedAt: String(item.connectedAt),
  };
}
