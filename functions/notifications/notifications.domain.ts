import {
  EVENT_CATALOGUE,
  type EventType,
  isEventType,
  isPublished,
  PUBLISHED_EXACT_TYPES,
  PUBLISHED_PREFIXES,
  SEVERITIES,
  type Severity,
} from '#kernel/events';
import { eventPatternProblem, WEBHOOK_TEST_EVENT } from '#webhooks/webhooks.domain';

/**
 * What leaves Steward when something happens: one notification per published event, sent once
 * to one topic (SNS on AWS, an in-process topic locally) with the message attributes
 * `eventType`, `service` and `severity` that subscription filter policies select on. Email
 * subscribers read `subject` and `text`; webhooks and other machines read the JSON body.
 */

/** The body every machine subscriber gets (webhooks sign and POST exactly this). */
export interface NotificationBody {
  /** The event id: the same on every delivery, so receivers dedupe on it. */
  id: string;
  type: string;
  timestamp: string;
  data: {
    subject: string;
    service: string | null;
    actor: { keyId: string; name: string };
    requestId: string;
    changes: { before: unknown; after: unknown } | null;
    /** Set when `changes` was left out to keep the message under the topic's size limit. */
    truncated?: true;
  };
}

export interface NotificationAttributes {
  eventType: string;
  /** Absent for events that belong to no service. */
  service?: string;
  severity: Severity;
}

export interface Notification {
  body: NotificationBody;
  attributes: NotificationAttributes;
  /** An email subject: ASCII, one line, under 100 characters (SNS's rule). */
  subject: string;
  /** A plain-text email body. */
  text: string;
}

/** The fields of a committed event a notification is made from. */
export interface PublishableEvent {
  eventId: string;
  type: string;
  at: string;
  service?: string;
  subject: string;
  actor: { keyId: string; name: string };
  requestId: string;
  changes: { before: unknown; after: unknown };
}

/**
 * Why a type or pattern a subscriber asks for can never match a published event (undefined when
 * it can): webhooks and email subscriptions refuse such filters rather than stay silent forever.
 */
export function publishedPatternProblem(pattern: string): string | undefined {
  const problem = eventPatternProblem(pattern);
  if (problem) return problem;
  if (pattern === '*' || pattern === WEBHOOK_TEST_EVENT) return undefined;
  if (pattern.endsWith('.*')) {
    return PUBLISHED_EVENT_TYPES.some((type) => type.startsWith(pattern.slice(0, -1)))
      ? undefined
      : `no published event types start with "${pattern.slice(0, -1)}"; ${PUBLISHED_SUMMARY}`;
  }
  return isPublished(pattern) ? undefined : `"${pattern}" is not published; ${PUBLISHED_SUMMARY}`;
}

/** The event types that can appear on the topic (the OpenAPI document and the docs list them). */
export const PUBLISHED_EVENT_TYPES = (Object.keys(EVENT_CATALOGUE) as EventType[]).filter(isPublished);
const PUBLISHED_SUMMARY = `published are ${PUBLISHED_PREFIXES.map((prefix) => `${prefix}*`).join(', ')}, ${PUBLISHED_EXACT_TYPES.join(', ')}`;

/** SNS allows up to 256 KB per message; the email text and attributes need room too. */
const MAX_BODY_BYTES = 120_000;

export function severityRank(severity: Severity): number {
  return SEVERITIES.indexOf(severity);
}

function isSeverity(value: unknown): value is Severity {
  return typeof value === 'string' && (SEVERITIES as readonly string[]).includes(value);
}

function after(event: PublishableEvent): Record<string, unknown> {
  const value = event.changes?.after;
  return value && typeof value === 'object' ? (value as Record<string, unknown>) : {};
}

/**
 * How loudly an event speaks: an alert's or incident's own severity where the event carries it,
 * a health check turning unhealthy is critical (its alert is), turning healthy is info; a
 * pending or cleared alert has not fired, so info; everything else as the catalogue says.
 */
export function notificationSeverity(event: PublishableEvent): Severity {
  const changed = after(event);
  if (event.type === 'healthcheck.state_changed') return changed.state === 'unhealthy' ? 'critical' : 'info';
  if (event.type === 'alert.pending' || event.type === 'alert.cleared') return 'info';
  // As the secret's alert: critical once expired, a warning before; rotation due is info.
  if (event.type === 'secret.expiring') return changed.expired === true ? 'critical' : 'warning';
  if (event.type === 'secret.rotation_due') return 'info';
  if ((event.type.startsWith('alert.') || event.type.startsWith('incident.')) && isSeverity(changed.severity)) return changed.severity;
  return isEventType(event.type) ? EVENT_CATALOGUE[event.type].severity : 'info';
}

export function notificationOf(event: PublishableEvent): Notification {
  const severity = notificationSeverity(event);
  const body: NotificationBody = {
    id: event.eventId,
    type: event.type,
    timestamp: event.at,
    data: {
      subject: event.subject,
      service: event.service ?? null,
      actor: event.actor,
      requestId: event.requestId,
      changes: event.changes ?? null,
    },
  };
  if (Buffer.byteLength(JSON.stringify(body)) > MAX_BODY_BYTES) {
    body.data = { ...body.data, changes: null, truncated: true };
  }
  const attributes: NotificationAttributes = { eventType: event.type, severity, ...(event.service ? { service: event.service } : {}) };
  return { body, attributes, subject: emailSubject(event, severity), text: emailText(event, body, severity) };
}

const describe = (type: string) => (isEventType(type) ? EVENT_CATALOGUE[type].description : 'A Steward event.');

function ascii(value: string): string {
  return value.replace(/[^\x20-\x7e]/g, '?');
}

function emailSubject(event: PublishableEvent, severity: Severity): string {
  const summary = typeof after(event).summary === 'string' ? `: ${after(event).summary}` : '';
  const subject = ascii(`Steward ${severity}: ${event.type}${event.service ? ` (${event.service})` : ''}${summary}`);
  return subject.length < 100 ? subject : `${subject.slice(0, 96)}...`;
}

function emailText(event: PublishableEvent, body: NotificationBody, severity: Severity): string {
  const lines = [
    describe(event.type),
    '',
    `Event:    ${event.type} (${severity})`,
    ...(event.service ? [`Service:  ${event.service}`] : []),
    `Subject:  ${event.subject}`,
    `When:     ${event.at}`,
    `By:       ${event.actor.name} (${event.actor.keyId})`,
    `Event id: ${event.eventId}`,
    '',
    body.data.truncated ? 'The details were too large for a notification; read them in the audit trail.' : 'Details:',
    ...(body.data.truncated ? [] : [JSON.stringify(event.changes?.after ?? null, null, 2)]),
    '',
    `The audit trail has the whole record: GET /v1/audit?type=${event.type}${event.service ? `&service=${encodeURIComponent(event.service)}` : ''}`,
  ];
  return `${lines.join('\n')}\n`;
}

/** What a subscriber wants to hear about; every field narrows, an absent one lets all through. */
export interface SubscriptionFilter {
  /** Event types or patterns (`alert.*`, `*`). */
  eventTypes?: string[];
  services?: string[];
  /** The quietest severity delivered. */
  minSeverity?: Severity;
}

/** Why a filter cannot select anything useful, with the JSON pointer of the culprit; undefined when it is fine. */
export function subscriptionFilterProblem(filter: SubscriptionFilter): { pointer: string; detail: string } | undefined {
  for (const [index, pattern] of (filter.eventTypes ?? []).entries()) {
    const problem = pattern === WEBHOOK_TEST_EVENT ? `"${pattern}" is only sent to webhooks` : publishedPatternProblem(pattern);
    if (problem) return { pointer: `/filter/eventTypes/${index}`, detail: problem };
  }
  return undefined;
}

/** An SNS filter policy (scope MessageAttributes): exact strings and `{ prefix }` matches only. */
export type FilterPolicy = Record<string, Array<string | { prefix: string }>>;

/** The SNS filter policy of a subscription filter; `{}` (everything) when the filter narrows nothing. */
export function filterPolicyOf(filter: SubscriptionFilter): FilterPolicy {
  const policy: FilterPolicy = {};
  const types = filter.eventTypes ?? [];
  if (types.length > 0 && !types.includes('*')) {
    policy.eventType = types.map((pattern) => (pattern.endsWith('.*') ? { prefix: pattern.slice(0, -1) } : pattern));
  }
  if (filter.services && filter.services.length > 0) policy.service = [...filter.services];
  if (filter.minSeverity && filter.minSeverity !== 'info') {
    policy.severity = SEVERITIES.filter((severity) => severityRank(severity) >= severityRank(filter.minSeverity as Severity));
  }
  return policy;
}

/**
 * Does a message with these attributes pass the policy, as SNS decides it: every key of the
 * policy must match (AND), any value listed for a key may (OR), and a key the message lacks
 * never matches. The local topic uses this; on AWS SNS itself applies the policy.
 */
export function matchesFilterPolicy(policy: FilterPolicy, attributes: NotificationAttributes): boolean {
  return Object.entries(policy).every(([key, allowed]) => {
    const value = (attributes as unknown as Record<string, string | undefined>)[key];
    if (value === undefined) return false;
    return allowed.some((rule) => (typeof rule === 'string' ? rule === value : value.startsWith(rule.prefix)));
  });
}
