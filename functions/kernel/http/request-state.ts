import type { Request } from '@middy/core';
import type { Principal } from '../roles.ts';
import type { Operation } from './operation.ts';

/**
 * What the pipeline's middlewares learn about a request. It rides on the event (as middy's
 * own body parsers do with `event.body`), because the handler receives only the event.
 */
export interface RequestState {
  operation: Operation;
  principal?: Principal;
  /** The JSON body, parsed; undefined when none was sent. */
  json?: unknown;
  input?: { params: unknown; query: unknown; body: unknown };
}

interface WithState {
  steward?: RequestState;
}

export function stateOf(event: object): RequestState {
  const state = (event as WithState).steward;
  if (!state) throw new Error('the operation was not resolved before this step');
  return state;
}

/** The operation the request was routed to, or undefined before (or without) a match. */
export function resolvedOperation(event: object): Operation | undefined {
  return (event as WithState).steward?.operation;
}

export function requestState(request: Request): RequestState {
  return stateOf(request.event as object);
}

export function setRequestState(request: Request, state: RequestState): void {
  (request.event as WithState).steward = state;
}
