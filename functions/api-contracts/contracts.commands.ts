import { PreconditionFailedError } from '#kernel/errors';
import { type CommandContext, headerMatches } from '#kernel/command-context';
import { executeCommand } from '#kernel/store/event-log';
import { keys } from '#kernel/store/keys';
import { type ContractsHead, headItem, readHead } from './contracts.store.ts';
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
