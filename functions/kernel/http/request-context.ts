import type { CommandContext } from '../command-context.ts';
import type { OperationRequest } from './operation.ts';

/** The command context of an HTTP request: who, which request, and its If-Match. */
export function commandContext(request: OperationRequest<unknown, unknown, unknown>): CommandContext {
  return {
    actor: { keyId: request.principal.keyId, name: request.principal.name },
    requestId: request.requestId,
    ifMatch: request.headers['if-match'],
  };
}
