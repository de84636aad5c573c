import { type CommandContext, checkIfMatch } from '#kernel/command-context';
import { executeCommand } from '#kernel/store/event-log';
import { keys } from '#kernel/store/keys';
import { forgetModel, requireModel } from './models.reads.ts';
import { getModelHead, type ModelHead, modelHeadItem } from './models.store.ts';
import { type ModelSettings, resolveSettings } from './policy.domain.ts';

/** Sets a model's policy whole (fields left out take their defaults): one `model.policy_updated` event; the same policy again records nothing. */
export async function putModelPolicy(service: string, input: Partial<ModelSettings>, context: CommandContext): Promise<ModelHead> {
  await requireModel(service);
  return executeCommand<ModelHead>(keys.modelAggregate(service), async () => {
    const { head, seq } = await getModelHead(service);
    checkIfMatch(context.ifMatch, head.rev, `The model policy of ${service}`);
    const settings = resolveSettings(input);
    if (head.updatedAt !== null && JSON.stringify(settings) === JSON.stringify(head.settings)) return { unchanged: head };
    const next: ModelHead = { service, settings, updatedAt: new Date().toISOString(), rev: head.rev + 1 };
    return {
      expectedSeq: seq,
      event: {
        type: 'model.policy_updated',
        actor: context.actor,
        requestId: context.requestId,
        service,
        subject: `model/${service}`,
        changes: { before: head.updatedAt === null ? null : head.settings, after: settings },
        effects: [modelHeadItem(next)],
      },
      result: () => {
        forgetModel(service);
        return next;
      },
    };
  });
}
