import { ApiGatewayManagementApiClient, DeleteConnectionCommand, PostToConnectionCommand } from '@aws-sdk/client-apigatewaymanagementapi';
import { logger } from '#kernel/logger';
import { deleteConnection, listConnections, type StreamConnection } from './connections.store.ts';
import { eventMessage, matchingTopics, type ServerMessage, type StreamEvent } from './stream.domain.ts';

/**
 * The stream on AWS: API Gateway's WebSocket API holds the sockets, and messages reach them
 * through its management API (`STREAM_ENDPOINT`, the stage's https URL). A connection that is
 * gone answers 410 and is forgotten.
 */

let client: ApiGatewayManagementApiClient | undefined;

export function configureStreamClient(next: ApiGatewayManagementApiClient | undefined): void {
  client = next;
}

function managementClient(): ApiGatewayManagementApiClient {
  if (!client) {
    const endpoint = process.env.STREAM_ENDPOINT;
    if (!endpoint) throw new Error('STREAM_ENDPOINT is not set');
    client = new ApiGatewayManagementApiClient({ endpoint });
  }
  return client;
}

/** Sends one message; false when the connection is gone (and it has been removed). */
export async function postMessage(connectionId: string, message: ServerMessage): Promise<boolean> {
  try {
    await managementClient().send(new PostToConnectionCommand({ ConnectionId: connectionId, Data: Buffer.from(JSON.stringify(message)) }));
    return true;
  } catch (error) {
    if (
      (error as { name?: string }).name === 'GoneException' ||
      (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode === 410
    ) {
      await deleteConnection(connectionId);
      return false;
    }
    throw error;
  }
}

/** Closes a connection from the server side (a client too slow for its messages). */
export async function closeConnection(connectionId: string): Promise<void> {
  await managementClient()
    .send(new DeleteConnectionCommand({ ConnectionId: connectionId }))
    .catch(() => undefined);
  await deleteConnection(connectionId);
}

const CONCURRENCY = 50;

/**
 * Sends a batch of committed events, in order, to every connection subscribed to them and allowed
 * to see them. Each connection gets its events in order (one after another); connections are
 * served in parallel, so a slow or failing one does not hold the others. Never throws: the
 * notification path it runs beside must not be retried for a stream delivery.
 */
export async function fanOut(events: StreamEvent[]): Promise<{ sent: number; gone: number; failed: number }> {
  const outcome = { sent: 0, gone: 0, failed: 0 };
  if (events.length === 0) return outcome;
  let connections: StreamConnection[];
  try {
    connections = await listConnections();
  } catch (error) {
    logger.error('stream fan-out could not list connections', { error });
    return outcome;
  }
  const queue = [...connections];
  const worker = async () => {
    for (let connection = queue.shift(); connection; connection = queue.shift()) {
      const subscribed = new Set(connection.topics);
      for (const event of events) {
        const topics = matchingTopics(event, subscribed, connection.principal);
        if (topics.length === 0) continue;
        try {
          if (await postMessage(connection.connectionId, eventMessage(event, topics))) outcome.sent++;
          else {
            outcome.gone++;
            break;
          }
        } catch (error) {
          // Throttled or failing: this connection would miss events, so it is closed instead; the
          // client reconnects and resumes with `since` (the last id it got).
          outcome.failed++;
          logger.warn('stream delivery failed; closing the connection', {
            connectionId: connection.connectionId,
            eventId: event.id,
            error,
          });
          await closeConnection(connection.connectionId).catch(() => undefined);
          break;
        }
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(CONCURRENCY, connections.length) }, worker));
  return outcome;
}
