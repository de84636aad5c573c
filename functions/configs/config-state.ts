import {
  BASE_LAYER,
  chainOf,
  deepMerge,
  type JsonObject,
  type JsonValue,
  type LayerSummary,
  resolvedEtag,
  substitute,
} from './config.domain.ts';
import type { FieldError } from '#kernel/errors';
import { type ConfigHead, getMany } from './configs.store.ts';

/**
 * The part of a service's configuration a decision needs, current or proposed: layer contents,
 * environments' variables and the schema. Commands load it, change it, and check that every
 * environment it touches still resolves before they append anything.
 */
export interface ConfigState {
  layers: Record<string, LayerSummary>;
  contents: Map<string, JsonObject>;
  variables: Map<string, Record<string, string>>;
  variablesRevs: Record<string, number>;
  schema: object | null;
}

export interface ResolvedConfig {
  values: JsonObject;
  chain: Array<{ layer: string; version: number }>;
  etag: string;
}

/** Environments are every layer but base. */
export function environmentsOf(layers: Record<string, LayerSummary>): string[] {
  return Object.keys(layers).filter((layer) => layer !== BASE_LAYER);
}

/** Loads the current contents of `layerNames` and the variables of `environments` in one batch read. */
export async function loadState(
  service: string,
  head: ConfigHead,
  schema: object | null,
  layerNames: string[],
  environments: string[],
): Promise<ConfigState> {
  const wanted = [...new Set(layerNames)]
    .filter((layer) => head.layers[layer])
    .map((layer) => ({ layer, version: head.layers[layer]!.version }));
  const withVariables = [...new Set(environments)].filter((environment) => head.variables[environment]);
  const { layers, variables } = await getMany(service, { layers: wanted, variablesOf: withVariables });
  return {
    layers: { ...head.layers },
    contents: new Map([...layers].map(([layer, version]) => [layer, version.values])),
    variables,
    variablesRevs: { ...head.variables },
    schema,
  };
}

/** The layers whose contents resolving `environments` needs. */
export function layersNeeded(environments: string[], layers: Record<string, LayerSummary>): string[] {
  return [...new Set(environments.flatMap((environment) => chainOf(environment, layers)))];
}

/** Merges an environment's chain and fills its placeholders; `missing` lists placeholders with no variable. */
export function resolve(environment: string, state: ConfigState): ResolvedConfig & { missing: FieldError[] } {
  const chainNames = chainOf(environment, state.layers);
  let merged: JsonValue = {};
  for (const layer of chainNames) merged = deepMerge(merged, state.contents.get(layer) ?? {});
  const { value, missing } = substitute(merged, state.variables.get(environment) ?? {}, '/values');
  const chain = chainNames.map((layer) => ({ layer, version: state.layers[layer]!.version }));
  return { values: value as JsonObject, chain, etag: resolvedEtag(chain, state.variablesRevs[environment] ?? 0), missing };
}
