import * as z from 'zod';

/**
 * The stream's topics: one deployment's progress, one service's events, every alert, every
 * incident, or everything (`*`). A key limited to services only ever gets its services' events.
 */
export const Topic = z.string().regex(/^(\*|alerts|incidents|services\/[a-z0-9][a-z0-9-]{0,62}|deployments\/[0-9A-HJKMNP-TV-Z]{26})$/, {
  message: 'a topic is "*", "alerts", "incidents", "services/<name>" or "deployments/<id>"',
});

/** An event id (a ULID): the last one a client saw. */
export const EventId = z.string().regex(/^[0-9A-HJKMNP-TV-Z]{26}$/, { message: 'since is an event id (a ULID)' });

/**
 * What a client may send: subscribe to or unsubscribe from topics (at most 50 per message); a
 * subscribe with `since` first replays what the client missed on those topics.
 */
export const ClientMessage = z.discriminatedUnion('action', [
  z.strictObject({ action: z.literal('subscribe'), topics: z.array(Topic).min(1).max(50), since: EventId.optional() }),
  z.strictObject({ action: z.literal('unsubscribe'), topics: z.array(Topic).min(1).max(50) }),
  z.strictObject({ action: z.literal('ping') }),
]);
export type ClientMessage = z.infer<typeof ClientMessage>;

/** A connection's query: `since` replays what the client missed after that event id (a ULID). */
export const ConnectQuery = z.object({
  since: EventId.optional(),
  topics: z.string().optional(),
});
