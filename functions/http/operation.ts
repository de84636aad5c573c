import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import type * as z from 'zod';
import type { Principal, Role } from '#domain/roles';

/** The Lambda function (route group) an operation is deployed in. */
export type RouteGroup = 'services' | 'versions' | 'audit' | 'api-keys' | 'configs' | 'secrets' | 'system';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export interface ResponseSpec {
  description: string;
  schema?: z.ZodType;
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
 * One route: its contract (the zod schemas that validate it and document it in OpenAPI) and
 * its behaviour. The local server, the CDK routes, the OpenAPI document and the Lambda
 * handlers are all built from the list of operations.
 */
export interface Operation<
  TParams extends z.ZodType = z.ZodType,
  TQuery extends z.ZodType = z.ZodType,
  TBody extends z.ZodType = z.ZodType,
> {
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
  /** Parses the raw body for operations that take more than JSON (the default parser takes JSON only). */
  parseBody?: (raw: string, contentType: string) => unknown;
  /** Media types the body may come in, for the OpenAPI document (default: application/json). */
  bodyMediaTypes?: string[];
  /** Request headers the operation reads, for the OpenAPI document. */
  requestHeaders?: Array<'If-Match' | 'If-None-Match' | 'Idempotency-Key'>;
  responses: Record<number, ResponseSpec>;
  handle: (request: OperationRequest<z.output<TParams>, z.output<TQuery>, z.output<TBody>>) => Promise<HttpResult>;
}

export function defineOperation<TParams extends z.ZodType, TQuery extends z.ZodType, TBody extends z.ZodType>(
  operation: Operation<TParams, TQuery, TBody>,
): Operation {
  return operation as unknown as Operation;
}

export function routeKey(operation: Pick<Operation, 'method' | 'path'>): string {
  return `${operation.method} ${operation.path}`;
}
