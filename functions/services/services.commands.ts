import { ConflictError, NotFoundError } from '#kernel/errors';
import { createService, type NewService, patchService, type Service, type ServicePatch } from './service.domain.ts';
import { type CommandContext, checkIfMatch } from '#kernel/command-context';
import { executeCommand } from '#kernel/store/event-log';
import { keys } from '#kernel/store/keys';
import { getService, serviceItem } from './services.store.ts';

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
