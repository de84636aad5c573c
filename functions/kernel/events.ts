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
  'version.updated': {
    description: "A draft version's description, change log, artifact, metadata or model card was replaced.",
    severity: 'info',
    critical: false,
  },
  'version.changes_added': { description: "Entries were added to a draft version's change log.", severity: 'info', critical: false },
  'version.released': { description: 'A version was released.', severity: 'info', critical: false },
  'version.deprecated': { description: 'A version was deprecated.', severity: 'warning', critical: false },
  'version.retired': { description: 'A version was retired and may no longer be deployed.', severity: 'warning', critical: true },
  'apikey.created': { description: 'An API key was created.', severity: 'warning', critical: true },
  'apikey.revoked': { description: 'An API key was revoked.', severity: 'warning', critical: true },
  'apikey.rotated': { description: 'The bootstrap admin key was replaced.', severity: 'warning', critical: true },
  'config.schema_updated': { description: "A service's configuration schema was set.", severity: 'info', critical: false },
  'config.updated': { description: 'A configuration layer got a new version.', severity: 'info', critical: false },
  'config.rolled_back': {
    description: 'A configuration layer was rolled back to the content of an earlier version.',
    severity: 'warning',
    critical: false,
  },
  'config.variables_updated': { description: "An environment's configuration variables changed.", severity: 'info', critical: false },
  'config.imported': {
    description: 'Configuration layers, variables and schema were imported in one change.',
    severity: 'info',
    critical: false,
  },
  'secret.created': { description: 'A secret was stored.', severity: 'info', critical: true },
  'secret.updated': { description: 'A secret got a new value or new metadata.', severity: 'info', critical: true },
  'secret.revealed': { description: "A secret's value was revealed to a caller.", severity: 'warning', critical: true },
  'secret.deletion_scheduled': {
    description: 'A secret was scheduled for deletion after its recovery window.',
    severity: 'warning',
    critical: true,
  },
  'secret.expiring': { description: 'A secret expires within 14 days, or has expired.', severity: 'warning', critical: false },
  'environment.created': { description: 'A deployment environment was defined.', severity: 'info', critical: false },
  'environment.updated': {
    description: "An environment's traffic, protection or health gate settings changed.",
    severity: 'info',
    critical: false,
  },
  'deployment.started': { description: 'A deployment was accepted and its workflow started.', severity: 'info', critical: false },
  'deployment.awaiting_approval': { description: 'A deployment waits for someone to approve it.', severity: 'warning', critical: false },
  'deployment.approved': { description: 'A deployment waiting for approval was approved.', severity: 'info', critical: false },
  'deployment.step_completed': { description: 'A deployment step applied new traffic weights.', severity: 'info', critical: false },
  'deployment.gate_evaluated': { description: "A health gate check ran during a deployment's bake.", severity: 'info', critical: false },
  'deployment.succeeded': { description: 'A deployment reached 100% and became the active version.', severity: 'info', critical: false },
  'deployment.rolled_back': {
    description: 'A deployment was rolled back: the previous weights are restored.',
    severity: 'critical',
    critical: true,
  },
  'deployment.failed': {
    description: 'A deployment failed and could not restore the previous weights.',
    severity: 'critical',
    critical: true,
  },
  'deployment.cancelled': {
    description: 'A deployment was cancelled and the previous weights restored.',
    severity: 'warning',
    critical: false,
  },
  'secret.rotation_due': { description: 'A secret is older than its rotation period.', severity: 'warning', critical: false },
  'healthcheck.created': { description: 'A scheduled HTTP health check was defined.', severity: 'info', critical: false },
  'healthcheck.updated': {
    description: "A health check's target, schedule, conditions or thresholds changed.",
    severity: 'info',
    critical: false,
  },
  'healthcheck.deleted': { description: 'A health check was deleted; it no longer runs.', severity: 'warning', critical: false },
  'healthcheck.headers_revealed': {
    description: "A health check's stored credential header values were revealed to a caller.",
    severity: 'warning',
    critical: true,
  },
  'healthcheck.state_changed': {
    description: 'A health check turned healthy or unhealthy (after its failure or success threshold), with the failing conditions.',
    severity: 'warning',
    critical: false,
  },
  'alertrule.created': { description: 'An alert rule was defined.', severity: 'info', critical: false },
  'alertrule.updated': {
    description: "An alert rule's metric, condition, timing or severity changed.",
    severity: 'info',
    critical: false,
  },
  'alertrule.deleted': {
    description: 'An alert rule was deleted; its open alerts are resolved and it is no longer evaluated.',
    severity: 'warning',
    critical: false,
  },
  'alert.pending': {
    description: "A rule's condition started to hold for a label set; it fires if it holds for the rule's `for`.",
    severity: 'info',
    critical: false,
  },
  'alert.cleared': { description: "A pending alert's condition stopped holding before it fired.", severity: 'info', critical: false },
  'alert.firing': {
    description: "An alert fired: its condition held for the whole of the rule's `for`.",
    severity: 'warning',
    critical: false,
  },
  'alert.resolved': {
    description: 'An alert resolved: its condition cleared (or its rule was deleted).',
    severity: 'info',
    critical: false,
  },
  'alert.acknowledged': { description: 'Someone acknowledged an alert.', severity: 'info', critical: false },
  'incident.opened': {
    description: 'An incident was opened for a service, by hand or by a critical alert.',
    severity: 'critical',
    critical: false,
  },
  'incident.acknowledged': { description: 'Someone acknowledged an incident.', severity: 'info', critical: false },
  'incident.note_added': { description: "A note was added to an incident's timeline.", severity: 'info', critical: false },
  'incident.resolved': { description: 'An incident was resolved, with a summary.', severity: 'info', critical: false },
  'incident.alert_joined': {
    description: 'A critical alert joined the open incident of its service.',
    severity: 'warning',
    critical: false,
  },
  'webhook.created': { description: 'A webhook was registered; its signing secret was shown once.', severity: 'info', critical: true },
  'webhook.updated': { description: "A webhook's URL, event filter, description or state changed.", severity: 'info', critical: false },
  'webhook.deleted': { description: 'A webhook was deleted; nothing more is delivered to it.', severity: 'warning', critical: false },
  'webhook.disabled': {
    description: 'A webhook was disabled after a run of events it could not be delivered.',
    severity: 'warning',
    critical: false,
  },
  'subscription.created': {
    description: 'An email subscription was created; on AWS the address must confirm it before mail arrives.',
    severity: 'info',
    critical: false,
  },
  'subscription.updated': {
    description: "An email subscription's filter changed; later events are mailed by the new one.",
    severity: 'info',
    critical: false,
  },
  'subscription.deleted': {
    description: 'An email subscription was deleted; nothing more is mailed to it.',
    severity: 'info',
    critical: false,
  },
  'apicontract.uploaded': { description: "A draft version's OpenAPI document was stored.", severity: 'info', critical: false },
  'apicontract.policy_updated': { description: "A service's version policy changed.", severity: 'info', critical: false },
  'consumer.registered': { description: 'A consumer of a service was registered or described anew.', severity: 'info', critical: false },
  'migration.planned': { description: 'A migration plan between two versions was made.', severity: 'info', critical: false },
  'migration.started': { description: 'A migration plan started (its deployment, if any, began).', severity: 'info', critical: false },
  'migration.completed': {
    description: 'A migration plan completed: consumers are on the new version.',
    severity: 'info',
    critical: false,
  },
  'migration.cancelled': { description: 'A migration plan was cancelled.', severity: 'warning', critical: false },
  'slo.updated': { description: "A service's SLO target (its default or one environment's) was set.", severity: 'info', critical: false },
  'model.policy_updated': {
    description: "A model's policy (thresholds, production environment, deprecation and retirement settings) changed.",
    severity: 'info',
    critical: false,
  },
  'model.alias_set': {
    description: "A model's alias (such as @champion) was set or moved to a version.",
    severity: 'info',
    critical: false,
  },
  'model.alias_removed': { description: "A model's alias was removed.", severity: 'info', critical: false },
  'model.deployability_overridden': {
    description: 'An admin started a deployment of a model version its policy does not approve, with a reason.',
    severity: 'warning',
    critical: true,
  },
  'version.sunset_approaching': {
    description: "A deprecated version's sunset is near (within the warning threshold, or 7 days) and it may still be called.",
    severity: 'warning',
    critical: false,
  },
} as const satisfies Record<string, EventTypeInfo>;

export type EventType = keyof typeof EVENT_CATALOGUE;
export const EVENT_TYPES = Object.keys(EVENT_CATALOGUE) as EventType[];

export function isEventType(value: string): value is EventType {
  return Object.hasOwn(EVENT_CATALOGUE, value);
}

export function eventInfo(type: EventType): EventTypeInfo {
  return EVENT_CATALOGUE[type];
}

/** Which events are published lives apart, so the event log does not bundle the catalogue's descriptions. */
export { isPublished, PUBLISHED_EXACT_TYPES, PUBLISHED_PREFIXES, shouldPublish } from './published-events.ts';
