/**
 * The one catalogue of event types. The audit trail, the SNS topic (message attribute
 * `eventType`) and webhook payloads all use these names.
 */

export const SEVERITIES = ['info', 'warning', 'critical'] as const;
export type Severity = (typeof SEVERITIES)[number];

interface EventTypeInfo {
  description: string;
  severity: Severity;
  /** Listed among the critical events of the compliance report. */
  critical: boolean;
}

export const EVENT_CATALOGUE = {
  'service.created': { description: 'A service was registered.', severity: 'info', critical: false },
  'service.updated': { description: "A service's descriptive fields changed.", severity: 'info', critical: false },
  'version.registered': { description: 'A version was registered as a draft.', severity: 'info', critical: false },
  'version.changes_added': { description: "Entries were added to a draft version's change log.", severity: 'info', critical: false },
  'version.released': { description: 'A version was released.', severity: 'info', critical: false },
  'version.deprecated': { description: 'A version was deprecated.', severity: 'warning', critical: false },
  'version.retired': { description: 'A version was retired and may no longer be deployed.', severity: 'warning', critical: true },
  'apikey.created': { description: 'An API key was created.', severity: 'warning', critical: true },
  'apikey.revoked': { description: 'An API key was revoked.', severity: 'warning', critical: true },
  'apikey.rotated': { description: 'The bootstrap admin key was replaced.', severity: 'warning', critical: true },
} as const satisfies Record<string, EventTypeInfo>;

export type EventType = keyof typeof EVENT_CATALOGUE;
export const EVENT_TYPES = Object.keys(EVENT_CATALOGUE) as EventType[];

export function isEventType(value: string): value is EventType {
  return Object.hasOwn(EVENT_CATALOGUE, value);
}

export function eventInfo(type: EventType): EventTypeInfo {
  return EVENT_CATALOGUE[type];
}
