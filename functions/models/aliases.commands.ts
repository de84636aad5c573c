import type { CommandContext } from '#kernel/command-context';
import { ConflictError, NotFoundError } from '#kernel/errors';
import { executeCommand } from '#kernel/store/event-log';
import { keys } from '#kernel/store/keys';
import { MAX_ALIASES } from './aliases.domain.ts';
import { requireModel, resolveVersion } from './models.reads.ts';
import { aliasItem, getAlias, getModelHead, listAliases, type ModelAlias, modelHeadItem } from './models.store.ts';

/**
 * Sets or moves an alias to a version of the model (not a retired one): one `model.alias_set`
 * event on the model's aggregate with the version before and after; setting it where it already
 * points records nothing.
 */
export async function setAlias(service: string, alias: string, rawVersion: string, context: CommandContext): Promise<ModelAlias> {
  await requireModel(service);
  const version = await resolveVersion(service, rawVersion, '/body/version');
  if (version.status === 'retired') throw new ConflictError(`Version ${version.version} is retired: an alias cannot point at it.`);
  return executeCommand<ModelAlias>(keys.modelAggregate(service), async () => {
    const [{ head, seq }, current] = await Promise.all([getModelHead(service), getAlias(service, alias)]);
    if (current?.version === version.version) return { unchanged: current };
    if (!current && (await listAliases(service)).length >= MAX_ALIASES) {
      throw new ConflictError(`A model has at most ${MAX_ALIASES} aliases; remove one first.`);
    }
    const next: ModelAlias = { service, alias, version: version.version, updatedAt: new Date().toISOString(), updatedBy: context.actor };
    return {
      expectedSeq: seq,
      event: {
        type: 'model.alias_set',
        actor: context.actor,
        requestId: context.requestId,
        service,
        subject: `model/${service}@${alias}`,
        changes: { before: current ? { alias, version: current.version } : null, after: { alias, version: version.version } },
        effects: [aliasItem(next), modelHeadItem(head)],
      },
      result: () => next,
    };
  });
}

export async function removeAlias(service: string, alias: string, context: CommandContext): Promise<void> {
  await requireModel(service);
  await executeCommand<null>(keys.modelAggregate(service), async () => {
    const [{ head, seq }, current] = await Promise.all([getModelHead(service), getAlias(service, alias)]);
    if (!current) throw new NotFoundError(`${service} has no alias @${alias}.`);
    return {
      expectedSeq: seq,
      event: {
        type: 'model.alias_removed',
        actor: context.actor,
        requestId: context.requestId,
        service,
        subject: `model/${service}@${alias}`,
        changes: { before: { alias, version: current.version }, after: null },
        effects: [
          { ...aliasItem(current), removed: true, updatedAt: new Date().toISOString(), updatedBy: context.actor },
          modelHeadItem(head),
        ],
      },
      result: () => null,
    };
  });
}

/**
 * Records that an admin started a deployment of a model version its policy does not approve: one
 * `model.deployability_overridden` event on the model's aggregate, with the reasons overridden.
 */
export async function recordDeployabilityOverride(
  service: string,
  override: { deploymentId: string; version: string; environment: string; reason: string; reasons: string[] },
  context: CommandContext,
): Promise<void> {
  await executeCommand<null>(keys.modelAggregate(service), async () => {
    const { head, seq } = await getModelHead(service);
    return {
      expectedSeq: seq,
      event: {
        type: 'model.deployability_overridden',
        actor: context.actor,
        requestId: context.requestId,
        service,
        subject: `deployment/${override.deploymentId}`,
        changes: { before: { approved: false, reasons: override.reasons }, after: override },
        effects: [modelHeadItem(head)],
      },
      result: () => null,
    };
  });
}
