import { expect } from 'vitest';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { ensureBootstrapKey, createApiKey } from '../../functions/api-keys/api-keys.commands.ts';
import type { Role } from '../../functions/kernel/roles.ts';
import { handler as authorizer } from '../../functions/handlers/authorizer.ts';
import { localLambdaContext } from '../../local/lambda-context.ts';
import { type ApiEventOptions, apiEvent, setAuthorizerContext } from './api-event.ts';

export type RouteHandler = (event: APIGatewayProxyEventV2, context: Context) => Promise<APIGatewayProxyStructuredResultV2>;

export interface Reply {
  status: number;
  headers: Record<string, string>;
  /** The body parsed as JSON when it is JSON (or problem+json), else undefined. */
  body: any;
  text: string;
  /** The request id API Gateway gave the request (recorded on the audit events it caused). */
  requestId: string;
}

/** Calls a Lambda handler as the Lambda runtime would, and reads its answer. */
export async function invoke(handler: RouteHandler, event: APIGatewayProxyEventV2): Promise<Reply> {
  const result = await handler(event, localLambdaContext('steward-test', event.requestContext.requestId));
  const headers = Object.fromEntries(Object.entries(result.headers ?? {}).map(([name, value]) => [name.toLowerCase(), String(value)]));
  const text = result.body === undefined ? '' : result.isBase64Encoded ? Buffer.from(result.body, 'base64').toString('utf8') : result.body;
  const isJson = /json/.test(headers['content-type'] ?? '') && !/ndjson/.test(headers['content-type'] ?? '');
  return {
    status: result.statusCode ?? 200,
    headers,
    body: isJson && text ? JSON.parse(text) : undefined,
    text,
    requestId: event.requestContext.requestId,
  };
}

/** Runs the real Lambda authorizer on the event's headers and hands its context to the route, as API Gateway does. */
export async function authorize(event: APIGatewayProxyEventV2): Promise<APIGatewayProxyEventV2> {
  const { isAuthorized, context } = await authorizer({ headers: event.headers });
  if (!isAuthorized) throw new Error('the authorizer denied the request outright; routes expect it to pass a context');
  return setAuthorizerContext(event, context);
}

/** A request with an API key (or none): authorizer first, then the route handler. */
export async function send(handler: RouteHandler, options: ApiEventOptions & { key?: string }): Promise<Reply> {
  const { key, ...eventOptions } = options;
  const event = apiEvent({
    ...eventOptions,
    headers: { ...(key === undefined ? {} : { authorization: `Bearer ${key}` }), ...eventOptions.headers },
  });
  return invoke(handler, await authorize(event));
}

export const ADMIN_SECRET = 'test-admin-secret-0123456789abcdef';

/** Registers the bootstrap admin key, as the local runtime does on start; returns its secret. */
export async function bootstrapAdmin(): Promise<string> {
  await ensureBootstrapKey(ADMIN_SECRET, { actor: { keyId: 'system', name: 'test-setup' }, requestId: 'test-setup' });
  return ADMIN_SECRET;
}

/** Creates an API key directly through the command; returns its id and secret. */
export async function keyFor(role: Role, services?: string[], name = `${role}-key`): Promise<{ id: string; key: string }> {
  const { apiKey, key } = await createApiKey(
    { name, role, services },
    { actor: { keyId: 'bootstrap', name: 'bootstrap-admin' }, requestId: 'test-setup' },
  );
  return { id: apiKey.id, key };
}

/** Asserts an RFC 9457 problem with this status, served as application/problem+json; returns it. */
export function expectProblem(reply: Reply, status: number): any {
  expect(reply.status, reply.text).toBe(status);
  expect(reply.headers['content-type']).toBe('application/problem+json');
  expect(reply.body).toMatchObject({ status, type: expect.any(String), title: expect.any(String), detail: expect.any(String) });
  return reply.body;
}
