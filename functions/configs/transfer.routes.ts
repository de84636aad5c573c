import { commandContext } from '#kernel/http/request-context';
import { exportConfig as exportDocument, importConfig as importDocument } from './transfer.commands.ts';
import * as contracts from './transfer.contract.ts';
import { parseJsonOrYaml } from '#kernel/http/json-or-yaml-body';
import { stringifyYaml } from '#kernel/http/yaml';
import { implement, type Operation } from '#kernel/http/operation';

/** Export and import of whole configuration documents, as JSON or YAML. */
export const configTransferOperations: Operation[] = [
  implement(contracts.exportConfig, async (request) => {
    const document = await exportDocument(request.params.name);
    return request.query.format === 'yaml'
      ? { status: 200, contentType: 'application/yaml', body: stringifyYaml(document) }
      : { status: 200, body: document };
  }),

  implement(
    contracts.importConfig,
    async (request) => ({
      status: 200,
      body: await importDocument(request.params.name, request.body as never, request.query.dryRun === 'true', commandContext(request)),
    }),
    { parseBody: parseJsonOrYaml },
  ),
];
