import type { MiddlewareObj } from '@middy/core';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { ForbiddenError, NotFoundError } from '../../errors.ts';
import { canSeeService, ownsAll, type Principal } from '../../roles.ts';
import type { Operation, OperationRequest, ServiceOwner } from '../operation.ts';
import { requestState } from '../request-state.ts';

/**
 * The one place a route's declared scope (`Contract.scope`) is enforced for keys limited to
 * services. `path` and `global` are checked by `authorize`, before the body is read, through
 * `checkScopeBeforeBody`; the rest once the input is valid, by this middleware. A resource
 * outside the key's services answers 404, as if it did not exist: a scoped key learns nothing
 * of other services' webhooks or alerts.
 */

const limitedTo = (principal: Principal, what: string) =>
  new ForbiddenError(`Key "${principal.name}" is limited to other services than ${what}.`);

export function checkScopeBeforeBody(operation: Operation, principal: Principal, event: APIGatewayProxyEventV2): void {
  if (principal.services === null) return;
  const { scope } = operation;
  if (scope.from === 'global') {
    throw new ForbiddenError(`This acts on every service; key "${principal.name}" is limited to ${principal.services.join(', ')}.`);
  }
  if (scope.from === 'path') {
    const service = event.pathParameters?.[scope.param];
    if (service !== undefined && !canSeeService(principal, service)) throw limitedTo(principal, service);
  }
}

export function enforceScope(): MiddlewareObj<APIGatewayProxyEventV2> {
  return {
    name: 'enforceScope',
    before: async function enforceScopeBefore(request) {
      const state = requestState(request);
      const { operation, principal, input } = state;
      if (!principal || principal.services === null || !input) return;
      const { scope } = operation;
      if (scope.from === 'body' || scope.from === 'query') {
        const source = scope.from === 'body' ? input.body : input.query;
        // `a|b`: the first of these fields that is given names the services (null: every service).
        const values =
          scope.field
            .split('|')
            .map((field) => valuesAt(source, field.split('.')))
            .find((found) => found.length > 0 && found.every((value) => value !== undefined)) ?? [];
        if (values.length === 0 && scope.from === 'body' && scope.absent === 'key-services' && input.body) {
          // Left out by a key limited to services: it means "mine", so it is filled in as such.
          setAt(input.body, (scope.field.split('|')[0] as string).split('.'), [...principal.services]);
          return;
        }
        if (values.length === 0 || values.some((value) => value === null || value === undefined)) {
          throw new ForbiddenError(
            `Without ${scope.field} this acts on every service; key "${principal.name}" is limited to ${principal.services.join(', ')}: name them.`,
          );
        }
        const outside = [...new Set(values.flat() as string[])].filter((service) => !canSeeService(principal, service));
        if (outside.length > 0) throw limitedTo(principal, outside.join(', '));
      } else if (scope.from === 'list' && scope.query) {
        const service = (input.query as Record<string, unknown> | undefined)?.[scope.query];
        if (typeof service === 'string' && !canSeeService(principal, service)) throw limitedTo(principal, service);
      } else if (scope.from === 'resource') {
        if (!operation.serviceOf) throw new Error(`${operation.operationId} is resource-scoped but has no serviceOf`);
        const owner = await operation.serviceOf({ ...input, principal } as OperationRequest<never, never, never>);
        if (!ownedWithin(owner, principal)) throw new NotFoundError(`There is nothing at ${request.event.rawPath}.`);
      }
    },
  };
}

/** Whether a key limited to services may act on a resource with this owner (an absent resource: the route answers 404 itself). */
function ownedWithin(owner: ServiceOwner, principal: Principal): boolean {
  if (owner === undefined) return true;
  return ownsAll(principal, typeof owner === 'string' ? [owner] : owner);
}

/** Sets a value at a dotted path, making the objects on the way. */
function setAt(target: unknown, path: string[], value: unknown): void {
  let node = target as Record<string, unknown>;
  for (const key of path.slice(0, -1)) {
    if (node[key] === null || typeof node[key] !== 'object') node[key] = {};
    node = node[key] as Record<string, unknown>;
  }
  node[path[path.length - 1] as string] = value;
}

/** The values at a dotted path, `*` standing for every element of an array. */
function valuesAt(value: unknown, path: string[]): unknown[] {
  if (path.length === 0) return [value];
  const [head, ...rest] = path as [string, ...string[]];
  if (head === '*') return Array.isArray(value) ? value.flatMap((element) => valuesAt(element, rest)) : [];
  if (value === null || typeof value !== 'object') return [undefined];
  return valuesAt((value as Record<string, unknown>)[head], rest);
}
