import { etagOf } from '#kernel/command-context';
import { commandContext } from '#kernel/http/request-context';
import { implement, type Operation } from '#kernel/http/operation';
import { requireModel } from './models.reads.ts';
import { getModelHead, type ModelHead } from './models.store.ts';
import { putModelPolicy } from './policy.commands.ts';
import * as contracts from './policy.contract.ts';

function policyView(head: ModelHead) {
  return {
    service: head.service,
    ...head.settings,
    maxCostPer1kRequests: head.settings.maxCostPer1kRequests ?? null,
    updatedAt: head.updatedAt,
    etag: etagOf(head.rev),
  };
}

export const policyOperations: Operation[] = [
  implement(contracts.putModelPolicy, async (request) => {
    const view = policyView(await putModelPolicy(request.params.name, request.body, commandContext(request)));
    return { status: 200, body: view, headers: { etag: view.etag } };
  }),

  implement(contracts.getModelPolicy, async (request) => {
    await requireModel(request.params.name);
    const view = policyView((await getModelHead(request.params.name)).head);
    return { status: 200, body: view, headers: { etag: view.etag } };
  }),
];
