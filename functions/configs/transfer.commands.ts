import type { CommandContext } from '#kernel/command-context';
import { checkEnvironments } from './config-checks.ts';
import { environmentsOf, loadState } from './config-state.ts';
import { MAX_SCHEMA_BYTES, refuseUnstorableNumbers } from './configs.commands.ts';
import { BASE_LAYER, chainOf, type JsonObject, jsonBytes, type LayerSummary, MAX_RESOLVED_BYTES, sameJson } from './config.domain.ts';
import { schemaProblems } from './config-schema.domain.ts';
import { NotFoundError, PayloadTooLargeError, ValidationError } from '#kernel/errors';
import { jsonPatch, MAX_AUDITED_PATCH_BYTES } from './json-patch.domain.ts';
import { executeCommand, type Item } from '#kernel/store/event-log';
import {
  configHeadItem,
  getConfigHead,
  getSchema,
  type LayerVersion,
  layerVersionItem,
  schemaItem,
  variablesItem,
} from './configs.store.ts';
import { keys } from '#kernel/store/keys';
import { getService } from '#services/public';

export const EXPORT_FORMAT = 'steward-config/v1';

/** Every layer, every environment's variables and the schema of a service: never secret values. */
export interface ConfigDocument {
  format?: string;
  service?: string;
  exportedAt?: string;
  schema?: object | null;
  layers?: Record<string, { extends?: string | null; values: JsonObject }>;
  variables?: Record<string, Record<string, string>>;
}

export async function exportConfig(service: string): Promise<Required<ConfigDocument>> {
  if (!(await getService(service))) throw new NotFoundError(`There is no service named ${service}.`);
  const { head } = await getConfigHead(service);
  const layerNames = Object.keys(head.layers).sort();
  const state = await loadState(service, head, null, layerNames, Object.keys(head.variables));
  const schema = head.schemaVersion ? ((await getSchema(service))?.schema ?? null) : null;
  return {
    format: EXPORT_FORMAT,
    service,
    exportedAt: new Date().toISOString(),
    schema,
    layers: Object.fromEntries(
      layerNames.map((layer) => {
        const parent = head.layers[layer]?.extends ?? null;
        return [layer, { ...(parent ? { extends: parent } : {}), values: state.contents.get(layer) ?? {} }];
      }),
    ),
    variables: Object.fromEntries([...state.variables].sort(([a], [b]) => a.localeCompare(b))),
  };
}

export interface ImportChange {
  kind: 'schema' | 'layer' | 'variables';
  name: string;
  action: 'create' | 'update' | 'unchanged';
  /** JSON Patch from the current content to the imported one. */
  patch: unknown[];
}

/**
 * Applies a document in one change: the whole document is validated (extends chains, the schema,
 * every environment's resolution) before anything is written, and then written as one event.
 * With `dryRun`, answers what would change and writes nothing.
 */
export async function importConfig(
  service: string,
  document: ConfigDocument,
  dryRun: boolean,
  context: CommandContext,
): Promise<{ dryRun: boolean; changes: ImportChange[] }> {
  if (document.schema) {
    const problems = schemaProblems(document.schema).map((problem) => ({
      ...problem,
      pointer: problem.pointer.replace(/^\/body/, '/body/schema'),
    }));
    if (problems.length > 0) throw new ValidationError('The document’s schema is not a valid JSON Schema (draft 2020-12).', problems);
  }
  // The limits of single writes hold for imports too.
  if (document.schema && jsonBytes(document.schema) > MAX_SCHEMA_BYTES)
    throw new PayloadTooLargeError(`A schema is at most ${MAX_SCHEMA_BYTES / 1024} KB.`);
  for (const [layer, content] of Object.entries(document.layers ?? {})) {
    if (jsonBytes(content.values) > MAX_RESOLVED_BYTES) {
      throw new PayloadTooLargeError(
        `Layer ${layer} is over ${MAX_RESOLVED_BYTES} bytes; a configuration layer is at most ${MAX_RESOLVED_BYTES} bytes (256 KB) of JSON.`,
      );
    }
  }
  refuseUnstorableNumbers({ schema: document.schema ?? null, layers: document.layers ?? {} }, '/body');
  if (document.layers?.[BASE_LAYER]?.extends) {
    throw new ValidationError('The base layer extends nothing.', [
      { pointer: '/body/layers/base/extends', message: 'must be omitted for the base layer' },
    ]);
  }
  if (!(await getService(service))) throw new NotFoundError(`There is no service named ${service}.`);
  return executeCommand<{ dryRun: boolean; changes: ImportChange[] }>(keys.configAggregate(service), async () => {
    const { head, seq } = await getConfigHead(service);
    const currentSchema = head.schemaVersion ? ((await getSchema(service))?.schema ?? null) : null;
    const now = new Date().toISOString();
    const layers: Record<string, LayerSummary> = { ...head.layers };
    const incoming = document.layers ?? {};
    for (const [layer, content] of Object.entries(incoming)) {
      layers[layer] = { version: (head.layers[layer]?.version ?? 0) + 1, extends: content.extends ?? null, updatedAt: now };
    }
    for (const layer of Object.keys(incoming)) {
      try {
        chainOf(layer, layers);
      } catch (error) {
        if (error instanceof ValidationError) {
          throw new ValidationError(
            error.detail,
            error.errors.map((e) => ({ ...e, pointer: `/body/layers/${layer}/extends` })),
          );
        }
        throw error;
      }
    }
    const environments = environmentsOf(layers);
    const variableEnvironments = [...new Set([...Object.keys(head.variables), ...Object.keys(document.variables ?? {})])];
    const state = await loadState(service, head, null, Object.keys(head.layers), variableEnvironments);
    const before = { contents: new Map(state.contents), variables: new Map(state.variables) };

    const changes: ImportChange[] = [];
    const effects: Item[] = [];
    const nextHead = { ...head, layers: { ...head.layers }, variables: { ...head.variables } };

    // A document without a schema (or with `schema: null`, as exported by a service that has none) leaves the schema as it is.
    const schema = document.schema ?? currentSchema;
    if (document.schema) {
      const changed = !sameJson(currentSchema, document.schema);
      changes.push({
        kind: 'schema',
        name: 'schema',
        action: changed ? (currentSchema ? 'update' : 'create') : 'unchanged',
        patch: jsonPatch(currentSchema ?? {}, document.schema),
      });
      if (changed) {
        const version = (head.schemaVersion ?? 0) + 1;
        nextHead.schemaVersion = version;
        effects.push(schemaItem(service, { schema: document.schema, version, updatedAt: now }));
      }
    }
    for (const [layer, content] of Object.entries(incoming)) {
      const previous = before.contents.get(layer);
      const unchanged =
        previous !== undefined && head.layers[layer]?.extends === (content.extends ?? null) && sameJson(previous, content.values);
      changes.push({
        kind: 'layer',
        name: layer,
        action: unchanged ? 'unchanged' : previous ? 'update' : 'create',
        patch: jsonPatch(previous ?? {}, content.values),
      });
      if (unchanged) {
        layers[layer] = head.layers[layer] as LayerSummary;
        continue;
      }
      state.contents.set(layer, content.values);
      nextHead.layers[layer] = layers[layer] as LayerSummary;
      const version: LayerVersion = {
        service,
        layer,
        version: layers[layer]!.version,
        extends: content.extends ?? null,
        values: content.values,
        message: 'imported',
        author: context.actor,
        createdAt: now,
        restoredFrom: null,
      };
      effects.push(layerVersionItem(version));
    }
    for (const [environment, variables] of Object.entries(document.variables ?? {})) {
      if (environment === BASE_LAYER) {
        throw new ValidationError('Variables belong to environments; the base layer has none.', [
          { pointer: '/body/variables/base', message: 'must name an environment, not base' },
        ]);
      }
      const previous = before.variables.get(environment);
      const unchanged = previous !== undefined && sameJson(previous, variables);
      changes.push({
        kind: 'variables',
        name: environment,
        action: unchanged ? 'unchanged' : previous ? 'update' : 'create',
        patch: jsonPatch(previous ?? {}, variables),
      });
      if (unchanged) continue;
      const rev = (head.variables[environment] ?? 0) + 1;
      state.variables.set(environment, variables);
      state.variablesRevs[environment] = rev;
      nextHead.variables[environment] = rev;
      effects.push(variablesItem(service, { environment, variables, rev, updatedAt: now }));
    }
    state.layers = nextHead.layers;
    state.schema = schema;
    checkEnvironments(environments, state);

    const result = { dryRun, changes };
    if (dryRun || effects.length === 0) return { unchanged: result };
    return {
      expectedSeq: seq,
      event: {
        type: 'config.imported',
        actor: context.actor,
        requestId: context.requestId,
        service,
        subject: `config/${service}`,
        changes: {
          before: { layers: Object.fromEntries(Object.entries(head.layers).map(([layer, summary]) => [layer, summary.version])) },
          after: { changes: auditedChanges(changes.filter((change) => change.action !== 'unchanged')) },
        },
        effects: [...effects, configHeadItem(nextHead)],
      },
      result: () => result,
    };
  });
}

/** The changes for the audit record, each with its patch while all of them together stay within the audited-patch budget. */
function auditedChanges(changes: ImportChange[]): Array<Omit<ImportChange, 'patch'> & ({ patch: unknown[] } | { patchOmitted: string })> {
  let budget = MAX_AUDITED_PATCH_BYTES;
  return changes.map(({ kind, name, action, patch }) => {
    const bytes = Buffer.byteLength(JSON.stringify(patch));
    if (bytes > budget) return { kind, name, action, patchOmitted: `${bytes} bytes; compare the versions with the diff endpoint` };
    budget -= bytes;
    return { kind, name, action, patch };
  });
}
