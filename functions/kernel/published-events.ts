/**
 * Which events go to the notification topic (SNS, and from it email and webhooks); the rest stay
 * in the audit trail. Apart from the catalogue (events.ts re-exports it) so that the event log,
 * which every writer bundles, does not carry every event type's description.
 */

/** Event families that are published. */
export const PUBLISHED_PREFIXES = ['alert.', 'incident.', 'deployment.'] as const;
/**
 * Besides the families: health check state changes, secret notices (each carries its secret's
 * alert), a webhook disabled, a deprecated version's sunset approaching.
 */
export const PUBLISHED_EXACT_TYPES = [
  'healthcheck.state_changed',
  'secret.expiring',
  'secret.rotation_due',
  'webhook.disabled',
  'version.sunset_approaching',
] as const;
const PUBLISHED_TYPES = new Set<string>(PUBLISHED_EXACT_TYPES);

export function isPublished(type: string): boolean {
  return PUBLISHED_TYPES.has(type) || PUBLISHED_PREFIXES.some((prefix) => type.startsWith(prefix));
}

/**
 * Whether this committed event goes to the topic: its type is published, except the resolution
 * of an alert whose rule said `sendResolved: false` (nobody is told it resolved, on any channel).
 */
export function shouldPublish(event: { type: string; changes?: { after?: unknown } }): boolean {
  if (!isPublished(event.type)) return false;
  const after = event.changes?.after as { sendResolved?: unknown } | null | undefined;
  return !(event.type === 'alert.resolved' && after?.sendResolved === false);
}
