import { PreconditionFailedError } from '#kernel/errors';
import { type CommandContext, headerMatches } from '#kernel/command-context';
import { executeCommand } from '#kernel/store/event-log';
import { keys } from '#kernel/store/keys';
import { type Consumer, type ContractsHead, consumerItem, getConsumer, headItem, readHead } from './contracts.store.ts';
import { applyPolicyPatch, type PolicyPatch, type VersionPolicy } from './policy.domain.ts';
import { requireService } from './version-refs.ts';

export async function updatePolicy(service: string, patch: PolicyPatch, context: CommandContext): Promise<ContractsHead> {
  await requireService(service);
  return executeCommand<ContractsHead>(keys.apiContractsAggregate(service), async () => {
    const { head, seq } = await readHead(service);
    if (context.ifMatch !== undefined && !headerMatches(context.ifMatch, `"${head.rev}"`)) {
      throw new PreconditionFailedError(`The version policy of ${service} has changed since you read it (its ETag is now "${head.rev}").`, {
        currentEtag: `"${head.rev}"`,
      });
    }
    const policy: VersionPolicy = applyPolicyPatch(head.policy, patch);
    if (JSON.stringify(policy) === JSON.stringify(head.policy) && head.rev > 0) return { unchanged: head };
    const next: ContractsHead = { service, policy, updatedAt: new Date().toISOString(), rev: head.rev + 1 };
    return {
      expectedSeq: seq,
      event: {
        type: 'apicontract.policy_updated',
        actor: context.actor,
        requestId: context.requestId,
        service,
        subject: `service/${service}/version-policy`,
        changes: { before: head.policy, after: policy },
        effects: [headItem(next)],
      },
      result: () => next,
    };
  });
}

/** PUT .../consumers/{consumer}: registers a consumer, or describes it anew (fields left out are cleared). */
export async function registerConsumer(
  service: string,
  consumer: string,
  input: { contact?: string; description?: string },
  context: CommandContext,
): Promise<{ consumer: Consumer; created: boolean }> {
  await requireService(service);
  return executeCommand<{ consumer: Consumer; created: boolean }>(keys.apiContractsAggregate(service), async () => {
    const [{ head, seq }, current] = await Promise.all([readHead(service), getConsumer(service, consumer)]);
    const now = new Date().toISOString();
    const next: Consumer = {
      service,
      consumer,
      contact: input.contact ?? null,
      description: input.description ?? null,
      createdAt: current?.createdAt ?? now,
      updatedAt: now,
    };
    if (current && current.contact === next.contact && current.description === next.description) {
      return { unchanged: { consumer: current, created: false } };
    }
    return {
      expectedSeq: seq,
      event: {
        type: 'consumer.registered',
        actor: context.actor,
        requestId: context.requestId,
        service,
        subject: `service/${service}/consumers/${consumer}`,
        changes: {
          before: current ? { contact: current.contact, description: current.description } : null,
          after: { contact: next.contact, description: next.description },
        },
        effects: [consumerItem(next), headItem(head)],
      },
      result: () => ({ consumer: next, created: current === undefined }),
    };
  });
}
