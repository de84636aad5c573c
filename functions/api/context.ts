import type { CommandContext } from '#commands/context';
import type { OperationRequest } from '#http/operation';

/** The command context of an HTTP request: who, which request, and its If-Match. */
export function commandContext(request: OperationRequest<unknown, unknown, unknown>): CommandContext {
  return {
    actor: { keyId: request.principal.keyId, name: request.principal.name },
    requestId: request.requestId,
    ifMatch: request.headers['if-match'],
  };
}
