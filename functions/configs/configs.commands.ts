import { type CommandContext, headerMatches } from '#kernel/command-context';
import { checkEnvironments } from './config-checks.ts';
import { type ConfigState, environmentsOf, layersNeeded, loadState } from './config-state.ts';
import {
  BASE_LAYER,
  dependentsOf,
  type JsonObject,
  jsonBytes,
  layerEtag,
  type LayerSummary,
  MAX_RESOLVED_BYTES,
  sameJson,
  unstorableNumbers,
} from './config.domain.ts';
import { schemaProblems } from './config-schema.domain.ts';
import { NotFoundError, PayloadTooLargeError, PreconditionFailedError, ValidationError } from '#kernel/errors';
import { auditedPatch } from './json-patch.domain.ts';
import { executeCommand } from '#kernel/store/event-log';
import {
  type ConfigHead,
  configHeadItem,
  getConfigHead,
  getLayerVersion,
  getSchema,
  type LayerVersion,
  layerVersionItem,
  schemaItem,
  type StoredSchema,
  type StoredVariables,
  variablesItem,
} from './configs.store.ts';
import { keys } from '#kernel/store/keys';
import { getService } from '#services/public';

/** A JSON Schema document is at most this large. */
export const MAX_SCHEMA_BYTES = 64 * 1024;

/** A 400 for numbers the table cannot keep, rather than a failure in the store. */
export function refuseUnstorableNumbers(value: unknown, pointer: string): void {
  const problems = unstorableNumbers(value, pointer);
  if (problems.length > 0)
    throw new ValidationError(`Some numbers cannot be stored: ${problems.map((p) => p.pointer).join(', ')}.`, problems);
}

async function requireService(service: string): Promise<void> {
  if (!(await getService(service))) throw new NotFoundError(`There is no service named ${service}.`);
}

/** Honours If-Match against a layer's version; `*` means "only if the layer exists". */
function checkLayerIfMatch(ifMatch: string | undefined, layer: string, current: LayerSummary | undefined): void {
  if (ifMatch === undefined) return;
  if (current && headerMatches(ifMatch, layerEtag(current.version))) return;
  throw new PreconditionFailedError(
    current
      ? `Layer ${layer} has changed since you read it (its ETag is now ${layerEtag(current.version)}); read it again and retry.`
      : `Layer ${layer} has no configuration yet, so it cannot match ${ifMatch}.`,
    current ? { currentEtag: layerEtag(current.version) } : {},
  );
}

export async function putSchema(service: string, schema: unknown, context: CommandContext): Promise<StoredSchema> {
  const problems = schemaProblems(schema);
  if (problems.length > 0)
    throw new ValidationError(
      `The schema is not a valid JSON Schema (draft 2020-12): ${problems.map((p) => `${p.pointer}: ${p.message}`).join('; ')}.`,
      problems,
    );
  if (jsonBytes(schema) > MAX_SCHEMA_BYTES) throw new PayloadTooLargeError(`A schema is at most ${MAX_SCHEMA_BYTES / 1024} KB.`);
  refuseUnstorableNumbers(schema, '/body');
  await requireService(service);
  return executeCommand<StoredSchema>(keys.configAggregate(service), async () => {
    const { head, seq } = await getConfigHead(service);
    const current = await getSchema(service);
    if (current && sameJson(current.schema, schema)) return { unchanged: current };
    // Every environment must satisfy the new schema, as it would have to on its next write.
    const environments = environmentsOf(head.layers);
    checkEnvironments(
      environments,
      await loadState(service, head, schema as object, layersNeeded(environments, head.layers), environments),
    );
    const version = (current?.version ?? 0) + 1;
    const stored = { schema: schema as object, version, updatedAt: new Date().toISOString() };
    const next: ConfigHead = { ...head, schemaVersion: version };
    return {
      expectedSeq: seq,
      event: {
        type: 'config.schema_updated',
        actor: context.actor,
        requestId: context.requestId,
        service,
        subject: `config/${service}/schema`,
        changes: { before: current ? { version: current.version } : null, after: { version, ...auditedPatch(current?.schema, schema) } },
        effects: [schemaItem(service, stored), configHeadItem(next)],
      },
      result: () => stored,
    };
  });
}

export interface LayerWrite {
  values: JsonObject;
  extends?: string | null;
  message?: string;
}

/** The outcome of writing a layer: its new (or unchanged) version. */
export interface LayerWriteResult {
  version: LayerVersion;
  created: boolean;
}

/**
 * Writes a new immutable version of a layer, after checking the extends chain and that every
 * environment depending on the layer still resolves and satisfies the schema.
 */
export async function putLayer(
  service: string,
  layer: string,
  write: LayerWrite,
  context: CommandContext,
  restoredFrom: number | null = null,
): Promise<LayerWriteResult> {
  const parent = write.extends ?? null;
  if (jsonBytes(write.values) > MAX_RESOLVED_BYTES) {
    throw new PayloadTooLargeError(`A configuration layer is at most ${MAX_RESOLVED_BYTES} bytes (256 KB) of JSON.`);
  }
  refuseUnstorableNumbers(write.values, '/body/values');
  if (layer === BASE_LAYER && parent !== null) {
    throw new ValidationError('The base layer extends nothing.', [
      { pointer: '/body/extends', message: 'must be omitted for the base layer' },
    ]);
  }
  await requireService(service);
  return executeCommand<LayerWriteResult>(keys.configAggregate(service), async () => {
    const { head, seq } = await getConfigHead(service);
    const current = head.layers[layer];
    checkLayerIfMatch(context.ifMatch, layer, current);
    const schema = head.schemaVersion ? ((await getSchema(service))?.schema ?? null) : null;
    const proposedLayers = {
      ...head.layers,
      [layer]: { version: (current?.version ?? 0) + 1, extends: parent, updatedAt: new Date().toISOString() },
    };
    const affected = dependentsOf(layer, proposedLayers).filter((name) => name !== BASE_LAYER);
    // chainOf (via layersNeeded) refuses unknown parents and cycles before anything is read.
    const needed = layersNeeded(layer === BASE_LAYER ? affected : [layer, ...affected], proposedLayers);
    const state: ConfigState = await loadState(service, head, schema, [...needed, layer], affected);
    const previous = current ? await getLayerVersion(service, layer, current.version) : undefined;
    // A write that changes nothing records nothing: a rollback to the content the layer has now too.
    if (previous && previous.extends === parent && sameJson(previous.values, write.values)) {
      return { unchanged: { version: previous, created: false } };
    }
    state.layers = proposedLayers;
    state.contents.set(layer, write.values);
    checkEnvironments(affected, state);

    const version: LayerVersion = {
      service,
      layer,
      version: proposedLayers[layer]!.version,
      extends: parent,
      values: write.values,
      message: write.message ?? null,
      author: context.actor,
      createdAt: proposedLayers[layer]!.updatedAt,
      restoredFrom,
    };
    return {
      expectedSeq: seq,
      event: {
        type: restoredFrom === null ? 'config.updated' : 'config.rolled_back',
        actor: context.actor,
        requestId: context.requestId,
        service,
        subject: `config/${service}/${layer}`,
        changes: {
          before: current ? { version: current.version, extends: current.extends } : null,
          after: {
            version: version.version,
            extends: parent,
            message: version.message,
            restoredFrom,
            ...auditedPatch(previous?.values, write.values),
          },
        },
        effects: [layerVersionItem(version), configHeadItem({ ...head, layers: proposedLayers })],
      },
      result: () => ({ version, created: !current }),
    };
  });
}

/**
 * Makes a new version with an earlier version's content; history is never rewritten. Rolling back
 * to the content the layer has now changes nothing, records nothing and answers the current version.
 */
export async function rollbackLayer(service: string, layer: string, toVersion: number, context: CommandContext): Promise<LayerWriteResult> {
  const target = await getLayerVersion(service, layer, toVersion);
  if (!target) throw new NotFoundError(`Layer ${layer} of ${service} has no version ${toVersion}.`);
  return putLayer(
    service,
    layer,
    { values: target.values, extends: target.extends, message: `rollback to version ${toVersion}` },
    context,
    toVersion,
  );
}

export async function putVariables(
  service: string,
  environment: string,
  variables: Record<string, string>,
  context: CommandContext,
): Promise<StoredVariables> {
  if (environment === BASE_LAYER) {
    throw new ValidationError('Variables belong to environments; the base layer has none.', [
      { pointer: '/path/env', message: 'must name an environment, not base' },
    ]);
  }
  await requireService(service);
  return executeCommand<StoredVariables>(keys.configAggregate(service), async () => {
    const { head, seq } = await getConfigHead(service);
    const schema = head.schemaVersion ? ((await getSchema(service))?.schema ?? null) : null;
    const affected = head.layers[environment] ? [environment] : [];
    const state = await loadState(service, head, schema, layersNeeded(affected, head.layers), [environment]);
    const before = state.variables.get(environment) ?? {};
    const rev = (head.variables[environment] ?? 0) + 1;
    const stored: StoredVariables = { environment, variables, rev, updatedAt: new Date().toISOString() };
    if (sameJson(before, variables) && head.variables[environment]) {
      return { unchanged: { ...stored, rev: head.variables[environment] } };
    }
    state.variables.set(environment, variables);
    state.variablesRevs[environment] = rev;
    checkEnvironments(affected, state);
    return {
      expectedSeq: seq,
      event: {
        type: 'config.variables_updated',
        actor: context.actor,
        requestId: context.requestId,
        service,
        subject: `config/${service}/${environment}/variables`,
        changes: { before: { rev: head.variables[environment] ?? 0 }, after: { rev, ...auditedPatch(before, variables) } },
        effects: [variablesItem(service, stored), configHeadItem({ ...head, variables: { ...head.variables, [environment]: rev } })],
      },
      result: () => stored,
    };
  });
}
