import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import type * as z from 'zod';
import type { Principal, Role } from '../roles.ts';

/** Any zod schema, classic or zod/mini (the configuration contracts use zod/mini: see #schemas/mini). */
type Schema = z.core.$ZodType;

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
  | 'system';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export interface ResponseSpec {
  description: string;
  schema?: Schema;
  contentType?: string;
  headers?: Record<string, { description: string }>;
}

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
export interface Contract<TParams extends Schema = Schema, TQuery extends Schema = Schema, TBody extends Schema = Schema> {
  operationId: string;
  group: RouteGroup;
  method: HttpMethod;
  /** API Gateway path template, e.g. `/v1/services/{name}`. */
  path: string;
  summary: string;
  description?: string;
  tag: string;
  /** The least role that may call it, or `public` for no authentication. */
  access: Role | 'public';
  /** The path parameter that names the service, for keys scoped to services. */
  serviceParam?: string;
  params?: TParams;
  query?: TQuery;
  body?: TBody;
  /** Whether the body may be left out (it is then validated as `{}`). */
  bodyOptional?: boolean;
  /** Media types the body may come in, for the OpenAPI document (default: application/json). */
  bodyMediaTypes?: string[];
  /** Request headers the operation reads, for the OpenAPI document. */
  requestHeaders?: Array<'If-Match' | 'If-None-Match' | 'Idempotency-Key'>;
  responses: Record<number, ResponseSpec>;
}

/** A contract with its behaviour: what a route group's Lambda handler runs. */
export interface Operation<TParams extends Schema = Schema, TQuery extends Schema = Schema, TBody extends Schema = Schema>
  extends Contract<TParams, TQuery, TBody> {
  handle: (request: OperationRequest<z.output<TParams>, z.output<TQuery>, z.output<TBody>>) => Promise<HttpResult>;
  /** Parses the raw body for operations that take more than JSON (the default parser takes JSON only). */
  parseBody?: (raw: string, contentType: string) => unknown;
}

export function defineContract<TParams extends Schema, TQuery extends Schema, TBody extends Schema>(
  contract: Contract<TParams, TQuery, TBody>,
): Contract<TParams, TQuery, TBody> {
  return contract;
}

/** Binds behaviour to a contract; the request is typed by the contract's schemas. */
export function implement<TParams extends Schema, TQuery extends Schema, TBody extends Schema>(
  contract: Contract<TParams, TQuery, TBody>,
  handle: Operation<TParams, TQuery, TBody>['handle'],
  options: Pick<Operation, 'parseBody'> = {},
): Operation {
  return { ...contract, ...options, handle } as unknown as Operation;
}

export function routeKey(operation: Pick<Contract, 'method' | 'path'>): string {
  return `${operation.method} ${operation.path}`;
}
