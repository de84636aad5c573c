import { ValidationError } from '#kernel/errors';
import type { Principal } from '#kernel/roles';
import type { StoredEvent } from '#kernel/store/event-log';
import { type HeaderValue, redactHeaders } from '#health-checks/health-check.domain';
import { keys } from '#kernel/store/keys';
import { type Page, queryPage } from '#kernel/store/pagination';
import type { IndexName } from '#kernel/store/table-definition';

/** An audit record as clients see it: the event, without the projected items it carries. */
export interface AuditRecord {
  id: string;
  type: string;
  at: string;
  actor: { keyId: string; name: string };
  requestId: string;
  service: string | null;
  subject: string;
  changes: { before: unknown; after: unknown };
  seq: number;
}

export interface AuditQuery {
  service?: string;
  actor?: string;
  /** An event type, or a family such as `version.*`. */
  type?: string;
  /** Inclusive lower bound (ISO 8601). */
  from?: string;
  /** Exclusive upper bound (ISO 8601). */
  to?: string;
  limit: number;
  cursor?: string;
  newestFirst?: boolean;
}

export function auditRecord(item: Record<string, unknown>): AuditRecord {
  const event = item as unknown as StoredEvent;
  return {
    id: event.eventId,
    type: event.type,
    at: event.at,
    actor: event.actor,
    requestId: event.requestId,
    service: event.service ?? null,
    subject: event.subject,
    changes: event.type.startsWith('healthcheck.') ? redactCheckChanges(event.changes) : event.changes,
    seq: event.seq,
  };
}

/**
 * A health check's credential headers are recorded as `***`; a check's events from before they
 * were (the value in plain text) are shown the same way.
 */
function redactCheckChanges(changes: StoredEvent['changes']): StoredEvent['changes'] {
  const redact = (side: unknown) => {
    const headers = (side as { headers?: unknown } | null)?.headers;
    if (!headers || typeof headers !== 'object' || Array.isArray(headers)) return side;
    return { ...(side as Record<string, unknown>), headers: redactHeaders(headers as Record<string, HeaderValue>) };
  };
  return { before: redact(changes?.before), after: redact(changes?.after) };
}

/**
 * Reads the trail through the narrowest index: a service's timeline, an actor's, or the
 * whole trail by time; the other criteria, and what the caller may see, become filters.
 */
export async function queryAudit(query: AuditQuery, viewer: Principal): Promise<Page<AuditRecord>> {
  const filters: string[] = [];
  const names: Record<string, string> = {};
  const values: Record<string, unknown> = {};

  let index: IndexName;
  let partition: string;
  if (query.service) {
    index = 'GSI2';
    partition = keys.serviceLogPartition(query.service);
  } else if (query.actor) {
    index = 'GSI3';
    partition = keys.actorLogPartition(query.actor);
  } else {
    index = 'GSI1';
    partition = keys.auditPartition;
  }
  if (query.actor && index !== 'GSI3') {
    filters.push('#actor.#keyId = :actor');
    Object.assign(names, { '#actor': 'actor', '#keyId': 'keyId' });
    values[':actor'] = query.actor;
  }
  if (query.type) {
    if (query.type.endsWith('.*')) {
      filters.push('begins_with(#type, :type)');
      values[':type'] = query.type.slice(0, -1);
    } else {
      filters.push('#type = :type');
      values[':type'] = query.type;
    }
    names['#type'] = 'type';
  }
  // Only unscoped admins see events that belong to no service (API keys); scoped keys see their services.
  // Only unscoped admins see events that belong to no service (API keys); scoped keys see
  // their services only (the caller has already refused a `service` outside the scope).
  if (!(viewer.role === 'admin' && viewer.services === null)) {
    if (viewer.services === null) {
      filters.push('attribute_exists(#service)');
      names['#service'] = 'service';
    } else if (!query.service) {
      const allowed = viewer.services.map((_, i) => `:svc${i}`);
      filters.push(allowed.length > 0 ? `#service IN (${allowed.join(', ')})` : 'attribute_not_exists(PK)');
      if (allowed.length > 0) names['#service'] = 'service';
      viewer.services.forEach((service, i) => {
        values[`:svc${i}`] = service;
      });
    }
  }

  let sortKeyCondition: string | undefined;
  if (query.from && query.to && query.from > query.to) {
    // DynamoDB refuses a BETWEEN whose bounds are reversed: say so as the client's mistake.
    throw new ValidationError(`The window ends (${query.to}) before it starts (${query.from}).`, [
      { pointer: '/query/to', message: 'must not be earlier than from' },
    ]);
  }
  if (query.from && query.to) {
    sortKeyCondition = '#sk BETWEEN :from AND :to';
    Object.assign(values, { ':from': query.from, ':to': query.to });
  } else if (query.from) {
    sortKeyCondition = '#sk >= :from';
    values[':from'] = query.from;
  } else if (query.to) {
    sortKeyCondition = '#sk < :to';
    values[':to'] = query.to;
  }

  const page = await queryPage({
    index,
    partition,
    sortKeyCondition,
    filter: filters.length > 0 ? filters.join(' AND ') : undefined,
    names: Object.keys(names).length > 0 ? names : undefined,
    values,
    limit: query.limit,
    cursor: query.cursor,
    newestFirst: query.newestFirst ?? true,
  });
  return { items: page.items.map(auditRecord), nextCursor: page.nextCursor };
}
