import type { APIGatewayProxyResultV2 } from 'aws-lambda';
import type { Principal } from '#kernel/roles';
import { changeTopics, deleteConnection, getConnection, putConnection } from './connections.store.ts';
import { postMessage } from './fan-out.ts';
import { eventMessage, matchingTopics, refusedTopic, type ServerMessage } from './stream.domain.ts';
import { ClientMessage, ConnectQuery, Topic } from './stream.schema.ts';
import { eventsAfter } from './stream.store.ts';

/**
 * The WebSocket API's routes on AWS: `$connect` (after the authorizer) remembers the connection,
 * `$disconnect` forgets it, `$default` takes the client's messages. The protocol is the local
 * one (stream.domain.ts); on AWS `since` goes in a `subscribe` message, since nothing can be
 * sent to a connection before `$connect` has answered.
 */

export interface WebSocketEvent {
  requestContext: {
    routeKey: string;
    connectionId: string;
    authorizer?: Record<string, unknown>;
  };
  queryStringParameters?: Record<string, string | undefined> | null;
  body?: string | null;
}

const ok: APIGatewayProxyResultV2 = { statusCode: 200 };

export async function handleConnection(event: WebSocketEvent): Promise<APIGatewayProxyResultV2> {
  const { routeKey, connectionId } = event.requestContext;
  if (routeKey === '$connect') return connect(event);
  if (routeKey === '$disconnect') {
    await deleteConnection(connectionId);
    return ok;
  }
  await receive(connectionId, event.body ?? '');
  return ok;
}

/** The principal the authorizer put in the request context (its values are strings). */
export function principalOfContext(context: Record<string, unknown> | undefined): Principal | undefined {
  if (!context?.keyId) return undefined;
  return {
    keyId: String(context.keyId),
    name: String(context.name),
    role: String(context.role) as Principal['role'],
    services: JSON.parse(String(context.services)) as string[] | null,
  };
}

async function connect(event: WebSocketEvent): Promise<APIGatewayProxyResultV2> {
  const principal = principalOfContext(event.requestContext.authorizer);
  if (!principal) return { statusCode: 401 };
  const query = ConnectQuery.safeParse(event.queryStringParameters ?? {});
  if (!query.success) return { statusCode: 400 };
  const topics = (query.data.topics ?? '').split(',').filter((topic) => topic !== '');
  if (topics.some((topic) => !Topic.safeParse(topic).success)) return { statusCode: 400 };
  if (refusedTopic(topics, principal)) return { statusCode: 403 };
  await putConnection(event.requestContext.connectionId, principal, topics);
  return ok;
}

async function receive(connectionId: string, body: string): Promise<void> {
  const send = (message: ServerMessage) => postMessage(connectionId, message);
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    await send({ type: 'error', message: 'A message is a JSON object, e.g. {"action":"subscribe","topics":["alerts"]}.' });
    return;
  }
  const message = ClientMessage.safeParse(parsed);
  if (!message.success) {
    await send({ type: 'error', message: message.error.issues.map((issue) => issue.message).join('; ') });
    return;
  }
  if (message.data.action === 'ping') {
    await send({ type: 'pong' });
    return;
  }
  const connection = await getConnection(connectionId);
  if (!connection) return;
  if (message.data.action === 'unsubscribe') {
    await changeTopics(connectionId, 'DELETE', message.data.topics);
    await send({ type: 'unsubscribed', topics: message.data.topics });
    return;
  }
  const refused = refusedTopic(message.data.topics, connection.principal);
  if (refused) {
    await send({ type: 'error', message: `This key may not see ${refused}.` });
    return;
  }
  // Subscribed first, then the replay: an event committed meanwhile may come twice (live and
  // replayed), never not at all; clients drop an id they have seen.
  if (!(await changeTopics(connectionId, 'ADD', message.data.topics))) return;
  if (!(await send({ type: 'subscribed', topics: message.data.topics }))) return;
  const since = message.data.since;
  if (since === undefined) return;
  const wanted = new Set(message.data.topics);
  const replay = await eventsAfter(since, (event) => matchingTopics(event, wanted, connection.principal).length > 0);
  if (!replay.found) {
    await send({ type: 'resync', since: null, reason: replay.reason });
    return;
  }
  for (const event of replay.events) {
    if (!(await send(eventMessage(event, matchingTopics(event, wanted, connection.principal))))) return;
  }
  await send({ type: 'replayed', since, count: replay.events.length });
}
