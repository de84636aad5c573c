import { headerMatches } from '#kernel/command-context';
import { layerView } from './configs.view.ts';
import { diffLayerVersions, fetchResolved, readLayerVersion } from './config-reads.ts';
import * as contracts from './configs.contract.ts';
import { NotFoundError } from '#kernel/errors';
import { implement, type Operation } from '#kernel/http/operation';
import { getConfigHead, getSchema, getVariables, listLayerVersions } from './configs.store.ts';

/** Reading configuration: the fetch services make on a timer, history and diffs. No Ajv, no YAML. */
export const configOperations: Operation[] = [
  implement(contracts.getConfigSchema, async (request) => {
    const schema = await getSchema(request.params.name);
    if (!schema) throw new NotFoundError(`Service ${request.params.name} has no configuration schema.`);
    return { status: 200, body: schema };
  }),

  implement(contracts.listConfigLayers, async (request) => {
    const { head } = await getConfigHead(request.params.name);
    const layers = Object.entries(head.layers)
      .map(([layer, summary]) => ({ layer, ...summary, variablesRev: head.variables[layer] ?? 0 }))
      .sort((a, b) => a.layer.localeCompare(b.layer));
    return { status: 200, body: { service: request.params.name, schemaVersion: head.schemaVersion, layers } };
  }),

  implement(contracts.getConfig, async (request) => {
    if (request.query.raw === 'true') {
      const layer = await readLayerVersion(request.params.name, request.params.env);
      const ifNoneMatch = request.headers['if-none-match'];
      if (headerMatches(ifNoneMatch, layer.etag)) {
        return { status: 304, headers: { etag: layer.etag } };
      }
      return { status: 200, body: layerView(layer), headers: { etag: layer.etag } };
    }
    const outcome = await fetchResolved(request.params.name, request.params.env, request.headers['if-none-match']);
    if (outcome.notModified) return { status: 304, headers: { etag: outcome.etag } };
    return { status: 200, body: outcome.document, headers: { etag: outcome.document.etag } };
  }),

  implement(contracts.getConfigVariables, async (request) => {
    const stored = await getVariables(request.params.name, request.params.env);
    return { status: 200, body: stored ?? { environment: request.params.env, variables: {}, rev: 0, updatedAt: null } };
  }),

  implement(contracts.listConfigVersions, async (request) => {
    const page = await listLayerVersions(request.params.name, request.params.env, request.query);
    return { status: 200, body: { items: page.items.map(layerView), nextCursor: page.nextCursor } };
  }),

  implement(contracts.getConfigVersion, async (request) => ({
    status: 200,
    body: layerView(await readLayerVersion(request.params.name, request.params.env, request.params.version)),
  })),

  implement(contracts.diffConfigVersions, async (request) => ({
    status: 200,
    body: await diffLayerVersions(request.params.name, request.params.env, request.query.from, request.query.to),
  })),
];
