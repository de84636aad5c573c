import type { Principal } from '#kernel/roles';
import { canSeeService } from '#kernel/roles';

/**
 * The stream protocol (docs/architecture.md §5, README "Live events"), the same locally (`ws` on
 * `/v1/stream`) and on AWS (API Gateway WebSocket API). Pure: no socket, no table.
 *
 * client → server  {"action":"subscribe","topics":["deployments/01J…","alerts"]}
 *                  {"action":"unsubscribe","topics":["alerts"]}   {"action":"ping"}
 * server → client  {"type":"event","id":"<event id>","topics":[…],"event":{…the audit record…}}
 *                  {"type":"subscribed","topics":[…]}  {"type":"unsubscribed","topics":[…]}  {"type":"pong"}
 *                  {"type":"replayed","since":"<id>","count":n}   (after a `since` replay, before live events)
 *                  {"type":"resync","since":"<last id delivered>","reason":"…"}  (then the server closes: reconnect with since)
 *                  {"type":"error","message":"…"}
 */

/** An event as the stream shows it: the audit record (what `GET /v1/audit` shows), without projected items. */
export interface StreamEvent {
  id: string;
  type: string;
  at: string;
  actor: { keyId: string; name: string };
  service: string | null;
  subject: string;
  changes: { before: unknown; after: unknown };
  seq: number;
}

export type ServerMessage =
  | { type: 'event'; id: string; topics: string[]; event: StreamEvent }
  | { type: 'subscribed' | 'unsubscribed'; topics: string[] }
  | { type: 'pong' }
  | { type: 'replayed'; since: string; count: number }
  | { type: 'resync'; since: string | null; reason: string }
  | { type: 'error'; message: string };

/** The WebSocket close code after a `resync` message: the client reconnects with `since`. */
export const RESYNC_CLOSE_CODE = 4000;

/** Close codes for a refused connection (the local server; API Gateway answers the upgrade with 401/403 itself). */
export const UNAUTHORIZED_CLOSE_CODE = 4401;

/** Events no stream carries: key management stays in the audit trail for admins. */
const HIDDEN_PREFIXES = ['apikey.'];

/** The topics an event belongs to. */
export function topicsOf(event: Pick<StreamEvent, 'type' | 'service' | 'subject'>): string[] {
  const topics = ['*'];
  if (event.service) topics.push(`services/${event.service}`);
  const deployment = /^deployment\/([0-9A-Z]{26})$/.exec(event.subject);
  if (deployment) topics.push(`deployments/${deployment[1]}`);
  if (event.type.startsWith('alert.')) topics.push('alerts');
  if (event.type.startsWith('incident.')) topics.push('incidents');
  return topics;
}

/** Whether this principal may see the event at all: its services only when it is limited to some. */
export function visibleTo(event: Pick<StreamEvent, 'type' | 'service'>, principal: Principal): boolean {
  if (HIDDEN_PREFIXES.some((prefix) => event.type.startsWith(prefix))) return false;
  if (principal.services === null) return true;
  return event.service !== null && canSeeService(principal, event.service);
}

/** The topics of the event that a connection subscribed to and may see; empty when it gets nothing. */
export function matchingTopics(event: StreamEvent, subscribed: ReadonlySet<string>, principal: Principal): string[] {
  if (!visibleTo(event, principal)) return [];
  return topicsOf(event).filter((topic) => subscribed.has(topic));
}

/** A topic naming a service the key is not limited to is refused (every other topic is filtered instead). */
export function refusedTopic(topics: readonly string[], principal: Principal): string | undefined {
  if (principal.services === null) return undefined;
  return topics.find((topic) => topic.startsWith('services/') && !canSeeService(principal, topic.slice('services/'.length)));
}

/** The message for an event a connection gets. */
export function eventMessage(event: StreamEvent, topics: string[]): ServerMessage {
  return { type: 'event', id: event.id, topics, event };
}

/** The stream's view of a stored event item (an event item, or a committed StoredEvent). */
export function streamEventOf(item: Record<string, unknown>): StreamEvent {
  const event = item as {
    eventId: string;
    type: string;
    at: string;
    actor: { keyId: string; name: string };
    service?: string;
    subject: string;
    changes: { before: unknown; after: unknown };
    seq: number;
  };
  return {
    id: event.eventId,
    type: event.type,
    at: event.at,
    actor: { keyId: event.actor.keyId, name: event.actor.name },
    service: event.service ?? null,
    subject: event.subject,
    changes: event.changes,
    seq: event.seq,
  };
}

/** The millisecond a ULID was made at (its first 10 characters, Crockford base 32). */
export function ulidTime(id: string): number {
  const alphabet = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
  let time = 0;
  for (const char of id.slice(0, 10)) time = time * 32 + alphabet.indexOf(char);
  return time;
}
