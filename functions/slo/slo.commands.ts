import type { CommandContext } from '#kernel/command-context';
import { NotFoundError, ValidationError } from '#kernel/errors';
import { isValidTarget, sloSubject } from './slo.domain.ts';
import { executeCommand } from '#kernel/store/event-log';
import { keys } from '#kernel/store/keys';
import { getService } from '#services/public';
import { getSlo, type SloTargets, sloItem } from './slo.store.ts';

/**
 * Sets a service's SLO target: the service default when no environment is named, else that
 * environment's own. One `slo.updated` event on the service's SLO aggregate, its head the only effect.
 */
export async function setSloTarget(
  service: string,
  input: { target: number; environment?: string },
  context: CommandContext,
): Promise<SloTargets> {
  if (!isValidTarget(input.target)) {
    throw new ValidationError('The SLO target is a percentage between 0 and 100.', [
      { pointer: '/body/target', message: 'must be greater than 0 and less than 100, such as 99.9' },
    ]);
  }
  if (!(await getService(service))) throw new NotFoundError(`There is no service named ${service}.`);
  return executeCommand<SloTargets>(keys.sloAggregate(service), async () => {
    const stored = await getSlo(service);
    const current: SloTargets = stored?.slo ?? { service, target: null, environments: {}, updatedAt: '', rev: 0 };
    const before = input.environment === undefined ? current.target : (current.environments[input.environment] ?? null);
    if (before === input.target) return { unchanged: current };
    const next: SloTargets = {
      service,
      target: input.environment === undefined ? input.target : current.target,
      environments: input.environment === undefined ? current.environments : { ...current.environments, [input.environment]: input.target },
      updatedAt: new Date().toISOString(),
      rev: current.rev + 1,
    };
    return {
      expectedSeq: stored?.seq ?? 0,
      event: {
        type: 'slo.updated',
        actor: context.actor,
        requestId: context.requestId,
        service,
        subject: sloSubject(service),
        changes: {
          before: { environment: input.environment ?? null, target: before },
          after: { environment: input.environment ?? null, target: input.target },
        },
        effects: [sloItem(next)],
      },
      result: () => next,
    };
  });
}
