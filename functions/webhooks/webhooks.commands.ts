import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { ulid } from 'ulid';
import { type CommandContext, checkIfMatch } from '#kernel/command-context';
import { NotFoundError, ValidationError } from '#kernel/errors';
import { publishedPatternProblem } from '#notifications/notifications.domain';
import { generateWebhookSecret, type Webhook, webhookSubject } from './webhooks.domain.ts';
import { checkAddress } from '#kernel/outbound/address-policy';
import { outboundPolicy } from '#kernel/outbound/policy';
import type { SecretRef } from '#kernel/secret-values/secret-value-store';
import { secretValueStore } from '#kernel/secret-values/value-store';
import { executeCommand } from '#kernel/store/event-log';
import { keys } from '#kernel/store/keys';
import { getWebhook, resetConsecutiveFailures, webhookItem } from './webhooks.store.ts';

/**
 * Webhook commands: each change is an event on the webhook's aggregate (`WEBHOOK#<id>`). The
 * signing secret goes to the secret value store under a reserved name and is returned once.
 */

export interface WebhookInput {
  url: string;
  events: string[];
  services?: string[] | null;
  description?: string | null;
  active?: boolean;
}

/** Where a webhook's signing secret is kept; `steward-` names are reserved for Steward itself. */
export function webhookSecretRef(id: string): SecretRef {
  return { service: 'steward-webhooks', environment: 'steward', name: `steward-webhook-${id}` };
}

export function webhookSecret(id: string): Promise<string> {
  return secretValueStore().get(webhookSecretRef(id));
}

function invalid(pointer: string, message: string, detail = 'The webhook is not valid.'): ValidationError {
  return new ValidationError(detail, [{ pointer, message }]);
}

/**
 * Refuses targets the outbound policy would refuse (docs/architecture.md §6): a literal address in a
 * refused range, or a name resolving to one. Delivery checks again at connect time (a name can
 * change), so a name that does not resolve yet is accepted here.
 */
export async function checkWebhookUrl(text: string): Promise<string> {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw invalid('/body/url', 'must be an absolute http or https URL');
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw invalid('/body/url', 'must use http or https');
  if (url.username || url.password) throw invalid('/body/url', 'must not carry credentials; the signature authenticates Steward');
  const host = url.hostname.replace(/^\[|\]$/g, '');
  let addresses: string[];
  if (isIP(host)) addresses = [host];
  else {
    try {
      addresses = (await lookup(host, { all: true, verbatim: true })).map((entry) => entry.address);
    } catch {
      addresses = [];
    }
  }
  const policy = outboundPolicy();
  for (const address of addresses) {
    const verdict = checkAddress(address, policy);
    if (!verdict.allowed) throw invalid('/body/url', verdict.reason, `Steward will not send to ${url.host}: ${verdict.reason}`);
  }
  return url.toString();
}

function checkEvents(events: string[]): string[] {
  const unique = [...new Set(events)];
  unique.forEach((pattern, index) => {
    const problem = publishedPatternProblem(pattern);
    if (problem) throw invalid(`/body/events/${index}`, problem);
  });
  return unique;
}

export async function readWebhook(id: string): Promise<{ webhook: Webhook; seq: number }> {
  const stored = await getWebhook(id);
  if (!stored || stored.webhook.deletedAt) throw new NotFoundError(`There is no webhook ${id}.`);
  return stored;
}

const settingsOf = ({ url, events, services, description, active }: Webhook) => ({ url, events, services, description, active });

/** Registers a webhook; the only time its secret is seen. */
export async function createWebhook(input: WebhookInput, context: CommandContext): Promise<{ webhook: Webhook; secret: string }> {
  const url = await checkWebhookUrl(input.url);
  const events = checkEvents(input.events);
  const id = ulid();
  const secret = generateWebhookSecret();
  // The value first: a webhook never exists without its secret (a value without a webhook is harmless).
  await secretValueStore().put(webhookSecretRef(id), secret);
  const webhook = await executeCommand<Webhook>(keys.webhookAggregate(id), async () => {
    const now = new Date().toISOString();
    const next: Webhook = {
      id,
      url,
      events,
      services: input.services ? [...new Set(input.services)].sort() : null,
      description: input.description ?? null,
      active: input.active ?? true,
      disabledReason: null,
      createdAt: now,
      updatedAt: now,
      rev: 1,
      deletedAt: null,
    };
    return {
      expectedSeq: 0,
      event: {
        type: 'webhook.created',
        actor: context.actor,
        requestId: context.requestId,
        subject: webhookSubject(id),
        changes: { before: null, after: settingsOf(next) },
        effects: [webhookItem(next)],
      },
      result: () => next,
    };
  });
  return { webhook, secret };
}

export async function updateWebhook(id: string, input: Partial<WebhookInput>, context: CommandContext): Promise<Webhook> {
  const url = input.url === undefined ? undefined : await checkWebhookUrl(input.url);
  const events = input.events === undefined ? undefined : checkEvents(input.events);
  let reactivated = false;
  const result = await executeCommand<Webhook>(keys.webhookAggregate(id), async () => {
    const { webhook: current, seq } = await readWebhook(id);
    checkIfMatch(context.ifMatch, current.rev, `Webhook ${id}`);
    const merged = {
      url: url ?? current.url,
      events: events ?? current.events,
      services: input.services === undefined ? current.services : input.services ? [...new Set(input.services)].sort() : null,
      description: input.description === undefined ? current.description : input.description,
      active: input.active ?? current.active,
    };
    const before = settingsOf(current);
    if (JSON.stringify(before) === JSON.stringify(merged)) return { unchanged: current };
    reactivated = merged.active && !current.active;
    const next: Webhook = {
      ...current,
      ...merged,
      disabledReason: merged.active ? null : current.disabledReason,
      updatedAt: new Date().toISOString(),
      rev: current.rev + 1,
    };
    return {
      expectedSeq: seq,
      event: {
        type: 'webhook.updated',
        actor: context.actor,
        requestId: context.requestId,
        subject: webhookSubject(id),
        changes: { before, after: merged },
        effects: [webhookItem(next)],
      },
      result: () => next,
    };
  });
  if (reactivated) await resetConsecutiveFailures(id);
  return result;
}

export async function deleteWebhook(id: string, context: CommandContext): Promise<void> {
  await executeCommand<Webhook>(keys.webhookAggregate(id), async () => {
    const { webhook: current, seq } = await readWebhook(id);
    checkIfMatch(context.ifMatch, current.rev, `Webhook ${id}`);
    const now = new Date().toISOString();
    const next: Webhook = { ...current, active: false, deletedAt: now, updatedAt: now, rev: current.rev + 1 };
    return {
      expectedSeq: seq,
      event: {
        type: 'webhook.deleted',
        actor: context.actor,
        requestId: context.requestId,
        subject: webhookSubject(id),
        changes: { before: settingsOf(current), after: null },
        effects: [webhookItem(next)],
      },
      result: () => next,
    };
  });
  await secretValueStore()
    .scheduleDeletion(webhookSecretRef(id), 7)
    .catch(() => undefined);
}

/** Steward switches a webhook off after a run of failed events, and says so in an event. */
export async function disableWebhook(id: string, reason: string, context: CommandContext): Promise<Webhook | undefined> {
  return executeCommand<Webhook | undefined>(keys.webhookAggregate(id), async () => {
    const stored = await getWebhook(id);
    if (!stored || stored.webhook.deletedAt || !stored.webhook.active) return { unchanged: stored?.webhook };
    const current = stored.webhook;
    const next: Webhook = { ...current, active: false, disabledReason: reason, updatedAt: new Date().toISOString(), rev: current.rev + 1 };
    return {
      expectedSeq: stored.seq,
      event: {
        type: 'webhook.disabled',
        actor: context.actor,
        requestId: context.requestId,
        subject: webhookSubject(id),
        changes: { before: { active: true }, after: { active: false, reason } },
        effects: [webhookItem(next)],
      },
      result: () => next,
    };
  });
}
