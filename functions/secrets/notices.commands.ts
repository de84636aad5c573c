import { secretNoticeAlertEffects } from '#alerts/source-alerts';
import type { CommandContext } from '#kernel/command-context';
import { joinIncidentIfCritical } from '#incidents/incidents.commands';
import type { Alert } from '#alerts/alerts.domain';
import type { EventType } from '#kernel/events';
import { daysUntil, noticesDue, rotationDueAt, type Secret, secretSubject } from './secret.domain.ts';
import { executeCommand } from '#kernel/store/event-log';
import { keys } from '#kernel/store/keys';
import { getSecretWithHead, listAllSecrets, secretItem, secretsHeadItem } from './secrets.store.ts';

/**
 * The scheduled check behind `secret.expiring` and `secret.rotation_due`: every secret (one
 * Query on GSI1's SECRETS partition, a page at a time; no Scan), and for each condition that
 * holds and has not been raised for the current value, one event. The event also stamps the
 * secret (`expiryNoticeAt`, `rotationNoticeAt`), so later runs stay quiet until a new value
 * clears the stamps — except that an expiry noticed before the value expired is raised once more
 * when it has (`expired: true`). Runs that overlap cannot raise twice: each event is decided on a
 * consistent read and committed after the sequence number it read.
 *
 * Each notice also raises the secret's alert in the same event (one open alert per secret:
 * `warning` when expiring, `critical` once expired, `info` when rotation is due), which a new
 * value or the secret's deletion resolves; a critical one then opens or joins an incident.
 */

type Notice = 'expiring' | 'rotation_due';

export interface RaisedNotice {
  type: EventType;
  service: string;
  environment: string;
  name: string;
}

const PAGE = 100;

export async function raiseSecretNotices(now: Date, context: CommandContext): Promise<{ checked: number; raised: RaisedNotice[] }> {
  let checked = 0;
  const raised: RaisedNotice[] = [];
  let cursor: string | undefined;
  do {
    const page = await listAllSecrets({ limit: PAGE, cursor });
    for (const secret of page.items) {
      checked++;
      // The index is eventually consistent: it only nominates; each notice re-checks on a consistent read.
      for (const notice of noticesDue(secret, now)) {
        if (await raiseNotice(secret, notice, now, context)) {
          raised.push({ type: eventTypeOf(notice), service: secret.service, environment: secret.environment, name: secret.name });
        }
      }
    }
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  return { checked, raised };
}

function eventTypeOf(notice: Notice): EventType {
  return notice === 'expiring' ? 'secret.expiring' : 'secret.rotation_due';
}

async function raiseNotice(nominee: Secret, notice: Notice, now: Date, context: CommandContext): Promise<boolean> {
  const { service, environment, name } = nominee;
  // A critical alert the recorded notice opened: it opens or joins an incident right after.
  let opened: Alert | null = null;
  const raised = await executeCommand<boolean>(keys.secretsAggregate(service), async () => {
    opened = null;
    const { head, current } = await getSecretWithHead(service, environment, name);
    if (!current || !noticesDue(current.secret, now).includes(notice)) return { unchanged: false };
    const secret = current.secret;
    const at = now.toISOString();
    const next: Secret = notice === 'expiring' ? { ...secret, expiryNoticeAt: at } : { ...secret, rotationNoticeAt: at };
    const alert = await secretNoticeAlertEffects(secret, notice, now);
    opened = alert.opened;
    return {
      expectedSeq: head.seq,
      event: {
        type: eventTypeOf(notice),
        actor: context.actor,
        requestId: context.requestId,
        service,
        subject: secretSubject(service, environment, name),
        changes: { before: noticeFields(secret, notice), after: noticeFields(next, notice, now) },
        effects: [...alert.effects, secretItem(next, current.valueVersionId), secretsHeadItem(service)],
      },
      result: () => true,
    };
  });
  if (raised) await joinIncidentIfCritical(opened, context.actor, context.requestId);
  return raised;
}

/** What the event says: the stamp, and for the record what made the condition hold. */
function noticeFields(secret: Secret, notice: Notice, now?: Date) {
  if (notice === 'expiring') {
    const base = { expiryNoticeAt: secret.expiryNoticeAt };
    if (!now || secret.expiresAt === null) return base;
    return {
      ...base,
      version: secret.version,
      expiresAt: secret.expiresAt,
      daysLeft: daysUntil(secret.expiresAt, now),
      expired: Date.parse(secret.expiresAt) <= now.getTime(),
    };
  }
  const base = { rotationNoticeAt: secret.rotationNoticeAt };
  const dueAt = rotationDueAt(secret);
  if (!now || dueAt === null) return base;
  return { ...base, version: secret.version, updatedAt: secret.updatedAt, rotationDays: secret.rotationDays, rotationDueAt: dueAt };
}
