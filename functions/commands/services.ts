import { ConflictError, NotFoundError } from '#domain/errors';
import { createService, type NewService, patchService, type Service, type ServicePatch } from '#domain/service';
import { type CommandContext, checkIfMatch } from '#commands/context';
import { executeCommand } from '#store/event-log';
import { keys } from '#store/keys';
import { getService, serviceItem } from '#store/services';

export async function registerService(input: NewService, context: CommandContext): Promise<Service> {
  return executeCommand(keys.serviceAggregate(input.name), async () => {
    const existing = await getService(input.name);
    if (existing) throw new ConflictError(`A service named ${input.name} already exists.`);
    const service = createService(input, new Date().toISOString());
    return {
      expectedSeq: 0,
      event: {
        type: 'service.created',
        actor: context.actor,
        requestId: context.requestId,
        service: service.name,
        subject: `service/${service.name}`,
        changes: { before: null, after: service },
        effects: [serviceItem(service)],
      },
      result: () => service,
    };
  });
}

export async function updateService(name: string, patch: ServicePatch, context: CommandContext): Promise<Service> {
  return executeCommand<Service>(keys.serviceAggregate(name), async () => {
    const stored = await getService(name);
    if (!stored) throw new NotFoundError(`There is no service named ${name}.`);
    checkIfMatch(context.ifMatch, stored.service.rev, `Service ${name}`);
    const { next, before, after } = patchService(stored.service, patch, new Date().toISOString());
    if (Object.keys(after).length === 0) return { unchanged: next };
    return {
      expectedSeq: stored.seq,
      event: {
        type: 'service.updated',
        actor: context.actor,
        requestId: context.requestId,
        service: name,
        subject: `service/${name}`,
        changes: { before, after },
        effects: [serviceItem(next)],
      },
      result: () => next,
    };
  });
}
