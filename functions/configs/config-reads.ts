import { headerMatches } from '#kernel/command-context';
import { resolve } from './config-state.ts';
import { chainOf, type JsonObject, layerEtag, resolvedEtag } from './config.domain.ts';
import { NotFoundError } from '#kernel/errors';
import { jsonPatch } from './json-patch.domain.ts';
import { getConfigHead, getLayerVersion, getMany, type LayerVersion } from './configs.store.ts';

export interface ResolvedDocument {
  service: string;
  environment: string;
  /** The environment layer's own version. */
  version: number;
  etag: string;
  /** The layers merged, outermost first, with the versions used. */
  layers: Array<{ layer: string; version: number }>;
  variablesRev: number;
  schemaVersion: number | null;
  values: JsonObject;
}

/**
 * The call services make at start and on a timer. With `If-None-Match` equal to the current
 * ETag it answers from the head item alone: one table read, no body.
 */
export async function fetchResolved(
  service: string,
  environment: string,
  ifNoneMatch?: string,
): Promise<{ notModified: true; etag: string } | { notModified: false; document: ResolvedDocument }> {
  const { head } = await getConfigHead(service);
  const own = head.layers[environment];
  if (!own) throw new NotFoundError(`Service ${service} has no configuration for ${environment}.`);
  const chainNames = chainOf(environment, head.layers);
  const chain = chainNames.map((layer) => ({ layer, version: head.layers[layer]!.version }));
  const variablesRev = head.variables[environment] ?? 0;
  const etag = resolvedEtag(chain, variablesRev);
  if (headerMatches(ifNoneMatch, etag)) {
    return { notModified: true, etag };
  }
  const { layers, variables } = await getMany(service, { layers: chain, variablesOf: variablesRev ? [environment] : [] });
  const resolved = resolve(environment, {
    layers: head.layers,
    contents: new Map([...layers].map(([layer, version]) => [layer, version.values])),
    variables,
    variablesRevs: head.variables,
    schema: null,
  });
  return {
    notModified: false,
    document: {
      service,
      environment,
      version: own.version,
      etag,
      layers: chain,
      variablesRev,
      schemaVersion: head.schemaVersion,
      values: resolved.values,
    },
  };
}

/** One version of a layer, unresolved (the latest when `version` is left out). */
export async function readLayerVersion(service: string, layer: string, version?: number): Promise<LayerVersion & { etag: string }> {
  const { head } = await getConfigHead(service);
  const current = head.layers[layer];
  if (!current) throw new NotFoundError(`Service ${service} has no configuration layer ${layer}.`);
  const wanted = version ?? current.version;
  const found = await getLayerVersion(service, layer, wanted);
  if (!found) throw new NotFoundError(`Layer ${layer} of ${service} has no version ${wanted}; the latest is ${current.version}.`);
  return { ...found, etag: layerEtag(found.version) };
}

/** JSON Patch (RFC 6902) from one version of a layer to another (default: to the latest). */
export async function diffLayerVersions(service: string, layer: string, from: number, to?: number) {
  const target = await readLayerVersion(service, layer, to);
  const source = await readLayerVersion(service, layer, from);
  return {
    layer,
    from: source.version,
    to: target.version,
    extends: { from: source.extends, to: target.extends },
    patch: jsonPatch(source.values, target.values),
  };
}
