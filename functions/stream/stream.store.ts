import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { documentClient, tableName } from '#kernel/store/client';
import { keys } from '#kernel/store/keys';
import { type StreamEvent, streamEventOf, ulidTime } from './stream.domain.ts';

/** At most this many events are replayed; a client further behind is told to resync (reload, then stream). */
export const MAX_REPLAY = 5_000;

/**
 * How far before the `since` event's id time its `at` may lie: the id is made just before the
 * event's time is read, so they differ by a millisecond or so; the margin covers a slow clock read.
 */
const ID_TIME_MARGIN_MS = 5_000;

export type Replay = { found: true; events: StreamEvent[] } | { found: false; reason: string };

/**
 * What a client missed: the events after `since`, in the audit trail's order (time, then id),
 * from GSI1 AUDIT. Only the attributes the stream shows are read, not the projected items.
 */
export async function eventsAfter(since: string, filter: (event: StreamEvent) => boolean): Promise<Replay> {
  const from = new Date(Math.max(0, ulidTime(since) - ID_TIME_MARGIN_MS)).toISOString();
  const events: StreamEvent[] = [];
  let found = false;
  let read = 0;
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await documentClient().send(
      new QueryCommand({
        TableName: tableName(),
        IndexName: 'GSI1',
        KeyConditionExpression: 'GSI1PK = :audit AND GSI1SK >= :from',
        ExpressionAttributeValues: { ':audit': keys.auditPartition, ':from': from },
        ProjectionExpression: 'eventId, #type, #at, actor, service, subject, changes, seq',
        ExpressionAttributeNames: { '#type': 'type', '#at': 'at' },
        ExclusiveStartKey: startKey,
        Limit: 500,
      }),
    );
    for (const item of page.Items ?? []) {
      read++;
      const event = streamEventOf(item);
      if (!found) {
        if (event.id === since) found = true;
        continue;
      }
      if (!filter(event)) continue;
      if (events.length >= MAX_REPLAY) return { found: false, reason: `more than ${MAX_REPLAY} events were missed` };
      events.push(event);
    }
    // Not found in the first stretch after its own time: the id names no event.
    if (!found && read > 0 && page.Items?.some((item) => String(item.at) > new Date(ulidTime(since) + ID_TIME_MARGIN_MS).toISOString())) {
      break;
    }
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  return found ? { found, events } : { found: false, reason: `event ${since} is not in the event log` };
}
