import { commandContext } from '#kernel/http/request-context';
import { layerView } from './configs.view.ts';
import { putLayer, putSchema, putVariables, rollbackLayer } from './configs.commands.ts';
import * as contracts from './writes.contract.ts';
import { layerEtag } from './config.domain.ts';
import { implement, type Operation } from '#kernel/http/operation';

/** Writing configuration: every write is checked against the schema (Ajv) before it is appended. */
export const configWriteOperations: Operation[] = [
  implement(contracts.putConfigSchema, async (request) => ({
    status: 200,
    body: await putSchema(request.params.name, request.body, commandContext(request)),
  })),

  implement(contracts.putConfig, async (request) => {
    const { version, created } = await putLayer(request.params.name, request.params.env, request.body as never, commandContext(request));
    return { status: created ? 201 : 200, body: layerView(version), headers: { etag: layerEtag(version.version) } };
  }),

  implement(contracts.putConfigVariables, async (request) => ({
    status: 200,
    body: await putVariables(request.params.name, request.params.env, request.body as Record<string, string>, commandContext(request)),
  })),

  implement(contracts.rollbackConfig, async (request) => {
    const { version } = await rollbackLayer(request.params.name, request.params.env, request.body.toVersion, commandContext(request));
    return { status: 200, body: layerView(version), headers: { etag: layerEtag(version.version) } };
  }),
];
