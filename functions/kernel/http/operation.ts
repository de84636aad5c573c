import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import type * as z from 'zod';
import type { Principal, Role } from '../roles.ts';

/** Any zod schema, classic or zod/mini (the configuration contracts use zod/mini: see #schemas/mini). */
export type Schema = z.core.$ZodType;

/** The Lambda function (route group) an operation is deployed in. */
export type RouteGroup =
  | 'services'
  | 'versions'
  | 'audit'
  | 'api-keys'
  | 'configs'
  | 'config-writes'
  | 'config-transfer'
  | 'secrets'
  | 'deployments'
  | 'health-checks'
  | 'metrics'
  | 'alerts'
  | 'api-contracts'
  | 'openapi-uploads'
  | 'compatibility-checks'
  | 'migrations'
  | 'models'
  | 'system';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export interface ResponseSpec {
  description: string;
  schema?: Schema;
  contentType?: string;
  headers?: Record<string, { description: string }>;
}

/**
 * Which service a route acts on, so that keys limited to services stay inside them. Every
 * contract declares one; `middleware/enforce-scope.ts` enforces it, in one place:
 * - `path`: the service is named by a path parameter (`/v1/services/{name}/...`);
 * - `body`, `query`: by a field of the validated body or query (`samples.*.service` for each
 *   element; `a|b` for the first given); an absent or null field means every service (unscoped
 *   keys only), unless `absent: 'key-services'` says it means the key's own services;
 * - `resource`: by the resource the route acts on: the route's `serviceOf` reads it;
 * - `list`: the route lists many services' things and shows a key only its services' (the route
 *   filters with `principal.services`; the route × scope matrix test checks that it does); a
 *   `query` filter naming one service must name one of the key's;
 * - `global`: acts on every service at once: unscoped keys only;
 * - `none`: public, or about no service (the system's own information).
 */
export type ServiceScope =
  | { from: 'path'; param: string }
  | { from: 'body'; field: string; absent?: 'every-service' | 'key-services' }
  | { from: 'query'; field: string }
  | { from: 'resource' }
  | { from: 'list'; query?: string }
  | { from: 'global' }
  | { from: 'none' };

/** The services a resource belongs to: one, several, `null` for every service, undefined when it does not exist. */
export type ServiceOwner = string | readonly string[] | null | undefined;

export interface OperationRequest<TParams, TQuery, TBody> {
  params: TParams;
  query: TQuery;
  body: TBody;
  /** Undefined only on public operations. */
  principal: Principal;
  requestId: string;
  headers: Record<string, string | undefined>;
  event: APIGatewayProxyEventV2;
}

/** What an operation answers; the pipeline turns it into an API Gateway result. */
export interface HttpResult {
  status: number;
  body?: unknown;
  /** Defaults to application/json when there is a body. */
  contentType?: string;
  headers?: Record<string, string>;
}

/**
 * One route's contract: method, path, who may call it, and the zod schemas that validate it and
 * document it in OpenAPI. Contracts live in functions/contracts and import no behaviour, so the
 * OpenAPI document, the route table, the CDK routes and the 404/405 fallback can be built from
 * them without bundling every handler's dependencies.
 */
export interface Contract<
  TParams extends Schema = Schema,
  TQuery extends Schema = Schema,
  TBody extends Schema = Schema,
  TScope extends ServiceScope = ServiceScope,
> {
  operationId: string;
  group: RouteGroup;
  method: HttpMethod;
  /** API Gateway path template, e.g. `/v1/services/{name}`. */
  path: string;
  summary: string;
  description?: string;
  tag: string;
  /** The least role that may call it (`ingest`: ingest keys, deployers and admins), or `public` for no authentication. */
  access: Role | 'public';
  /** Which service the route acts on, for keys limited to services. */
  scope: TScope;
  params?: TParams;
  query?: TQuery;
  body?: TBody;
  /** Whether the body may be left out (it is then validated as `{}`). */
  bodyOptional?: boolean;
  /** Media types the body may come in, for the OpenAPI document (default: application/json). */
  bodyMediaTypes?: string[];
  /** The body's size limit in bytes, for the few routes that take more than the default 1 MB (OpenAPI documents). */
  maxBodyBytes?: number;
  /** Request headers the operation reads, for the OpenAPI document. */
  requestHeaders?: Array<'If-Match' | 'If-None-Match' | 'Idempotency-Key'>;
  responses: Record<number, ResponseSpec>;
  /**
   * A route Steward itself deprecated (issue 11 §9): every response of it, errors included,
   * carries RFC 9745 `Deprecation`, RFC 8594 `Sunset` when one is set, and `Link`s to the OpenAPI
   * document (rel="deprecation") and to `successor` (rel="successor-version": a path template whose
   * `{params}` are filled from the request's); the OpenAPI document marks the operation deprecated.
   */
  deprecation?: RouteDeprecation;
}

export interface RouteDeprecation {
  /** ISO 8601: when the route was deprecated. */
  deprecatedAt: string;
  /** ISO 8601: when it stops answering. */
  sunsetAt?: string;
  /** The route to use instead, e.g. `/v2/services/{name}`. */
  successor?: string;
}

/** A contract with its behaviour: what a route group's Lambda handler runs. */
export interface Operation<TParams extends Schema = Schema, TQuery extends Schema = Schema, TBody extends Schema = Schema>
  extends Contract<TParams, TQuery, TBody> {
  handle: (request: OperationRequest<z.output<TParams>, z.output<TQuery>, z.output<TBody>>) => Promise<HttpResult>;
  /** Parses the raw body for operations that take more than JSON (the default parser takes JSON only). */
  parseBody?: (raw: string, contentType: string) => unknown;
  /** For `resource`-scoped routes: the services the addressed resource belongs to. */
  serviceOf?: (request: OperationRequest<z.output<TParams>, z.output<TQuery>, z.output<TBody>>) => Promise<ServiceOwner>;
}

export function defineContract<TParams extends Schema, TQuery extends Schema, TBody extends Schema, const TScope extends ServiceScope>(
  contract: Contract<TParams, TQuery, TBody, TScope>,
): Contract<TParams, TQuery, TBody, TScope> {
  return contract;
}

/** Binds behaviour to a contract; the request is typed by the contract's schemas. */
export function implement<TParams extends Schema, TQuery extends Schema, TBody extends Schema>(
  contract: Contract<TParams, TQuery, TBody, { from: 'resource' }>,
  handle: Operation<TParams, TQuery, TBody>['handle'],
  options: Pick<Operation<TParams, TQuery, TBody>, 'parseBody'> & Required<Pick<Operation<TParams, TQuery, TBody>, 'serviceOf'>>,
): Operation;
export function implement<TParams extends Schema, TQuery extends Schema, TBody extends Schema>(
  contract: Contract<TParams, TQuery, TBody, Exclude<ServiceScope, { from: 'resource' }>>,
  handle: Operation<TParams, TQuery, TBody>['handle'],
  options?: Pick<Operation<TParams, TQuery, TBody>, 'parseBody'>,
): Operation;
/** A resource-scoped route must say how to find its resource's services (`serviceOf`): the type system insists. */
export function implement(
  contract: Contract,
  handle: Operation['handle'],
  options: Partial<Pick<Operation, 'parseBody' | 'serviceOf'>> = {},
): Operation {
  return { ...contract, ...options, handle } as unknown as Operation;
}

export function routeKey(operation: Pick<Contract, 'method' | 'path'>): string {
  return `${operation.method} ${operation.path}`;
}
